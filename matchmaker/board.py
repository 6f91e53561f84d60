"""The live table board: what happens now and next at every table of a zone, for a TV
or a projector at the venue, and the "running late" notes the desk puts on tables.

A board shows one zone (``MeetingTable.zone``), or the whole venue when the tables
have no zones. *Now* at a table is its scheduled meeting whose slot contains the
moment (``matchmaker.clock``); *next* is its first scheduled meeting starting later
the same day. Meetings that are not ``scheduled`` (cancelled, no-show) leave the table
free. A note set on an earlier day is not shown.

Who may look: an organiser signed in, or anyone with the board link. The link carries
``board_key``, an HMAC of the event and its ``board_generation`` under the app's secret
key: nothing secret is stored, the key cannot be guessed from the event, and making
new links (``new_board_links``) ends every old one. A board shows names that are on
the table signs anyway, and no contact details.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from matchmaker import audit
from matchmaker.checkin import event_day, local_today
from matchmaker.clock import as_utc, utcnow
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Event,
    EventSession,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    Slot,
)

NOTE_MAX_LENGTH = 120


def board_key(event: Event, secret: str) -> str:
    message = f"board:{event.id}:{event.board_generation}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def key_is_valid(event: Event, secret: str, key: str) -> bool:
    # As bytes: compare_digest refuses a str with characters outside ASCII (a made-up key).
    return hmac.compare_digest(board_key(event, secret).encode(), key.encode("utf-8", "replace"))


def new_board_links(session: Session, event: Event, by: Account) -> None:
    event.board_generation += 1
    session.add(event)
    audit.record(session, "board.new_links", event=event, account=by)


def zones(session: Session, event: Event) -> list[str]:
    """The zones that have tables, in name order ([""] when no table has a zone)."""
    names = sorted(
        set(session.exec(select(MeetingTable.zone).where(MeetingTable.event_id == event.id)))
    )
    named = [z for z in names if z]
    return named if named else [""]


@dataclass(frozen=True)
class Side:
    organisation: Organisation
    people: list[Participant]  # the one attending, or all of them when nobody is named


@dataclass(frozen=True)
class BoardMeeting:
    meeting: Meeting
    slot: Slot
    a: Side
    b: Side


@dataclass
class BoardRow:
    table: MeetingTable
    today: date
    zone_info: ZoneInfo
    now: BoardMeeting | None = None
    next: BoardMeeting | None = None

    @property
    def running_late(self) -> bool:
        """Marked running late today (a mark from an earlier day has lapsed)."""
        marked = as_utc(self.table.running_late_at)
        return marked is not None and marked.astimezone(self.zone_info).date() == self.today

    @property
    def late_note(self) -> str:
        return self.table.running_late if self.running_late else ""


@dataclass
class Board:
    event: Event
    zone: str
    zones: list[str]
    now: datetime
    running_today: bool
    rows: list[BoardRow] = field(default_factory=list)


def _tables(session: Session, event: Event, zone: str) -> list[MeetingTable]:
    statement = select(MeetingTable).where(MeetingTable.event_id == event.id)
    if zone:
        statement = statement.where(MeetingTable.zone == zone)
    return sorted(session.exec(statement), key=lambda t: (t.zone, _natural(t.name)))


def _natural(name: str) -> tuple[object, ...]:
    """ "B2B-2" before "B2B-10"."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name))


def build_board(session: Session, event: Event, zone: str = "") -> Board:
    """The board of ``zone`` ("" for all tables) at this moment."""
    known = zones(session, event)
    if zone and zone not in known:
        raise NotFound(N_("No such zone."))
    now = utcnow()
    day = event_day(session, event, now)
    board = Board(event=event, zone=zone, zones=known, now=now, running_today=day is not None)
    tables = _tables(session, event, zone)
    zone_info = ZoneInfo(event.timezone)
    today = local_today(event, now)
    board.rows = [BoardRow(table=t, today=today, zone_info=zone_info) for t in tables]
    if day is None or not tables:
        return board
    by_table = {row.table.id: row for row in board.rows}
    # Which meeting is now and which next at each table, from plain rows; then only
    # those (two a table at most) as objects with their sides: the rest of a day at
    # scale 10 is thousands of meetings, and every TV polls.
    rest_of_day = session.execute(
        sa_select(col(Meeting.id), col(Meeting.table_id), col(Slot.start), col(Slot.end))
        .join(Slot, col(Slot.id) == col(Meeting.slot_id))
        .join(EventSession, col(EventSession.id) == col(Slot.session_id))
        .where(
            col(EventSession.day_id) == day.id,
            col(Meeting.status) == MeetingStatus.scheduled,
            col(Meeting.table_id).in_(list(by_table)),
            col(Slot.end) > now,
        )
        .order_by(col(Slot.start), col(Meeting.id))
    ).all()
    now_at: dict[int, int] = {}
    next_at: dict[int, int] = {}
    for meeting_id, table_id, slot_start, slot_end in rest_of_day:
        start, end = as_utc(slot_start), as_utc(slot_end)
        assert start is not None and end is not None
        if start <= now < end:
            now_at.setdefault(table_id, meeting_id)
        elif start > now:
            next_at.setdefault(table_id, meeting_id)
    shown_ids = set(now_at.values()) | set(next_at.values())
    if not shown_ids:
        return board
    loaded = {
        meeting.id: (meeting, slot)
        for meeting, slot in session.exec(
            select(Meeting, Slot)
            .join(Slot, col(Slot.id) == col(Meeting.slot_id))
            .where(col(Meeting.id).in_(shown_ids))
        ).all()
    }
    sides = _sides(session, [m for m, _ in loaded.values()])

    def shown(meeting_id: int) -> BoardMeeting:
        meeting, slot = loaded[meeting_id]
        return BoardMeeting(meeting, slot, *sides(meeting))

    for table_id, row in by_table.items():
        if table_id in now_at:
            row.now = shown(now_at[table_id])
        if table_id in next_at:
            row.next = shown(next_at[table_id])
    return board


def _sides(session: Session, meetings: list[Meeting]):  # type: ignore[no-untyped-def]
    org_ids = {m.org_a_id for m in meetings} | {m.org_b_id for m in meetings}
    orgs = {
        o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
    }
    teams: dict[int, list[Participant]] = {}
    by_id: dict[int | None, Participant] = {}
    for p in session.exec(
        select(Participant)
        .where(col(Participant.organisation_id).in_(org_ids))
        .order_by(col(Participant.id))
    ):
        teams.setdefault(p.organisation_id, []).append(p)
        by_id[p.id] = p

    def side(org_id: int, person_id: int | None) -> Side:
        person = by_id.get(person_id) if person_id else None
        return Side(orgs[org_id], [person] if person else teams.get(org_id, []))

    def both(m: Meeting) -> tuple[Side, Side]:
        return side(m.org_a_id, m.person_a_id), side(m.org_b_id, m.person_b_id)

    return both


def _table(session: Session, event: Event, table_id: int) -> MeetingTable:
    table = session.get(MeetingTable, table_id)
    if table is None or table.event_id != event.id:
        raise NotFound(N_("No such table."))
    return table


def set_running_late(
    session: Session, event: Event, table_id: int, note: str, by: Account
) -> MeetingTable:
    """Mark a table running late today, with an optional note ("+10 min")."""
    table = _table(session, event, table_id)
    table.running_late = " ".join(note.split())[:NOTE_MAX_LENGTH]
    table.running_late_at = utcnow()
    session.add(table)
    audit.record(
        session, "table.running_late", event=event, account=by, table=table.id,
        note=table.running_late,
    )  # fmt: skip
    return table


def clear_running_late(session: Session, event: Event, table_id: int, by: Account) -> MeetingTable:
    table = _table(session, event, table_id)
    table.running_late = ""
    table.running_late_at = None
    session.add(table)
    audit.record(session, "table.running_late.clear", event=event, account=by, table=table.id)
    return table
