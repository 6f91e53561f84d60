"""Check any solution against its instance, independently of how it was produced.

``validate`` lists every broken hard rule in words and ``recompute`` derives the objective
from the assignments alone. Tests use both, and ``solver.api.solve`` runs them on every
schedule before returning it.
"""

from __future__ import annotations

from collections import Counter

from solver.instance import Instance
from solver.problem import Problem, build
from solver.solution import Objective, Solution


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
    for ms in problem.meetings_of:
        live = [m for m in ms if problem.domain[m]]
        if live:
            shares.append(sum(1 for m in live if m in slot_of) / len(live))
    return Objective(
        scheduled=scheduled,
        scheduled_weight=weight,
        breaks=breaks,
        moved=moved,
        min_share=round(min(shares), 6) if shares else 1.0,
    )


def validate(instance: Instance, solution: Solution, problem: Problem | None = None) -> list[str]:
    """Every violated hard rule, in words; empty when the schedule is valid."""
    pr = problem or build(instance)
    errors: list[str] = []
    tables = {t.id: t for t in instance.tables}
    host_of_table = {t.id: t.host for t in instance.tables}
    seen: Counter[str] = Counter()
    slot_of: dict[int, int] = {}
    table_use: Counter[tuple[str, int]] = Counter()
    for a in solution.assignments:
        seen[a.meeting] += 1
        if a.meeting not in pr.meeting_index:
            errors.append(f"assignment of unknown meeting {a.meeting!r}")
            continue
        if a.slot not in pr.slot_index:
            errors.append(f"meeting {a.meeting!r}: unknown slot {a.slot!r}")
            continue
        m, t = pr.meeting_index[a.meeting], pr.slot_index[a.slot]
        slot_of[m] = t
        meeting = instance.meetings[m]
        x, y = pr.ends[m]
        for p in (x, y):
            if t in pr.unavailable[p]:
                errors.append(
                    f"meeting {a.meeting!r}: {pr.person_ids[p]!r} unavailable in {a.slot}"
                )
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
        if tables:
            if a.table is None:
                errors.append(f"meeting {a.meeting!r}: no table")
            elif a.table not in tables:
                errors.append(f"meeting {a.meeting!r}: unknown table {a.table!r}")
            else:
                table_use[(a.table, t)] += 1
                hosts = {pr.person_ids[p] for p in (x, y) if p in pr.home_tables}
                host = host_of_table[a.table]
                if hosts and host not in hosts:
                    errors.append(
                        f"meeting {a.meeting!r}: at table {a.table}, not at a home table of "
                        + " or ".join(sorted(hosts))
                    )
                if not hosts and host is not None:
                    errors.append(f"meeting {a.meeting!r}: at {host}'s home table {a.table}")
    for mid, n in seen.items():
        if n > 1:
            errors.append(f"meeting {mid!r} assigned {n} times")
    for (table, t), n in table_use.items():
        if n > 1:
            errors.append(f"table {table} holds {n} meetings in slot {pr.slot_ids[t]}")
    per_slot = Counter(slot_of.values())
    for t, n in per_slot.items():
        if n > pr.n_tables:
            errors.append(f"slot {pr.slot_ids[t]} holds {n} meetings for {pr.n_tables} tables")

    load: Counter[tuple[int, int]] = Counter()
    for m, t in slot_of.items():
        for p in pr.ends[m]:
            load[(p, t)] += 1
    for (p, t), n in load.items():
        if n > pr.capacity[p]:
            errors.append(
                f"{pr.person_ids[p]!r} has {n} meetings in slot {pr.slot_ids[t]} "
                f"(capacity {pr.capacity[p]})"
            )
    for p, limit in enumerate(pr.max_per_day):
        if limit is None:
            continue
        per_day = Counter(pr.day_of[t] for (q, t), n in load.items() if q == p for _ in range(n))
        for d, n in per_day.items():
            if n > limit:
                errors.append(f"{pr.person_ids[p]!r} has {n} meetings on day {d} (max {limit})")
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
    for m, befores in enumerate(pr.after):
        for a_ in befores:
            if m in slot_of and a_ in slot_of and slot_of[a_] >= slot_of[m]:
                errors.append(
                    f"meeting {pr.meeting_ids[a_]!r} must come before {pr.meeting_ids[m]!r}"
                )

    unscheduled = {u.meeting for u in solution.unscheduled}
    for mid in unscheduled:
        if mid in seen:
            errors.append(f"meeting {mid!r} both scheduled and unscheduled")
    for m, mid in enumerate(pr.meeting_ids):
        if m in slot_of:
            continue
        if mid not in unscheduled:
            errors.append(f"meeting {mid!r} neither scheduled nor listed as unscheduled")
        if instance.options.require_all:
            errors.append(f"meeting {mid!r} not scheduled but all are required")
        elif pr.fixed[m] is not None and pr.domain[m]:
            errors.append(f"fixed meeting {mid!r} not scheduled")

    max_diff = instance.options.fairness_max_diff
    if max_diff is not None:
        counts = break_counts(pr, slot_of)
        with_meetings = {p for m in slot_of for p in pr.ends[m]}
        values = [counts[p] for p in with_meetings]
        if values and max(values) - min(values) > max_diff:
            errors.append(
                f"break counts range {min(values)}..{max(values)}, more than {max_diff} apart"
            )
    return errors
