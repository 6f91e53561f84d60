"""Marking oneself absent where meetings are placed: the warning before saving (htmx and
without JavaScript), the notices to both sides once saved, the organisers' list of
conflicts, and a locked meeting the next solve cannot keep named in its review."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from litestar.testing import TestClient
from sqlmodel import Session, col, select

from matchmaker import scheduling
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingStatus,
    Notification,
    Organisation,
    Participant,
    RunStatus,
    Slot,
    SolveRun,
)
from solver.api import solve
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant

HTMX = {"HX-Request": "true"}


@dataclass
class World:
    event: Event
    host: Organisation  # two representatives: Anh (named for the meeting) and Bình
    anh: Participant
    anh_account: Account
    binh: Participant
    binh_account: Account
    startup: Organisation
    startup_account: Account
    meeting: Meeting  # host - startup, d1-am-02, Anh attends
    organiser: Account


@pytest.fixture
def world(db: Session) -> World:
    event = make_event(db, slots_per_session=3)
    host = make_org(db, event, "Quỹ Đầu tư Mekong")
    anh, anh_account = make_participant(db, host, "Trần Thị Anh")
    binh, binh_account = make_participant(db, host, "Lê Văn Bình")
    startup = make_org(db, event, "Startup Lúa Xanh")
    chi, startup_account = make_participant(db, startup, "Phạm Minh Chí")
    startup_account.locale = "en"
    slot = db.exec(select(Slot).where(Slot.code == "d1-am-02")).one()
    meeting = make_meeting(db, event, startup, host, status=MeetingStatus.scheduled)
    meeting.slot_id = slot.id
    if meeting.org_a_id == host.id:
        meeting.person_a_id, meeting.person_b_id = anh.id, chi.id
    else:
        meeting.person_a_id, meeting.person_b_id = chi.id, anh.id
    db.add_all([meeting, startup_account])
    organiser = make_organiser(db)
    db.commit()
    return World(
        event, host, anh, anh_account, binh, binh_account, startup, startup_account, meeting,
        organiser,
    )  # fmt: skip


def _mark(client: TestClient, person: Participant, mark: str, **extra: str):  # type: ignore[no-untyped-def]
    return post_form(
        client, "/me/availability", {"rep": str(person.id), "mark": mark, **extra}, headers=HTMX
    )


def test_absence_over_a_meeting_warns_in_the_cell_and_saves_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in_as(client, world.anh_account, db)
    client.cookies.set("mm_lang", "en")
    response = _mark(client, world.anh, "session:d1-am:0")
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<div id="avail-{world.anh.id}-d1-am"')
    assert "1 scheduled meeting at that time. Nothing is saved yet:" in response.text
    assert "Startup Lúa Xanh" in response.text
    assert "Mark absent anyway" in response.text
    assert 'value="session:d1-am:0"' in response.text  # the same mark, sent again to confirm
    assert 'hx-vals=\'{"confirm": "1"}\'' in response.text
    db.refresh(world.anh)
    assert world.anh.available_sessions == []
    assert db.exec(select(Notification)).all() == []


def test_absence_over_a_meeting_without_javascript_asks_on_the_page(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in_as(client, world.anh_account, db)
    client.cookies.set("mm_lang", "en")
    response = post_form(
        client, "/me/availability", {"rep": str(world.anh.id), "mark": "slot:d1-am-02:0"}
    )
    assert response.status_code == 409
    assert "Not saved yet: there are meetings at that time" in response.text
    assert '<input type="hidden" name="confirm" value="1">' in response.text
    assert '<input type="hidden" name="mark" value="slot:d1-am-02:0">' in response.text
    db.refresh(world.anh)
    assert world.anh.unavailable_slots == []
    confirmed = post_form(
        client,
        "/me/availability",
        {"rep": str(world.anh.id), "mark": "slot:d1-am-02:0", "confirm": "1"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"/me/availability?rep={world.anh.id}&saved=1&clashes=1"
    db.refresh(world.anh)
    assert world.anh.unavailable_slots == ["d1-am-02"]


def test_confirmed_absence_is_saved_and_both_sides_are_notified_in_their_language(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in_as(client, world.anh_account, db)
    response = _mark(client, world.anh, "session:d1-am:0", confirm="1")
    assert response.status_code == 200
    assert "avail-warning" not in response.text
    db.refresh(world.anh)
    assert world.anh.available_sessions == ["d2-am"]
    notes = {n.to_email: n for n in db.exec(select(Notification)).all()}
    # Both representatives of the host and the startup's one.
    assert set(notes) == {world.anh.email, world.binh.email, world.startup_account.email}
    english = notes[world.startup_account.email]
    assert english.subject == "Your meeting with Quỹ Đầu tư Mekong clashes with an absence"
    assert english.body.startswith("Trần Thị Anh (Quỹ Đầu tư Mekong) is no longer available at ")
    assert english.link == "/me/agenda"
    vietnamese = notes[world.binh.email]
    assert vietnamese.subject != english.subject
    assert "Startup Lúa Xanh" in vietnamese.subject


def test_a_colleague_not_named_for_the_meeting_is_not_warned(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in_as(client, world.binh_account, db)
    response = _mark(client, world.binh, "session:d1-am:0")
    assert response.status_code == 200
    assert "avail-warning" not in response.text
    db.refresh(world.binh)
    assert world.binh.available_sessions == ["d2-am"]
    assert db.exec(select(Notification)).all() == []


def test_organisers_see_the_conflict_with_a_way_to_move_the_meeting(
    client: TestClient, db: Session, world: World
) -> None:
    world.anh.unavailable_slots = ["d1-am-02"]
    db.add(world.anh)
    db.commit()
    sign_in_as(client, world.organiser, db)
    client.cookies.set("mm_lang", "en")
    page = client.get("/organiser/schedule")
    assert page.status_code == 200
    assert 'id="conflicts"' in page.text
    assert f'id="conflict-{world.meeting.id}-{world.host.id}"' in page.text
    assert "Trần Thị Anh" in page.text
    assert (
        f'href="/organiser/schedule?show=scheduled&amp;q=Qu%E1%BB%B9%20%C4%90%E1%BA%A7u%20t%C6%B0%20Mekong#meeting-{world.meeting.id}"'
        in page.text
    )
    home = client.get("/organiser")
    assert 'id="todo-clashes"' in home.text
    assert (
        '<span class="count-badge">1</span> availability conflict: a side marked itself absent'
        in home.text
    )


def test_a_moved_meeting_is_no_longer_a_conflict(
    client: TestClient, db: Session, world: World
) -> None:
    world.anh.unavailable_slots = ["d1-am-02"]
    free = db.exec(select(Slot).where(Slot.code == "d1-am-03")).one()
    world.meeting.slot_id = free.id
    db.add_all([world.anh, world.meeting])
    db.commit()
    sign_in_as(client, world.organiser, db)
    page = client.get("/organiser/schedule")
    assert 'id="conflicts"' not in page.text


def test_solve_review_names_a_locked_meeting_it_cannot_keep(
    client: TestClient, db: Session, world: World
) -> None:
    world.meeting.locked = True
    # The startup's only representative: nobody else can attend for it.
    chi = db.exec(select(Participant).where(Participant.organisation_id == world.startup.id)).one()
    chi.unavailable_slots = ["d1-am-02"]
    db.add_all([world.meeting, chi])
    db.flush()
    instance, maps = scheduling.build_instance(db, world.event)
    solution = solve(instance, time_limit=10, workers=1)
    run = SolveRun(event_id=world.event.id or 0, status=RunStatus.finished)
    db.add(run)
    db.flush()
    scheduling.store_solution(db, world.event, run, solution, maps)
    db.commit()
    review = scheduling.review_run(db, world.event, run)
    assert [m.id for m, _, _, _ in review.dropped_locked] == [world.meeting.id]
    reason = review.dropped_locked[0][3]
    assert reason is not None and reason.code  # why, as the unscheduled list says it
    sign_in_as(client, world.organiser, db)
    client.cookies.set("mm_lang", "en")
    page = client.get(f"/organiser/solve/runs/{run.id}")
    assert page.status_code == 200
    assert "1 locked meeting is not kept where it was" in page.text


def test_another_organisations_representative_cannot_be_marked(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in_as(client, world.startup_account, db)
    response = _mark(client, world.anh, "session:d1-am:0", confirm="1")
    assert response.status_code == 404
    db.refresh(world.anh)
    assert world.anh.available_sessions == []
    meetings = db.exec(select(Meeting).where(col(Meeting.id) == world.meeting.id)).all()
    assert meetings[0].status == MeetingStatus.scheduled
