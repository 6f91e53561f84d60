"""Goal 3: move as few previously published meetings as possible (when they may move)."""

from __future__ import annotations

from solver.model.variables import Expr, Variables
from solver.problem import Problem


def expression(problem: Problem, v: Variables) -> Expr:
    terms: list[Expr] = []
    for m, prev in enumerate(problem.previous):
        if prev is None:
            continue
        lit = v.x[m].get(prev)
        terms.append(1 - lit if lit is not None else 1)
    return sum(terms)
