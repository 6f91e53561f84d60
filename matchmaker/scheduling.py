"""Scheduling services: rows -> ``solver.Instance``, ``solver.Solution`` -> a run's
proposed schedule, the proposal applied to the Meeting rows, and a run's review.

How a solve result reaches the Meeting rows (decided here, used by the solve page):

* a solve run only *proposes* a schedule: ``store_solution`` keeps the proposal on the
  run (a ``RunResult`` in database ids, read back as ``SolveRun.outcome``) and leaves
  every Meeting row untouched, so a crashed,
  stopped or poor run never disturbs the published schedule;
* ``apply_run`` writes a run's proposal to the Meeting rows (slot, table, status,
  unscheduled reason) when ``matchmaker.publication`` publishes it or releases it as a
  draft; publication owns versions, calendar sequences, notices and the audit entry.

Solver participants are *organisations*, their representatives the solver's *people*:
a meeting is between two organisations, an organisation can hold as many meetings at
once as representatives present, and each meeting names who attends for each side
(``Meeting.person_a_id`` / ``person_b_id``).
Every service here works on a caller's Session, raises DomainError and never commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import solver
from matchmaker.clock import utcnow
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Day,
    Event,
    EventSession,
    HostConfirmation,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    Placement,
    RunReason,
    RunResult,
    ScheduleVersion,
    Slot,
    SolveRun,
)
from matchmaker.rules import EventRules, rules_of
from solver.instance import Instance
from solver.instance import Meeting as SMeeting
from solver.instance import Options as SOptions
from solver.instance import Participant as SParticipant
from solver.instance import Person as SPerson
from solver.instance import Slot as SSlot
from solver.instance import Table as STable
from solver.solution import ID_PARAMS, Reason, Solution

__all__ = [
    "ACTIVE_STATUSES",
    "IdMaps",
    "RunReview",
    "apply_run",
    "build_instance",
    "double_bookings",
    "review_run",
    "store_solution",
]

# Meetings the solver places (cancelled ones are left alone).
ACTIVE_STATUSES = (MeetingStatus.accepted, MeetingStatus.scheduled, MeetingStatus.unscheduled)

assert solver  # the package is the engine; its modules are imported above


@dataclass
class IdMaps:
    """Database ids <-> the string ids of one solver instance."""

    slot_code: dict[int, str] = field(default_factory=dict)  # slot.id -> solver slot id
    slot_id: dict[str, int] = field(default_factory=dict)
    table_code: dict[int, str] = field(default_factory=dict)  # table.id -> solver table id
    table_id: dict[str, int] = field(default_factory=dict)
    org_code: dict[int, str] = field(default_factory=dict)  # organisation.id -> participant id
    org_id: dict[str, int] = field(default_factory=dict)
    meeting_id: dict[str, int] = field(default_factory=dict)  # solver meeting id -> meeting.id
    person_code: dict[int, str] = field(default_factory=dict)  # participant.id -> person id
    person_id: dict[str, int] = field(default_factory=dict)
    org_of_person: dict[int, int] = field(default_factory=dict)  # participant -> organisation
    locked: dict[int, tuple[int, int | None]] = field(
        default_factory=dict
    )  # meeting -> slot, table


def _event_slots(session: Session, event: Event) -> list[tuple[Slot, EventSession, Day]]:
    rows = session.exec(
        select(Slot, EventSession, Day)
        .join(EventSession, col(Slot.session_id) == col(EventSession.id))
        .join(Day, col(EventSession.day_id) == col(Day.id))
        .where(Day.event_id == event.id)
        .order_by(col(Slot.start), col(Slot.position), col(Slot.id))
    ).all()
    return [(s, es, d) for s, es, d in rows]


def _iso(value: datetime) -> str:
    """Stored times are UTC (SQLite hands them back without a zone)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


@dataclass
class _Grid:
    """The event's slots as the solver sees them, with what a representative's
    availability is written in (session codes, stored slot codes)."""

    slots: list[SSlot]
    session_of: dict[str, str]  # solver slot id -> session code
    from_stored: dict[str, str]  # stored slot code -> solver slot id

    @property
    def codes(self) -> list[str]:
        return [s.id for s in self.slots]


def _solver_slots(rows: list[tuple[Slot, EventSession, Day]], maps: IdMaps) -> _Grid:
    grid = _Grid(slots=[], session_of={}, from_stored={})
    for slot, ev_session, day in rows:
        assert slot.id is not None
        code = slot.code if slot.code and slot.code not in grid.session_of else f"s{slot.id}"
        maps.slot_code[slot.id] = code
        maps.slot_id[code] = slot.id
        grid.session_of[code] = ev_session.code
        grid.slots.append(
            SSlot(
                id=code,
                session=ev_session.code or f"session-{ev_session.id}",
                day=day.number,
                start=_iso(slot.start),
                end=_iso(slot.end),
            )
        )
    grid.from_stored = {slot.code: maps.slot_code[slot.id or 0] for slot, _, _ in rows}
    return grid


def _representatives(session: Session, org_ids: list[int]) -> dict[int, list[Participant]]:
    reps: dict[int, list[Participant]] = defaultdict(list)
    if org_ids:
        for rep in session.exec(
            select(Participant)
            .where(col(Participant.organisation_id).in_(org_ids))
            .order_by(col(Participant.id))
        ).all():
            reps[rep.organisation_id].append(rep)
    return reps


def _solver_participant(
    org: Organisation, people: list[Participant], grid: _Grid, rules: EventRules
) -> SParticipant:
    """An organisation whose representatives are its people: as many meetings at once as
    representatives present, each with their own attendance and limits (a representative's
    own limit wins over the event's rule). Without representatives, one seat."""
    if not people:
        return SParticipant(
            id=f"o{org.id}",
            name=org.name,
            max_per_day=rules.max_per_day,
            max_consecutive=_consecutive(None, rules),
        )
    return SParticipant(
        id=f"o{org.id}",
        name=org.name,
        people=[_solver_person(rep, grid, rules) for rep in people],
    )


def _consecutive(own: int | None, rules: EventRules) -> int | None:
    limit = own if own is not None else rules.max_consecutive
    return limit if limit is not None and limit >= 1 else None


def _solver_person(rep: Participant, grid: _Grid, rules: EventRules) -> SPerson:
    sessions = set(rep.available_sessions or [])
    refused = {grid.from_stored.get(c, c) for c in rep.unavailable_slots or []}
    away = [
        code
        for code in grid.codes
        if (sessions and grid.session_of[code] not in sessions) or code in refused
    ]
    return SPerson(
        id=f"r{rep.id}",
        name=rep.full_name,
        unavailable=away,
        max_per_day=rep.max_per_day if rep.max_per_day is not None else rules.max_per_day,
        max_consecutive=_consecutive(rep.max_consecutive, rules),
    )


def _solver_meeting(m: Meeting, maps: IdMaps, grid: _Grid, has_version: bool) -> SMeeting:
    assert m.id is not None
    maps.meeting_id[str(m.id)] = m.id
    cur_slot = maps.slot_code.get(m.slot_id) if m.slot_id is not None else None
    table_code = maps.table_code.get(m.table_id) if m.table_id is not None else None
    # The host refused the current slot: the meeting is free to move (neither fixed
    # nor kept at its previous slot), anywhere but there.
    host_refused = m.host_confirmation == HostConfirmation.impossible and cur_slot is not None
    fixed = cur_slot if m.locked and cur_slot is not None and not host_refused else None
    if fixed is not None:
        assert m.slot_id is not None
        maps.locked[m.id] = (m.slot_id, m.table_id)
    placed = (
        m.status == MeetingStatus.scheduled
        and cur_slot is not None
        and has_version
        and not host_refused
    )
    required = maps.person_code.get(m.required_person_id) if m.required_person_id else None
    persons = {}
    if required is not None:
        org = maps.org_of_person[m.required_person_id or 0]
        if org in (m.org_a_id, m.org_b_id):
            persons[maps.org_code[org]] = required
    return SMeeting(
        id=str(m.id),
        participants=[maps.org_code[m.org_a_id], maps.org_code[m.org_b_id]],
        persons=persons,
        weight=max(0, m.weight),
        allowed_slots=[c for c in grid.codes if c != cur_slot] if host_refused else None,
        fixed_slot=fixed,
        previous_slot=cur_slot if placed or fixed else None,
        previous_table=table_code if placed or fixed else None,
    )


def build_instance(
    session: Session,
    event: Event,
    *,
    require_all: bool = False,
    fairness: int | None = None,
    keep_published: bool = True,
    min_meetings: int | None = None,
) -> tuple[Instance, IdMaps]:
    """The event's scheduling problem as the solver sees it.

    * participants are organisations, people their representatives: each person is away
      outside their ``available_sessions`` (session codes, empty = all) and in their
      ``unavailable_slots`` (slot codes); per-day and consecutive limits hold per person
      (a representative's own limit wins over the event's rules); an organisation without
      representatives is one seat under the event's rules;
    * a meeting's ``required_person_id`` (the person a requester asked for) must attend;
    * a table with a host organisation is that organisation's home table;
    * meetings accepted, scheduled or unscheduled (not cancelled) with their weight;
      locked meetings keep their slot (``fixed_slot``) and table; meetings in the current
      schedule carry it as ``previous_slot``/``previous_table``; a slot the host marked
      impossible is excluded for that meeting (``allowed_slots``).
    """
    maps = IdMaps()
    grid = _solver_slots(_event_slots(session, event), maps)
    orgs = session.exec(
        select(Organisation).where(Organisation.event_id == event.id).order_by(col(Organisation.id))
    ).all()
    reps = _representatives(session, [o.id for o in orgs if o.id is not None])
    tables = session.exec(
        select(MeetingTable).where(MeetingTable.event_id == event.id).order_by(col(MeetingTable.id))
    ).all()
    for table in tables:
        assert table.id is not None
        maps.table_code[table.id] = f"t{table.id}"
        maps.table_id[f"t{table.id}"] = table.id
    meetings = session.exec(
        select(Meeting)
        .where(Meeting.event_id == event.id, col(Meeting.status).in_(ACTIVE_STATUSES))
        .order_by(col(Meeting.id))
    ).all()
    # A released draft counts too: re-solving after hosts' refusals keeps the others' places.
    has_version = (
        session.exec(select(ScheduleVersion.id).where(ScheduleVersion.event_id == event.id)).first()
        is not None
    )
    # Only organisations with meetings or home tables matter to the solver.
    needed = {m.org_a_id for m in meetings} | {m.org_b_id for m in meetings}
    needed |= {t.host_org_id for t in tables if t.host_org_id is not None}
    rules = rules_of(event)
    participants = []
    for org in orgs:
        assert org.id is not None
        if org.id in needed:
            maps.org_code[org.id] = f"o{org.id}"
            maps.org_id[f"o{org.id}"] = org.id
            for rep in reps.get(org.id, []):
                assert rep.id is not None
                maps.person_code[rep.id] = f"r{rep.id}"
                maps.person_id[f"r{rep.id}"] = rep.id
                maps.org_of_person[rep.id] = org.id
            participants.append(_solver_participant(org, reps.get(org.id, []), grid, rules))
    solver_tables = [
        STable(
            id=maps.table_code[t.id or 0],
            host=maps.org_code.get(t.host_org_id) if t.host_org_id is not None else None,
        )
        for t in tables
    ]
    solver_meetings = [_solver_meeting(m, maps, grid, has_version) for m in meetings]
    try:
        instance = Instance(
            name=event.slug,
            slots=grid.slots,
            tables=solver_tables,
            participants=participants,
            meetings=solver_meetings,
            options=SOptions(
                require_all=require_all,
                fairness_max_diff=fairness,
                keep_previous=keep_published,
                min_meetings=min_meetings,
            ),
        )
    except ValueError as exc:  # pydantic ValidationError is a ValueError
        raise DomainError(
            N_("The event data cannot be turned into a schedule: %(detail)s"), detail=str(exc)
        ) from exc
    return instance, maps


# --- a run's proposed schedule ----------------------------------------------------------


def _repair_tables(
    proposal: dict[int, dict[str, int | None]],
    tables: list[MeetingTable],
    hosts_of: dict[int, tuple[int, int]],
    locked: dict[int, tuple[int, int | None]],
) -> None:
    """Make sure no table is used twice in a slot: locked meetings keep their table,
    the others keep the solver's table when it is free, else take a free table (the
    host's home table first, then a table without host)."""
    home: dict[int, list[int]] = defaultdict(list)
    free: list[int] = []
    for t in tables:
        assert t.id is not None
        if t.host_org_id is None:
            free.append(t.id)
        else:
            home[t.host_org_id].append(t.id)
    by_slot: dict[int, list[int]] = defaultdict(list)
    for mid, place in proposal.items():
        if place["slot"] is not None:
            by_slot[int(place["slot"])].append(mid)
    for slot_id, mids in by_slot.items():
        taken: set[int] = set()
        order = sorted(mids, key=lambda mid: (mid not in locked, mid))
        pending: list[int] = []
        for mid in order:
            table = proposal[mid]["table"]
            if mid in locked and locked[mid][0] == slot_id:
                table = locked[mid][1]
                proposal[mid]["table"] = table
            if table is not None and table not in taken:
                taken.add(int(table))
            else:
                pending.append(mid)
        for mid in pending:
            a, b = hosts_of.get(mid, (0, 0))
            candidates = home.get(a, []) + home.get(b, []) + free
            choice = next((t for t in candidates if t not in taken), None)
            proposal[mid]["table"] = choice
            if choice is not None:
                taken.add(choice)


def store_solution(
    session: Session, event: Event, run: SolveRun, solution: Solution, maps: IdMaps
) -> None:
    """Keep a solution on its run as the proposed schedule (``run.outcome``, a
    ``RunResult`` in database ids); Meeting rows stay as they are."""
    proposal: dict[int, dict[str, int | None]] = {}
    persons: dict[int, dict[int, int]] = {}
    for a in solution.assignments:
        mid = maps.meeting_id.get(a.meeting)
        if mid is None or a.slot not in maps.slot_id:
            continue
        proposal[mid] = {
            "slot": maps.slot_id[a.slot],
            "table": maps.table_id.get(a.table) if a.table is not None else None,
        }
        persons[mid] = {
            maps.org_id[p]: maps.person_id[r]
            for p, r in a.persons.items()
            if p in maps.org_id and r in maps.person_id
        }
    if proposal:
        meetings = session.exec(
            select(Meeting.id, Meeting.org_a_id, Meeting.org_b_id).where(
                col(Meeting.id).in_(list(proposal))
            )
        ).all()
        hosts_of = {int(mid or 0): (a, b) for mid, a, b in meetings}
        tables = session.exec(select(MeetingTable).where(MeetingTable.event_id == event.id)).all()
        _repair_tables(proposal, list(tables), hosts_of, maps.locked)
    diagnosis = solution.diagnosis or [Reason(text=text) for text in solution.reasons]
    outcome = RunResult(
        status=solution.status.value,
        assignments={
            mid: Placement(**place, persons=persons.get(mid, {})) for mid, place in proposal.items()
        },
        unscheduled={
            maps.meeting_id[u.meeting]: RunReason(
                code=u.code, params=db_params(u.params, maps), text=u.reason
            )
            for u in solution.unscheduled
            if u.meeting in maps.meeting_id
        },
        diagnosis=[
            RunReason(code=r.code, params=db_params(r.params, maps), text=r.text) for r in diagnosis
        ],
        solve_seconds=solution.solve_seconds,
    )
    run.solver_status = solution.status.value
    run.objective = solution.objective.model_dump() if solution.objective is not None else {}
    run.bound = solution.bound.model_dump()
    run.keep_outcome(outcome)
    if not solution.has_schedule and solution.reasons and not run.message:
        # English, for logs and tools; pages show the diagnosis in the reader's language
        run.message = "; ".join(solution.reasons)[:2000]
    session.add(run)


def db_params(params: dict[str, Any], maps: IdMaps) -> dict[str, Any]:
    """A reason's params with solver ids (``ID_PARAMS``) turned into database ids:
    organisation, representative, slot and meeting ids; an id the maps do not know
    becomes None."""
    lookup: dict[str, dict[str, int]] = {
        "participant": maps.org_id,
        "person": maps.person_id,
        "slot": maps.slot_id,
        "meeting": maps.meeting_id,
    }
    out: dict[str, Any] = {}
    for key, value in params.items():
        kind = ID_PARAMS.get(key)
        if kind is None:
            out[key] = value
        elif isinstance(value, list):
            out[key] = [lookup[kind].get(v) for v in value]
        else:
            out[key] = lookup[kind].get(value)
    return out


def apply_run(session: Session, event: Event, run: SolveRun) -> set[int]:
    """Write a run's proposed schedule to the Meeting rows; returns the ids of the
    meetings whose slot, table or status changed. Locked meetings stay where they are;
    meetings cancelled since the run are left alone; meetings added since the run are
    left unplaced. Refuses (Conflict) when the result would double-book anyone."""
    if run.event_id != event.id:
        raise NotFound(N_("No such solve run."))
    outcome = run.outcome
    if outcome is None or not outcome.has_schedule:
        raise DomainError(N_("This run has no schedule to publish."))
    assignments, unscheduled = outcome.assignments, outcome.unscheduled
    meetings = session.exec(
        select(Meeting)
        .where(Meeting.event_id == event.id, col(Meeting.status).in_(ACTIVE_STATUSES))
        .with_for_update()
    ).all()
    changed: set[int] = set()
    now = utcnow()
    befores = {m.id: _state(m) for m in meetings}
    _leave_tables(session, meetings, outcome)
    for m in meetings:
        assert m.id is not None
        before = befores[m.id]
        if m.locked and m.slot_id is not None:
            m.status = MeetingStatus.scheduled
            if m.id in assignments and assignments[m.id].slot == m.slot_id:
                _keep_persons(m, assignments[m.id])
        elif m.id in assignments:
            place = assignments[m.id]
            m.slot_id, m.table_id = place.slot, place.table
            m.status = MeetingStatus.scheduled
            _keep_persons(m, place)
            _keep_reason(m, RunReason())
        elif m.id in unscheduled:
            m.slot_id = None
            m.table_id = None
            m.person_a_id = m.person_b_id = None
            m.status = MeetingStatus.unscheduled
            _keep_reason(m, unscheduled[m.id])
        else:
            continue  # accepted after the run started: the next solve places it
        if _state(m) != before:
            changed.add(m.id)
            if (m.slot_id, m.table_id) != before[:2] and (
                m.host_confirmation == HostConfirmation.impossible
            ):
                m.host_confirmation = HostConfirmation.pending
            m.updated_at = now
            session.add(m)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # a table taken since the run (an on-site booking, a move)
        raise Conflict(CHANGED_SINCE_RUN) from None
    _check_no_double_booking(session, event)
    return changed


def _state(m: Meeting) -> tuple[Any, ...]:
    return m.slot_id, m.table_id, m.status, m.person_a_id, m.person_b_id


def _leave_tables(session: Session, meetings: Sequence[Meeting], outcome: RunResult) -> None:
    """One live meeting a table and slot is a unique index, and rows are updated one at
    a time: the meetings that change place first leave their table, then take the new
    one (two meetings swapping tables would otherwise collide halfway)."""
    for m in meetings:
        place = outcome.assignments.get(m.id or 0)
        leaving = place is not None and (place.slot, place.table) != (m.slot_id, m.table_id)
        if m.table_id is not None and not m.locked and (leaving or m.id in outcome.unscheduled):
            m.table_id = None
            session.add(m)
    session.flush()


def _keep_persons(meeting: Meeting, place: Placement) -> None:
    """Who attends, as the run picked them (None for a side without representatives)."""
    meeting.person_a_id = place.persons.get(meeting.org_a_id)
    meeting.person_b_id = place.persons.get(meeting.org_b_id)


def _keep_reason(meeting: Meeting, reason: RunReason) -> None:
    """A solve's reason on the meeting: its code and params, or (a run stored before
    reasons had codes) its English text."""
    meeting.unscheduled_code = reason.code
    meeting.unscheduled_params = dict(reason.params)
    meeting.unscheduled_reason = "" if reason.code else reason.text


CHANGED_SINCE_RUN = N_("The meetings changed since this run; start a new solve before publishing.")


def _check_no_double_booking(session: Session, event: Event) -> None:
    if double_bookings(session, event.id or 0):
        raise Conflict(CHANGED_SINCE_RUN)


def double_bookings(session: Session, event_id: int) -> int:
    """How many meetings too many the stored schedule puts somewhere: at one table in
    one slot, for an organisation in one slot beyond its representatives, or for one
    representative in one slot."""
    rows = session.exec(
        select(Meeting).where(
            Meeting.event_id == event_id,
            Meeting.status == MeetingStatus.scheduled,
            col(Meeting.slot_id).is_not(None),
        )
    ).all()
    reps = Counter(
        session.exec(
            select(Participant.organisation_id)
            .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
            .where(Organisation.event_id == event_id)
        ).all()
    )
    busy: Counter[tuple[int, int | None]] = Counter()
    tables: Counter[tuple[int, int | None]] = Counter()
    persons: Counter[tuple[int, int | None]] = Counter()
    for m in rows:
        busy[(m.org_a_id, m.slot_id)] += 1
        busy[(m.org_b_id, m.slot_id)] += 1
        if m.table_id is not None:
            tables[(m.table_id, m.slot_id)] += 1
        for person in (m.person_a_id, m.person_b_id):
            if person is not None:
                persons[(person, m.slot_id)] += 1
    over = sum(max(0, n - max(1, reps.get(org, 0))) for (org, _), n in busy.items())
    over += sum(n - 1 for n in persons.values() if n > 1)
    return over + sum(n - 1 for n in tables.values() if n > 1)


# --- reviewing a run ----------------------------------------------------------------------


@dataclass
class SlotCell:
    slot_id: int
    code: str
    start: Any
    used: int
    share: float
    new_session: bool = False  # first slot of a session after another one that day


@dataclass
class RunReview:
    scheduled: int
    unscheduled: int
    total: int
    weight: int
    total_weight: int
    breaks: int | None
    min_share: float | None
    worst_org: str
    # Fairness as the solver proved it: participants left at zero although they had a
    # schedulable meeting, and bounds over every schedule of the same weight.
    zero_meeting: int
    share_bound: float | None
    zero_bound: int | None
    utilisation: float
    n_tables: int
    days: list[tuple[int, Any, list[SlotCell]]]  # (day number, date, cells)
    histogram: list[tuple[int, int]]  # (meetings, organisations)
    unscheduled_rows: list[tuple[Meeting, str, str, RunReason]]  # meeting, org a, org b, why
    organisations: list[tuple[int, str]]
    # Locked meetings this run does not keep where they are (moved, or left without a
    # slot: e.g. a side marked itself absent there since): meeting, org a, org b, why.
    dropped_locked: list[tuple[Meeting, str, str, RunReason | None]] = field(default_factory=list)


def review_run(session: Session, event: Event, run: SolveRun) -> RunReview:
    """Figures, heat map and histogram of a run's proposed schedule."""
    outcome = run.outcome or RunResult()
    assignments, unscheduled = outcome.assignments, outcome.unscheduled
    meetings = {
        m.id: m
        for m in session.exec(
            select(Meeting).where(
                Meeting.event_id == event.id, col(Meeting.status) != MeetingStatus.cancelled
            )
        ).all()
    }
    orgs = {
        o.id: o.name
        for o in session.exec(select(Organisation).where(Organisation.event_id == event.id)).all()
    }
    n_tables = len(
        session.exec(select(MeetingTable.id).where(MeetingTable.event_id == event.id)).all()
    )
    slot_rows = _event_slots(session, event)
    per_slot = Counter(p.slot for p in assignments.values() if p.slot is not None)
    days: dict[int, tuple[Any, list[SlotCell]]] = {}
    last_session: dict[int, int] = {}
    for slot, ev_session, day in slot_rows:
        used = per_slot.get(slot.id or 0, 0)
        cell = SlotCell(
            slot.id or 0,
            slot.code,
            slot.start,
            used,
            used / n_tables if n_tables else 0,
            new_session=day.number in last_session and last_session[day.number] != ev_session.id,
        )
        last_session[day.number] = ev_session.id or 0
        days.setdefault(day.number, (day.on_date, []))[1].append(cell)
    weight = 0
    requested: Counter[int] = Counter()
    got: Counter[int] = Counter()
    in_run = set(assignments) | set(unscheduled)
    for key in in_run:
        m = meetings.get(key)
        if m is None:
            continue
        requested[m.org_a_id] += 1
        requested[m.org_b_id] += 1
        if key in assignments:
            weight += m.weight
            got[m.org_a_id] += 1
            got[m.org_b_id] += 1
    total_weight = sum(meetings[k].weight for k in in_run if k in meetings)
    worst_org, min_share = "", None
    for org_id, n in requested.items():
        share = got[org_id] / n
        if (
            min_share is None
            or share < min_share
            or (share == min_share and orgs.get(org_id, "") < worst_org)
        ):
            worst_org, min_share = orgs.get(org_id, ""), share
    hist = Counter(got[o] for o in requested)
    rows = []
    for key, reason in sorted(unscheduled.items()):
        m = meetings.get(key)
        if m is not None:
            rows.append((m, orgs.get(m.org_a_id, ""), orgs.get(m.org_b_id, ""), reason))
    dropped: list[tuple[Meeting, str, str, RunReason | None]] = []
    for mid in sorted(k for k in meetings if k is not None):
        m = meetings[mid]
        place = assignments.get(mid)
        kept = place is not None and place.slot == m.slot_id
        if m.locked and m.slot_id is not None and mid in in_run and not kept:
            a, b = orgs.get(m.org_a_id, ""), orgs.get(m.org_b_id, "")
            dropped.append((m, a, b, unscheduled.get(mid)))
    objective = run.objective or {}
    bound = run.bound or {}
    n_slots = len(slot_rows)
    return RunReview(
        scheduled=len(assignments),
        unscheduled=len(unscheduled),
        total=len(in_run),
        weight=weight,
        total_weight=total_weight,
        breaks=objective.get("breaks"),
        min_share=min_share,
        worst_org=worst_org,
        zero_meeting=int(objective.get("zero_meeting", hist.get(0, 0))),
        share_bound=bound.get("min_share"),
        zero_bound=bound.get("zero_meeting"),
        utilisation=(len(assignments) / (n_slots * n_tables)) if n_slots and n_tables else 0.0,
        n_tables=n_tables,
        days=[(number, on_date, cells) for number, (on_date, cells) in sorted(days.items())],
        histogram=sorted(hist.items()),
        unscheduled_rows=rows,
        organisations=sorted(
            ((o, orgs.get(o, "")) for o in requested), key=lambda item: item[1].casefold()
        ),
        dropped_locked=dropped,
    )


def org_schedule(
    session: Session, event: Event, run: SolveRun, org_id: int
) -> list[tuple[Slot | None, MeetingTable | None, Meeting, str, RunReason | None]]:
    """One organisation's meetings in a run's proposal: (slot, table, meeting, partner,
    reason if unscheduled), in time order, unscheduled last."""
    org = session.get(Organisation, org_id)
    if org is None or org.event_id != event.id:
        raise NotFound(N_("No such organisation."))
    outcome = run.outcome or RunResult()
    assignments, unscheduled = outcome.assignments, outcome.unscheduled
    meetings = session.exec(
        select(Meeting).where(
            Meeting.event_id == event.id,
            (col(Meeting.org_a_id) == org_id) | (col(Meeting.org_b_id) == org_id),
        )
    ).all()
    rows: list[tuple[Slot | None, MeetingTable | None, Meeting, str, RunReason | None]] = []
    for m in meetings:
        key = m.id or 0
        if key not in assignments and key not in unscheduled:
            continue
        partner_id = m.org_b_id if m.org_a_id == org_id else m.org_a_id
        partner = session.get(Organisation, partner_id)
        place = assignments.get(key)
        slot = session.get(Slot, place.slot) if place and place.slot else None
        table = session.get(MeetingTable, place.table) if place and place.table else None
        rows.append((slot, table, m, partner.name if partner else "", unscheduled.get(key)))
    rows.sort(key=lambda r: (r[0] is None, r[0].start if r[0] else 0, r[2].id or 0))
    return rows
