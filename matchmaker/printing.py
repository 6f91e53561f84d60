"""What the registration desk prints: table plans, table signs, all agendas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker.agenda import Agenda, build_agenda
from matchmaker.models import (
    Day,
    Event,
    EventSession,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    Slot,
)
from matchmaker.video import DEFAULT_VIDEO_BASE_URL


@dataclass(frozen=True)
class PlacedMeeting:
    meeting: Meeting
    slot: Slot
    table: MeetingTable
    first: Organisation
    second: Organisation
    # Who attends for each side; None: not named (every representative may come).
    first_person: Participant | None = None
    second_person: Participant | None = None


@dataclass
class SlotPlan:
    slot: Slot
    placed: list[PlacedMeeting] = field(default_factory=list)


@dataclass
class TableSign:
    table: MeetingTable
    day: date
    placed: list[PlacedMeeting] = field(default_factory=list)
    # A day too long for one sheet is split (at sessions first): sheet `part` of `parts`.
    part: int = 1
    parts: int = 1

    @property
    def compact(self) -> bool:
        return len(self.placed) > ROOMY_SIGN_ROWS


# Every row of a sign has a fixed height (two single lines, the names cut with an
# ellipsis), so these counts decide what fits on one A4 sheet under the table number.
ROOMY_SIGN_ROWS = 10
MAX_SIGN_ROWS = 20


def _placed_meetings(session: Session, event: Event) -> list[PlacedMeeting]:
    meetings = session.exec(
        select(Meeting).where(
            Meeting.event_id == event.id,
            col(Meeting.slot_id).is_not(None),
            col(Meeting.table_id).is_not(None),
            Meeting.status != MeetingStatus.cancelled,
        )
    ).all()
    orgs = {
        o.id: o for o in session.exec(select(Organisation).where(Organisation.event_id == event.id))
    }
    tables = {
        t.id: t for t in session.exec(select(MeetingTable).where(MeetingTable.event_id == event.id))
    }
    slots = {s.id: s for s in event_slots(session, event)}
    people = {p.id: p for p in _event_people(session, event)}
    placed = [
        PlacedMeeting(
            m,
            slots[m.slot_id],
            tables[m.table_id],
            orgs[m.org_a_id],
            orgs[m.org_b_id],
            people.get(m.person_a_id),
            people.get(m.person_b_id),
        )
        for m in meetings
        if m.slot_id in slots and m.table_id in tables
    ]
    placed.sort(key=lambda p: (p.slot.position, p.table.name))
    return placed


def event_slots(session: Session, event: Event) -> list[Slot]:
    return list(
        session.exec(
            select(Slot)
            .join(EventSession, col(Slot.session_id) == col(EventSession.id))
            .join(Day, col(EventSession.day_id) == col(Day.id))
            .where(Day.event_id == event.id)
            .order_by(col(Slot.position))
        )
    )


def table_plan(session: Session, event: Event) -> list[SlotPlan]:
    """Per slot, which meeting sits at which table (slots without meetings omitted)."""
    plans: dict[int, SlotPlan] = {}
    for item in _placed_meetings(session, event):
        plans.setdefault(item.slot.id or 0, SlotPlan(item.slot)).placed.append(item)
    return list(plans.values())


def table_signs(session: Session, event: Event) -> list[TableSign]:
    """One sign (one printed sheet) per table and day: the table's meetings of that day
    in time order; a day with more than MAX_SIGN_ROWS meetings gets one sheet per
    session, and a session still too long is cut into even parts."""
    zone = ZoneInfo(event.timezone)
    days: dict[tuple[str, date], list[PlacedMeeting]] = {}
    for item in _placed_meetings(session, event):
        day = item.slot.start.astimezone(zone).date()
        days.setdefault((item.table.name, day), []).append(item)
    signs: list[TableSign] = []
    for key in sorted(days, key=lambda k: (k[1], k[0])):
        placed = days[key]
        chunks = [
            chunk for group in _by_session(placed) for chunk in _even_chunks(group, MAX_SIGN_ROWS)
        ]
        if len(placed) <= MAX_SIGN_ROWS:
            chunks = [placed]
        for number, chunk in enumerate(chunks, start=1):
            signs.append(TableSign(chunk[0].table, key[1], chunk, number, len(chunks)))
    return signs


def _by_session(placed: list[PlacedMeeting]) -> list[list[PlacedMeeting]]:
    groups: dict[int, list[PlacedMeeting]] = {}
    for item in placed:
        groups.setdefault(item.slot.session_id, []).append(item)
    return list(groups.values())


def _even_chunks(items: list[PlacedMeeting], size: int) -> list[list[PlacedMeeting]]:
    count = -(-len(items) // size)
    per = -(-len(items) // count)
    return [items[i : i + per] for i in range(0, len(items), per)]


@dataclass(frozen=True)
class PersonAgenda:
    participant: Participant
    agenda: Agenda


def _event_people(session: Session, event: Event) -> list[Participant]:
    return list(
        session.exec(
            select(Participant)
            .join(Organisation, col(Participant.organisation_id) == col(Organisation.id))
            .where(Organisation.event_id == event.id)
        )
    )


def all_agendas(
    session: Session,
    event: Event,
    progress: Callable[[int, int], None] | None = None,
    *,
    video_base: str = DEFAULT_VIDEO_BASE_URL,
) -> list[PersonAgenda]:
    """One agenda per participant, sorted by name, for the registration desk: each
    representative's own meetings (a teammate's are on the teammate's sheet).
    ``progress(done, total)`` hears how far it got."""
    orgs = {
        o.id: o for o in session.exec(select(Organisation).where(Organisation.event_id == event.id))
    }
    people = sorted(
        _event_people(session, event),
        key=lambda p: (p.name_folded or p.full_name.lower(), p.id or 0),
    )
    sheets = []
    for done, person in enumerate(people):
        if progress is not None and done % 25 == 0:
            progress(done, len(people))
        agenda = build_agenda(
            session, event, orgs[person.organisation_id], person, video_base=video_base
        )
        sheets.append(PersonAgenda(person, agenda))
    return sheets


def group_by_day(plans: list[SlotPlan], event: Event) -> dict[date, list[SlotPlan]]:
    zone = ZoneInfo(event.timezone)
    days: dict[date, list[SlotPlan]] = defaultdict(list)
    for plan in plans:
        days[plan.slot.start.astimezone(zone).date()].append(plan)
    return dict(days)
