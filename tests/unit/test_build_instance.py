"""How ``build_instance`` maps event rows onto the solver's instance (in-memory SQLite)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, SQLModel, col, create_engine, select

from matchmaker.models import Meeting, MeetingStatus, MeetingTable, Slot
from matchmaker.scheduling import build_instance
from tests.factories import make_event, make_meeting, make_org, make_participant


@pytest.fixture
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def test_organisations_become_participants_with_reps_as_capacity(db: Session) -> None:
    event = make_event(db, slots_per_session=3)
    event.rules = {"max_per_day": 3, "max_consecutive": 2}
    duo = make_org(db, event, "Hai người")
    morning, _ = make_participant(db, duo, "Sáng")
    morning.available_sessions = ["d1-am"]
    morning.max_per_day = 1
    later, _ = make_participant(db, duo, "Chiều")
    later.available_sessions = ["d2-am"]
    solo = make_org(db, event, "Một người")
    person, _ = make_participant(db, solo, "Một")
    person.available_sessions = ["d1-am"]
    person.unavailable_slots = ["d1-am-02"]
    idle = make_org(db, event, "Không có cuộc gặp")
    make_participant(db, idle, "Rảnh")
    make_meeting(db, event, duo, solo, weight=3)

    instance, maps = build_instance(db, event)

    by_name = {p.name: p for p in instance.participants}
    assert set(by_name) == {"Hai người", "Một người"}
    # representatives are the people: each with their own days and limits (a
    # representative's own limit wins over the event's rule)
    d1 = ["d1-am-01", "d1-am-02", "d1-am-03"]
    d2 = ["d2-am-01", "d2-am-02", "d2-am-03"]
    duo_people = by_name["Hai người"].people
    assert [(r.name, r.unavailable, r.max_per_day, r.max_consecutive) for r in duo_people] == [
        ("Sáng", d2, 1, 2),
        ("Chiều", d1, 3, 2),
    ]
    assert [r.id for r in duo_people] == [f"r{morning.id}", f"r{later.id}"]
    [one] = by_name["Một người"].people
    assert (one.unavailable, one.max_per_day, one.max_consecutive) == (["d1-am-02", *d2], 3, 2)
    assert maps.org_code[duo.id or 0] == by_name["Hai người"].id
    assert [m.weight for m in instance.meetings] == [3]
    assert [(s.id, s.session, s.day) for s in instance.slots[2:4]] == [
        ("d1-am-03", "d1-am", 1),
        ("d2-am-01", "d2-am", 2),
    ]


def test_home_tables_locks_cancellations_and_options(db: Session) -> None:
    event = make_event(db, slots_per_session=2, tables=2)
    host = make_org(db, event, "Quỹ đầu tư")
    guest = make_org(db, event, "Khởi nghiệp")
    other = make_org(db, event, "HTX")
    tables = db.exec(select(MeetingTable).order_by(col(MeetingTable.id))).all()
    tables[0].host_org_id = host.id
    slot = db.exec(select(Slot).where(Slot.code == "d2-am-02")).one()
    locked = make_meeting(
        db,
        event,
        host,
        guest,
        locked=True,
        slot_id=slot.id,
        table_id=tables[0].id,
        status=MeetingStatus.scheduled,
    )
    make_meeting(db, event, host, other, status=MeetingStatus.cancelled)
    make_meeting(db, event, guest, other)
    db.flush()

    instance, maps = build_instance(db, event, require_all=True, fairness=2, keep_published=False)

    assert [(t.id, t.host) for t in instance.tables] == [
        (f"t{tables[0].id}", f"o{host.id}"),
        (f"t{tables[1].id}", None),
    ]
    assert [m.id for m in instance.meetings] == [str(locked.id), str((locked.id or 0) + 2)]
    fixed = instance.meetings[0]
    assert (fixed.fixed_slot, fixed.previous_slot, fixed.previous_table) == (
        "d2-am-02",
        "d2-am-02",
        f"t{tables[0].id}",
    )
    assert instance.meetings[1].fixed_slot is None
    assert maps.locked == {locked.id: (slot.id, tables[0].id)}
    assert (
        instance.options.require_all,
        instance.options.fairness_max_diff,
        instance.options.keep_previous,
    ) == (True, 2, False)
    assert db.exec(select(Meeting).where(Meeting.status == MeetingStatus.cancelled)).one()
