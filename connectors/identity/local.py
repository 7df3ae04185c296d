"""``local://``: accounts, hashed passwords and API tokens in our own database."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from connectors.identity import Principal
from connectors.identity.memo import Memo
from connectors.identity.passwords import hash_password, verify_password
from models.db import Database
from models.identity import ApiToken, User

#: How long (seconds) and how many successful password checks are remembered.
VERIFIED_TTL = 30.0
VERIFIED_MAX = 1000
#: How long a verified bearer token is remembered: a revocation or deactivation made by
#: another process takes effect within this time (in this process: at once).
TOKEN_TTL = 10.0

#: Passwords that only ever work in demo mode (what ``make run`` starts).
DEFAULT_PASSWORDS = frozenset({"demo", "admin", "password", "changeme", "secret"})


class WeakPassword(ValueError):
    """Refused outside demo mode: too short or a well-known default."""


class LocalIdentity:
    """Identity provider backed by the ``users`` and ``api_tokens`` tables."""

    def __init__(self, url: str, *, db: Database, demo: bool = False,
                 token_ttl_seconds: int = 43200) -> None:
        self.url = url
        self.db = db
        self.demo = demo
        self.token_ttl = timedelta(seconds=token_ttl_seconds)
        # Camunda clients send HTTP Basic on every call; scrypt costs ~70 ms on purpose, so
        # a successful check is remembered briefly, keyed by a hash (never the password).
        self._verified: Memo[Principal] = Memo(VERIFIED_TTL, VERIFIED_MAX)
        self._tokens: Memo[Principal] = Memo(TOKEN_TTL, VERIFIED_MAX)

    def authenticate(self, username: str, password: str, tenant: str = "default"
                     ) -> Principal | None:
        """Check a password; demo accounts and default passwords only in demo mode."""
        key = _sha(f"{tenant}\0{username}\0{password}")
        cached = self._verified.get(key)
        if cached is not None:
            return cached
        principal = self._check_password(username, password, tenant)
        if principal is not None:
            self._verified.put(key, principal)
        return principal

    def _check_password(self, username: str, password: str, tenant: str) -> Principal | None:
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.tenant == tenant, User.username == username))
            if user is None or not user.active:
                verify_password(password, _DUMMY_HASH)  # same cost whether or not user exists
                return None
            if not verify_password(password, user.password_hash):
                return None
            if not self.demo and (user.demo or password in DEFAULT_PASSWORDS):
                return None
            return _principal(user)

    def issue_token(self, principal: Principal) -> str:
        """A random bearer token; only its SHA-256 is stored."""
        token = secrets.token_urlsafe(32)
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.tenant == principal.tenant,
                                               User.username == principal.id))
            if user is None:
                raise LookupError(f"unknown user {principal.id!r}")
            s.add(ApiToken(tenant=principal.tenant, user_id=user.id, token_hash=_sha(token),
                           expires_at=datetime.now(UTC) + self.token_ttl))
        return token

    def verify_token(self, token: str) -> Principal | None:
        """Resolve a bearer token to its (active, unexpired) user (remembered briefly)."""
        key = _sha(token)
        cached = self._tokens.get(key)
        if cached is not None:
            return cached
        with self.db.read() as s:
            row = s.execute(select(ApiToken, User).join(User, ApiToken.user_id == User.id)
                            .where(ApiToken.token_hash == key)).first()
            if row is None:
                return None
            api_token, user = row
            expires = api_token.expires_at
            left = (_aware(expires) - datetime.now(UTC)).total_seconds() if expires else None
            if left is not None and left <= 0:
                return None
            if not user.active or (user.demo and not self.demo):
                return None
            principal = _principal(user)
        self._tokens.put(key, principal, ttl=left)
        return principal

    def add_user(self, username: str, password: str, roles: list[str], *,
                 tenant: str = "default", display_name: str = "", email: str = "",
                 demo: bool = False, password_hash: str | None = None) -> None:
        """Create or update a local account (used by the CLI and the demo loader).

        ``password_hash`` lets a loader reuse one scrypt hash for many accounts.
        """
        if not (demo or self.demo):
            _check_strength(password)
        self._verified.clear()  # roles or password change: no stale cached logins
        self._tokens.clear()
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.tenant == tenant, User.username == username))
            if user is None:
                user = User(tenant=tenant, username=username)
                s.add(user)
            user.password_hash = password_hash or hash_password(password)
            user.roles = sorted(set(roles))
            user.display_name = display_name or user.display_name or username
            user.email = email or user.email
            user.demo = demo

    def check(self) -> dict[str, Any]:
        with self.db.session() as s:
            s.scalar(select(User.id).limit(1))
        return {"status": "up", "backend": "local"}


def _check_strength(password: str) -> None:
    if len(password) < 8 or password.lower() in DEFAULT_PASSWORDS:
        raise WeakPassword("passwords need at least 8 characters and must not be a default")


def _principal(user: User) -> Principal:
    return Principal(id=user.username, roles=tuple(user.roles or ()), tenant=user.tenant,
                     display_name=user.display_name, email=user.email)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they are UTC by construction."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_DUMMY_HASH = hash_password(secrets.token_hex(8))
