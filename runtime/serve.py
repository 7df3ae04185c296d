"""Serving the app with a threaded WSGI server (no external server needed)."""

from __future__ import annotations

from werkzeug.serving import run_simple

from runtime.settings import Settings


def serve(settings: Settings, host: str, port: int) -> None:
    """Run until interrupted; background workers stop cleanly on exit."""
    from runtime.app import create_app

    app = create_app(settings)
    print(f"CaseStudio is serving on http://{host}:{port}", flush=True)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        app.extensions["casestudio"].stop()
