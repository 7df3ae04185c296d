"""Admin: local users and their roles (the ``local://`` identity backend).

Why roles are updated here with SQL and not through ``add_user``: changing a
role must not need (or reset) the user's password; with an OIDC identity the
page only explains that users are managed in the identity provider.
"""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from models.identity import User
from runtime.errors import NotFound
from studio.admin import bp
from studio.web import principal, services

ROLE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,150}$")
KNOWN_ROLES = ("worker", "manager", "analyst", "admin", "engine")


def _local() -> bool:
    return services().settings.identity_url.startswith("local:")


def _roles(raw: list[str]) -> list[str]:
    """Roles from checkboxes and the free-text field, validated and de-duplicated."""
    items = [r.strip() for value in raw for r in value.split(",") if r.strip()]
    return sorted({r for r in items if ROLE.match(r)})


USER_ENDPOINTS = frozenset({"admin.users", "admin.add_user", "admin.set_roles"})


@bp.before_request
def _require_user_admin() -> Any:
    if request.endpoint in USER_ENDPOINTS:
        services().authz.require(principal(), "user.manage", {"kind": "user"})
    return None


@bp.get("/users")
def users() -> Any:
    rows: list[User] = []
    if _local():
        with services().db.session() as s:
            rows = list(s.scalars(select(User).where(User.tenant == principal().tenant)
                                  .order_by(User.username)))
    return render_template("admin/users.html", rows=rows, local=_local(),
                           known_roles=KNOWN_ROLES, form=request.form)


@bp.post("/users")
def add_user() -> Any:
    from connectors.identity.local import WeakPassword

    form, tenant = request.form, principal().tenant
    username, roles = form.get("username", "").strip(), _roles(form.getlist("roles"))
    error = None if USERNAME.match(username) else "Username: 2-150 letters, digits or . _ @ -"
    error = error or (None if roles else "Choose at least one role.")
    if error is None:
        try:
            services().identity.add_user(  # type: ignore[attr-defined]
                username, form.get("password", ""), roles, tenant=tenant,
                display_name=form.get("display_name", "").strip(),
                email=form.get("email", "").strip())
        except WeakPassword as exc:
            error = f"Password: {exc}"
    if error:
        flash(f"User not saved. {error}", "error")
    else:
        flash(f"User {username} saved with roles {', '.join(roles)}.", "ok")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/roles")
def set_roles(username: str) -> Any:
    roles = _roles(request.form.getlist("roles"))
    if not roles:
        flash("A user needs at least one role.", "error")
        return redirect(url_for("admin.users"))
    with services().db.session() as s:
        user = s.scalar(select(User).where(User.tenant == principal().tenant,
                                           User.username == username))
        if user is None:
            raise NotFound(f"user {username!r} does not exist")
        user.roles = roles
    flash(f"{username} now has the roles {', '.join(roles)}. "
          "They apply from the user's next login.", "ok")
    return redirect(url_for("admin.users"))
