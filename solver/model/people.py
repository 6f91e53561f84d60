"""Rule: a participant with people holds no more meetings in a slot than it has people
present, each attended by one of them; a required person attends their meeting; each
person keeps their own ``max_per_day`` and ``max_consecutive``.

Without per-person limits, counts decide it (Hall's condition for each slot's matching
of meetings to people): the meetings in slot t are at most the people present in t,
and a required person's meetings, which only take slots where that person is present
(``Problem.domain``), are at most one per slot. Only per-person limits couple the slots,
and only then does the model get ``attend[m@t:r]`` ("person r attends meeting m in slot
t"). A team of one is an ordinary participant (``solver.problem`` folds its person in).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem, Team

Attendance = dict[tuple[int, int], list[cp_model.IntVar]]  # (person, slot) -> literals


def add(model: cp_model.CpModel, problem: Problem, v: Variables) -> None:
    for p, team in problem.teams.items():
        if team.size == 1:
            continue
        if team.needs_variables:
            attend = _attendance(model, problem, v, p, team)
            person_limits(model, problem, team, attend)
        else:
            _counts(model, problem, v, p, team)


def _counts(model: cp_model.CpModel, problem: Problem, v: Variables, p: int, team: Team) -> None:
    by_slot: dict[int, list[cp_model.IntVar]] = {}
    by_person: Attendance = {}
    for m in problem.meetings_of[p]:
        r = problem.required.get((m, p))
        for t, lit in v.x[m].items():
            by_slot.setdefault(t, []).append(lit)
            if r is not None:
                by_person.setdefault((r, t), []).append(lit)
    for t, lits in by_slot.items():
        present = len(team.present(t))
        if len(lits) > present and present < team.size:  # capacity bounds it by the size
            model.add(sum(lits) <= present)
    for lits in by_person.values():
        if len(lits) > 1:
            model.add_at_most_one(lits)


def _attendance(
    model: cp_model.CpModel, problem: Problem, v: Variables, p: int, team: Team
) -> Attendance:
    """Who attends: exactly one present (or the required) person per scheduled meeting,
    and a person in at most one meeting per slot."""
    attend: Attendance = {}
    for m in problem.meetings_of[p]:
        required = problem.required.get((m, p))
        for t, lit in v.x[m].items():
            who = [required] if required is not None else team.present(t)
            if len(who) == 1:
                attend.setdefault((who[0], t), []).append(lit)
                continue
            lits = [
                model.new_bool_var(
                    f"attend[{problem.meeting_ids[m]}@{problem.slot_ids[t]}:{team.person_ids[r]}]"
                )
                for r in who
            ]
            model.add(sum(lits) == lit)
            for r, y in zip(who, lits, strict=True):
                attend.setdefault((r, t), []).append(y)
    for lits in attend.values():
        if len(lits) > 1:
            model.add_at_most_one(lits)
    return attend


def person_limits(
    model: cp_model.CpModel, problem: Problem, team: Team, attend: Attendance
) -> None:
    """Each person's meetings per day and in a row (also used to name who attends)."""
    for r in range(team.size):
        limit, k = team.max_per_day[r], team.max_consecutive[r]
        if limit is not None:
            per_day: dict[int, list[cp_model.IntVar]] = {}
            for (q, t), lits in attend.items():
                if q == r:
                    per_day.setdefault(problem.day_of[t], []).extend(lits)
            for lits in per_day.values():
                if len(lits) > limit:
                    model.add(sum(lits) <= limit)
        if k is not None:
            for run in problem.runs:
                for i in range(len(run) - k):
                    window = [y for t in run[i : i + k + 1] for y in attend.get((r, t), [])]
                    if len(window) > k:
                        model.add(sum(window) <= k)
