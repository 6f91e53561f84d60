"""Check any solution against its instance, independently of how it was produced.

``validate`` lists every broken hard rule in words and ``recompute`` derives the objective
from the assignments alone. Tests use both, and ``solver.api.solve`` runs them on every
schedule before returning it.
"""

from __future__ import annotations

from collections import Counter

from solver.instance import Instance, Meeting, Participant
from solver.problem import Problem, build
from solver.solution import Assignment, Objective, Solution


def slots_by_meeting(problem: Problem, solution: Solution) -> dict[int, int]:
    return {
        problem.meeting_index[a.meeting]: problem.slot_index[a.slot]
        for a in solution.assignments
        if a.meeting in problem.meeting_index and a.slot in problem.slot_index
    }


def break_counts(problem: Problem, slot_of: dict[int, int]) -> list[int]:
    """Breaks per participant: maximal idle runs between two meetings within a session."""
    busy: list[set[int]] = [set() for _ in range(problem.n_people)]
    for m, t in slot_of.items():
        for p in problem.ends[m]:
            busy[p].add(t)
    counts = []
    for slots in busy:
        n = 0
        for run in problem.runs:
            seen = False
            idle = False
            for t in run:
                if t in slots:
                    if seen and idle:
                        n += 1
                    seen, idle = True, False
                elif seen:
                    idle = True
        counts.append(n)
    return counts


def recompute(problem: Problem, slot_of: dict[int, int]) -> Objective:
    scheduled = len(slot_of)
    weight = sum(problem.weight[m] for m in slot_of)
    breaks = sum(break_counts(problem, slot_of))
    moved = sum(
        1 for m, prev in enumerate(problem.previous) if prev is not None and slot_of.get(m) != prev
    )
    shares = []
    got = [0] * problem.n_people
    for p, ms in enumerate(problem.meetings_of):
        live = [m for m in ms if problem.domain[m]]
        got[p] = sum(1 for m in live if m in slot_of)
        if live:
            shares.append(got[p] / len(live))
    n = problem.instance.options.min_meetings
    scheduled_ids = {problem.meeting_ids[m] for m in slot_of}
    return Objective(
        scheduled=scheduled,
        scheduled_weight=weight,
        breaks=breaks,
        moved=moved,
        min_share=round(min(shares), 6) if shares else 1.0,
        zero_meeting=len(zero_meeting(problem.instance, scheduled_ids)),
        floor=None if n is None else sum(min(n, k) for k in got),
    )


def present_slots(instance: Instance) -> dict[str, dict[str | None, set[str]]]:
    """Per participant, the slots it is there, in total (key None) and per person."""
    every = {s.id for s in instance.slots}
    out: dict[str, dict[str | None, set[str]]] = {}
    for p in instance.participants:
        there = every - set(p.unavailable)
        by: dict[str | None, set[str]] = {q.id: there - set(q.unavailable) for q in p.people or []}
        by[None] = set().union(*by.values()) if p.people else there
        out[p.id] = by
    return out


def has_common_free_slot(
    instance: Instance, meeting: Meeting, present: dict[str, dict[str | None, set[str]]]
) -> bool:
    """Whether a slot is allowed for ``meeting`` (its fixed one, if any) with both sides
    there (the required person, if the meeting names one), read from the instance alone;
    ``present`` as ``present_slots`` gives it."""
    slots = (
        {s.id for s in instance.slots}
        if meeting.allowed_slots is None
        else set(meeting.allowed_slots)
    )
    if meeting.fixed_slot is not None:
        slots &= {meeting.fixed_slot}
    for p in meeting.participants:
        slots &= present[p].get(meeting.persons.get(p), set())
    return bool(slots)


def zero_meeting(instance: Instance, scheduled: set[str]) -> list[str]:
    """Participants left with no meeting although one of theirs had a common free slot
    (``objective.zero_meeting`` counts them)."""
    present = present_slots(instance)
    schedulable: set[str] = set()
    met: set[str] = set()
    for m in instance.meetings:
        if m.id in scheduled:
            met.update(m.participants)
        elif has_common_free_slot(instance, m, present):
            schedulable.update(m.participants)
    return sorted(schedulable - met)


def validate(instance: Instance, solution: Solution, problem: Problem | None = None) -> list[str]:
    """Every violated hard rule, in words; empty when the schedule is valid."""
    pr = problem or build(instance)
    host_of_table = {t.id: t.host for t in instance.tables}
    seen = Counter(a.meeting for a in solution.assignments)
    errors: list[str] = []
    slot_of: dict[int, int] = {}
    table_use: Counter[tuple[str, int]] = Counter()
    for a in solution.assignments:
        if a.meeting not in pr.meeting_index:
            errors.append(f"assignment of unknown meeting {a.meeting!r}")
            continue
        if a.slot not in pr.slot_index:
            errors.append(f"meeting {a.meeting!r}: unknown slot {a.slot!r}")
            continue
        m, t = pr.meeting_index[a.meeting], pr.slot_index[a.slot]
        slot_of[m] = t
        errors += _slot_errors(instance, pr, a, m, t)
        errors += _table_errors(pr, a, m, host_of_table)
        if a.table is not None and a.table in host_of_table:
            table_use[(a.table, t)] += 1
    errors += _double_booking_errors(pr, seen, table_use, slot_of)
    load = Counter((p, t) for m, t in slot_of.items() for p in pr.ends[m])
    errors += _capacity_errors(pr, load)
    errors += _daily_errors(pr, load)
    errors += _consecutive_errors(pr, load)
    errors += _precedence_errors(pr, slot_of)
    errors += _coverage_errors(instance, pr, solution, seen, slot_of)
    errors += _fairness_errors(instance, pr, slot_of)
    errors += _people_errors(instance, pr, solution)
    return errors


def _slot_errors(instance: Instance, pr: Problem, a: Assignment, m: int, t: int) -> list[str]:
    """Meeting ``m`` in slot ``t``: both sides available, an allowed, fixed or kept slot."""
    meeting = instance.meetings[m]
    errors = [
        f"meeting {a.meeting!r}: {pr.person_ids[p]!r} unavailable in {a.slot}"
        for p in pr.ends[m]
        if t in pr.unavailable[p]
    ]
    if meeting.allowed_slots is not None and a.slot not in meeting.allowed_slots:
        errors.append(f"meeting {a.meeting!r}: slot {a.slot} not allowed")
    if meeting.fixed_slot is not None and a.slot != meeting.fixed_slot:
        errors.append(f"meeting {a.meeting!r}: fixed to {meeting.fixed_slot}, got {a.slot}")
    if (
        instance.options.keep_previous
        and meeting.previous_slot is not None
        and pr.fixed[m] is not None
        and a.slot != meeting.previous_slot
    ):
        errors.append(f"meeting {a.meeting!r}: moved from {meeting.previous_slot}")
    return errors


def _table_errors(
    pr: Problem, a: Assignment, m: int, host_of_table: dict[str, str | None]
) -> list[str]:
    """A known table for every meeting when there are tables; home tables for their hosts."""
    if not host_of_table:
        return []
    if a.table is None:
        return [f"meeting {a.meeting!r}: no table"]
    if a.table not in host_of_table:
        return [f"meeting {a.meeting!r}: unknown table {a.table!r}"]
    hosts = {pr.person_ids[p] for p in pr.ends[m] if p in pr.home_tables}
    host = host_of_table[a.table]
    if hosts and host not in hosts:
        return [
            f"meeting {a.meeting!r}: at table {a.table}, not at a home table of "
            + " or ".join(sorted(hosts))
        ]
    if not hosts and host is not None:
        return [f"meeting {a.meeting!r}: at {host}'s home table {a.table}"]
    return []


def _double_booking_errors(
    pr: Problem,
    seen: Counter[str],
    table_use: Counter[tuple[str, int]],
    slot_of: dict[int, int],
) -> list[str]:
    """A meeting assigned twice, a table holding two meetings, a slot beyond the tables."""
    errors = [f"meeting {mid!r} assigned {n} times" for mid, n in seen.items() if n > 1]
    errors += [
        f"table {table} holds {n} meetings in slot {pr.slot_ids[t]}"
        for (table, t), n in table_use.items()
        if n > 1
    ]
    errors += [
        f"slot {pr.slot_ids[t]} holds {n} meetings for {pr.n_tables} tables"
        for t, n in Counter(slot_of.values()).items()
        if n > pr.n_tables
    ]
    return errors


def _capacity_errors(pr: Problem, load: Counter[tuple[int, int]]) -> list[str]:
    return [
        f"{pr.person_ids[p]!r} has {n} meetings in slot {pr.slot_ids[t]} "
        f"(capacity {pr.capacity[p]})"
        for (p, t), n in load.items()
        if n > pr.capacity[p]
    ]


def _daily_errors(pr: Problem, load: Counter[tuple[int, int]]) -> list[str]:
    errors = []
    for p, limit in enumerate(pr.max_per_day):
        if limit is None:
            continue
        per_day = Counter(pr.day_of[t] for (q, t), n in load.items() if q == p for _ in range(n))
        for d, n in per_day.items():
            if n > limit:
                errors.append(f"{pr.person_ids[p]!r} has {n} meetings on day {d} (max {limit})")
    return errors


def _consecutive_errors(pr: Problem, load: Counter[tuple[int, int]]) -> list[str]:
    """At most one error per participant and session run: where the streak gets too long."""
    errors = []
    for p, k in enumerate(pr.max_consecutive):
        if k is None:
            continue
        for run in pr.runs:
            streak = 0
            for t in run:
                streak = streak + 1 if load[(p, t)] else 0
                if streak > k:
                    errors.append(
                        f"{pr.person_ids[p]!r} has more than {k} consecutive meetings "
                        f"up to slot {pr.slot_ids[t]}"
                    )
                    break
    return errors


def _precedence_errors(pr: Problem, slot_of: dict[int, int]) -> list[str]:
    return [
        f"meeting {pr.meeting_ids[a]!r} must come before {pr.meeting_ids[m]!r}"
        for m, befores in enumerate(pr.after)
        for a in befores
        if m in slot_of and a in slot_of and slot_of[a] >= slot_of[m]
    ]


def _coverage_errors(
    instance: Instance,
    pr: Problem,
    solution: Solution,
    seen: Counter[str],
    slot_of: dict[int, int],
) -> list[str]:
    """Every meeting scheduled or listed as unscheduled, not both; required ones scheduled."""
    unscheduled = {u.meeting for u in solution.unscheduled}
    errors = [
        f"meeting {mid!r} both scheduled and unscheduled" for mid in unscheduled if mid in seen
    ]
    for m, mid in enumerate(pr.meeting_ids):
        if m in slot_of:
            continue
        if mid not in unscheduled:
            errors.append(f"meeting {mid!r} neither scheduled nor listed as unscheduled")
        if instance.options.require_all:
            errors.append(f"meeting {mid!r} not scheduled but all are required")
        elif pr.fixed[m] is not None and pr.domain[m]:
            errors.append(f"fixed meeting {mid!r} not scheduled")
    return errors


def _fairness_errors(instance: Instance, pr: Problem, slot_of: dict[int, int]) -> list[str]:
    """Break counts of the participants with meetings at most ``fairness_max_diff`` apart."""
    max_diff = instance.options.fairness_max_diff
    if max_diff is None:
        return []
    counts = break_counts(pr, slot_of)
    values = [counts[p] for p in {p for m in slot_of for p in pr.ends[m]}]
    if values and max(values) - min(values) > max_diff:
        return [f"break counts range {min(values)}..{max(values)}, more than {max_diff} apart"]
    return []


def _people_errors(instance: Instance, pr: Problem, solution: Solution) -> list[str]:
    """For participants with people: each of its meetings names one of them, present then,
    the required one if the meeting names one; nobody in two meetings at once; each
    person's own daily and consecutive limits."""
    teams = {p.id: p for p in instance.participants if p.people}
    meetings = {m.id: m for m in instance.meetings}
    errors: list[str] = []
    attends: dict[tuple[str, str], list[int]] = {}  # (participant, person) -> slots
    for a in solution.assignments:
        meeting = meetings.get(a.meeting)
        if meeting is None or a.slot not in pr.slot_index:
            continue  # reported above
        errors += [
            f"meeting {a.meeting!r}: persons names {p_id!r}, which is not one of its "
            "participants with people"
            for p_id in a.persons
            if p_id not in meeting.participants or p_id not in teams
        ]
        for p_id in meeting.participants:
            if p_id not in teams:
                continue
            person = a.persons.get(p_id)
            errors += _attendance_errors(teams[p_id], meeting, a.slot, person)
            if person in {q.id for q in teams[p_id].people or []}:
                attends.setdefault((p_id, person), []).append(pr.slot_index[a.slot])
    for (p_id, person), slots in attends.items():
        errors += _person_limit_errors(pr, teams[p_id], person, slots)
    return errors


def _attendance_errors(
    participant: Participant, meeting: Meeting, slot: str, person: str | None
) -> list[str]:
    where = f"meeting {meeting.id!r}"
    if person is None:
        return [f"{where}: no person named for {participant.id!r}"]
    found = [q for q in participant.people or [] if q.id == person]
    if not found:
        return [f"{where}: {person!r} is not one of {participant.id!r}'s people"]
    errors = []
    if slot in found[0].unavailable or slot in participant.unavailable:
        errors.append(f"{where}: {person!r} of {participant.id!r} is unavailable in {slot}")
    required = meeting.persons.get(participant.id)
    if required is not None and required != person:
        errors.append(f"{where}: {required!r} must attend for {participant.id!r}, not {person!r}")
    return errors


def _person_limit_errors(
    pr: Problem, participant: Participant, person: str, slots: list[int]
) -> list[str]:
    who = f"{person!r} of {participant.id!r}"
    errors = [
        f"{who} is in {n} meetings in slot {pr.slot_ids[t]}"
        for t, n in Counter(slots).items()
        if n > 1
    ]
    q = next(q for q in participant.people or [] if q.id == person)
    if q.max_per_day is not None:
        errors += [
            f"{who} has {n} meetings on day {d} (max {q.max_per_day})"
            for d, n in Counter(pr.day_of[t] for t in slots).items()
            if n > q.max_per_day
        ]
    k = q.max_consecutive
    if k is not None:
        busy = set(slots)
        for run in pr.runs:
            streak = 0
            for t in run:
                streak = streak + 1 if t in busy else 0
                if streak > k:
                    errors.append(
                        f"{who} has more than {k} consecutive meetings up to slot {pr.slot_ids[t]}"
                    )
                    break
    return errors
