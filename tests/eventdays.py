"""Shared arrangements of the event-day tests: an event on its first morning, with a
published schedule and a startup and an investor of one person each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from matchmaker.models import (
    Account,
    Day,
    Event,
    EventSession,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    OrgKind,
    Participant,
    ScheduleVersion,
    Slot,
)
from tests.factories import make_event, make_org, make_participant

# Day 1, 07:30 in Vị Thanh: the day's four slots (08:00-09:20) are all ahead.
MORNING = datetime(2023, 5, 18, 0, 30, tzinfo=UTC)


@dataclass
class Pair:
    event: Event
    a: Organisation
    b: Organisation
    pa: Participant
    pb: Participant
    ua: Account
    ub: Account
    slots: list[Slot]
    tables: list[MeetingTable]


def published(db: Session, event: Event) -> None:
    db.add(ScheduleVersion(event_id=event.id or 0, number=1, kind="final"))
    db.flush()


def make_pair(db: Session, *, tables: int = 3, **rules: object) -> Pair:
    event = make_event(db, tables=tables)
    event.rules = dict(rules)
    db.add(event)
    a = make_org(db, event, "Công ty Khởi nghiệp Mekong Agritech", OrgKind.startup)
    b = make_org(db, event, "Quỹ Đầu tư Sáng tạo Cần Thơ", OrgKind.investor)
    pa, ua = make_participant(db, a, "Nguyễn Văn An")
    pb, ub = make_participant(db, b, "Trần Thị Bình")
    published(db, event)
    slots = list(
        db.exec(
            select(Slot)
            .join(EventSession, col(EventSession.id) == col(Slot.session_id))
            .join(Day, col(Day.id) == col(EventSession.day_id))
            .where(Day.event_id == event.id)
            .order_by(col(Slot.position))
        )
    )
    tables_ = list(
        db.exec(
            select(MeetingTable)
            .where(MeetingTable.event_id == event.id)
            .order_by(col(MeetingTable.name))
        )
    )
    db.commit()
    return Pair(event, a, b, pa, pb, ua, ub, slots, tables_)


def scheduled(db: Session, p: Pair, slot: int, table: int = 0) -> Meeting:
    """A live meeting of the pair at ``slots[slot]``, ``tables[table]``, both named."""
    meeting = Meeting(
        event_id=p.event.id or 0,
        org_a_id=min(p.a.id or 0, p.b.id or 0),
        org_b_id=max(p.a.id or 0, p.b.id or 0),
        host_org_id=p.b.id,
        status=MeetingStatus.scheduled,
        slot_id=p.slots[slot].id,
        table_id=p.tables[table].id,
    )
    person = {p.a.id: p.pa.id, p.b.id: p.pb.id}
    meeting.person_a_id, meeting.person_b_id = person[meeting.org_a_id], person[meeting.org_b_id]
    db.add(meeting)
    db.commit()
    return meeting
