"""A reminder in the browser: 15 minutes before a meeting the worker's pass writes it
(twice over, as two workers or two minutes might), and the participant finds exactly one
notice naming the counterpart and the table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from matchmaker import clock, i18n, reminders
from matchmaker.db import session_scope
from matchmaker.models import (
    Account,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    OrgKind,
    Participant,
    Slot,
)
from tests.e2e.conftest import serve_demo
from tests.e2e.helpers import LiveServer, shot, sign_in_as_participant

_ = i18n.translations("vi").gettext


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Its own server: this module places a meeting and moves the clock."""
    try:
        with serve_demo(tmp_path_factory.mktemp("e2e-reminder") / "var") as server:
            yield server
    finally:
        clock.set_now(None)


def _placed_meeting(live_server: LiveServer) -> tuple[int, str, str, Slot]:
    """A startup person's meeting with an investor at the first slot and table: the
    startup's account, the investor's name, the table's name and the slot."""
    with session_scope(live_server.engine) as db:
        slot = db.exec(select(Slot).order_by(col(Slot.start))).first()
        table = db.exec(select(MeetingTable).order_by(col(MeetingTable.name))).first()
        assert slot is not None and table is not None

        def first_person(kind: OrgKind) -> tuple[Participant, Organisation, Account]:
            row = db.exec(
                select(Participant, Organisation, Account)
                .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
                .join(Account, col(Account.participant_id) == col(Participant.id))
                .where(Organisation.event_id == live_server.event_id, Organisation.kind == kind)
                .order_by(col(Participant.id))
            ).first()
            assert row is not None
            return row

        person, startup, account = first_person(OrgKind.startup)
        other, investor, _ = first_person(OrgKind.investor)
        for old in db.exec(
            select(Meeting).where(
                col(Meeting.org_a_id).in_([startup.id, investor.id])
                | col(Meeting.org_b_id).in_([startup.id, investor.id])
            )
        ):
            db.delete(old)
        db.flush()
        (low, lp), (high, hp) = sorted([(startup.id, person.id), (investor.id, other.id)])
        db.add(
            Meeting(
                event_id=live_server.event_id, org_a_id=low or 0, org_b_id=high or 0,
                person_a_id=lp, person_b_id=hp, slot_id=slot.id, table_id=table.id,
                status=MeetingStatus.scheduled,
            )
        )  # fmt: skip
        return account.id or 0, investor.name, table.name, slot


def test_a_reminder_is_written_once_and_shown_to_the_participant(
    page: Page, live_server: LiveServer
) -> None:
    account_id, investor, table, slot = _placed_meeting(live_server)
    ten_before = slot.start.replace(tzinfo=UTC) - timedelta(minutes=10)
    clock.set_now(ten_before)
    for _pass in range(2):  # the worker's pass, run twice: each reminder is claimed once
        with session_scope(live_server.engine) as db:
            reminders.send_due_reminders(db, clock.utcnow())
    sign_in_as_participant(page, live_server, account_id)
    page.goto("/me/notifications")
    notices = page.locator("main li", has_text="Nhắc lịch")
    expect(notices).to_have_count(1)
    expect(notices.first).to_contain_text(investor)
    expect(notices.first).to_contain_text(table)
    shot(page, "reminder-notice")
