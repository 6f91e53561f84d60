"""No secret that signs anyone in is kept in the database: personal sign-in links are
made when their e-mail is sent (only a hash is stored), and every text of every table
is searched for one. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re

from litestar.testing import TestClient
from sqlalchemy import MetaData, select
from sqlmodel import Session

from matchmaker import notifications
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant
from tests.smtp import SMTPServer, sign_in_links, smtp_for

BASE_URL = "http://testserver.local"
# Anything shaped like a token (secrets.token_urlsafe(32) gives 43 such characters).
TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])")

REGISTRATION = {
    "name": "Công ty TNHH Lúa Thông Minh",
    "kind": "startup",
    "sectors": ["agritech"],
    "province": "Hậu Giang",
    "description": "Dự báo sâu bệnh cho lúa.",
    "seeks": ["seed_investment"],
    "full_name": "Lâm Thị Trâm",
    "email": "tram@luathongminh.vn",
    "languages": ["vi"],
    "password": "mat-khau-rat-dai",
    "privacy_consent": "yes",
}


def stored_texts(db: Session) -> list[str]:
    """Every text the database holds: each string (and JSON) value of every table."""
    bind = db.get_bind()
    tables = MetaData()
    tables.reflect(bind=bind)
    texts: list[str] = []
    with bind.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    if isinstance(value, str):
                        texts.append(value)
                    elif isinstance(value, dict | list):
                        texts.append(json.dumps(value))
    return texts


def signs_in(client: TestClient, path: str) -> bool:
    """Whether posting to `path` opens a session (in a browser with no cookies yet)."""
    client.cookies.clear()
    return post_form(client, path, {}, follow_redirects=False).status_code == 303


def assert_nothing_stored_signs_in(client: TestClient, db: Session) -> list[str]:
    """No stored text is a sign-in link, nor holds a token-shaped word that signs in;
    returns the texts."""
    texts = stored_texts(db)
    assert not [text for text in texts if "/signin/link/" in text]
    candidates = {found for text in texts for found in TOKEN_LIKE.findall(text)}
    assert candidates  # the search sees the stored token hashes, at least
    assert not [c for c in candidates if signs_in(client, f"/signin/link/{c}")]
    return texts


def test_no_stored_text_signs_anyone_in_and_the_emailed_links_do(
    client: TestClient, db: Session, smtp_server: SMTPServer
) -> None:
    event = make_event(db)
    organiser = make_organiser(db)
    org = make_org(db, event, "Quỹ Đầu tư Mekong")
    handed, _ = make_participant(db, org, "Đỗ Văn Dũng", "dung@mekong.vn")
    _, colleague = make_participant(db, org, "Lê Văn An", "an@mekong.vn")
    db.commit()
    # Every way a personal link is sent: an organiser e-mails one, a representative is
    # added, an organisation registers itself, and someone registers an address in use.
    sign_in_as(client, organiser, db)
    post_form(client, f"/organiser/participants/{handed.id}/link", {"send": "1"})
    client.cookies.clear()
    sign_in_as(client, colleague, db)
    post_form(
        client,
        "/me/profile/representatives",
        {"full_name": "Phạm Thu Hà", "email": "ha@mekong.vn", "languages": ["vi"]},
    )
    client.cookies.clear()
    for email in ("tram@luathongminh.vn", "an@mekong.vn"):  # a new address, one in use
        registered = post_form(
            client, "/register", {**REGISTRATION, "email": email}, follow_redirects=False
        )
        assert registered.status_code == 303
    db.expire_all()
    assert_nothing_stored_signs_in(client, db)

    notifications.send_pending(db, smtp_for(smtp_server), base_url=BASE_URL)
    db.commit()

    texts = assert_nothing_stored_signs_in(client, db)
    recipients = ["dung@mekong.vn", "ha@mekong.vn", "tram@luathongminh.vn", "an@mekong.vn"]
    emailed = {email: sign_in_links(smtp_server, email) for email in recipients}
    assert all(len(links) == 1 for links in emailed.values()), emailed
    for links in emailed.values():
        token = links[0].rsplit("/", 1)[1]
        assert not [text for text in texts if token in text]
    # Each person still gets a link that works.
    for email, links in emailed.items():
        assert signs_in(client, links[0]), email
        assert client.get("/api/me").json()["email"] == email
