"""Helpers for end-to-end tests: the served app's handle, sign-in through the real
forms, and named screenshots under test-artifacts/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from matchmaker import accounts
from matchmaker.db import session_scope
from matchmaker.models import Account, Event, Participant, Role
from matchmaker.settings import Settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ORGANISER_EMAIL = "organiser@e2e.example.vn"
ORGANISER_PASSWORD = "e2e-organiser-password"


@dataclass(frozen=True)
class LiveServer:
    """The app served on a real port, and its database."""

    url: str
    engine: Engine
    settings: Settings
    event_id: int
    organiser_email: str = ORGANISER_EMAIL
    organiser_password: str = ORGANISER_PASSWORD

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def sign_in_link(self, account_id: int) -> str:
        """A fresh personal sign-in link for an account (as if mailed to it)."""
        with session_scope(self.engine) as db:
            account = db.get(Account, account_id)
            assert account is not None
            token = accounts.issue_token(db, account)
        return f"{self.url}/signin/link/{token}"

    def event(self) -> Event:
        with self.session() as db:
            event = db.get(Event, self.event_id)
        assert event is not None
        return event

    def participant(self, *, vietnamese_name: bool = True) -> tuple[Participant, Account]:
        """A demo participant and its account; by default one whose name has diacritics."""
        with self.session() as db:
            rows = db.exec(
                select(Participant, Account)
                .join(Account, col(Account.participant_id) == col(Participant.id))
                .where(Account.role == Role.participant)
                .order_by(col(Participant.id))
            ).all()
        for participant, account in rows:
            if not vietnamese_name or not participant.full_name.isascii():
                return participant, account
        raise AssertionError("the demo event has no participant with a Vietnamese name")


def shot(page: Page, name: str) -> Path:
    """Save a named full-page screenshot under test-artifacts/ (for people to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def sign_in_as_organiser(page: Page, live_server: LiveServer) -> None:
    """Sign in through the email + password form; ends on the organiser home."""
    page.goto("/signin")
    page.fill("#email", live_server.organiser_email)
    page.fill("#password", live_server.organiser_password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == f"{live_server.url}/organiser", page.url


def sign_in_as_participant(page: Page, live_server: LiveServer, link: str | int) -> None:
    """Sign in through a personal link (or a fresh one for an account id); ends on the
    participant home."""
    page.goto(live_server.sign_in_link(link) if isinstance(link, int) else link)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == f"{live_server.url}/me", page.url
