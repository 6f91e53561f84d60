"""Issue 14's event days in the browser: a desk check-in by search and by the QR code
(typed into the scanner field as a USB scanner does), and a live table board that
shows now and next and moves on when the app's clock does, keeping its content through
a network blip."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from matchmaker import clock
from matchmaker.clock import as_utc
from matchmaker.db import session_scope
from matchmaker.models import (
    Account,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    ScheduleVersion,
    Slot,
)
from matchmaker.text import fold
from tests.e2e.conftest import serve_demo
from tests.e2e.helpers import LiveServer, shot, sign_in_as_organiser, sign_in_as_participant


@dataclass(frozen=True)
class Placed:
    """Two meetings placed one after the other at one table, on the event's first day."""

    table: MeetingTable
    first_start: datetime
    second_start: datetime
    first_orgs: tuple[str, str]
    second_orgs: tuple[str, str]
    person: Participant  # attends the first meeting
    person_account_id: int


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_demo(tmp_path_factory.mktemp("e2e-event-days") / "var") as server:
        yield server


@pytest.fixture(scope="module")
def placed(live_server: LiveServer) -> Placed:
    """Two of the demo's agreed meetings, scheduled by hand at a table with no other
    meeting: 08:xx and the slot after it (the demo is not solved here)."""
    with session_scope(live_server.engine) as db:
        slots = list(db.exec(select(Slot).order_by(col(Slot.position)).limit(2)))
        table = db.exec(
            select(MeetingTable)
            .where(MeetingTable.event_id == live_server.event_id)
            .order_by(col(MeetingTable.name))
        ).first()
        meetings = list(
            db.exec(
                select(Meeting)
                .where(Meeting.event_id == live_server.event_id)
                .order_by(col(Meeting.id))
                .limit(40)
            )
        )
        people = {p.organisation_id: p for p in db.exec(select(Participant))}
        accounts = {a.participant_id: a.id for a in db.exec(select(Account))}
        # two meetings of four different organisations, every one with a representative
        chosen: list[Meeting] = []
        used: set[int] = set()
        for m in meetings:
            pair = {m.org_a_id, m.org_b_id}
            if pair & used or not all(o in people for o in pair):
                continue
            chosen.append(m)
            used |= pair
            if len(chosen) == 2:
                break
        assert table is not None and len(slots) == 2 and len(chosen) == 2
        for meeting, slot in zip(chosen, slots, strict=True):
            meeting.status = MeetingStatus.scheduled
            meeting.slot_id, meeting.table_id = slot.id, table.id
            meeting.person_a_id = people[meeting.org_a_id].id
            meeting.person_b_id = people[meeting.org_b_id].id
            db.add(meeting)
        db.add(ScheduleVersion(event_id=live_server.event_id, number=1))
        names = {o.id: o.name for o in db.exec(select(Organisation))}
        person = people[chosen[0].org_a_id]
        starts = [as_utc(s.start) for s in slots]
        assert starts[0] and starts[1]
        return Placed(
            table=table,
            first_start=starts[0],
            second_start=starts[1],
            first_orgs=(names[chosen[0].org_a_id], names[chosen[0].org_b_id]),
            second_orgs=(names[chosen[1].org_a_id], names[chosen[1].org_b_id]),
            person=person,
            person_account_id=accounts[person.id] or 0,
        )


@pytest.fixture
def event_clock(placed: Placed) -> Iterator[None]:
    """The served app's clock stands 5 minutes into the first meeting (the server runs
    in this process, so clock.set_now reaches it); the real clock comes back after."""
    with clock.fixed_now(placed.first_start + timedelta(minutes=5)):
        yield


def test_desk_checks_in_by_search_without_diacritics(
    page: Page, live_server: LiveServer, placed: Placed, event_clock: None
) -> None:
    sign_in_as_organiser(page, live_server)
    page.goto("/organiser/desk")
    before = int(page.locator("#checked-in-day-1").inner_text())
    person = placed.person
    page.locator("#desk-q").fill(fold(person.full_name))
    row = page.locator(f"#person-{person.id}")
    expect(row).to_contain_text(person.full_name)
    row.get_by_role("button", name="Điểm danh").click()
    expect(page.locator(f"#person-{person.id}")).to_contain_text("đã điểm danh")
    expect(page.locator("#checked-in-day-1")).to_have_text(str(before + 1))
    shot(page, "desk-check-in-by-search")


def test_desk_checks_in_by_the_qr_code_of_the_agenda(
    browser_context_pages: tuple[Page, Page], live_server: LiveServer, placed: Placed,
    event_clock: None,
) -> None:  # fmt: skip
    participant, desk = browser_context_pages
    with session_scope(live_server.engine) as db:
        rows = db.exec(
            select(Participant, Organisation).join(
                Organisation, col(Organisation.id) == col(Participant.organisation_id)
            )
        ).all()
        accounts = {a.participant_id: a.id for a in db.exec(select(Account))}
    other = next(p for p, _ in rows if p.id != placed.person.id and p.id in accounts)
    sign_in_as_participant(participant, live_server, accounts[other.id] or 0)
    participant.goto("/me/agenda")
    code = participant.locator(".checkin-code").inner_text()
    expect(participant.locator("#checkin-code svg.segno")).to_be_visible()
    shot(participant, "agenda-check-in-code")

    sign_in_as_organiser(desk, live_server)
    desk.goto("/organiser/desk")
    field = desk.locator("#scan-code")
    expect(field).to_be_focused()  # the scanner types into whatever has the focus
    desk.keyboard.type(code)
    desk.keyboard.press("Enter")
    result = desk.locator("#scan-result")
    expect(result).to_contain_text(other.full_name)
    expect(result).to_contain_text("Đã điểm danh lúc")
    expect(field).to_have_value("")
    expect(field).to_be_focused()  # ready for the next badge
    desk.keyboard.type(code)
    desk.keyboard.press("Enter")
    expect(desk.locator("#scan-result")).to_contain_text("Hôm nay đã điểm danh lúc")
    desk.locator("#camera-start").click()  # headless Chromium: no camera, a message
    expect(desk.locator("#camera-message")).to_be_visible()
    shot(desk, "desk-check-in-by-qr")


@pytest.fixture
def browser_context_pages(
    request: pytest.FixtureRequest, page: Page, phone_page: Page
) -> tuple[Page, Page]:
    """A participant's phone and the desk's computer, in separate browser contexts."""
    return phone_page, page


def _cells(page: Page, placed: Placed) -> tuple[str, str]:
    row = page.locator(f"#board-table-{placed.table.id}")
    return row.locator("td.now").inner_text(), row.locator("td.next").inner_text()


def test_board_shows_now_and_next_and_advances_when_the_clock_moves(
    page: Page, live_server: LiveServer, placed: Placed, event_clock: None
) -> None:
    sign_in_as_organiser(page, live_server)
    page.goto("/organiser/board?lang=en&refresh=2")
    now, upcoming = _cells(page, placed)
    assert placed.first_orgs[0] in now and placed.first_orgs[1] in now
    assert placed.person.full_name in now
    assert placed.second_orgs[0] in upcoming and placed.second_orgs[1] in upcoming
    expect(page.locator("thead")).to_contain_text("Next")
    shot(page, "board-now-and-next")

    clock.set_now(placed.second_start + timedelta(minutes=1))  # the next slot begins
    expect(page.locator(f"#board-table-{placed.table.id} td.now")).to_contain_text(
        placed.second_orgs[0], timeout=8_000
    )
    assert placed.first_orgs[0] not in _cells(page, placed)[0]

    # A network blip: refreshes fail, the board keeps what it shows and says so.
    page.route("**/organiser/board*", lambda route: route.abort())
    expect(page.locator("#board-reconnecting")).to_be_visible(timeout=8_000)
    assert placed.second_orgs[0] in _cells(page, placed)[0]
    page.unroute("**/organiser/board*")
    expect(page.locator("#board-reconnecting")).to_be_hidden(timeout=8_000)
    assert placed.second_orgs[0] in _cells(page, placed)[0]
