"""Who attends each meeting of a participant with people, once the slots are known.

People of different participants never interact, so each team is its own small
problem: without per-person limits a slot-by-slot matching (required persons first),
otherwise a small CP-SAT model of that team's meetings alone. Every schedule the solver
or greedy produces admits an assignment (their models and checks ensure it); ``None``
for a team means the slots break a people rule.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.people import person_limits
from solver.problem import Problem, Team


def assign(problem: Problem, slot_of: dict[int, int]) -> dict[int, dict[str, str]]:
    """Meeting -> participant id -> person id, for every scheduled meeting of a team;
    a team whose slots admit no assignment gets no persons (the validator says why)."""
    persons: dict[int, dict[str, str]] = {}
    for p, team in problem.teams.items():
        meetings = [m for m in problem.meetings_of[p] if m in slot_of]
        if not meetings:
            continue
        if team.needs_variables:
            who = _by_model(problem, p, team, meetings, slot_of)
        else:
            who = _by_slot(problem, p, team, meetings, slot_of)
        if who is None:
            continue
        pid = problem.person_ids[p]
        for m, r in who.items():
            persons.setdefault(m, {})[pid] = team.person_ids[r]
    return persons


def _by_slot(
    problem: Problem, p: int, team: Team, meetings: list[int], slot_of: dict[int, int]
) -> dict[int, int] | None:
    """Required persons first, then the free people present, slot by slot."""
    order = sorted(meetings, key=lambda m: ((m, p) not in problem.required, m))
    taken: set[tuple[int, int]] = set()
    who: dict[int, int] = {}
    for m in order:
        t = slot_of[m]
        required = problem.required.get((m, p))
        options = [required] if required is not None else team.present(t)
        free = [r for r in options if (r, t) not in taken and t not in team.away[r]]
        if not free:
            return None
        who[m] = free[0]
        taken.add((free[0], t))
    return who


def _by_model(
    problem: Problem, p: int, team: Team, meetings: list[int], slot_of: dict[int, int]
) -> dict[int, int] | None:
    model = cp_model.CpModel()
    attend: dict[tuple[int, int], cp_model.IntVar] = {}
    for m in meetings:
        t = slot_of[m]
        required = problem.required.get((m, p))
        options = [required] if required is not None else team.present(t)
        lits = [model.new_bool_var("") for _ in options]
        attend.update(zip(((m, r) for r in options), lits, strict=True))
        model.add_exactly_one(lits)
    at: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for (m, r), y in attend.items():
        at.setdefault((r, slot_of[m]), []).append(y)
    for lits in at.values():
        model.add_at_most_one(lits)
    person_limits(model, problem, team, at)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {m: r for (m, r), y in attend.items() if solver.boolean_value(y)}
