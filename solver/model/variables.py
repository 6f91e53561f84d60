"""Decision variables, each with a readable name (``x[m12@d1-am-03]``, ``busy[p3@d1-am-03]``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.problem import Problem

Expr = cp_model.LinearExprT


@dataclass
class Variables:
    x: list[dict[int, cp_model.IntVar]]  # meeting -> slot -> "meeting takes this slot"
    scheduled: list[Expr]  # meeting -> 0/1 expression
    busy: list[dict[int, cp_model.IntVar]]  # participant -> slot -> "has a meeting then"
    breaks: list[Expr] = field(default_factory=list)  # participant -> break count
    has_meeting: list[Expr] = field(default_factory=list)  # participant -> 0/1

    @staticmethod
    def create(model: cp_model.CpModel, problem: Problem, active: list[bool]) -> Variables:
        x: list[dict[int, cp_model.IntVar]] = []
        for m, dom in enumerate(problem.domain):
            mid = problem.meeting_ids[m]
            if not active[m]:
                x.append({})
                continue
            x.append({t: model.new_bool_var(f"x[{mid}@{problem.slot_ids[t]}]") for t in dom})
        scheduled: list[Expr] = []
        for m in range(problem.n_meetings):
            scheduled.append(sum(x[m].values()) if x[m] else 0)
        return Variables(x=x, scheduled=scheduled, busy=[{} for _ in problem.person_ids])
