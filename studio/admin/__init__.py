"""Admin pages: deployments and case-type versions, process instances, incidents, users.

Every view requires the ``admin.access`` permission (the admin role in the
default policy); user management additionally asks for ``user.manage``.
"""

from __future__ import annotations

from typing import Any

from studio.web import page_blueprint, principal, services

bp = page_blueprint("admin", url_prefix="/admin")


@bp.before_request
def _require_admin() -> Any:
    services().authz.require(principal(), "admin.access", {"kind": "system"})
    return None


def load_routes() -> None:
    from studio.admin import deployments, incidents, instances, users  # noqa: F401
