"""Serving the app and its socket.io endpoint with werkzeug's threaded server.

Why werkzeug in threading mode: it needs no external server, and with
simple-websocket it speaks the websocket transport the live updates require
(FACTS.md, "Realtime"); replicas behind Traefik scale it out instead of a
different server (``SOCKETIO_QUEUE_URL``).
"""

from __future__ import annotations

from runtime.settings import Settings


def serve(settings: Settings, host: str, port: int, processes: int = 1) -> None:
    """Run until interrupted; background workers stop cleanly on exit.

    ``processes`` > 1: that many processes share the socket
    (:mod:`runtime.serve_processes`), to use more than one core.
    """
    if processes > 1:
        from runtime.serve_processes import serve_processes

        serve_processes(settings, host, port, processes)
        return
    from runtime.app import create_app
    from runtime.realtime import init_realtime

    app = create_app(settings)
    socketio = init_realtime(app)  # the instance create_app mounted, if it did
    print(f"CaseStudio is serving on http://{host}:{port}", flush=True)
    try:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True,
                     use_reloader=False)
    finally:
        app.extensions["casestudio"].stop()
