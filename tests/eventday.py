"""A small published event for the event-day tests (check-in, boards, no-shows): three
organisations with one representative each, and three scheduled meetings on day 1
(18 May 2023, Asia/Ho_Chi_Minh):

    08:00-08:20  B2B-01  startup (Trần Văn An)  x  investor (Lê Thị Bình)
    08:20-08:40  B2B-01  startup (Trần Văn An)  x  OCOP (Phạm Văn Cường)
    08:40-09:00  B2B-02  investor (Lê Thị Bình) x  OCOP (Phạm Văn Cường)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlmodel import Session, col, select

from matchmaker import clock
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    OrgKind,
    Participant,
    ScheduleVersion,
    Slot,
)
from tests.factories import make_event, make_meeting, make_org, make_participant
from tests.sessions import organiser_account

VIETNAM = timezone(timedelta(hours=7))


def at(hour: int, minute: int = 0, day: int = 18) -> datetime:
    """A moment of May 2023 in event time."""
    return datetime(2023, 5, day, hour, minute, tzinfo=VIETNAM)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    with clock.fixed_now(moment):
        yield


@dataclass
class EventDay:
    event: Event
    startup: Organisation
    investor: Organisation
    ocop: Organisation
    an: Participant
    binh: Participant
    cuong: Participant
    an_account: Account
    binh_account: Account
    cuong_account: Account
    organiser: Account
    first: Meeting  # 08:00 B2B-01 startup x investor
    second: Meeting  # 08:20 B2B-01 startup x OCOP
    third: Meeting  # 08:40 B2B-02 investor x OCOP
    tables: list[MeetingTable]
    slots: list[Slot]


def _place(
    db: Session, meeting: Meeting, slot: Slot, table: MeetingTable, people: dict[int, int]
) -> None:
    meeting.slot_id, meeting.table_id = slot.id, table.id
    meeting.status = MeetingStatus.scheduled
    meeting.person_a_id = people[meeting.org_a_id]
    meeting.person_b_id = people[meeting.org_b_id]
    db.add(meeting)


def make_event_day(db: Session) -> EventDay:
    event = make_event(db)
    startup = make_org(db, event, "Công ty Khởi nghiệp Mekong")
    investor = make_org(db, event, "Quỹ Đầu tư Sông Hậu", OrgKind.investor)
    ocop = make_org(db, event, "Hợp tác xã Khóm Cầu Đúc", OrgKind.ocop)
    an, an_account = make_participant(db, startup, "Trần Văn An")
    binh, binh_account = make_participant(db, investor, "Lê Thị Bình")
    cuong, cuong_account = make_participant(db, ocop, "Phạm Văn Cường")
    people = {
        startup.id or 0: an.id or 0,
        investor.id or 0: binh.id or 0,
        ocop.id or 0: cuong.id or 0,
    }
    slots = list(db.exec(select(Slot).order_by(col(Slot.position))))
    tables = list(
        db.exec(
            select(MeetingTable)
            .where(MeetingTable.event_id == event.id)
            .order_by(col(MeetingTable.name))
        )
    )
    first = make_meeting(db, event, startup, investor)
    second = make_meeting(db, event, startup, ocop)
    third = make_meeting(db, event, investor, ocop)
    _place(db, first, slots[0], tables[0], people)
    _place(db, second, slots[1], tables[0], people)
    _place(db, third, slots[2], tables[1], people)
    db.add(ScheduleVersion(event_id=event.id or 0, number=1))
    organiser = organiser_account(db)
    db.commit()
    return EventDay(
        event, startup, investor, ocop, an, binh, cuong, an_account, binh_account,
        cuong_account, organiser, first, second, third, tables, slots,
    )  # fmt: skip
