"""One set of studio services per running app, built on first use.

Why not in ``runtime.container``: the studio is an optional feature on top of
the container's services; building it lazily keeps the container unchanged and
each app (tests build several) gets its own set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from runtime.bundles.archive import Limits
from runtime.studio.deploy import StudioDeployer
from runtime.studio.drafts import DraftService
from runtime.studio.transfer import Transfer


@dataclass
class Studio:
    drafts: DraftService
    deployer: StudioDeployer
    transfer: Transfer
    allow_scripts: bool


_STUDIOS: WeakKeyDictionary[Any, Studio] = WeakKeyDictionary()


def studio_of(container: Any) -> Studio:
    """The studio services of ``container`` (a ``runtime.container.Container``)."""
    studio = _STUDIOS.get(container)
    if studio is None:
        settings = container.settings
        limits = Limits(max_bytes=settings.max_bundle_bytes,
                        max_files=settings.max_bundle_files)
        drafts = DraftService(container.db, container.authz, limits)
        deployer = StudioDeployer(container.db, container.case_types, drafts, limits,
                                  settings.allow_scripts)
        studio = Studio(drafts, deployer, Transfer(drafts, deployer), settings.allow_scripts)
        _STUDIOS[container] = studio
    return studio
