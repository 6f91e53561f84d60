"""Rule: a meeting takes at most one slot; exactly one when required or fixed."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem


def add(model: cp_model.CpModel, problem: Problem, v: Variables, require_all: bool) -> None:
    for m, xs in enumerate(v.x):
        if not xs:
            continue
        lits = list(xs.values())
        if require_all or problem.fixed[m] is not None:
            model.add_exactly_one(lits)
        elif len(lits) > 1:
            model.add_at_most_one(lits)
