"""The studio's services: drafts, validation, diffs, sandbox test runs, deploys.

Why a package of small services rather than one "studio" class: each concern
(editing, checking, comparing, simulating, deploying) is used on its own by the
API and the pages, and each is testable without the others.
"""
