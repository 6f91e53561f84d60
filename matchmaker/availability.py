"""When each representative is present: sessions (and single slots) of the event.

Stored on the participant: ``available_sessions`` lists the session codes they
attend (empty = all), ``unavailable_slots`` the slot codes they miss inside
sessions they attend. :func:`unavailable_slot_codes` (one participant) and
:func:`unavailable_slots_by_participant` (a whole event at once) turn that into
the slots the scheduler must keep free for a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Day, Event, EventSession, Organisation, Participant, Slot
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
        )

    def block(self, code: str) -> SessionBlock | None:
        return next((b for b in self.blocks if b.code == code), None)

    def block_of_slot(self, slot_code: str) -> SessionBlock | None:
        return next((b for b in self.blocks if slot_code in b.slot_codes), None)

    @property
    def max_sessions_per_day(self) -> int:
        return max((len(row.sessions) for row in self.days), default=0)


def event_grid(session: Session, event: Event) -> Grid:
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


def present_day_numbers(grid: Grid, participant: Participant) -> set[int]:
    """The day numbers on which `participant` is present in at least one slot."""
    key = (tuple(participant.available_sessions), tuple(participant.unavailable_slots))
    days = grid.memo.get(key)
    if days is None:
        missing = unavailable_codes(key[0], key[1], grid.slots_by_session)
        days = frozenset(
            block.day.number
            for block in grid.blocks
            if any(code not in missing for code in block.slot_codes)
        )
        grid.memo[key] = days
    return set(days)


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


def set_session_presence(
    session: Session,
    account: Account,
    event: Event,
    participant_id: int,
    session_code: str,
    present: bool,
) -> Participant:
    """Mark a representative of one's own organisation present in (or absent from)
    a session; the session's single-slot marks are cleared."""
    participant = own_representative(session, account, participant_id)
    grid = event_grid(session, event)
    block = grid.block(session_code)
    if block is None:
        raise NotFound(N_("No such session."))
    participant.available_sessions = with_session(
        list(participant.available_sessions), list(grid.session_codes), session_code, present
    )
    participant.unavailable_slots = [
        c for c in participant.unavailable_slots if c not in block.slot_codes
    ]
    session.add(participant)
    return participant


def set_slot_presence(
    session: Session,
    account: Account,
    event: Event,
    participant_id: int,
    slot_code: str,
    present: bool,
) -> Participant:
    """Mark a representative present in (or absent from) one slot of a session
    they attend; missing every slot of a session means skipping the session."""
    participant = own_representative(session, account, participant_id)
    grid = event_grid(session, event)
    block = grid.block_of_slot(slot_code)
    if block is None:
        raise NotFound(N_("No such time slot."))
    attended = attended_sessions(participant.available_sessions, grid.session_codes)
    if block.code not in attended:
        raise DomainError(N_("Mark the session as present first."), field="availability")
    missing = [c for c in participant.unavailable_slots if c != slot_code]
    if not present:
        missing.append(slot_code)
    if all(code in missing for code in block.slot_codes):
        return set_session_presence(
            session, account, event, participant_id, block.code, present=False
        )
    participant.unavailable_slots = missing
    session.add(participant)
    return participant
