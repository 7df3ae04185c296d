"""The socket.io side of one app: authenticated connects, policy-checked joins,
fan-out of bus events to rooms, and reconnect resync.

Why joins are checked once and fan-out is not: the policy is asked when a socket
asks for a room (``case.read`` on the case, the ``case.read`` scope for feeds), so
publishing an event costs a few dict lookups instead of a policy call per socket
per event (DESIGN §7, §8). Rights are thus those of connect/subscribe time.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from flask import request
from flask_socketio import SocketIO, join_room, leave_room, rooms
from socketio.exceptions import ConnectionRefusedError as Refused

from connectors.identity import Principal
from models.cases import Case
from policies import PolicyError
from runtime.container import Container
from runtime.errors import BadRequest, DomainError
from runtime.realtime.auth import handshake_principal
from runtime.realtime.dispatch import Dispatcher
from runtime.realtime.resync import missed_events
from runtime.realtime.routing import (
    ALL_TYPES,
    FEEDS,
    Event,
    case_room,
    feed_room,
    route,
    tenant_room,
    user_room,
)

log = logging.getLogger(__name__)
Ack = dict[str, Any]
AUTO_ROOMS = ("user", "tenant")
"""Client rooms every socket is in from its connect on (subscribing is a no-op)."""


class LiveHub:
    """Handlers of one :class:`SocketIO` bound to one app's container."""

    def __init__(self, socketio: SocketIO, container: Container) -> None:
        self.socketio = socketio
        self.container = container
        self.principals: dict[str, Principal] = {}
        self.case_types = CaseTypes(container)
        self.case_type_of = self.case_types.get
        self.dispatcher = Dispatcher(self.emit_event, name="socketio-publisher")

    def register(self) -> None:
        """Attach the socket handlers and the bus subscriber."""
        for name, handler in (("connect", self.on_connect), ("disconnect", self.on_disconnect),
                              ("subscribe", self.on_subscribe),
                              ("unsubscribe", self.on_unsubscribe), ("resync", self.on_resync)):
            self.socketio.on_event(name, handler)
        self.socketio.on_error_default(self.on_error)
        self.container.bus.subscribe(self.publish)

    # -- fan-out ------------------------------------------------------------------
    def publish(self, event: Event) -> None:
        """Bus subscriber (relay thread): remember the case type, hand the event over."""
        case_type = (event.get("data") or {}).get("caseType")
        if event.get("caseId") and case_type:
            self.case_types.remember(str(event["caseId"]), str(case_type))
        self.dispatcher.submit(event)

    def emit_event(self, event: Event) -> None:
        """Emit every delivery of a committed event (see :mod:`.routing`)."""
        for delivery in route(event, self.case_type_of):
            self.socketio.emit(delivery.name, delivery.payload, to=list(delivery.rooms))

    # -- socket handlers ------------------------------------------------------------
    def on_connect(self, auth: Any = None) -> None:
        principal = handshake_principal(self.container.identity, auth)
        if principal is None:
            raise Refused("authentication required")  # the client sees connect_error
        self.principals[_sid()] = principal
        join_room(user_room(principal.tenant, principal.id))
        join_room(tenant_room(principal.tenant))

    def on_disconnect(self, _reason: Any = None) -> None:
        self.principals.pop(_sid(), None)

    def on_subscribe(self, message: Any) -> Ack:
        """Join the server rooms behind a client room, if the policy allows."""
        principal, room = self.principals[_sid()], _room_of(message)
        try:
            wanted = self._rooms_for(principal, room)
        except DomainError as exc:
            return {"ok": False, "error": exc.detail}
        except PolicyError:
            log.exception("policy failed on a socket subscribe")
            return {"ok": False, "error": "the policy engine is unavailable"}
        if room in FEEDS.values():
            self._leave_feed(principal, room, keep=set(wanted))
        for room in wanted:
            join_room(room)
        return {"ok": True}

    def on_unsubscribe(self, message: Any) -> Ack:
        principal = self.principals[_sid()]
        room = _room_of(message)
        kind, _, case_id = room.partition(":")
        if kind == "case" and case_id:
            leave_room(case_room(principal.tenant, case_id))
        elif room in FEEDS.values():
            self._leave_feed(principal, room, keep=set())
        return {"ok": True}

    def on_resync(self, message: Any) -> Ack:
        """Missed events since ``{"since": seq}`` for the rooms this socket is in now."""
        since = message.get("since") if isinstance(message, dict) else None
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            return {"ok": False, "error": "send {since: <last seq seen>}"}
        principal = self.principals[_sid()]
        events = missed_events(self.container.db, self.case_type_of, principal.tenant, since,
                               set(rooms()))
        return {"ok": True, "reload": True} if events is None else {"ok": True, "events": events}

    def on_error(self, exc: Exception) -> Ack:
        """Unexpected handler errors are logged and answered, never raised into threads."""
        log.error("socket handler failed: %r", exc, exc_info=exc)
        return {"ok": False, "error": "internal error"}

    # -- rooms --------------------------------------------------------------------
    def _rooms_for(self, principal: Principal, room: str) -> list[str]:
        """Server rooms for a client room; raises when the caller may not read it."""
        kind, _, case_id = room.partition(":")
        if kind == "case" and case_id:
            case = self.container.cases.get(principal, case_id)  # NotFound / Forbidden
            return [case_room(case.tenant, case.id)]
        if room in FEEDS.values():
            scope = self.container.authz.scope(principal, "case.read")
            types = [ALL_TYPES] if scope.case_types is None else sorted(scope.case_types)
            return [] if scope.is_empty else [feed_room(room, principal.tenant, t)
                                              for t in types]
        if room in AUTO_ROOMS:
            return []
        raise BadRequest(f"unknown room {room!r}")

    def _leave_feed(self, principal: Principal, feed: str, keep: set[str]) -> None:
        """Leave feed rooms no longer in scope (a re-subscribe also shrinks)."""
        prefix = feed_room(feed, principal.tenant, "")
        for room in rooms():
            if room.startswith(prefix) and room not in keep:
                leave_room(room)


class CaseTypes:
    """case id -> case type, bounded; filled from events that name it, else one query.

    A case's type never changes, so entries never go stale.
    """

    def __init__(self, container: Container, size: int = 50_000) -> None:
        self.container = container
        self.size = size
        self._known: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, case_id: str, case_type: str) -> None:
        with self._lock:
            self._known[case_id] = case_type
            self._known.move_to_end(case_id)
            if len(self._known) > self.size:
                self._known.popitem(last=False)

    def get(self, case_id: str) -> str | None:
        with self._lock:
            known = self._known.get(case_id)
        if known is not None:
            return known
        with self.container.db.session() as s:
            case = s.get(Case, case_id)
        if case is not None:
            self.remember(case_id, case.case_type)
        return case.case_type if case is not None else None


def _sid() -> str:
    return str(request.sid)  # type: ignore[attr-defined]


def _room_of(message: Any) -> str:
    room = message.get("room") if isinstance(message, dict) else None
    return room if isinstance(room, str) else ""
