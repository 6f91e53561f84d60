"""Goal 0 with ``options.min_meetings = N``: everyone first gets min(N, what they can get).

``floor[p]`` is at most ``N``, at most ``p``'s schedulable meetings and at most its
scheduled ones; the phase maximises their sum, ranked above weight, so a schedule gives
up weight to bring someone up to ``N`` meetings (Grip's minimum targets).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Expr, Variables
from solver.problem import Problem


def expression(
    model: cp_model.CpModel, problem: Problem, v: Variables, n: int, live_count: list[int]
) -> Expr:
    """``live_count[p]``: p's meetings that can take place at all."""
    floors: list[cp_model.IntVar] = []
    for p, meetings in enumerate(problem.meetings_of):
        live = [m for m in meetings if v.x[m]]
        cap = min(n, live_count[p])
        if live and cap:
            f = model.new_int_var(0, cap, f"floor[{problem.person_ids[p]}]")
            model.add(f <= sum(v.scheduled[m] for m in live))
            floors.append(f)
    return sum(floors)
