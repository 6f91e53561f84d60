"""Rule: a participant never holds more meetings at once than its representatives.

Also defines ``busy[p@t]`` ("p has a meeting in slot t"), which the break, fairness and
consecutive-meeting terms read.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem


def add(model: cp_model.CpModel, problem: Problem, v: Variables) -> None:
    for p, meetings in enumerate(problem.meetings_of):
        by_slot: dict[int, list[cp_model.IntVar]] = {}
        for m in meetings:
            for t, lit in v.x[m].items():
                by_slot.setdefault(t, []).append(lit)
        cap = problem.capacity[p]
        pid = problem.person_ids[p]
        for t in sorted(by_slot):
            lits = by_slot[t]
            if len(lits) == 1:
                v.busy[p][t] = lits[0]
                continue
            busy = model.new_bool_var(f"busy[{pid}@{problem.slot_ids[t]}]")
            if cap == 1:
                model.add(sum(lits) == busy)
            else:
                model.add(sum(lits) <= cap)
                model.add_max_equality(busy, lits)
            v.busy[p][t] = busy
