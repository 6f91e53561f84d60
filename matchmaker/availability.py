"""When each representative is present: sessions (and single slots) of the event.

Stored on the participant: ``available_sessions`` lists the session codes they
attend (empty = all), ``unavailable_slots`` the slot codes they miss inside
sessions they attend. :func:`unavailable_slot_codes` (one participant) and
:func:`unavailable_slots_by_participant` (a whole event at once) turn that into
the slots the scheduler must keep free for a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from matchmaker import notifications
from matchmaker.db import loaded_by_id, session_memo
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Day,
    Event,
    EventSession,
    HostConfirmation,
    Meeting,
    MeetingStatus,
    Organisation,
    Participant,
    Slot,
)
from matchmaker.profiles import own_representative


@dataclass(frozen=True)
class SessionBlock:
    day: Day
    session: EventSession
    slots: tuple[Slot, ...]
    code: str
    slot_codes: tuple[str, ...]


@dataclass(frozen=True)
class DayRow:
    day: Day
    sessions: tuple[SessionBlock, ...]


@dataclass(frozen=True)
class Grid:
    """The event's days, their sessions and the sessions' slots, in order."""

    days: tuple[DayRow, ...]
    blocks: tuple[SessionBlock, ...] = ()
    session_codes: tuple[str, ...] = ()
    slots_by_session: dict[str, tuple[str, ...]] = field(default_factory=dict)
    day_slot_codes: tuple[tuple[int, tuple[str, ...]], ...] = ()  # each block's
    # Present days by (available_sessions, unavailable_slots): many people share a pattern.
    memo: dict[tuple[tuple[str, ...], tuple[str, ...]], frozenset[int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, days: tuple[DayRow, ...]) -> Grid:
        blocks = tuple(block for row in days for block in row.sessions)
        return cls(
            days=days,
            blocks=blocks,
            session_codes=tuple(b.code for b in blocks),
            slots_by_session={b.code: b.slot_codes for b in blocks},
            day_slot_codes=tuple((b.day.number, b.slot_codes) for b in blocks),
        )

    def block(self, code: str) -> SessionBlock | None:
        return next((b for b in self.blocks if b.code == code), None)

    def block_of_slot(self, slot_code: str) -> SessionBlock | None:
        return next((b for b in self.blocks if slot_code in b.slot_codes), None)

    @property
    def max_sessions_per_day(self) -> int:
        return max((len(row.sessions) for row in self.days), default=0)


def event_grid(session: Session, event: Event) -> Grid:
    """The event's days, sessions and slots (read once per unit of work)."""
    return session_memo(session, ("event_grid", event.id), lambda: _event_grid(session, event))


def _event_grid(session: Session, event: Event) -> Grid:
    days = list(session.exec(select(Day).where(Day.event_id == event.id).order_by(col(Day.number))))
    day_ids = [d.id for d in days]
    blocks = list(
        session.exec(
            select(EventSession)
            .where(col(EventSession.day_id).in_(day_ids))
            .order_by(col(EventSession.start), col(EventSession.id))
        )
    )
    slots = list(
        session.exec(
            select(Slot)
            .where(col(Slot.session_id).in_([b.id for b in blocks]))
            .order_by(col(Slot.position), col(Slot.start))
        )
    )
    by_session: dict[int | None, list[Slot]] = {}
    for slot in slots:
        by_session.setdefault(slot.session_id, []).append(slot)
    rows = []
    for day in days:
        rows.append(
            DayRow(
                day=day,
                sessions=tuple(
                    SessionBlock(
                        day=day,
                        session=block,
                        slots=tuple(by_session.get(block.id, ())),
                        code=block.code,
                        slot_codes=tuple(s.code for s in by_session.get(block.id, ())),
                    )
                    for block in blocks
                    if block.day_id == day.id
                ),
            )
        )
    return Grid.of(tuple(rows))


# --- pure rules -----------------------------------------------------------------


def attended_sessions(available_sessions: Iterable[str], all_codes: Iterable[str]) -> set[str]:
    """The session codes attended: an empty list means all of them."""
    every = list(all_codes)
    chosen = set(available_sessions)
    return set(every) if not chosen else chosen & set(every)


def unavailable_codes(
    available_sessions: Iterable[str],
    unavailable_slots: Iterable[str],
    slots_by_session: Mapping[str, tuple[str, ...]],
) -> set[str]:
    """Slot codes a person is absent in: every slot of a session they skip, plus
    the single slots they marked inside sessions they attend."""
    attended = attended_sessions(available_sessions, slots_by_session)
    known = {code for codes in slots_by_session.values() for code in codes}
    out = {
        code
        for session_code, codes in slots_by_session.items()
        if session_code not in attended
        for code in codes
    }
    return out | (set(unavailable_slots) & known)


def with_session(
    available_sessions: list[str], all_codes: list[str], code: str, present: bool
) -> list[str]:
    """The new ``available_sessions`` after marking session `code` (normalised:
    all sessions -> ``[]``); a person keeps at least one session."""
    attended = attended_sessions(available_sessions, all_codes)
    if present:
        attended.add(code)
    else:
        attended.discard(code)
    if not attended:
        raise DomainError(
            N_("A representative must be present in at least one session."), field="availability"
        )
    if attended >= set(all_codes):
        return []
    return [c for c in all_codes if c in attended]


# --- reading and writing ----------------------------------------------------------


def _event_of(session: Session, participant: Participant) -> Event:
    org = session.get(Organisation, participant.organisation_id)
    event = session.get(Event, org.event_id) if org else None
    if event is None:
        raise NotFound(N_("No such event."))
    return event


def unavailable_slot_codes(session: Session, participant: Participant) -> set[str]:
    """The slot codes in which `participant` cannot meet (for the solver instance)."""
    grid = event_grid(session, _event_of(session, participant))
    return unavailable_codes(
        participant.available_sessions, participant.unavailable_slots, grid.slots_by_session
    )


def unavailable_slots_by_participant(session: Session, event: Event) -> dict[int, set[str]]:
    """:func:`unavailable_slot_codes` for every representative of the event at once."""
    slots_by_session = event_grid(session, event).slots_by_session
    participants = session.exec(
        select(Participant)
        .join(Organisation, col(Participant.organisation_id) == col(Organisation.id))
        .where(Organisation.event_id == event.id)
    ).all()
    return {
        p.id: unavailable_codes(p.available_sessions, p.unavailable_slots, slots_by_session)
        for p in participants
        if p.id is not None
    }


def present_day_numbers(grid: Grid | DayShape, participant: Participant) -> set[int]:
    """The day numbers on which `participant` is present in at least one slot."""
    key = (tuple(participant.available_sessions), tuple(participant.unavailable_slots))
    days = grid.memo.get(key)
    if days is None:
        missing = unavailable_codes(key[0], key[1], grid.slots_by_session)
        days = frozenset(
            day for day, codes in grid.day_slot_codes if any(c not in missing for c in codes)
        )
        grid.memo[key] = days
    return set(days)


@dataclass(frozen=True)
class DayShape:
    """The grid as codes only (each session's day number and slot codes, in the grid's
    order): what present days are worked out from, read in one query of plain columns
    instead of the grid's rows (the directory's pages)."""

    day_slot_codes: tuple[tuple[int, tuple[str, ...]], ...]
    slots_by_session: dict[str, tuple[str, ...]]
    memo: dict[tuple[tuple[str, ...], tuple[str, ...]], frozenset[int]] = field(
        default_factory=dict, compare=False, repr=False
    )


def day_shape(session: Session, event: Event) -> DayShape:
    """The event's DayShape (read once per unit of work)."""
    return session_memo(session, ("day_shape", event.id), lambda: _day_shape(session, event))


def _day_shape(session: Session, event: Event) -> DayShape:
    rows = session.exec(
        select(Day.number, EventSession.id, EventSession.code, Slot.code)
        .join(EventSession, col(EventSession.day_id) == col(Day.id))
        .outerjoin(Slot, col(Slot.session_id) == col(EventSession.id))
        .where(Day.event_id == event.id)
        .order_by(
            col(Day.number), col(EventSession.start), col(EventSession.id),
            col(Slot.position), col(Slot.start),
        )
    ).all()  # fmt: skip
    blocks: dict[int | None, tuple[int, str, list[str]]] = {}
    for number, session_id, code, slot_code in rows:
        block = blocks.setdefault(session_id, (number, code, []))
        if slot_code is not None:
            block[2].append(slot_code)
    return DayShape(
        day_slot_codes=tuple((number, tuple(codes)) for number, _, codes in blocks.values()),
        slots_by_session={code: tuple(codes) for _, code, codes in blocks.values()},
    )


@dataclass(frozen=True)
class Presence:
    """One representative's marks, for display."""

    sessions: frozenset[str]  # attended session codes
    missing_slots: frozenset[str]  # unavailable slot codes inside attended sessions

    def attends(self, session_code: str) -> bool:
        return session_code in self.sessions

    def in_slot(self, block: SessionBlock, slot_code: str) -> bool:
        return block.code in self.sessions and slot_code not in self.missing_slots

    def missing_in(self, block: SessionBlock) -> int:
        return sum(1 for code in block.slot_codes if not self.in_slot(block, code))


def presence(grid: Grid, participant: Participant) -> Presence:
    attended = attended_sessions(participant.available_sessions, grid.session_codes)
    return Presence(
        sessions=frozenset(attended),
        missing_slots=frozenset(participant.unavailable_slots),
    )


def marks_after(
    grid: Grid,
    available_sessions: Iterable[str],
    unavailable_slots: Iterable[str],
    kind: str,
    code: str,
    present: bool,
) -> tuple[list[str], list[str]]:
    """A representative's (``available_sessions``, ``unavailable_slots``) after marking
    session or slot `code` present or absent (`kind` "session" or "slot"); nothing is
    saved, so a change can be checked before it is made. Marking a session clears its
    single-slot marks; missing every slot of a session means skipping the session."""
    sessions, slots = list(available_sessions), list(unavailable_slots)
    if kind == "session":
        block = grid.block(code)
        if block is None:
            raise NotFound(N_("No such session."))
        new_sessions = with_session(sessions, list(grid.session_codes), code, present)
        return new_sessions, [c for c in slots if c not in block.slot_codes]
    block = grid.block_of_slot(code)
    if block is None:
        raise NotFound(N_("No such time slot."))
    if block.code not in attended_sessions(sessions, grid.session_codes):
        raise DomainError(N_("Mark the session as present first."), field="availability")
    missing = [c for c in slots if c != code]
    if not present:
        missing.append(code)
    if all(c in missing for c in block.slot_codes):
        return marks_after(grid, sessions, slots, "session", block.code, False)
    return sessions, missing


def set_presence(
    session: Session,
    account: Account,
    event: Event,
    participant_id: int,
    kind: str,
    code: str,
    present: bool,
) -> Participant:
    """Mark a representative of one's own organisation present in (or absent from) a
    session or a single slot (see :func:`marks_after`)."""
    participant = own_representative(session, account, participant_id)
    grid = event_grid(session, event)
    participant.available_sessions, participant.unavailable_slots = marks_after(
        grid, participant.available_sessions, participant.unavailable_slots, kind, code, present
    )
    session.add(participant)
    return participant


def set_session_presence(
    session: Session,
    account: Account,
    event: Event,
    participant_id: int,
    session_code: str,
    present: bool,
) -> Participant:
    """Mark a representative present in (or absent from) a session."""
    return set_presence(session, account, event, participant_id, "session", session_code, present)


def set_slot_presence(
    session: Session,
    account: Account,
    event: Event,
    participant_id: int,
    slot_code: str,
    present: bool,
) -> Participant:
    """Mark a representative present in (or absent from) one slot of a session they
    attend."""
    return set_presence(session, account, event, participant_id, "slot", slot_code, present)


# --- conflicts with meetings already placed -------------------------------------------
#
# A meeting placed in a slot (status scheduled, published or in a draft the hosts are
# confirming) conflicts with an availability when the side's representative cannot be
# there: the person named to attend is absent in that slot, or, when nobody of the side is
# named yet, every representative of the organisation is. A slot its host marked
# impossible is left out: the confirmation flow already moves that meeting. Conflicts are
# read from the rows as they stand, never stored: moving the meeting, or marking oneself
# present again, resolves one.


@dataclass(frozen=True)
class Booking:
    """One side of a meeting placed in a slot."""

    meeting_id: int
    organisation_id: int
    slot_code: str
    person_id: int | None  # who attends for this side; None: any representative


def conflicting(
    bookings: Iterable[Booking],
    away: Mapping[int, set[str]],
    team: Mapping[int, Sequence[int]],
) -> set[int]:
    """The meetings of `bookings` whose side cannot attend. `away`: slot codes each
    representative is absent in; `team`: each organisation's representatives."""
    out: set[int] = set()
    for b in bookings:
        if b.person_id is not None:
            if b.slot_code in away.get(b.person_id, set()):
                out.add(b.meeting_id)
            continue
        people = team.get(b.organisation_id, ())
        if people and all(b.slot_code in away.get(p, set()) for p in people):
            out.add(b.meeting_id)
    return out


def new_conflicts(
    bookings: Sequence[Booking],
    away_before: Mapping[int, set[str]],
    away_after: Mapping[int, set[str]],
    team: Mapping[int, Sequence[int]],
) -> set[int]:
    """The meetings an availability change makes conflict (not those already in conflict)."""
    return conflicting(bookings, away_after, team) - conflicting(bookings, away_before, team)


@dataclass(frozen=True)
class Clash:
    """A placed meeting one side cannot attend, for the pages and the notices."""

    meeting: Meeting
    slot: Slot
    organisation: Organisation  # the side that is absent
    counterpart: Organisation
    person: Participant | None  # the absent representative; None: the whole team


def org_meetings(session: Session, event: Event, org_id: int) -> list[Meeting]:
    """Every meeting of the organisation in the event, in the database's order (read
    once per unit of work: the home page's agenda and its clash check both ask)."""
    return session_memo(
        session, ("org_meetings", event.id, org_id), lambda: _org_meetings(session, event, org_id)
    )


def _org_meetings(session: Session, event: Event, org_id: int) -> list[Meeting]:
    query = select(Meeting).where(
        Meeting.event_id == event.id, or_(Meeting.org_a_id == org_id, Meeting.org_b_id == org_id)
    )
    return list(session.exec(query))


def _placed(session: Session, event: Event, org_ids: Iterable[int] | None = None) -> list[Meeting]:
    ids = None if org_ids is None else list(org_ids)
    if ids is not None and len(ids) == 1:  # one organisation's: from its meetings, by id
        return [
            m
            for m in sorted(org_meetings(session, event, ids[0]), key=lambda m: m.id or 0)
            if m.status == MeetingStatus.scheduled
            and m.slot_id is not None
            and m.host_confirmation != HostConfirmation.impossible
        ]
    query = select(Meeting).where(
        Meeting.event_id == event.id,
        Meeting.status == MeetingStatus.scheduled,
        col(Meeting.slot_id).is_not(None),
        Meeting.host_confirmation != HostConfirmation.impossible,
    )
    if ids is not None:
        query = query.where(or_(col(Meeting.org_a_id).in_(ids), col(Meeting.org_b_id).in_(ids)))
    return list(session.exec(query.order_by(col(Meeting.id))))


def _bookings(
    meetings: Iterable[Meeting], slot_code: Mapping[int, str], org_ids: set[int] | None = None
) -> list[Booking]:
    out = []
    for m in meetings:
        code = slot_code.get(m.slot_id or 0)
        if code is None:
            continue
        for org_id, person in ((m.org_a_id, m.person_a_id), (m.org_b_id, m.person_b_id)):
            if org_ids is None or org_id in org_ids:
                out.append(Booking(m.id or 0, org_id, code, person))
    return out


def _slots(session: Session, meetings: Iterable[Meeting]) -> dict[int, Slot]:
    return loaded_by_id(session, Slot, {m.slot_id for m in meetings if m.slot_id is not None})


def _clashes(
    session: Session,
    meetings: Sequence[Meeting],
    slots: Mapping[int, Slot],
    which: set[int],
    away: Mapping[int, set[str]],
    team: Mapping[int, Sequence[int]],
) -> list[Clash]:
    """``which`` (meeting ids) as rows, one per absent side, in time order."""
    chosen = [m for m in meetings if m.id in which]
    org_ids = {m.org_a_id for m in chosen} | {m.org_b_id for m in chosen}
    orgs = loaded_by_id(session, Organisation, org_ids)
    person_ids = {p for m in chosen for p in (m.person_a_id, m.person_b_id) if p is not None}
    people = loaded_by_id(session, Participant, person_ids)
    rows = []
    for m in chosen:
        slot = slots[m.slot_id or 0]
        for org_id, other_id, person_id in (
            (m.org_a_id, m.org_b_id, m.person_a_id),
            (m.org_b_id, m.org_a_id, m.person_b_id),
        ):
            if not conflicting([Booking(m.id or 0, org_id, slot.code, person_id)], away, team):
                continue
            rows.append(
                Clash(
                    meeting=m,
                    slot=slot,
                    organisation=orgs[org_id],
                    counterpart=orgs[other_id],
                    person=people.get(person_id) if person_id is not None else None,
                )
            )
    rows.sort(key=lambda r: (r.slot.start, r.meeting.id or 0, r.organisation.id or 0))
    return rows


def _team_of(session: Session, org_ids: Iterable[int]) -> dict[int, list[Participant]]:
    """Each organisation's representatives in id order, for those that have any (read
    once per unit of work: the home page's agenda and clash check ask for the same)."""
    known: dict[int, list[Participant]] = session_memo(session, "teams", dict)
    ids = set(org_ids)
    missing = sorted(ids - known.keys())
    if missing:
        known.update((org_id, []) for org_id in missing)
        for p in session.exec(
            select(Participant)
            .where(col(Participant.organisation_id).in_(missing))
            .order_by(col(Participant.id))
        ):
            known[p.organisation_id].append(p)
    present = [org_id for org_id in ids if known[org_id]]
    present.sort(key=lambda org_id: known[org_id][0].id or 0)  # as one query in id order
    return {org_id: list(known[org_id]) for org_id in present}


def teams(session: Session, org_ids: Iterable[int]) -> dict[int, list[Participant]]:
    """Each organisation's representatives in id order, for those that have any."""
    return _team_of(session, org_ids)


def clashes_of_change(
    session: Session,
    account: Account,
    event: Event,
    participant_id: int,
    kind: str,
    code: str,
    present: bool,
) -> list[Clash]:
    """The placed meetings that marking `code` would newly put in conflict (nothing is
    saved); the same checks as :func:`set_presence`, so a refused mark is refused here."""
    participant = own_representative(session, account, participant_id)
    grid = event_grid(session, event)
    after = marks_after(
        grid, participant.available_sessions, participant.unavailable_slots, kind, code, present
    )
    if present:
        return []
    org_id = participant.organisation_id
    people = _team_of(session, [org_id]).get(org_id, [])
    away_before = {
        p.id or 0: unavailable_codes(
            p.available_sessions, p.unavailable_slots, grid.slots_by_session
        )
        for p in people
    }
    away_after = {
        **away_before,
        participant.id or 0: unavailable_codes(*after, grid.slots_by_session),
    }
    team = {org_id: [p.id or 0 for p in people]}
    meetings = _placed(session, event, [org_id])
    slots = _slots(session, meetings)
    bookings = _bookings(meetings, {i: s.code for i, s in slots.items()}, {org_id})
    which = new_conflicts(bookings, away_before, away_after, team)
    own_side = [m for m in meetings if m.id in which]
    # Rows are read with the new marks, and only the changed organisation's side.
    rows = _clashes(session, own_side, slots, which, away_after, team)
    return [r for r in rows if r.organisation.id == org_id]


def event_clashes(
    session: Session, event: Event, org_ids: Iterable[int] | None = None
) -> list[Clash]:
    """Every placed meeting of the event (or of the organisations `org_ids`) that a side
    cannot attend as availabilities stand now: the organisers' conflicts to resolve."""
    if org_ids is None:
        return _whole_event_clashes(session, event)
    meetings = _placed(session, event, org_ids)
    if not meetings:
        return []
    slots = _slots(session, meetings)
    involved = {m.org_a_id for m in meetings} | {m.org_b_id for m in meetings}
    people = _team_of(session, involved)
    slots_by_session = event_grid(session, event).slots_by_session
    away = {
        p.id or 0: unavailable_codes(p.available_sessions, p.unavailable_slots, slots_by_session)
        for members in people.values()
        for p in members
    }
    team = {org: [p.id or 0 for p in members] for org, members in people.items()}
    which = conflicting(_bookings(meetings, {i: s.code for i, s in slots.items()}), away, team)
    return _clashes(session, meetings, slots, which, away, team)


def _whole_event_clashes(session: Session, event: Event) -> list[Clash]:
    """``event_clashes`` of every organisation, from plain rows: the organisers' home
    asks on every visit, and at scale 10 loading 15,000 meetings and 3,400 people as
    objects took over a second; only the meetings found in conflict are loaded whole."""
    placed = session.execute(
        sa_select(
            col(Meeting.id),
            col(Meeting.slot_id),
            col(Meeting.org_a_id),
            col(Meeting.person_a_id),
            col(Meeting.org_b_id),
            col(Meeting.person_b_id),
        )
        .where(
            col(Meeting.event_id) == event.id,
            col(Meeting.status) == MeetingStatus.scheduled,
            col(Meeting.slot_id).is_not(None),
            col(Meeting.host_confirmation) != HostConfirmation.impossible,
        )
        .order_by(col(Meeting.id))
    ).all()
    if not placed:
        return []
    grid = event_grid(session, event)
    code_of = {slot.id: slot.code for block in grid.blocks for slot in block.slots}
    involved = {row[2] for row in placed} | {row[4] for row in placed}
    team: dict[int, list[int]] = {}
    away: dict[int, set[str]] = {}
    for person_id, org_id, sessions, slots_off in session.execute(
        sa_select(
            col(Participant.id),
            col(Participant.organisation_id),
            col(Participant.available_sessions),
            col(Participant.unavailable_slots),
        )
        .where(col(Participant.organisation_id).in_(involved))
        .order_by(col(Participant.id))
    ):
        team.setdefault(org_id, []).append(person_id)
        away[person_id] = unavailable_codes(sessions, slots_off, grid.slots_by_session)
    bookings = [
        Booking(meeting_id, org_id, code, person_id)
        for meeting_id, slot_id, org_a, person_a, org_b, person_b in placed
        if (code := code_of.get(slot_id)) is not None
        for org_id, person_id in ((org_a, person_a), (org_b, person_b))
    ]
    which = conflicting(bookings, away, team)
    if not which:
        return []
    chosen = sorted(loaded_by_id(session, Meeting, which).values(), key=lambda m: m.id or 0)
    return _clashes(session, chosen, _slots(session, chosen), which, away, team)


def notify_clashes(session: Session, clashes: Iterable[Clash]) -> None:
    """Tell both organisations of each meeting that one side will not be there (each
    representative in their own language); the organisers see it in their conflicts."""
    for clash in clashes:
        who = clash.person.full_name if clash.person else clash.organisation.name
        for org, other in (
            (clash.organisation, clash.counterpart),
            (clash.counterpart, clash.organisation),
        ):
            notifications.notify_organisation(
                session,
                org.id or 0,
                N_("Your meeting with %(other)s clashes with an absence"),
                N_(
                    "%(who)s (%(absent)s) is no longer available at %(when)s, when your "
                    "meeting with %(other)s is scheduled. The organisers have been told "
                    "and will move the meeting; you will be notified of its new time."
                ),
                {
                    "who": who,
                    "absent": clash.organisation.name,
                    "other": other.name,
                    "when": clash.slot.start,
                },
                "/me/agenda",
            )
