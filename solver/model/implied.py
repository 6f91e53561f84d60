"""Implied constraints from the B2BSP paper; redundant, but they tighten the relaxation.

* each participant is busy in exactly as many slots as it has scheduled meetings
  (participants with one representative);
* in any slot at most ``2 × meetings in that slot`` participants are busy.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem


def add(model: cp_model.CpModel, problem: Problem, v: Variables) -> None:
    for p, busy in enumerate(v.busy):
        if problem.capacity[p] == 1 and busy:
            model.add(sum(busy.values()) == sum(v.scheduled[m] for m in problem.meetings_of[p]))
    per_slot_busy: dict[int, list[cp_model.IntVar]] = {}
    for busy in v.busy:
        for t, lit in busy.items():
            per_slot_busy.setdefault(t, []).append(lit)
    per_slot_meetings: dict[int, list[cp_model.IntVar]] = {}
    for xs in v.x:
        for t, lit in xs.items():
            per_slot_meetings.setdefault(t, []).append(lit)
    for t, lits in per_slot_busy.items():
        if all(problem.capacity[p] == 1 for p in range(problem.n_people)):
            model.add(sum(lits) == 2 * sum(per_slot_meetings.get(t, [])))
