"""End to end (issue 5 acceptance): a host marks one proposed slot impossible; after the
re-solve only that meeting has moved, and the host's new slot avoids the refused one.

The draft is prepared through the services (a solve of the demo event released for the
hosts' confirmation); the host's "impossible" answer is given in the browser; the re-solve
runs through the services again and its result is checked in the browser, on the host's
page, the requester's agenda and the organiser's progress page, before the organiser
publishes the final schedule. The module has its own server: it publishes versions that
other end-to-end tests must not see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from matchmaker import publication, scheduling
from matchmaker.clock import utcnow
from matchmaker.db import session_scope
from matchmaker.formats import format_time
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingStatus,
    Organisation,
    Participant,
    RunStatus,
    ScheduleVersion,
    Slot,
    SolveRun,
)
from solver.api import solve
from tests.e2e.conftest import serve_demo
from tests.e2e.helpers import LiveServer, shot, sign_in_as_organiser, sign_in_as_participant

REASON = "Giám đốc dự lễ ký kết với UBND tỉnh"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_demo(tmp_path_factory.mktemp("e2e-confirmations") / "var") as server:
        yield server


def _solve_and_release(live_server: LiveServer, time_limit: float) -> dict[int, tuple[int, int]]:
    """Solve the event's current rows, release the run as a draft; the meetings' places."""
    with session_scope(live_server.engine) as db:
        event = db.get(Event, live_server.event_id)
        organiser = db.exec(
            select(Account).where(Account.email == live_server.organiser_email)
        ).one()
        assert event is not None
        instance, maps = scheduling.build_instance(db, event)
        solution = solve(instance, time_limit=time_limit, workers=2)
        run = SolveRun(event_id=event.id or 0, status=RunStatus.finished)
        db.add(run)
        db.flush()
        scheduling.store_solution(db, event, run, solution, maps)
        publication.release_draft(db, event, run.id or 0, utcnow() + timedelta(days=2), organiser)
    return _places(live_server)


def _places(live_server: LiveServer) -> dict[int, tuple[int, int]]:
    with live_server.session() as db:
        return {
            m.id or 0: (m.slot_id, m.table_id or 0)
            for m in db.exec(
                select(Meeting).where(
                    Meeting.event_id == live_server.event_id,
                    Meeting.status == MeetingStatus.scheduled,
                )
            ).all()
            if m.slot_id is not None
        }


def _pick_meeting(db: Session, places: dict[int, tuple[int, int]]) -> Meeting:
    """A scheduled meeting whose host has one representative and the fewest meetings."""
    meetings = [db.get(Meeting, mid) for mid in sorted(places)]
    reps = Counter(p.organisation_id for p in db.exec(select(Participant)).all())
    load = Counter(m.host_org_id for m in meetings if m is not None)
    candidates = [
        m for m in meetings if m is not None and m.host_org_id and reps[m.host_org_id] == 1
    ]
    return min(candidates, key=lambda m: (load[m.host_org_id], m.id or 0))


def _account_of(db: Session, org_id: int) -> Account:
    return db.exec(
        select(Account)
        .join(Participant, col(Participant.id) == col(Account.participant_id))
        .where(Participant.organisation_id == org_id)
        .order_by(col(Account.id))
    ).first()  # type: ignore[return-value]


def _slot(db: Session, slot_id: int) -> tuple[str, str]:
    """A slot's code and its start as the pages show it (HH:mm, event time)."""
    slot = db.get(Slot, slot_id)
    assert slot is not None
    return slot.code, format_time(slot.start, "vi")


def _sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form[action='/signout'] button").click()


def test_host_refuses_a_slot_and_the_resolve_moves_only_that_meeting(
    page: Page, live_server: LiveServer
) -> None:
    draft = _solve_and_release(live_server, time_limit=5)
    with live_server.session() as db:
        meeting = _pick_meeting(db, draft)
        assert meeting.host_org_id is not None
        host = _account_of(db, meeting.host_org_id)
        requester = _account_of(
            db, meeting.org_a_id if meeting.org_b_id == meeting.host_org_id else meeting.org_b_id
        )
        refused_slot = draft[meeting.id or 0][0]
        refused_code, refused_time = _slot(db, refused_slot)

    # The host marks the proposed slot impossible, inline (no page load).
    sign_in_as_participant(page, live_server, host.id or 0)
    page.get_by_role("link", name="Khung giờ của tôi").click()
    expect(page.get_by_role("heading", name="Xác nhận khung giờ")).to_be_visible()
    row = page.locator(f"#confirm-{meeting.id}")
    expect(row).to_have_attribute("data-slot", refused_code)
    expect(row).to_contain_text(refused_time)
    expect(row.locator(".status-pill")).to_have_text("Chưa trả lời")
    row.locator("summary").click()
    row.get_by_label("Vì sao khung giờ này không thể?").fill(REASON)
    page.evaluate("window.__same_page = true")
    row.get_by_role("button", name="Đánh dấu khung giờ này là không thể").click()
    expect(page.locator(f"#confirm-{meeting.id} .status-pill")).to_have_text("Không thể")
    expect(page.locator(f"#confirm-{meeting.id}")).to_contain_text(REASON)
    assert page.evaluate("window.__same_page") is True  # swapped by htmx, not reloaded
    shot(page, "host-confirmations-desktop-vi")

    # The organiser sees the refusal with its reason.
    _sign_out(page)
    sign_in_as_organiser(page, live_server)
    # The main navigation's link (the to-do panel links the same page, #todo-hosts).
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("link", name="Xác nhận lịch").click()
    expect(page.get_by_role("heading", name="Xác nhận của bên chủ trì")).to_be_visible()
    expect(page.locator(f"#refusal-{meeting.id}")).to_contain_text(REASON)
    expect(page.locator(".confirm-bar")).to_be_visible()
    shot(page, "host-confirmations-organiser-desktop-vi")
    with live_server.session() as db:
        run_id = db.exec(select(SolveRun.id).order_by(col(SolveRun.id).desc())).first()
    page.goto(f"/organiser/solve/runs/{run_id}")
    expect(page.get_by_text("đã được phát hành thành bản nháp 1")).to_be_visible()
    expect(
        page.get_by_role("button", name="Phát hành bản nháp để bên chủ trì xác nhận")
    ).to_have_count(0)

    # Re-solve (keeping every other meeting where it is) and release the result.
    after = _solve_and_release(live_server, time_limit=20)
    moved = {mid for mid, place in draft.items() if after.get(mid) != place}
    assert moved == {meeting.id}
    new_slot = after[meeting.id or 0][0]
    assert new_slot != refused_slot
    with live_server.session() as db:
        new_code, new_time = _slot(db, new_slot)
        host_name = db.get(Organisation, meeting.host_org_id).name  # type: ignore[union-attr]

    # The host sees the new proposal, waiting for an answer again.
    _sign_out(page)
    sign_in_as_participant(page, live_server, host.id or 0)
    page.goto("/me/confirmations")
    row = page.locator(f"#confirm-{meeting.id}")
    expect(row).to_have_attribute("data-slot", new_code)
    expect(row).to_contain_text(new_time)
    expect(row.locator(".status-pill")).to_have_text("Chưa trả lời")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "host-confirmations-phone-vi")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator(".lang-switch button[value=en]").click()
    expect(page.get_by_role("heading", name="Confirm your slots")).to_be_visible()
    expect(page.locator(f"#confirm-{meeting.id} .status-pill")).to_have_text("Not yet answered")
    shot(page, "host-confirmations-desktop-en")
    page.locator(".lang-switch button[value=vi]").click()
    expect(page.get_by_role("heading", name="Xác nhận khung giờ")).to_be_visible()

    # The requester's agenda shows the proposed time, awaiting the host.
    _sign_out(page)
    sign_in_as_participant(page, live_server, requester.id or 0)
    page.goto("/me/agenda")
    expect(page.get_by_text("Đây là lịch đề xuất", exact=False)).to_be_visible()
    item = page.locator(".agenda-item", has_text=host_name)
    expect(item).to_contain_text(new_time)
    expect(item).to_contain_text("Đang chờ bên chủ trì xác nhận")
    shot(page, "host-confirmations-requester-agenda-vi")

    # The organiser publishes the final schedule; answers are then closed.
    _sign_out(page)
    sign_in_as_organiser(page, live_server)
    page.goto("/organiser/confirmations")
    page.check("#confirm-final")
    with page.expect_navigation():
        page.get_by_role("button", name="Công bố lịch chính thức").click()
    expect(page.get_by_role("status")).to_contain_text("Đã công bố thành phiên bản 1")
    with live_server.session() as db:
        kinds = [
            v.kind
            for v in db.exec(select(ScheduleVersion).order_by(col(ScheduleVersion.id))).all()
        ]
    assert kinds == ["draft", "draft", "final"]
    assert _places(live_server) == after
