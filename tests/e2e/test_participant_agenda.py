"""Issue 4's last step in the browser: after the organisers solve and publish (through
the services), a startup's agenda shows its slots and tables, the calendar file parses
with the event's time zone, and the printable PDF opens."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC

import icalendar
import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader
from sqlmodel import col, select

from matchmaker import publication, scheduling
from matchmaker.db import session_scope
from matchmaker.formats import format_time
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    OrgKind,
    Participant,
    RunStatus,
    Slot,
    SolveRun,
)
from solver.api import solve
from tests.e2e.conftest import DESKTOP, serve_demo
from tests.e2e.helpers import LiveServer, shot, sign_in_as_participant


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_demo(tmp_path_factory.mktemp("e2e-agenda") / "var") as server:
        yield server


def _solve_and_publish(live_server: LiveServer) -> None:
    with session_scope(live_server.engine) as db:
        event = db.get(Event, live_server.event_id)
        organiser = db.exec(
            select(Account).where(Account.email == live_server.organiser_email)
        ).one()
        assert event is not None
        instance, maps = scheduling.build_instance(db, event)
        solution = solve(instance, time_limit=5, workers=2)
        run = SolveRun(event_id=event.id or 0, status=RunStatus.finished)
        db.add(run)
        db.flush()
        scheduling.store_solution(db, event, run, solution, maps)
        publication.publish_run(db, event, run.id or 0, organiser)


def _startup_with_meeting(live_server: LiveServer) -> tuple[int, Meeting, Slot, MeetingTable, str]:
    with live_server.session() as db:
        row = db.exec(
            select(Meeting, Organisation, Account)
            .join(Organisation, col(Organisation.id) == col(Meeting.org_a_id))
            .join(Participant, col(Participant.organisation_id) == col(Organisation.id))
            .join(Account, col(Account.participant_id) == col(Participant.id))
            .where(
                Meeting.status == MeetingStatus.scheduled,
                Organisation.kind == OrgKind.startup,
                col(Meeting.table_id).is_not(None),
            )
            .order_by(col(Meeting.id))
        ).first()
        assert row is not None, "the published demo has no scheduled startup meeting"
        meeting, _, account = row
        slot = db.get(Slot, meeting.slot_id)
        table = db.get(MeetingTable, meeting.table_id)
        other = db.get(Organisation, meeting.org_b_id)
        assert slot and table and other
        return account.id or 0, meeting, slot, table, other.name


@pytest.fixture
def desktop(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def test_startup_agenda_ics_and_pdf_after_publication(
    live_server: LiveServer, desktop: Page
) -> None:
    _solve_and_publish(live_server)
    account_id, meeting, slot, table, counterpart = _startup_with_meeting(live_server)
    sign_in_as_participant(desktop, live_server, account_id)

    desktop.goto("/me/agenda")
    item = desktop.locator(".agenda-item", has_text=counterpart).first
    item.wait_for()
    text = item.inner_text()
    assert format_time(slot.start, "vi") in text
    assert table.name in text
    shot(desktop, "agenda-after-publication-vi")

    with desktop.expect_download() as download_info:
        desktop.locator("a[href='/me/agenda/agenda.ics']").click()
    calendar = icalendar.Calendar.from_ical(download_info.value.path().read_bytes())
    uid = f"matchmaker-meeting-{meeting.id}@127.0.0.1"
    vevent = next(e for e in calendar.walk("VEVENT") if str(e["uid"]) == uid)
    assert vevent["dtstart"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert vevent.decoded("dtstart").astimezone(UTC) == slot.start.astimezone(UTC)
    assert str(vevent["location"]).startswith(table.name)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]

    pdf = desktop.request.get("/me/agenda/agenda.pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.body()))
    assert counterpart in "".join(p.extract_text() for p in reader.pages)
