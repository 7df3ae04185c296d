"""The browser UI: login, portal, studio and admin (Flask blueprints + Jinja2)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Mount the UI blueprints on an app built by ``runtime.app.create_app``."""
    from studio import auth

    app.register_blueprint(auth.bp)
