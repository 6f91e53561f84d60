"""One database session per request (matchmaker.web.unit_of_work): the guard, the
handler and the navigation badges share it, and it is always given back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from matchmaker import accounts
from matchmaker.models import Account
from tests.conftest import sign_in_as
from tests.factories import make_event, make_org, make_participant


@contextmanager
def _watched(engine: Engine) -> Iterator[dict[str, int]]:
    """Counts connections taken from the pool and statements reading the account table."""
    seen = {"checkouts": 0, "account_reads": 0}

    def checkout(*_: Any) -> None:
        seen["checkouts"] += 1

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT") and "FROM account" in sql:
            seen["account_reads"] += 1

    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", statement)


def _signed_in(client: TestClient, db: Session) -> int:
    org = make_org(db, make_event(db), "Mekong Agritech")
    _, account = make_participant(db, org, "Trần Thị Bình", "binh@example.vn")
    db.commit()
    sign_in_as(client, account, db)
    return account.id or 0


def test_request_session_one_connection_and_one_account_read_per_page(
    client: TestClient, db: Session, engine: Engine
) -> None:
    _signed_in(client, db)

    with _watched(engine) as seen:
        response = client.get("/me/notifications")

    assert response.status_code == 200
    assert seen == {"checkouts": 1, "account_reads": 1}  # guard, handler and badges
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_request_session_given_back_when_the_handler_takes_none(
    client: TestClient, db: Session, engine: Engine
) -> None:
    _signed_in(client, db)

    response = client.get("/api/schema/openapi.json")  # guarded, no database dependency

    assert response.status_code == 200
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_request_session_given_back_when_the_guard_refuses(
    client: TestClient, db: Session, engine: Engine
) -> None:
    account_id = _signed_in(client, db)
    with Session(engine) as other:  # a sign-out elsewhere ends this session
        account = other.get(Account, account_id)
        assert account is not None
        accounts.end_sessions(other, account)
        other.commit()

    response = client.get("/me/notifications", follow_redirects=False)

    assert response.status_code in (302, 303, 401)
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
