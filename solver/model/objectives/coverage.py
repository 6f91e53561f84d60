"""Goal 2a: as many participants as possible with at least one meeting.

``has[p]`` can be true only when one of ``p``'s meetings is scheduled. Maximising their
sum (at the optimal weight) leaves nobody at zero whom a schedule of that weight could
give a meeting; it is the first step of max-min fairness, since a worst-off share above
0 needs everyone covered, and it still ranks schedules when some participant must stay
at 0 (where the min share alone is flat).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Expr, Variables
from solver.problem import Problem


def expression(model: cp_model.CpModel, problem: Problem, v: Variables) -> Expr:
    covered: list[cp_model.IntVar] = []
    for p, meetings in enumerate(problem.meetings_of):
        live = [m for m in meetings if v.x[m]]
        if live:
            has = model.new_bool_var(f"has_meeting[{problem.person_ids[p]}]")
            model.add(has <= sum(v.scheduled[m] for m in live))
            covered.append(has)
    return sum(covered)
