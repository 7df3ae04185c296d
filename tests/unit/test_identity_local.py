"""Local identity: hashed passwords, tokens, demo-only default passwords."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from connectors.identity.local import LocalIdentity, WeakPassword
from connectors.identity.memo import Memo
from connectors.identity.passwords import hash_password, verify_password
from models import Base, Database
from models.identity import ApiToken, User


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path}/id.db")
    Base.metadata.create_all(database.engine)
    return database


def test_password_hashes_are_salted_and_verified() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("correct horse", first)
    assert not verify_password("wrong horse", first)
    assert not verify_password("x", "md5$abc")


def test_tokens_resolve_to_users_and_expire(db: Database) -> None:
    identity = LocalIdentity("local://", db=db)
    identity.add_user("carol", "long enough pw", ["worker"], display_name="Carol")
    principal = identity.authenticate("carol", "long enough pw")
    assert principal is not None and principal.roles == ("worker",)
    token = identity.issue_token(principal)
    assert identity.verify_token(token) == principal
    with db.session() as s:
        stored = s.scalar(select(ApiToken.token_hash))
        assert token not in (stored or "")
        s.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    # Another process (no memo yet) sees the expiry at once; this one within TOKEN_TTL.
    assert LocalIdentity("local://", db=db).verify_token(token) is None
    assert identity.verify_token("nope") is None


def test_a_remembered_token_never_outlives_its_expiry(db: Database) -> None:
    identity = LocalIdentity("local://", db=db, token_ttl_seconds=1)
    identity.add_user("dave", "long enough pw", ["worker"])
    principal = identity.authenticate("dave", "long enough pw")
    assert principal is not None
    token = identity.issue_token(principal)
    assert identity.verify_token(token) == principal  # now remembered
    time.sleep(1.1)
    assert identity.verify_token(token) is None


def test_changing_a_user_forgets_remembered_tokens(db: Database) -> None:
    identity = LocalIdentity("local://", db=db)
    identity.add_user("erin", "long enough pw", ["worker"])
    principal = identity.authenticate("erin", "long enough pw")
    assert principal is not None
    token = identity.issue_token(principal)
    assert identity.verify_token(token) == principal
    identity.add_user("erin", "long enough pw", ["manager"])
    changed = identity.verify_token(token)
    assert changed is not None and changed.roles == ("manager",)


def test_memo_entries_expire_and_are_bounded() -> None:
    memo: Memo[int] = Memo(ttl=0.05, max_entries=2)
    memo.put("a", 1)
    assert memo.get("a") == 1
    memo.put("b", 2, ttl=10)  # may shorten, never lengthen
    memo.put("c", 3)  # full: starts over
    assert memo.get("a") is None and memo.get("c") == 3
    time.sleep(0.06)
    assert memo.get("b") is None and memo.get("c") is None


def test_demo_accounts_and_default_passwords_only_in_demo_mode(db: Database) -> None:
    demo = LocalIdentity("local://", db=db, demo=True)
    demo.add_user("worker", "demo", ["worker"], demo=True)
    assert demo.authenticate("worker", "demo") is not None
    production = LocalIdentity("local://", db=db, demo=False)
    assert production.authenticate("worker", "demo") is None
    with pytest.raises(WeakPassword):
        production.add_user("bob", "demo", ["worker"])
    with pytest.raises(WeakPassword):
        production.add_user("bob", "short", ["worker"])
    with db.session() as s:
        s.execute(update(User).where(User.username == "worker").values(demo=False))
    assert production.authenticate("worker", "demo") is None  # a default password


def test_inactive_and_unknown_users(db: Database) -> None:
    identity = LocalIdentity("local://", db=db)
    identity.add_user("dave", "a long password", ["worker"])
    with db.session() as s:
        s.execute(update(User).values(active=False))
    assert identity.authenticate("dave", "a long password") is None
    assert identity.authenticate("nobody", "a long password") is None
    assert identity.authenticate("dave", "a long password", tenant="other") is None


def test_successful_logins_are_cached_briefly_and_dropped_on_change(db: Database) -> None:
    import time

    identity = LocalIdentity("local://", db=db)
    identity.add_user("erin", "first password", ["worker"])
    started = time.perf_counter()
    assert identity.authenticate("erin", "first password") is not None
    first = time.perf_counter() - started
    started = time.perf_counter()
    assert identity.authenticate("erin", "first password") is not None
    assert time.perf_counter() - started < first / 5  # no second scrypt
    assert identity.authenticate("erin", "wrong password") is None
    identity.add_user("erin", "second password", ["worker"])
    assert identity.authenticate("erin", "first password") is None
    assert identity.authenticate("erin", "second password") is not None
