"""End to end (issue 13): a representative with a scheduled meeting marks themselves
absent in that session; the cell warns, naming the meeting, before anything is saved; the
absence is saved only when confirmed, and then both sides are notified.

The module has its own server: it places a meeting and changes an availability, which
other end-to-end tests must not see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from matchmaker.db import session_scope
from matchmaker.models import (
    Account,
    EventSession,
    Meeting,
    MeetingStatus,
    Notification,
    Organisation,
    Participant,
    Slot,
)
from tests.e2e.conftest import read_only_server, serve_demo
from tests.e2e.helpers import LiveServer, shot, sign_in_as_organiser, sign_in_as_participant


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_demo(tmp_path_factory.mktemp("e2e-availability") / "var") as server:
        yield server


def _place_one_meeting(live_server: LiveServer) -> tuple[int, int, str, str]:
    """One agreed meeting of a one-representative organisation, placed in the first slot
    of a session: (account id, person id, session code, counterpart's name)."""
    with session_scope(live_server.engine) as db:
        reps = Counter(p.organisation_id for p in db.exec(select(Participant)).all())
        meeting = next(
            m
            for m in db.exec(
                select(Meeting)
                .where(
                    Meeting.event_id == live_server.event_id,
                    Meeting.status == MeetingStatus.accepted,
                )
                .order_by(col(Meeting.id))
            ).all()
            if reps[m.org_a_id] == 1
        )
        person = db.exec(
            select(Participant).where(Participant.organisation_id == meeting.org_a_id)
        ).one()
        person.available_sessions, person.unavailable_slots = [], []
        slot, block = db.exec(
            select(Slot, EventSession)
            .join(EventSession, col(EventSession.id) == col(Slot.session_id))
            .order_by(col(Slot.position))
        ).first()  # type: ignore[misc]
        meeting.status, meeting.slot_id = MeetingStatus.scheduled, slot.id
        meeting.person_a_id = person.id
        account = db.exec(select(Account).where(Account.participant_id == person.id)).one()
        other = db.get(Organisation, meeting.org_b_id)
        assert other is not None
        db.add_all([person, meeting])
        return account.id or 0, person.id or 0, block.code, other.name


def test_absence_over_a_meeting_warns_before_saving(page: Page, live_server: LiveServer) -> None:
    account_id, person_id, session_code, counterpart = _place_one_meeting(live_server)
    sign_in_as_participant(page, live_server, account_id)
    page.goto("/me/availability")
    cell = page.locator(f"#avail-{person_id}-{session_code}")
    expect(cell.locator(".avail-toggle")).to_have_attribute("aria-pressed", "true")
    page.evaluate("window.__same_page = true")

    cell.locator(".avail-toggle").click()
    warning = page.locator(f"#avail-{person_id}-{session_code} .avail-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Chưa có gì được lưu")
    expect(warning).to_contain_text(counterpart)
    shot(page, "availability-warning-desktop-vi")
    with live_server.session() as db:
        person = db.get(Participant, person_id)
        assert person is not None and person.available_sessions == []  # nothing saved yet

    warning.get_by_role("button", name="Vẫn đánh dấu vắng mặt").click()
    toggle = page.locator(f"#avail-{person_id}-{session_code} .avail-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f"#avail-{person_id}-{session_code}")).to_contain_text("Đã lưu")
    assert page.evaluate("window.__same_page") is True  # swapped by htmx, not reloaded
    with live_server.session() as db:
        person = db.get(Participant, person_id)
        assert person is not None and session_code not in person.available_sessions
        notes = db.exec(
            select(Notification).where(col(Notification.body).contains(person.full_name))
        ).all()
    assert len(notes) >= 2  # the absent side and the other side

    # My page now leads with the conflict, and the organisers will be told.
    page.goto("/me")
    clashes = page.locator("#todo-clashes")
    expect(clashes).to_contain_text("1 cuộc gặp trùng với lịch vắng mặt")
    expect(clashes).to_contain_text(counterpart)
    shot(page, "participant-todo-desktop-vi")

    # The organisers see the conflict on their home and on the schedule page.
    with page.expect_navigation():
        page.locator("form[action='/signout'] button").click()
    sign_in_as_organiser(page, live_server)
    expect(page.locator("#todo-clashes")).to_contain_text("xung đột lịch có mặt")
    shot(page, "organiser-todo-desktop-vi")
    page.locator("#todo-clashes a").click()
    conflicts = page.locator("#conflicts")
    expect(conflicts).to_contain_text(counterpart)
    expect(conflicts.get_by_role("link", name="Dời cuộc gặp")).to_be_visible()


def test_a_confirmed_absence_on_a_read_only_database_saves_nothing(
    page: Page, live_server: LiveServer
) -> None:
    account_id, person_id, session_code, _ = _place_one_meeting(live_server)
    with live_server.session() as db:
        notes_before = len(db.exec(select(Notification)).all())
    sign_in_as_participant(page, live_server, account_id)
    with read_only_server(live_server) as url:
        page.goto(f"{url}/me/availability")
        cell = page.locator(f"#avail-{person_id}-{session_code}")
        cell.locator(".avail-toggle").click()
        # The warning only reads; the confirmation is the write (marks and notices).
        cell.locator(".avail-warning").get_by_role("button", name="Vẫn đánh dấu vắng mặt").click()

        expect(page.locator("main h1")).to_have_text("Cơ sở dữ liệu đang ở chế độ chỉ đọc")
        expect(page.locator("main")).to_contain_text("Những gì bạn vừa nhập chưa được lưu.")
        expect(page).to_have_url(f"{url}/me/availability")
    with live_server.session() as db:
        person = db.get(Participant, person_id)
        assert person is not None and person.available_sessions == []  # still present
        assert len(db.exec(select(Notification)).all()) == notes_before
