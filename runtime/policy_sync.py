"""Keeping every serving process's policy data in step with deploys made anywhere.

Why: a deploy pushes the new case-type permissions into the policy engine of the
process that took the request. Replicas behind a load balancer (DESIGN §2, §8)
would keep deciding on old permissions (a new case type: 403 everywhere else)
until restarted. Each process therefore polls a fingerprint of the deployed
versions (one small query every couple of seconds) and reloads on change.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from models.casetypes import CaseType
from models.db import Database
from runtime.periodic import Periodic

INTERVAL_SECONDS = 2.0


def deployed_fingerprint(db: Database) -> str:
    """Changes whenever a case type is added, removed or gets a new latest version."""
    with db.read() as s:
        rows = s.execute(select(CaseType.tenant, CaseType.key, CaseType.latest_version)
                         .order_by(CaseType.tenant, CaseType.key)).all()
    text = "\n".join(f"{tenant}/{key}/{version}" for tenant, key, version in rows)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class PolicySync:
    """Loads policy data now and again whenever the deployed versions change."""

    def __init__(self, fingerprint: Callable[[], str], load: Callable[[], None],
                 interval: float = INTERVAL_SECONDS) -> None:
        self.fingerprint = fingerprint
        self.load = load
        self.seen: str | None = None
        self.reloads = 0
        self._lock = threading.Lock()
        self.loop = Periodic(self.check_once, interval, "policy-sync")

    def refresh(self) -> None:
        """Load the data; the fingerprint is read first, so a deploy that lands while
        loading shows up as a change at the next check instead of being missed."""
        with self._lock:
            seen = self.fingerprint()
            self.load()
            self.seen = seen

    def check_once(self) -> bool:
        """Reload when another process deployed since; True when it did."""
        if self.fingerprint() == self.seen:
            return False
        self.refresh()
        self.reloads += 1
        return True

    def start(self) -> None:
        self.loop.start()

    def stop(self) -> None:
        self.loop.stop()

    def check(self) -> dict[str, Any]:
        return {"status": "up" if self.loop.alive() else "down", "reloads": self.reloads}
