"""Goal 2b: raise the worst-off participant's share of its (schedulable) meetings.

``min_share`` is an integer in 0..SCALE with ``min_share × n_p ≤ SCALE × scheduled_p``
for every participant ``p`` with ``n_p`` meetings that can take place at all. A model
restricted to part of the event passes ``live_count`` (the ``n_p`` of the whole event).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem

SCALE = 1000


def expression(
    model: cp_model.CpModel,
    problem: Problem,
    v: Variables,
    live_count: list[int] | None = None,
) -> cp_model.IntVar:
    z = model.new_int_var(0, SCALE, "min_share")
    for p, meetings in enumerate(problem.meetings_of):
        live = [m for m in meetings if v.x[m]]
        if live:
            n = len(live) if live_count is None else live_count[p]
            model.add(z * n <= SCALE * sum(v.scheduled[m] for m in live))
    return z
