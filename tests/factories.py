"""Small factories for tests: an event with a few slots, organisations, accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from sqlmodel import Session

from matchmaker import accounts
from matchmaker.models import (
    Account,
    Day,
    Event,
    EventSession,
    Meeting,
    MeetingTable,
    Organisation,
    OrgKind,
    Participant,
    Role,
    Slot,
)
from matchmaker.text import fold

ORGANISER_PASSWORD = "organiser-password-1"
_seq = count(1)


def make_event(session: Session, *, slots_per_session: int = 4, tables: int = 3) -> Event:
    event = Event(
        slug=f"test-event-{next(_seq)}",
        name_vi="Tuần lễ Chuyển đổi số Hậu Giang",
        name_en="Hau Giang Digital Transformation Week",
        venue="Vị Thanh, Hậu Giang",
        start_date=date(2023, 5, 18),
        end_date=date(2023, 5, 19),
        rules={},
    )
    session.add(event)
    session.flush()
    position = 0
    for number in (1, 2):
        day = Day(event_id=event.id or 0, number=number, on_date=date(2023, 5, 17 + number))
        session.add(day)
        session.flush()
        block = EventSession(
            day_id=day.id or 0,
            code=f"d{number}-am",
            name_vi="Sáng",
            name_en="Morning",
            start=time(8, 0),
            end=time(8 + slots_per_session // 3 + 1, 0),
        )
        session.add(block)
        session.flush()
        # 08:00 in Asia/Ho_Chi_Minh is 01:00 UTC.
        first = datetime(2023, 5, 17 + number, 1, 0, tzinfo=UTC)
        for i in range(slots_per_session):
            start = first + timedelta(minutes=20 * i)
            session.add(
                Slot(
                    session_id=block.id or 0,
                    code=f"d{number}-am-{i + 1:02d}",
                    start=start,
                    end=start + timedelta(minutes=20),
                    position=position,
                )
            )
            position += 1
    for i in range(tables):
        session.add(MeetingTable(event_id=event.id or 0, name=f"B2B-{i + 1:02d}"))
    session.flush()
    return event


def make_org(
    session: Session, event: Event, name: str, kind: OrgKind = OrgKind.startup, **fields: object
) -> Organisation:
    org = Organisation(event_id=event.id or 0, name=name, name_folded=fold(name), kind=kind)
    for key, value in fields.items():
        setattr(org, key, value)
    session.add(org)
    session.flush()
    return org


def make_participant(
    session: Session, org: Organisation, full_name: str, email: str | None = None
) -> tuple[Participant, Account]:
    n = next(_seq)
    participant = Participant(
        organisation_id=org.id or 0,
        full_name=full_name,
        name_folded=fold(full_name),
        email=email or f"person{n}@example.vn",
        phone=f"0909{n:06d}",
    )
    session.add(participant)
    session.flush()
    account = Account(
        email=participant.email,
        role=Role.participant,
        display_name=full_name,
        participant_id=participant.id,
    )
    session.add(account)
    session.flush()
    return participant, account


def make_organiser(session: Session, email: str = "organiser@example.vn") -> Account:
    return accounts.create_organiser(session, email, ORGANISER_PASSWORD, "Ban tổ chức")


def make_meeting(
    session: Session, event: Event, a: Organisation, b: Organisation, **fields: object
) -> Meeting:
    """An accepted meeting between two organisations (stored as an ordered pair)."""
    low, high = sorted((a.id or 0, b.id or 0))
    meeting = Meeting(event_id=event.id or 0, org_a_id=low, org_b_id=high, host_org_id=b.id)
    for key, value in fields.items():
        setattr(meeting, key, value)
    session.add(meeting)
    session.flush()
    return meeting
