"""Late changes after publication: lock, unlock, move by hand, cancel.

A move is offered only to legal targets, and re-checked on the server against every
hard rule by the solver's independent validator, under a per-event write lock so
that two organisers acting at once can never double-book anyone or any table."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from sqlalchemy import update
from sqlmodel import Session, col, select

from matchmaker import audit, notifications
from matchmaker.clock import utcnow
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Event,
    HostConfirmation,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Slot,
)
from matchmaker.scheduling import ACTIVE_STATUSES, IdMaps, build_instance
from solver import Assignment, Instance, Solution, Unscheduled, validate
from solver.problem import Problem, build


@dataclass(frozen=True)
class Target:
    slot: Slot
    tables: list[MeetingTable]


def lock_event(session: Session, event: Event) -> None:
    """Take the event's write lock until the transaction ends: a row lock on
    PostgreSQL, the database write lock on SQLite (a no-op UPDATE does both)."""
    session.exec(update(Event).where(col(Event.id) == event.id).values(slug=Event.slug))  # type: ignore[call-overload]


def event_meeting(session: Session, event: Event, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id:
        raise NotFound(N_("No such meeting."))
    return meeting


@dataclass(frozen=True)
class Place:
    """Where a meeting is: slot, table, and who attends for each side that has people
    (organisation id -> participant id)."""

    slot: int
    table: int | None
    persons: dict[int, int] = field(default_factory=dict)


def _solution(instance: Instance, maps: IdMaps, placed: dict[int, Place]) -> Solution:
    assignments = []
    unscheduled = []
    for m in instance.meetings:
        where = placed.get(maps.meeting_id[m.id])
        if where is None:
            unscheduled.append(Unscheduled(meeting=m.id, reason=""))
        else:
            assignments.append(
                Assignment(
                    meeting=m.id,
                    slot=maps.slot_code[where.slot],
                    table=maps.table_code.get(where.table) if where.table is not None else None,
                    persons={
                        maps.org_code[org]: maps.person_code[person]
                        for org, person in where.persons.items()
                        if org in maps.org_code and person in maps.person_code
                    },
                )
            )
    return Solution(status="FEASIBLE", assignments=assignments, unscheduled=unscheduled)


def _persons_of(m: Meeting) -> dict[int, int]:
    persons = {}
    if m.person_a_id is not None:
        persons[m.org_a_id] = m.person_a_id
    if m.person_b_id is not None:
        persons[m.org_b_id] = m.person_b_id
    return persons


def _current_placements(session: Session, event: Event) -> dict[int, Place]:
    return {
        m.id: Place(m.slot_id, m.table_id, _persons_of(m))
        for m in session.exec(
            select(Meeting).where(
                Meeting.event_id == event.id,
                Meeting.status == MeetingStatus.scheduled,
                col(Meeting.slot_id).is_not(None),
            )
        )
        if m.id is not None and m.slot_id is not None
    }


class MoveChecker:
    """Checks placements of one meeting against the rest of the schedule, and picks who
    attends it: the people attending now if they can, else other representatives."""

    def __init__(self, session: Session, event: Event, meeting: Meeting) -> None:
        self.meeting = meeting
        # Moving is a decision of its own: ignore earlier places and locks of this one.
        self.instance, self.maps = build_instance(session, event, keep_published=False)
        for m in self.instance.meetings:
            if self.maps.meeting_id[m.id] == meeting.id:
                m.fixed_slot = None
                m.previous_slot = None
        self.problem: Problem = build(self.instance)
        self.placed = _current_placements(session, event)
        self.placed.pop(meeting.id or 0, None)
        self.candidates = self._candidates()
        # Problems the schedule already has without this meeting are not its fault.
        self.baseline = set(
            validate(self.instance, _solution(self.instance, self.maps, self.placed), self.problem)
        )

    def _candidates(self) -> list[dict[int, int]]:
        """Who could attend, best first: today's people, then every other pairing."""
        m = self.meeting
        now = _persons_of(m)
        sides: list[list[tuple[int, int]]] = []
        for org in (m.org_a_id, m.org_b_id):
            people = [p for p, o in self.maps.org_of_person.items() if o == org]
            if m.required_person_id in people:
                people = [m.required_person_id or 0]
            people.sort(key=lambda p: (p != now.get(org), p))
            if people:
                sides.append([(org, p) for p in people])
        return [dict(pair) for pair in product(*sides)]

    def pick(self, slot_id: int, table_id: int | None) -> tuple[dict[int, int], list[str]]:
        """Who attends at that slot and table, and the rules the move breaks (none: a
        legal move with those people; else the problems of the first pairing)."""
        first: list[str] | None = None
        for persons in self.candidates or [{}]:
            placed = {**self.placed, self.meeting.id or 0: Place(slot_id, table_id, persons)}
            solution = _solution(self.instance, self.maps, placed)
            problems = [
                p for p in validate(self.instance, solution, self.problem) if p not in self.baseline
            ]
            if not problems:
                return persons, []
            first = problems if first is None else first
        return {}, first or []

    def problems(self, slot_id: int, table_id: int | None) -> list[str]:
        return self.pick(slot_id, table_id)[1]


def legal_targets(session: Session, event: Event, meeting: Meeting) -> list[Target]:
    """Every slot and table where the meeting could go without breaking a rule."""
    checker = MoveChecker(session, event, meeting)
    slots = {
        s.id: s
        for s in session.exec(select(Slot).where(col(Slot.id).in_(list(checker.maps.slot_code))))
    }
    tables = list(
        session.exec(
            select(MeetingTable)
            .where(MeetingTable.event_id == event.id)
            .order_by(col(MeetingTable.name))
        )
    )
    pair = {meeting.org_a_id, meeting.org_b_id}
    homes = [t for t in tables if t.host_org_id in pair]
    candidates = homes or [t for t in tables if t.host_org_id is None]
    used: dict[int, set[int]] = {}
    for place in checker.placed.values():
        if place.table is not None:
            used.setdefault(place.slot, set()).add(place.table)
    targets = []
    for sid, slot in sorted(slots.items(), key=lambda item: (item[1].position, item[0] or 0)):
        if sid is None:
            continue
        free = [t for t in candidates if t.id not in used.get(sid, set())]
        if sid == meeting.slot_id:  # where it already is is no move
            free = [t for t in free if t.id != meeting.table_id]
        if free and not checker.problems(sid, free[0].id):
            targets.append(Target(slot, free))
    return targets


def _notify_pair(
    session: Session, meeting: Meeting, subject: str, body: str, **params: object
) -> None:
    for org_id, other_id in (
        (meeting.org_a_id, meeting.org_b_id),
        (meeting.org_b_id, meeting.org_a_id),
    ):
        other = session.get(Organisation, other_id)
        notifications.notify_organisation(
            session,
            org_id,
            subject,
            body,
            {"org": other.name if other else "", **params},
            "/me/agenda",
        )


def _touch(meeting: Meeting) -> None:
    meeting.sequence += 1
    meeting.updated_at = utcnow()


def move(
    session: Session, event: Event, meeting_id: int, slot_id: int, table_id: int, by: Account
) -> Meeting:
    """Put a meeting at a slot and table by hand; it stays there (locked) until an
    organiser unlocks it. Refused when any rule would break."""
    lock_event(session, event)
    meeting = event_meeting(session, event, meeting_id)
    if meeting.status not in ACTIVE_STATUSES:
        raise Conflict(N_("A cancelled meeting cannot be moved."))
    slot = session.get(Slot, slot_id)
    table = session.get(MeetingTable, table_id)
    checker = MoveChecker(session, event, meeting)
    if slot is None or slot.id not in checker.maps.slot_code:
        raise DomainError(N_("Choose a slot of this event."), field="slot")
    if table is None or table.event_id != event.id:
        raise DomainError(N_("Choose a table of this event."), field="table")
    if any(table.id == p.table for p in checker.placed.values() if p.slot == slot.id):
        raise Conflict(N_("That table is taken in that slot; reload and choose again."))
    persons, problems = checker.pick(slot.id, table.id)
    if problems:
        raise Conflict(N_("This move breaks a rule: %(problem)s"), problem=problems[0])
    before = (meeting.slot_id, meeting.table_id)
    meeting.slot_id, meeting.table_id = slot.id, table.id
    meeting.person_a_id = persons.get(meeting.org_a_id)
    meeting.person_b_id = persons.get(meeting.org_b_id)
    meeting.status = MeetingStatus.scheduled
    meeting.unscheduled_reason = ""
    meeting.locked = True
    if meeting.host_confirmation is HostConfirmation.impossible:
        meeting.host_confirmation = HostConfirmation.pending  # the host answers the new slot
    _touch(meeting)
    session.add(meeting)
    session.flush()
    audit.record(
        session, "meeting.move", event=event, account=by, meeting=meeting.id,
        slot_from=before[0], table_from=before[1], slot=slot.id, table=table.id,
    )  # fmt: skip
    _notify_pair(
        session,
        meeting,
        N_("Your meeting with %(org)s has moved"),
        N_("Your meeting with %(org)s now takes place at %(when)s, table %(table)s."),
        when=slot.start,
        table=table.name,
    )
    return meeting


def set_locked(
    session: Session, event: Event, meeting_id: int, locked: bool, by: Account
) -> Meeting:
    """A locked meeting keeps its slot and table when the schedule is solved again."""
    lock_event(session, event)
    meeting = event_meeting(session, event, meeting_id)
    if locked and meeting.slot_id is None:
        raise Conflict(N_("Only a meeting with a slot can be locked."))
    meeting.locked = locked
    session.add(meeting)
    audit.record(
        session, "meeting.lock" if locked else "meeting.unlock", event=event, account=by,
        meeting=meeting.id,
    )  # fmt: skip
    return meeting


def cancel(
    session: Session, event: Event, meeting_id: int, by: Account, reason: str = ""
) -> Meeting:
    """Cancel a meeting. It keeps its slot so calendars receive the cancellation."""
    lock_event(session, event)
    meeting = event_meeting(session, event, meeting_id)
    if meeting.status is MeetingStatus.cancelled:
        raise Conflict(N_("This meeting is already cancelled."))
    meeting.status = MeetingStatus.cancelled
    meeting.table_id = None
    meeting.locked = False
    meeting.unscheduled_reason = reason.strip()[:500]
    _touch(meeting)
    session.add(meeting)
    audit.record(
        session, "meeting.cancel", event=event, account=by, meeting=meeting.id, reason=reason
    )
    _notify_pair(
        session,
        meeting,
        N_("Your meeting with %(org)s is cancelled"),
        N_("The organisers cancelled your meeting with %(org)s."),
    )
    return meeting
