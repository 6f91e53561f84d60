"""On-site booking: a common free slot and table, a request for it, and on acceptance the
meeting booked there at once; every rule; concurrency on SQLite and PostgreSQL; the
agenda, calendar and later solves; the pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matchmaker import clock, noshows, onsite, publication, requests
from matchmaker.agenda import build_agenda, to_ics
from matchmaker.clock import as_utc
from matchmaker.db import make_engine
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.models import (
    Account,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Notification,
    OrgKind,
    RequestStatus,
    RunStatus,
    Slot,
    SolveRun,
)
from tests.conftest import post_form, sign_in_as
from tests.eventdays import MORNING, Pair, make_pair, published
from tests.factories import make_event, make_org, make_organiser, make_participant


@pytest.fixture
def frozen() -> Iterator[datetime]:
    clock.set_now(MORNING)
    yield MORNING
    clock.set_now(None)


def _book(db: Session, p: Pair, slot: Slot, message: str = "Gặp ở quầy B2B nhé") -> Meeting:
    request = onsite.request_slot(db, p.event, p.ua, p.pb.id, slot.id, message)
    meeting = onsite.accept(db, request.id or 0, p.ub)
    db.commit()
    return meeting


def test_a_common_free_slot_booked_on_acceptance_at_once(db: Session, frozen: datetime) -> None:
    p = make_pair(db)
    free = onsite.common_free_slots(db, p.event, p.pa, p.pb)
    assert [f.slot.id for f in free] == [s.id for s in p.slots]
    assert free[0].table.id == p.tables[0].id

    request = onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[1].id, "")
    assert request.status is RequestStatus.pending
    assert (request.slot_id, request.table_id) == (p.slots[1].id, p.tables[0].id)
    # It expires at its slot's midpoint (08:20-08:40: 08:30).
    assert request.expires_at == as_utc(p.slots[1].start) + timedelta(minutes=10)
    meeting = onsite.accept(db, request.id or 0, p.ub)
    db.commit()

    db.refresh(meeting)
    assert meeting.status is MeetingStatus.scheduled
    assert (meeting.slot_id, meeting.table_id) == (p.slots[1].id, p.tables[0].id)
    assert meeting.locked
    assert {meeting.person_a_id, meeting.person_b_id} == {p.pa.id, p.pb.id}
    assert db.get(MeetingRequest, request.id).status is RequestStatus.accepted  # type: ignore[union-attr]
    notes = db.exec(select(Notification).order_by(col(Notification.id))).all()
    subjects = [n.subject for n in notes]
    assert subjects[0].startswith("Nguyễn Văn An của Công ty Khởi nghiệp Mekong Agritech")
    assert "Quỹ Đầu tư Sáng tạo Cần Thơ" in subjects[1] and "Công ty Khởi nghiệp" in subjects[2]
    assert "B2B-01" in notes[1].body

    # The slot is no longer free for either of them.
    again = onsite.common_free_slots(db, p.event, p.pa, p.pb)
    assert p.slots[1].id not in [f.slot.id for f in again]


def test_the_booked_meeting_is_in_both_agendas_and_calendars(db: Session, frozen: datetime) -> None:
    p = make_pair(db)
    meeting = _book(db, p, p.slots[2])
    for org, person in ((p.a, p.pa), (p.b, p.pb)):
        agenda = build_agenda(db, p.event, org, person)
        items = [item for day in agenda.days for item in day.items]
        assert [i.meeting.id for i in items] == [meeting.id]
        assert items[0].table is not None and items[0].table.name == "B2B-01"
        ics = to_ics(agenda, domain="test", title=org.name).decode()
        assert f"matchmaker-meeting-{meeting.id}@test" in ics
        assert "B2B-01" in ics


def test_a_later_publication_keeps_the_booked_meeting(db: Session, frozen: datetime) -> None:
    p = make_pair(db)
    c = make_org(db, p.event, "Sở Khoa học và Công nghệ", OrgKind.agency)
    make_participant(db, c, "Phạm Văn Công")
    booked = _book(db, p, p.slots[0])
    other = Meeting(event_id=p.event.id or 0, org_a_id=p.a.id or 0, org_b_id=c.id or 0)
    db.add(other)
    db.commit()
    # A solve that ran before the booking proposes the other meeting at the booked table
    # and slot: publishing it is refused, not a double booking.
    run = SolveRun(event_id=p.event.id or 0, status=RunStatus.finished, solver_status="OPTIMAL")
    run.result = {
        "status": "OPTIMAL",
        "assignments": {str(other.id): {"slot": p.slots[0].id, "table": p.tables[0].id}},
    }
    db.add(run)
    db.commit()
    organiser = make_organiser(db)
    db.commit()
    with pytest.raises(Conflict):
        publication.publish_run(db, p.event, run.id or 0, organiser)
    db.rollback()
    # A run that places the other meeting elsewhere publishes, and the booking stays.
    run.result = {
        "status": "OPTIMAL",
        "assignments": {str(other.id): {"slot": p.slots[3].id, "table": p.tables[0].id}},
    }
    db.add(run)
    db.commit()
    published = publication.publish_run(db, p.event, run.id or 0, organiser)
    db.commit()
    db.refresh(booked)
    assert (booked.slot_id, booked.table_id, booked.status) == (
        p.slots[0].id,
        p.tables[0].id,
        MeetingStatus.scheduled,
    )
    assert str(booked.id) in published.version.assignments


def test_the_database_refuses_two_live_meetings_at_one_table(db: Session) -> None:
    p = make_pair(db)
    c = make_org(db, p.event, "Sở Khoa học và Công nghệ", OrgKind.agency)
    place = {"slot_id": p.slots[0].id, "table_id": p.tables[0].id}
    db.add(
        Meeting(
            event_id=p.event.id or 0,
            org_a_id=p.a.id or 0,
            org_b_id=p.b.id or 0,
            status=MeetingStatus.scheduled,
            **place,
        )
    )
    db.commit()
    # A cancelled meeting keeps its slot: it does not hold the table.
    db.add(
        Meeting(
            event_id=p.event.id or 0,
            org_a_id=p.a.id or 0,
            org_b_id=c.id or 0,
            status=MeetingStatus.cancelled,
            **place,
        )
    )
    db.commit()
    db.add(
        Meeting(
            event_id=p.event.id or 0,
            org_a_id=p.b.id or 0,
            org_b_id=c.id or 0,
            status=MeetingStatus.scheduled,
            **place,
        )
    )
    with pytest.raises(IntegrityError):
        db.commit()


def test_rules_forbid_themake_pair(db: Session, frozen: datetime) -> None:
    p = make_pair(db, allowed_pairs={"startup": ["agency"]})
    with pytest.raises(DomainError) as refused:
        onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[0].id, "")
    assert "rules do not allow" in refused.value.message
    assert onsite.find_people(db, p.event, p.ua, "Bình") == []


def test_a_person_who_does_not_attend_or_is_busy_is_not_free(db: Session, frozen: datetime) -> None:
    p = make_pair(db)
    p.pb.unavailable_slots = [p.slots[0].code]
    db.add(p.pb)
    c = make_org(db, p.event, "Sở Khoa học và Công nghệ", OrgKind.agency)
    pc, _ = make_participant(db, c, "Phạm Văn Công")
    db.add(
        Meeting(
            event_id=p.event.id or 0,
            org_a_id=p.a.id or 0,
            org_b_id=c.id or 0,
            status=MeetingStatus.scheduled,
            slot_id=p.slots[1].id,
            table_id=p.tables[1].id,
            person_a_id=p.pa.id,
            person_b_id=pc.id,
        )
    )
    db.commit()
    free = [f.slot.id for f in onsite.common_free_slots(db, p.event, p.pa, p.pb)]
    assert free == [s.id for s in p.slots[2:]]
    with pytest.raises(Conflict) as away:
        onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[0].id, "")
    assert away.value.message == "%(person)s does not attend at that time."
    assert away.value.params == {"person": "Trần Thị Bình"}
    with pytest.raises(Conflict) as busy:
        onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[1].id, "")
    assert busy.value.message == "%(person)s already has a meeting at that time."
    assert busy.value.params == {"person": "Nguyễn Văn An"}


def test_daily_and_consecutive_limits_hold(db: Session, frozen: datetime) -> None:
    p = make_pair(db, max_consecutive=2, max_per_day=3)
    c = make_org(db, p.event, "Sở Khoa học và Công nghệ", OrgKind.agency)
    d = make_org(db, p.event, "Trường Đại học Cần Thơ", OrgKind.university)
    pc, _ = make_participant(db, c, "Phạm Văn Công")
    pd, _ = make_participant(db, d, "Đỗ Thị Dung")
    for org, person, slot, table in ((c, pc, 0, 1), (d, pd, 1, 2)):
        db.add(
            Meeting(
                event_id=p.event.id or 0,
                org_a_id=p.a.id or 0,
                org_b_id=org.id or 0,
                status=MeetingStatus.scheduled,
                slot_id=p.slots[slot].id,
                table_id=p.tables[table].id,
                person_a_id=p.pa.id,
                person_b_id=person.id,
            )
        )
    db.commit()
    # Slots 1 and 2 taken: slot 3 would be a third in a row; slot 4 is fine (a break).
    free = [f.slot.id for f in onsite.common_free_slots(db, p.event, p.pa, p.pb)]
    assert free == [p.slots[3].id, *[s.id for s in p.slots[4:]]]
    with pytest.raises(Conflict) as streak:
        onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[2].id, "")
    assert streak.value.message == "%(person)s would have too many meetings in a row."
    _book(db, p, p.slots[3])  # the third of the day: the most allowed
    e = make_org(db, p.event, "Hợp tác xã Vị Thanh", OrgKind.ocop)
    pe, _ue = make_participant(db, e, "Võ Văn Em")
    db.commit()
    today = [s.id for s in p.slots[:4]]
    assert not [f for f in onsite.common_free_slots(db, p.event, pe, p.pa) if f.slot.id in today]


def test_only_the_host_can_accept_and_only_during_the_event(db: Session, frozen: datetime) -> None:
    p = make_pair(db)
    request = onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[0].id, "")
    db.commit()
    with pytest.raises(NotFound):  # the requester cannot accept its own request
        onsite.accept(db, request.id or 0, p.ua)
    outsider_org = make_org(db, p.event, "VinaCapital Ventures", OrgKind.investor)
    _, outsider = make_participant(db, outsider_org, "Lê Văn Cường")
    db.commit()
    with pytest.raises(NotFound):
        onsite.accept(db, request.id or 0, outsider)
    db.rollback()
    clock.set_now(datetime(2023, 5, 25, 1, 0, tzinfo=UTC))
    with pytest.raises(Conflict) as closed:
        onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[5].id, "")
    assert closed.value.message == "On-site booking is open during the event only."


def test_a_slot_under_way_is_bookable_until_its_midpoint(db: Session, frozen: datetime) -> None:
    p = make_pair(db)
    start = as_utc(p.slots[0].start)  # 08:00-08:20: bookable until 08:10
    assert start is not None
    clock.set_now(start + timedelta(minutes=3))
    free = onsite.common_free_slots(db, p.event, p.pa, p.pb)
    assert free[0].slot.id == p.slots[0].id

    request = onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[0].id, "")
    db.commit()
    assert request.expires_at == start + timedelta(minutes=10)
    clock.set_now(start + timedelta(minutes=10) - timedelta(seconds=1))
    meeting = onsite.accept(db, request.id or 0, p.ub)
    db.commit()

    db.refresh(meeting)
    assert (meeting.status, meeting.slot_id) == (MeetingStatus.scheduled, p.slots[0].id)


def test_a_slot_past_its_midpoint_cannot_be_booked(db: Session, frozen: datetime) -> None:
    p = make_pair(db)
    start = as_utc(p.slots[0].start)
    assert start is not None
    request = onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[0].id, "")
    db.commit()
    clock.set_now(start + timedelta(minutes=10))

    with pytest.raises(Conflict) as late:
        onsite.accept(db, request.id or 0, p.ub)
    assert late.value.message == "That time is more than half over."
    db.rollback()
    # The unanswered request expires then too ...
    assert requests.expire_requests(db, clock.utcnow(), event=p.event) == 1
    db.commit()
    db.refresh(request)
    assert request.status is RequestStatus.expired
    # ... and the slot is no longer offered or accepted in a new request.
    free = onsite.common_free_slots(db, p.event, p.pa, p.pb)
    assert [f.slot.id for f in free] == [s.id for s in p.slots[1:]]
    with pytest.raises(Conflict) as asked:
        onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[0].id, "")
    assert asked.value.message == "That time is more than half over."
    db.rollback()
    assert db.exec(select(Meeting)).all() == []


def test_a_short_request_expiry_still_wins_over_the_midpoint(db: Session, frozen: datetime) -> None:
    p = make_pair(db, request_expiry_hours=1)
    request = onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[3].id, "")
    # 07:30 + 1 hour is 08:30, before 09:00-09:20's midpoint.
    assert request.expires_at == frozen + timedelta(hours=1)


def test_a_slot_freed_by_a_no_show_is_booked_again_on_site(db: Session, frozen: datetime) -> None:
    p = make_pair(db)
    c = make_org(db, p.event, "Công ty Cổ phần Nông nghiệp Sóc Trăng", OrgKind.startup)
    make_participant(db, c, "Phạm Văn Công")
    missed = Meeting(
        event_id=p.event.id or 0, org_a_id=min(p.b.id or 0, c.id or 0),
        org_b_id=max(p.b.id or 0, c.id or 0), status=MeetingStatus.scheduled,
        slot_id=p.slots[0].id, table_id=p.tables[0].id,
    )  # fmt: skip
    db.add(missed)
    db.commit()
    start = as_utc(p.slots[0].start)
    assert start is not None
    clock.set_now(start + timedelta(minutes=3))
    assert p.slots[0].id not in [
        f.slot.id for f in onsite.common_free_slots(db, p.event, p.pa, p.pb)
    ]

    noshows.report_no_show(db, p.event, missed.id or 0, p.b.id or 0, p.ub)
    db.commit()
    booked = _book(db, p, p.slots[0])

    db.refresh(booked)
    assert (booked.slot_id, booked.table_id) == (p.slots[0].id, p.tables[0].id)
    assert booked.status is MeetingStatus.scheduled


def _accept_all_at_once(engine: Engine, jobs: list[tuple[int, int]]) -> list[str]:
    """Accept each (request, account) in its own thread, session and connection, all at
    once."""
    wide = make_engine(engine.url.render_as_string(hide_password=False), pool_size=len(jobs))
    barrier = threading.Barrier(len(jobs), timeout=60)
    outcomes: list[str] = []

    def attempt(request_id: int, account_id: int) -> None:
        with Session(wide, expire_on_commit=False) as session:
            who = session.get(Account, account_id)
            assert who is not None
            barrier.wait()
            try:
                onsite.accept(session, request_id, who)
                session.commit()
                outcomes.append("booked")
            except DomainError as exc:
                session.rollback()
                outcomes.append(exc.message)

    threads = [threading.Thread(target=attempt, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wide.dispose()
    return outcomes


def test_twenty_bookings_of_one_slot_and_table_at_once_make_one_meeting(
    engine: Engine, db: Session, frozen: datetime
) -> None:
    event = make_event(db, tables=1)
    published(db, event)
    slot = db.exec(select(Slot).order_by(col(Slot.position))).first()
    assert slot is not None
    jobs = []
    for i in range(20):
        startup = make_org(db, event, f"Khởi nghiệp {i:02d}", OrgKind.startup)
        host = make_org(db, event, f"Quỹ {i:02d}", OrgKind.investor)
        _, asker = make_participant(db, startup, f"Người hỏi {i:02d}")
        person, answerer = make_participant(db, host, f"Người đáp {i:02d}")
        request = onsite.request_slot(db, event, asker, person.id, slot.id, "")
        jobs.append((request.id or 0, answerer.id or 0))
    db.commit()

    outcomes = _accept_all_at_once(engine, jobs)

    assert outcomes.count("booked") == 1
    assert sorted(set(outcomes) - {"booked"}) == [onsite.TAKEN]
    db.expire_all()
    live = db.exec(
        select(Meeting).where(Meeting.slot_id == slot.id, Meeting.status == "scheduled")
    ).all()
    assert len(live) == 1
    pending = db.exec(
        select(MeetingRequest).where(MeetingRequest.status == RequestStatus.pending)
    ).all()
    assert len(pending) == 19  # refused ones wait: they expire at the slot's midpoint


def test_two_bookings_of_one_person_at_once_make_one_meeting(
    engine: Engine, db: Session, frozen: datetime
) -> None:
    p = make_pair(db)
    c = make_org(db, p.event, "Công ty Cổ phần Nông nghiệp Sóc Trăng", OrgKind.startup)
    _, uc = make_participant(db, c, "Phạm Văn Công")
    first = onsite.request_slot(db, p.event, p.ua, p.pb.id, p.slots[0].id, "")
    second = onsite.request_slot(db, p.event, uc, p.pb.id, p.slots[0].id, "")
    db.commit()

    outcomes = _accept_all_at_once(
        engine, [(first.id or 0, p.ub.id or 0), (second.id or 0, p.ub.id or 0)]
    )

    assert sorted(outcomes) == ["%(person)s already has a meeting at that time.", "booked"]
    db.expire_all()
    assert len(db.exec(select(Meeting).where(Meeting.status == "scheduled")).all()) == 1


# --- pages ---------------------------------------------------------------------------


def test_find_ask_and_accept_through_the_pages(
    client: TestClient, db: Session, frozen: datetime
) -> None:
    p = make_pair(db)
    sign_in_as(client, p.ua, db)
    found = client.get("/me/on-site", params={"q": "binh"})
    assert found.status_code == 200
    assert "Trần Thị Bình" in found.text
    assert f"/me/on-site/new?person={p.pb.id}&amp;slot={p.slots[0].id}" in found.text
    form = client.get("/me/on-site/new", params={"person": p.pb.id, "slot": p.slots[1].id})
    assert form.status_code == 200
    assert f'value="{p.slots[1].id}" checked' in form.text
    sent = post_form(
        client, "/me/on-site/new",
        {"person": str(p.pb.id), "slot": str(p.slots[1].id), "message": "Hẹn gặp"},
        follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303
    assert sent.headers["location"] == "/requests?box=outgoing&done=on_site"
    request = db.exec(select(MeetingRequest)).one()

    client.cookies.clear()
    sign_in_as(client, p.ub, db)
    incoming = client.get("/requests", params={"box": "incoming"})
    assert "Tại chỗ:" in incoming.text and "B2B-01" in incoming.text
    answer = post_form(client, f"/requests/{request.id}/accept", {}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "Đã đặt – có trong lịch của bạn" in answer.text
    agenda = client.get("/me/agenda")
    assert "Công ty Khởi nghiệp Mekong Agritech" in agenda.text and "B2B-01" in agenda.text


def test_asking_for_a_taken_time_shows_the_reason_at_the_form(
    client: TestClient, db: Session, frozen: datetime
) -> None:
    p = make_pair(db)
    p.pb.unavailable_slots = [p.slots[0].code]
    db.add(p.pb)
    db.commit()
    sign_in_as(client, p.ua, db)
    refused = post_form(
        client, "/me/on-site/new", {"person": str(p.pb.id), "slot": str(p.slots[0].id)}
    )
    assert refused.status_code == 409
    assert "Trần Thị Bình không tham dự vào thời gian đó." in refused.text
    missing = client.get("/me/on-site/new", params={"person": "999999"})
    assert missing.status_code == 404
