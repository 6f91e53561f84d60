"""\"E-mail me a new link\": from a used or expired link's page, the same answer for
every address, counted under the sign-in limits."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlmodel import Session, select

from matchmaker import accounts, notifications
from matchmaker.clock import utcnow
from matchmaker.models import Account, Notification, SignInToken
from matchmaker.settings import Settings
from tests.conftest import TEST_SECRET, post_form
from tests.factories import make_event, make_org, make_participant
from tests.sessions import organiser_account
from tests.smtp import SMTPServer, sign_in_links, smtp_for

ANSWER = "If this address belongs to a participant, a new personal link is on its way to it."


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
        login_max_attempts=3,
        login_max_client_attempts=5,
        login_window_seconds=300,
    )


def _participant(db: Session) -> Account:
    event = make_event(db)
    org = make_org(db, event, "Hợp tác xã Bưởi Năm Roi")
    _, account = make_participant(db, org, "Lê Thị Mai", "mai@buoi.vn")
    db.commit()
    return account


def _outbox(db: Session) -> list[Notification]:
    db.expire_all()
    return list(db.exec(select(Notification)))


def test_new_link_offered_on_an_expired_links_page(client: TestClient, db: Session) -> None:
    token = accounts.issue_token(db, _participant(db))
    row = db.exec(select(SignInToken)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    client.cookies.set("mm_lang", "en")
    page = post_form(client, f"/signin/link/{token}", {}).text
    assert "This sign-in link has expired." in page
    assert '<form method="post" action="/signin/new-link"' in page
    assert "E-mail me a new link" in page


def test_new_link_is_emailed_and_signs_in(
    client: TestClient, db: Session, smtp_server: SMTPServer
) -> None:
    account = _participant(db)
    client.cookies.set("mm_lang", "en")
    response = post_form(client, "/signin/new-link", {"email": " Mai@Buoi.vn "})
    assert response.status_code == 200
    assert ANSWER in response.text
    [note] = _outbox(db)
    assert (note.account_id, note.to_email, note.sign_in_hours) == (account.id, "mai@buoi.vn", 72)
    notifications.send_pending(db, smtp_for(smtp_server), base_url="http://testserver.local")
    db.commit()
    [link] = sign_in_links(smtp_server, "mai@buoi.vn")
    opened = post_form(
        client, link.removeprefix("http://testserver.local"), {}, follow_redirects=False
    )
    assert opened.status_code == 303


def test_new_link_answers_the_same_for_an_unknown_or_organisers_address(
    client: TestClient, db: Session
) -> None:
    _participant(db)
    organiser_account(db, "bantochuc@example.vn")
    db.commit()
    client.cookies.set("mm_lang", "en")
    for email in ("nobody@example.vn", "bantochuc@example.vn"):
        response = post_form(client, "/signin/new-link", {"email": email})
        assert (response.status_code, ANSWER in response.text) == (200, True)
    assert _outbox(db) == []


def test_new_link_is_rate_limited_like_signing_in(client: TestClient, db: Session) -> None:
    _participant(db)
    client.cookies.set("mm_lang", "en")
    answers = [
        post_form(client, "/signin/new-link", {"email": "mai@buoi.vn"}).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    refused = post_form(client, "/signin/new-link", {"email": "mai@buoi.vn"})
    assert "Too many requests. Try again in a few minutes." in refused.text
    assert len(_outbox(db)) == 3


def test_new_link_without_an_address_says_so_at_the_field(client: TestClient) -> None:
    client.cookies.set("mm_lang", "en")
    response = post_form(client, "/signin/new-link", {"email": ""})
    assert response.status_code == 400
    assert '<p class="error" id="new-link-error" role="alert">Enter your email address.</p>' in (
        response.text
    )
