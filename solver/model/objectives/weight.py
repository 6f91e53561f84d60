"""Goal 1: schedule as much requested weight as possible."""

from __future__ import annotations

from solver.model.variables import Expr, Variables
from solver.problem import Problem


def expression(problem: Problem, v: Variables) -> Expr:
    return sum(problem.weight[m] * v.scheduled[m] for m in range(problem.n_meetings) if v.x[m])
