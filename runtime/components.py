"""Start-up validation of every backend URL against its registry.

Why up front: a typo in ``CASESTUDIO_EVENTS_URL`` should stop the process
at start with the list of known schemes, not fail on the first event.
"""

from __future__ import annotations

from bpmn.factory import REGISTRY as ENGINE
from connectors.events import REGISTRY as EVENTS
from connectors.identity import REGISTRY as IDENTITY
from connectors.storage import REGISTRY as STORAGE
from connectors.urls import check_scheme
from policies import REGISTRY as POLICY
from runtime.settings import Settings

#: ``postgresql://`` is psycopg2, the faster driver for a threaded
#: server (see :func:`models.db.build_engine`); ``+psycopg`` selects psycopg 3.
DATABASE = {"sqlite": "", "postgresql": "", "postgresql+psycopg2": "", "postgresql+psycopg": ""}
NOTIFY = {"inbox": "", "novu+https": "", "novu+http": ""}
MAIL = {"smtp": "", "imap": "", "imaps": ""}
CASE_STORE = {"sql": "", "mongodb": ""}
SOCKETIO_QUEUE = {"redis": "", "kafka": ""}

KINDS = {
    "database_url": ("database", DATABASE), "engine_url": ("engine", ENGINE),
    "storage_url": ("storage", STORAGE), "events_url": ("events", EVENTS),
    "notify_url": ("notify", NOTIFY), "identity_url": ("identity", IDENTITY),
    "policy_url": ("policy", POLICY), "case_store_url": ("case store", CASE_STORE),
    "socketio_queue_url": ("socket.io queue", SOCKETIO_QUEUE),
}


def check_urls(settings: Settings) -> None:
    """Raise :class:`connectors.urls.UnknownScheme` for the first unknown scheme."""
    for name, (kind, registry) in KINDS.items():
        url = getattr(settings, name)
        if url:
            check_scheme(kind, url, registry)
    for url in settings.mail_urls:
        check_scheme("mail", url, MAIL)
