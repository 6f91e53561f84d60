"""Hosts accept their slots: a run released as a draft, hosts' answers (accept, impossible
with a reason), the requester's agenda and calendar meanwhile, the organiser's progress, the
re-solve after a refusal and the final publication; through the services and over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import icalendar
import pytest
from litestar.testing import TestClient
from sqlmodel import Session, col, select

from matchmaker import changes, confirmations, publication, scheduling
from matchmaker.clock import utcnow
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.models import (
    Account,
    AuditLog,
    Event,
    HostConfirmation,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Notification,
    Organisation,
    Participant,
    RunStatus,
    ScheduleVersion,
    Slot,
    SolveRun,
)
from solver.api import solve
from solver.solution import Assignment, Solution, Status
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant

HTMX = {"hx-request": "true"}


@dataclass
class World:
    event: Event
    organiser: Account
    host: Organisation  # hosts three meetings
    host_account: Account
    host_person: Participant
    requesters: list[Organisation]
    requester_accounts: list[Account]
    meetings: list[Meeting]  # host-r0, host-r1, host-r2, r0-r1 (hosted by r1)
    slots: list[Slot]
    tables: list[MeetingTable]


@pytest.fixture
def world(db: Session) -> World:
    event = make_event(db, slots_per_session=4, tables=3)
    host = make_org(db, event, "Quỹ Đầu tư Mekong")
    host_person, host_account = make_participant(db, host, "Nguyễn Thị Hậu")
    requesters, accounts = [], []
    for name in ("Startup Lúa Xanh", "HTX Khóm Cầu Đúc", "Công ty Số Vị Thanh"):
        org = make_org(db, event, name)
        _, account = make_participant(db, org, f"Đại diện {name}")
        requesters.append(org)
        accounts.append(account)
    meetings = [make_meeting(db, event, r, host) for r in requesters]
    meetings.append(make_meeting(db, event, requesters[0], requesters[1]))
    organiser = make_organiser(db)
    instance, maps = scheduling.build_instance(db, event)
    slots = [db.get(Slot, maps.slot_id[s.id]) for s in instance.slots]
    tables = list(
        db.exec(
            select(MeetingTable)
            .where(MeetingTable.event_id == event.id)
            .order_by(col(MeetingTable.id))
        ).all()
    )
    db.commit()
    return World(
        event, organiser, host, host_account, host_person, requesters, accounts, meetings,
        slots, tables,  # type: ignore[arg-type]
    )  # fmt: skip


def _run(db: Session, w: World, placements: dict[int, tuple[int, int]]) -> SolveRun:
    """A finished run proposing exactly `placements` (meeting index -> slot, table index)."""
    _, maps = scheduling.build_instance(db, w.event)
    solution = Solution(
        status=Status.FEASIBLE,
        assignments=[
            Assignment(
                meeting=str(w.meetings[i].id),
                slot=maps.slot_code[w.slots[s].id or 0],
                table=maps.table_code[w.tables[t].id or 0],
            )
            for i, (s, t) in placements.items()
        ],
    )
    run = SolveRun(event_id=w.event.id or 0, status=RunStatus.finished)
    db.add(run)
    db.flush()
    scheduling.store_solution(db, w.event, run, solution, maps)
    db.flush()
    return run


def _solved_run(db: Session, w: World) -> SolveRun:
    """A finished run solved by the real solver on the current rows (deterministic: one
    worker, a tiny instance solved to optimality well within the limit)."""
    instance, maps = scheduling.build_instance(db, w.event)
    solution = solve(instance, time_limit=10, workers=1)
    assert solution.status == Status.OPTIMAL
    run = SolveRun(event_id=w.event.id or 0, status=RunStatus.finished)
    db.add(run)
    db.flush()
    scheduling.store_solution(db, w.event, run, solution, maps)
    db.flush()
    return run


FIRST = {0: (0, 0), 1: (1, 0), 2: (2, 0), 3: (2, 1)}


def _draft(db: Session, w: World, placements: dict[int, tuple[int, int]] = FIRST) -> SolveRun:
    run = _run(db, w, placements)
    publication.release_draft(db, w.event, run.id or 0, utcnow() + timedelta(days=2), w.organiser)
    db.commit()
    return run


def _refresh(db: Session, w: World) -> None:
    for m in w.meetings:
        db.refresh(m)


# --- services --------------------------------------------------------------------------


def test_release_draft_applies_run_sets_pending_and_notifies_each_host(
    db: Session, world: World
) -> None:
    w = world
    before = db.exec(select(Notification)).all()
    run = _run(db, w, FIRST)

    result = publication.release_draft(
        db, w.event, run.id or 0, utcnow() + timedelta(days=1), w.organiser
    )
    db.commit()
    _refresh(db, w)

    assert (result.version.number, result.version.kind, result.pending, result.hosts) == (
        1,
        "draft",
        4,
        2,
    )
    assert result.version.host_deadline is not None
    assert [(m.status, m.slot_id) for m in w.meetings] == [
        (MeetingStatus.scheduled, w.slots[0].id),
        (MeetingStatus.scheduled, w.slots[1].id),
        (MeetingStatus.scheduled, w.slots[2].id),
        (MeetingStatus.scheduled, w.slots[2].id),
    ]
    assert {m.host_confirmation for m in w.meetings} == {HostConfirmation.pending}
    assert publication.current_version(db, w.event) is None  # nothing final yet
    notes = db.exec(select(Notification).order_by(col(Notification.id))).all()[len(before) :]
    assert [(n.to_email, n.link) for n in notes] == [
        (w.host_account.email, "/me/confirmations"),
        (w.requester_accounts[1].email, "/me/confirmations"),
    ]
    assert notes[0].subject == "3 khung giờ đề xuất đang chờ bạn xác nhận"
    entry = db.exec(select(AuditLog).where(AuditLog.action == "schedule.draft")).one()
    assert entry.detail["draft"] == 1
    assert entry.account_id == w.organiser.id


def test_release_draft_refuses_a_past_deadline(db: Session, world: World) -> None:
    run = _run(db, world, FIRST)
    with pytest.raises(DomainError) as caught:
        publication.release_draft(
            db, world.event, run.id or 0, utcnow() - timedelta(minutes=1), world.organiser
        )
    assert caught.value.field == "deadline"


def test_refusing_needs_a_reason_and_makes_the_slot_unavailable_for_the_host(
    db: Session, world: World
) -> None:
    w = world
    _draft(db, w)
    with pytest.raises(DomainError) as caught:
        confirmations.refuse(db, w.event, w.host, w.meetings[1].id or 0, "  ", w.host_account)
    assert caught.value.field == "reason"
    db.rollback()

    confirmations.refuse(
        db, w.event, w.host, w.meetings[1].id or 0, "Ban giám đốc họp tỉnh", w.host_account
    )
    db.commit()
    _refresh(db, w)
    db.refresh(w.host_person)

    assert w.meetings[1].host_confirmation == HostConfirmation.impossible
    assert w.meetings[1].host_refusal_reason == "Ban giám đốc họp tỉnh"
    assert w.host_person.unavailable_slots == [w.slots[1].code]
    with pytest.raises(Conflict):  # a refusal is final
        confirmations.accept(db, w.event, w.host, w.meetings[1].id or 0, w.host_account)


def test_a_host_cannot_answer_for_another_organisations_meeting(db: Session, world: World) -> None:
    w = world
    _draft(db, w)
    with pytest.raises(NotFound):  # hosted by the host, not by this requester
        confirmations.accept(
            db, w.event, w.requesters[0], w.meetings[0].id or 0, w.requester_accounts[0]
        )
    assert [r.meeting.id for r in confirmations.host_slots(db, w.event, w.requesters[1])] == [
        w.meetings[3].id
    ]


def test_answers_close_at_the_deadline(db: Session, world: World) -> None:
    w = world
    _draft(db, w)
    draft = publication.open_draft(db, w.event)
    assert draft is not None
    draft.host_deadline = utcnow() - timedelta(seconds=1)
    db.add(draft)
    db.commit()
    with pytest.raises(Conflict) as caught:
        confirmations.accept(db, w.event, w.host, w.meetings[0].id or 0, w.host_account)
    assert caught.value.message == (
        "The deadline for answers has passed: unanswered slots count as accepted."
    )


def test_build_instance_lets_a_refused_meeting_move_even_when_locked(
    db: Session, world: World
) -> None:
    w = world
    _draft(db, w)
    w.meetings[1].locked = True
    db.add(w.meetings[1])
    db.flush()
    confirmations.refuse(db, w.event, w.host, w.meetings[1].id or 0, "Bận", w.host_account)
    db.flush()

    instance, _ = scheduling.build_instance(db, w.event)
    by_id = {m.id: m for m in instance.meetings}
    refused = by_id[str(w.meetings[1].id)]
    kept = by_id[str(w.meetings[0].id)]

    assert (refused.fixed_slot, refused.previous_slot, refused.previous_table) == (None, None, None)
    assert refused.allowed_slots is not None and w.slots[1].code not in refused.allowed_slots
    assert kept.previous_slot == w.slots[0].code  # a draft counts as the current schedule
    host = next(p for p in instance.participants if p.name == w.host.name)
    # the host's representative (its one person) is away in the refused slot
    assert [w.slots[1].code in person.unavailable for person in host.people] == [True]


def test_host_refusal_then_resolve_moves_only_that_meeting_away_from_the_refused_slot(
    db: Session, world: World
) -> None:
    """Issue 5 acceptance, through the services: a host marks one proposed slot impossible;
    after the re-solve only that meeting has moved, and its new slot avoids the refused one."""
    w = world
    first = _solved_run(db, w)
    publication.release_draft(
        db, w.event, first.id or 0, utcnow() + timedelta(days=1), w.organiser
    )
    db.commit()
    _refresh(db, w)
    proposed = {m.id: (m.slot_id, m.table_id) for m in w.meetings}
    assert all(slot is not None for slot, _ in proposed.values())
    refused = w.meetings[1]
    refused_slot = refused.slot_id
    confirmations.accept(db, w.event, w.host, w.meetings[0].id or 0, w.host_account)
    confirmations.refuse(
        db, w.event, w.host, refused.id or 0, "Trùng lễ ký kết với UBND tỉnh", w.host_account
    )
    db.commit()
    progress = confirmations.progress(db, w.event)
    assert progress is not None
    assert (progress.accepted, progress.impossible, progress.pending) == (1, 1, 2)
    assert [r.meeting.id for r in progress.refusals] == [refused.id]

    second = _solved_run(db, w)
    result = publication.release_draft(
        db, w.event, second.id or 0, utcnow() + timedelta(days=1), w.organiser
    )
    db.commit()
    _refresh(db, w)

    moved = {m.id for m in w.meetings if (m.slot_id, m.table_id) != proposed[m.id]}
    assert {m.id for m in w.meetings if m.slot_id != proposed[m.id][0]} == {refused.id}
    assert moved == {refused.id}
    assert refused.slot_id is not None and refused.slot_id != refused_slot
    assert refused.host_confirmation == HostConfirmation.pending
    assert w.meetings[0].host_confirmation == HostConfirmation.accepted  # unchanged: kept
    assert (result.version.number, result.kept, result.pending) == (2, 1, 3)

    final = publication.publish_final(db, w.event, w.organiser)
    db.commit()
    _refresh(db, w)
    assert (final.version.number, final.version.kind) == (1, "final")  # drafts do not count
    assert {m.host_confirmation for m in w.meetings} == {HostConfirmation.accepted}
    assert final.version.assignments == {
        str(m.id): {
            "slot": m.slot_id,
            "table": m.table_id,
            "persons": [m.person_a_id, m.person_b_id],
        }
        for m in w.meetings
    }
    assert publication.open_draft(db, w.event) is None


def test_publish_final_counts_unanswered_as_accepted_and_raises_sequence_of_moved(
    db: Session, world: World
) -> None:
    w = world
    first = _run(db, w, FIRST)
    publication.publish_run(db, w.event, first.id or 0, w.organiser)
    db.commit()
    _draft(db, w, {**FIRST, 2: (3, 0)})  # meeting 2 moves in the draft
    _refresh(db, w)
    assert [m.sequence for m in w.meetings] == [0, 0, 0, 0]  # drafts never touch calendars

    result = publication.publish_final(db, w.event, w.organiser)
    db.commit()
    _refresh(db, w)

    assert result.diff.moved == [w.meetings[2].id]
    assert [m.sequence for m in w.meetings] == [0, 0, 1, 0]
    assert {m.host_confirmation for m in w.meetings} == {HostConfirmation.accepted}
    assert result.changed_orgs == {w.host.id, w.requesters[2].id}
    with pytest.raises(Conflict):
        publication.publish_final(db, w.event, w.organiser)


# --- pages ---------------------------------------------------------------------------------


def test_host_page_lists_only_its_own_proposed_slots(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    _draft(db, w)
    sign_in_as(client, w.host_account, db)

    response = client.get("/me/confirmations")

    assert response.status_code == 200
    page = response.text
    assert page.count('class="confirm-row') == 3
    for requester in w.requesters:
        assert requester.name in page
    assert f'id="confirm-{w.meetings[3].id}"' not in page
    assert "08:00" in page and "B2B-01" in page


def test_host_accepts_inline_with_htmx_and_without_javascript(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    _draft(db, w)
    sign_in_as(client, w.host_account, db)

    inline = post_form(client, f"/me/confirmations/{w.meetings[0].id}/accept", {}, headers=HTMX)
    plain = post_form(
        client, f"/me/confirmations/{w.meetings[2].id}/accept", {}, follow_redirects=False
    )

    assert inline.status_code == 200
    assert inline.text.lstrip().startswith(f'<li id="confirm-{w.meetings[0].id}"')
    assert "status-accepted" in inline.text
    assert "<html" not in inline.text
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/me/confirmations#confirm-{w.meetings[2].id}"
    _refresh(db, w)
    assert [m.host_confirmation for m in w.meetings[:3]] == [
        HostConfirmation.accepted,
        HostConfirmation.pending,
        HostConfirmation.accepted,
    ]


def test_host_marks_impossible_inline_and_reason_is_required(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    _draft(db, w)
    sign_in_as(client, w.host_account, db)
    url = f"/me/confirmations/{w.meetings[1].id}/impossible"

    missing = post_form(client, url, {"reason": ""}, headers=HTMX)
    missing_plain = post_form(client, url, {"reason": ""}, follow_redirects=False)
    shown = client.get(missing_plain.headers["location"])
    done = post_form(client, url, {"reason": "Đi công tác Cần Thơ"}, headers=HTMX)

    assert missing.status_code == 200
    assert 'role="alert"' in missing.text
    assert "Hãy cho biết vì sao khung giờ này không thể." in missing.text
    assert missing_plain.status_code == 303
    assert missing_plain.headers["location"].startswith("/me/confirmations?flash=")
    assert missing_plain.headers["location"].endswith(f"#confirm-{w.meetings[1].id}")
    assert '<p class="error-box" role="alert">Hãy cho biết vì sao khung giờ này không thể.' in (
        shown.text
    )
    assert done.status_code == 200
    assert "status-declined" in done.text and "Đi công tác Cần Thơ" in done.text
    assert "/impossible" not in done.text  # no more buttons on a refused slot
    db.refresh(w.meetings[1])
    assert w.meetings[1].host_confirmation == HostConfirmation.impossible


def test_host_answers_for_another_organisations_meeting_are_not_found(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    _draft(db, w)
    sign_in_as(client, w.requester_accounts[0], db)

    accept = post_form(client, f"/me/confirmations/{w.meetings[0].id}/accept", {})
    refuse = post_form(
        client, f"/me/confirmations/{w.meetings[1].id}/impossible", {"reason": "x"}, headers=HTMX
    )

    assert (accept.status_code, refuse.status_code) == (404, 404)
    _refresh(db, w)
    assert {m.host_confirmation for m in w.meetings} == {HostConfirmation.pending}


def test_host_page_says_answers_are_closed_after_final_publication(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    _draft(db, w)
    publication.publish_final(db, w.event, w.organiser)
    db.commit()
    sign_in_as(client, w.host_account, db)

    page = client.get("/me/confirmations")
    late = post_form(client, f"/me/confirmations/{w.meetings[0].id}/accept", {})

    assert "Lịch chính thức đã được công bố: đã hết hạn trả lời." in page.text
    assert 'class="confirm-row' not in page.text
    assert late.history[0].status_code == 303  # refused: back to the page, which says why
    assert 'class="error-box" role="alert">' in late.text


def test_requester_agenda_shows_draft_times_awaiting_the_host_but_calendar_keeps_final(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    first = _run(db, w, FIRST)
    publication.publish_run(db, w.event, first.id or 0, w.organiser)
    db.commit()
    _draft(db, w, {**FIRST, 0: (3, 2)})  # requester 0's meeting with the host moves to 09:00
    confirmations.accept(db, w.event, w.requesters[1], w.meetings[3].id or 0, w.organiser)
    db.commit()
    sign_in_as(client, w.requester_accounts[0], db)

    agenda = client.get("/me/agenda")
    ics = icalendar.Calendar.from_ical(client.get("/me/agenda/agenda.ics").content)

    assert agenda.status_code == 200
    assert "Đang chờ bên chủ trì xác nhận" in agenda.text
    assert "Bên chủ trì đã xác nhận" in agenda.text
    assert "09:00" in agenda.text  # the proposed time (slot 4 of day 1)
    starts = {
        str(e["uid"]).split("@")[0]: e.decoded("dtstart").strftime("%H:%M")
        for e in ics.walk("VEVENT")
    }
    assert starts[f"matchmaker-meeting-{w.meetings[0].id}"] == "08:00"


def test_organiser_releases_follows_progress_and_publishes_over_http(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    run = _run(db, w, FIRST)
    db.commit()
    sign_in_as(client, w.organiser, db)

    review = client.get(f"/organiser/solve/runs/{run.id}")
    bad = post_form(client, f"/organiser/confirmations/release/{run.id}", {"deadline": "soon"})
    released = post_form(
        client,
        f"/organiser/confirmations/release/{run.id}",
        {"deadline": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")},
        follow_redirects=False,
    )
    db.expire_all()  # the release happened in the app's own session
    confirmations.refuse(db, w.event, w.host, w.meetings[1].id or 0, "Mất điện", w.host_account)
    confirmations.accept(db, w.event, w.host, w.meetings[0].id or 0, w.host_account)
    db.commit()
    progress = client.get("/organiser/confirmations")
    unticked = post_form(client, "/organiser/confirmations/publish", {})
    published = post_form(
        client, "/organiser/confirmations/publish", {"confirm": "on"}, follow_redirects=False
    )

    assert "Phát hành bản nháp để bên chủ trì xác nhận" in review.text
    assert bad.status_code == 400
    assert "Hãy nhập hạn chót gồm ngày và giờ." in bad.text
    assert released.status_code == 303
    assert released.headers["location"] == "/organiser/confirmations?released=1"
    assert progress.status_code == 200
    assert 'class="confirm-bar"' in progress.text
    assert "1 đã chấp nhận, 1 không thể, 2 chưa trả lời, trên tổng 4" in progress.text
    assert "Mất điện" in progress.text
    assert unticked.status_code == 400
    assert published.status_code == 303
    assert published.headers["location"] == "/organiser/confirmations?published=1"
    versions = db.exec(select(ScheduleVersion).order_by(col(ScheduleVersion.id))).all()
    assert [(v.number, v.kind) for v in versions] == [(1, "draft"), (1, "final")]


def test_confirmation_pages_are_guarded(client: TestClient, db: Session, world: World) -> None:
    w = world
    sign_in_as(client, w.host_account, db)
    assert client.get("/organiser/confirmations").status_code == 403
    sign_in_as(client, w.organiser, db)
    assert client.get("/me/confirmations").status_code == 403


def test_solve_page_summary_shows_the_open_drafts_answers(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    sign_in_as(client, w.organiser, db)
    before = client.get("/organiser/confirmations/summary", headers=HTMX)
    _draft(db, w)
    confirmations.accept(db, w.event, w.host, w.meetings[0].id or 0, w.host_account)
    db.commit()

    during = client.get("/organiser/confirmations/summary", headers=HTMX)

    assert (before.status_code, before.text.strip()) == (200, "")
    assert "Bản nháp 1" in during.text
    assert "1 đã chấp nhận, 0 không thể, 3 chưa trả lời, trên tổng 4" in during.text
    assert 'hx-get="/organiser/confirmations/summary"' in client.get("/organiser/solve").text


def test_moving_a_refused_meeting_by_hand_asks_the_host_again(db: Session, world: World) -> None:
    w = world
    _draft(db, w)
    confirmations.refuse(db, w.event, w.host, w.meetings[1].id or 0, "Bận", w.host_account)
    db.commit()

    changes.move(
        db, w.event, w.meetings[1].id or 0, w.slots[5].id or 0, w.tables[2].id or 0, w.organiser
    )
    db.commit()
    db.refresh(w.meetings[1])

    assert (w.meetings[1].slot_id, w.meetings[1].host_confirmation) == (
        w.slots[5].id,
        HostConfirmation.pending,
    )
    progress = confirmations.progress(db, w.event)
    assert progress is not None
    assert (progress.impossible, progress.pending) == (0, 4)
