"""Rule: a participant's ``max_per_day`` meetings per day."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem


def add(model: cp_model.CpModel, problem: Problem, v: Variables) -> None:
    for p, limit in enumerate(problem.max_per_day):
        if limit is None:
            continue
        per_day: dict[int, list[cp_model.IntVar]] = {}
        for m in problem.meetings_of[p]:
            for t, lit in v.x[m].items():
                per_day.setdefault(problem.day_of[t], []).append(lit)
        for lits in per_day.values():
            if len(lits) > limit:
                model.add(sum(lits) <= limit)
