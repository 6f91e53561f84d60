"""Rule: a meeting listed in ``after`` takes place strictly earlier (when both take place).

Encoded slot by slot: "m in slot t" excludes "a in slot t or later"; this is as tight as
the linear relaxation of the order constraint gets and needs no integer positions.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem


def add(model: cp_model.CpModel, problem: Problem, v: Variables) -> None:
    for m, befores in enumerate(problem.after):
        for a in befores:
            xa, xm = v.x[a], v.x[m]
            if not xa or not xm:
                continue
            a_slots = sorted(xa)
            for t, lit in xm.items():
                later = [xa[u] for u in a_slots if u >= t]
                if later:
                    model.add_at_most_one([lit, *later])
