"""Links the app hands out start with the site's real address: MATCHMAKER_BASE_URL when
it is set, else the address the request came to (`make run PORT=8311` gives working
links). Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from matchmaker.settings import Settings
from matchmaker.web.app import create_app
from tests.conftest import TEST_SECRET, post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant

SERVED_ON = "http://192.168.1.20:8311"  # a LAN address and a port other than 8000
CONFIGURED = "https://matchmaker.haugiang.vn"


def _client(engine: Engine, tmp_path: Path, base_url: str = "") -> Iterator[TestClient]:
    # Cookies stay usable over the test client's plain http (an https base_url makes
    # them Secure otherwise).
    settings = Settings(
        var_dir=tmp_path / "var", secret_key=TEST_SECRET, base_url=base_url, secure_cookies=False
    )
    with TestClient(create_app(settings, engine=engine), base_url=SERVED_ON) as client:
        yield client


@pytest.fixture
def unset(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    """The app without MATCHMAKER_BASE_URL, reached at SERVED_ON."""
    yield from _client(engine, tmp_path)


@pytest.fixture
def configured(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    """The app with MATCHMAKER_BASE_URL=CONFIGURED, reached at SERVED_ON."""
    yield from _client(engine, tmp_path, CONFIGURED)


def _sign_in_link(client: TestClient, db: Session) -> str:
    event = make_event(db)
    person, _ = make_participant(db, make_org(db, event, "Công ty D"), "Đỗ Văn Dũng")
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    shown = post_form(client, f"/organiser/participants/{person.id}/link", {})
    found = re.search(r'value="([^"]+/signin/link/[^"]+)"', shown.text)
    assert found is not None
    return found.group(1)


def _feed_address(client: TestClient, db: Session) -> str:
    event = make_event(db)
    _, account = make_participant(db, make_org(db, event, "HTX Khóm Cầu Đúc"), "Lê Văn Khóm")
    db.commit()
    sign_in_as(client, account, db)
    page = post_form(client, "/me/agenda/feed", {})
    found = re.search(r'value="([^"]+/calendar/[^"]+\.ics)"', page.text)
    assert found is not None
    return found.group(1)


def test_sign_in_link_without_base_url_uses_the_address_requested(
    unset: TestClient, db: Session
) -> None:
    link = _sign_in_link(unset, db)

    assert link.startswith(f"{SERVED_ON}/signin/link/")
    unset.cookies.clear()
    token = link.rsplit("/", 1)[1]
    assert unset.get(link.removeprefix(SERVED_ON)).status_code == 200
    assert post_form(unset, f"/signin/link/{token}", {}, follow_redirects=False).status_code == 303


def test_sign_in_link_with_base_url_uses_it(configured: TestClient, db: Session) -> None:
    link = _sign_in_link(configured, db)

    assert link.startswith(f"{CONFIGURED}/signin/link/")


def test_calendar_feed_without_base_url_uses_the_address_requested(
    unset: TestClient, db: Session
) -> None:
    address = _feed_address(unset, db)

    assert address.startswith(f"{SERVED_ON}/calendar/")
    unset.cookies.clear()  # calendar apps have no session
    assert unset.get(address.removeprefix(SERVED_ON)).status_code == 200


def test_calendar_feed_with_base_url_uses_it(configured: TestClient, db: Session) -> None:
    address = _feed_address(configured, db)

    assert address.startswith(f"{CONFIGURED}/calendar/")
