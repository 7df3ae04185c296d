"""Live updates over socket.io (Flask-SocketIO, threading mode, websocket only).

Why websocket only: the long-polling transport stalled on a burst of 100 emits
(FACTS.md, "Realtime"), so the server refuses it and clients must ask for the
websocket transport directly. CORS stays at Flask-SocketIO's default, which
accepts the same origin only: a page of another site cannot ride the session
cookie. Scale-out (``SOCKETIO_QUEUE_URL``) hands every emit to a message queue
so a socket on any replica receives events relayed by any other.

Contract for browsers and other clients: ``docs/realtime.md``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from runtime.realtime.hub import LiveHub
from runtime.realtime.resync import RESYNC_LIMIT, latest_seq, missed_events
from runtime.realtime.routing import Delivery, route

__all__ = ["CHANNEL", "RESYNC_LIMIT", "Delivery", "LiveHub", "init_realtime", "latest_seq",
           "missed_events", "route"]

CHANNEL = "casestudio"
"""Message-queue channel; clusters sharing one Redis pass their own ``channel``."""


def init_realtime(app: Flask, **options: Any) -> SocketIO:
    """Mount socket.io on an app from ``create_app``; calling it again returns the same one.

    ``options`` go to :class:`flask_socketio.SocketIO` on the first call only (e.g.
    ``channel`` to keep clusters that share one Redis apart).
    """
    existing = app.extensions.get("socketio")
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    container = app.extensions["casestudio"]
    queue = container.settings.socketio_queue_url
    options = {"async_mode": "threading", "transports": ["websocket"],
               "cors_allowed_origins": None, "channel": CHANNEL, **options}
    if queue:
        options["message_queue"] = queue
    socketio = SocketIO(app, **options)
    hub = LiveHub(socketio, container)
    hub.register()
    app.extensions["casestudio.realtime"] = hub
    return socketio
