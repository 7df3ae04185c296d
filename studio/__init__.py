"""The browser UI: login, portal, admin (Flask blueprints + Jinja2 + htmx).

``init_app`` is called by ``runtime.app.create_app``; the dependency direction
stays studio -> runtime (the runtime never imports the UI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, render_template

from studio.web import page_blueprint, principal, services

LIVE_JS = Path(__file__).with_name("static") / "js" / "live.js"

#: The analysts' studio (``/studio``) is a placeholder page until it is built.
placeholder = page_blueprint("studio_home")


@placeholder.get("/studio")
def studio_home() -> Any:
    services().authz.require(principal(), "studio.access", {"kind": "system"})
    return render_template("studio_placeholder.html")


def init_app(app: Flask) -> None:
    """Mount the UI blueprints and the template helpers."""
    from studio import admin, auth, portal, ui, vendor

    ui.init_templates(app)
    app.jinja_env.globals["has_live"] = LIVE_JS.is_file()
    portal.load_routes()
    admin.load_routes()
    for blueprint in (vendor.bp, auth.bp, portal.bp, admin.bp, placeholder):
        app.register_blueprint(blueprint)
