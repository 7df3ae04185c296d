"""The browser UI: login, portal, admin (Flask blueprints + Jinja2 + htmx).

``init_app`` is called by ``runtime.app.create_app``; the dependency direction
stays studio -> runtime (the runtime never imports the UI).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

LIVE_JS = Path(__file__).with_name("static") / "js" / "live.js"


def init_app(app: Flask) -> None:
    """Mount the UI blueprints and the template helpers."""
    from studio import admin, auth, designer, portal, ui, vendor, widgets

    ui.init_templates(app)
    app.jinja_env.globals["has_live"] = LIVE_JS.is_file()
    portal.load_routes()
    admin.load_routes()
    designer.load_routes()
    widgets.load_routes()
    for blueprint in (vendor.bp, auth.bp, portal.bp, admin.bp, designer.bp, widgets.bp):
        app.register_blueprint(blueprint)
