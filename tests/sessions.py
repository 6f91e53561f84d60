"""Fast signed-in clients for tests whose subject is not signing in.

`open_session` sets the same signed session cookie the sign-in handlers issue (with
the app's own signer), skipping the deliberately slow argon2 check; the sign-in flows
themselves are covered in tests/integration/test_signin.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingRequest,
    Organisation,
    OrgKind,
    Participant,
    Role,
)
from matchmaker.web.session_cookie import SESSION_COOKIE, SESSION_SALT, Identity
from tests.conftest import csrf_token
from tests.factories import make_event, make_org, make_participant


def organiser_account(db: Session, email: str = "bantochuc@example.vn") -> Account:
    """An organiser without a password (sign in with `open_session`)."""
    account = Account(email=email, role=Role.organiser, display_name="Ban tổ chức")
    db.add(account)
    db.flush()
    return account


def open_session(client: TestClient, account: Account | None, *, age_seconds: int = 0) -> str:
    """Act as `account` from now on (None: anonymous); keeps the CSRF cookie.
    `age_seconds` backdates the session (as if opened that long ago). Returns the
    session cookie's value."""
    csrf_token(client)
    client.cookies.delete(SESSION_COOKIE)
    if account is None:
        return ""
    assert account.id is not None
    identity = Identity(account.id, account.role.value, account.session_generation)
    if age_seconds:
        value = _backdated(client, identity, age_seconds)
    else:
        value = client.app.state.signer.dumps(identity)
    client.cookies.set(SESSION_COOKIE, value)
    return value


def _backdated(client: TestClient, identity: Identity, age_seconds: int) -> str:
    class EarlierSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    secret = client.app.state.settings.resolved_secret_key()
    serializer = URLSafeTimedSerializer(secret, salt=SESSION_SALT, signer=EarlierSigner)
    return serializer.dumps({"a": identity.account_id, "r": identity.role})


@dataclass
class World:
    """Two organisations of one event, a participant in each, an organiser, and a
    meeting request and meeting between them (so id 1 exists in most tables)."""

    event: Event
    own_org: Organisation
    own: Participant
    own_account: Account
    other_org: Organisation
    other: Participant
    other_account: Account
    organiser: Account

    def account(self, role: str | None) -> Account | None:
        return {"participant": self.own_account, "organiser": self.organiser}.get(role or "")


def make_world(db: Session) -> World:
    event = make_event(db)
    own_org = make_org(db, event, "Công ty Khởi nghiệp Mê Kông", OrgKind.startup)
    other_org = make_org(db, event, "Quỹ Đầu tư Đồng bằng", OrgKind.investor)
    own, own_account = make_participant(db, own_org, "Nguyễn Văn An", "an@mekong.vn")
    other, other_account = make_participant(db, other_org, "Phạm Thị Bình", "binh.private@quy.vn")
    other.phone = "0987 654 321"
    db.add(other)
    request = MeetingRequest(
        event_id=event.id or 0,
        from_org_id=own_org.id or 0,
        to_org_id=other_org.id or 0,
        message="Xin gặp",
    )
    db.add(request)
    db.flush()
    db.add(
        Meeting(
            event_id=event.id or 0,
            request_id=request.id,
            org_a_id=own_org.id or 0,
            org_b_id=other_org.id or 0,
        )
    )
    organiser = organiser_account(db)
    db.commit()
    return World(event, own_org, own, own_account, other_org, other, other_account, organiser)


# For tests whose subject does not depend on the database (CSRF, headers, cookie
# parsing, content types): run them on SQLite only, to keep the suite fast.
sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
