"""Goal 4: few breaks; plus the optional hard bound on the spread of break counts.

A break is a maximal idle run between two meetings of a participant inside one session.
Per session run, breaks = (number of busy blocks) − (1 if busy at all), where a block
starts at ``start[p@t] = busy[p@t] ∧ ¬busy[p@t-1]``. Both are exact (not just bounds), so
the counts can also be bounded from below for fairness.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Expr, Variables
from solver.problem import Problem


def add(model: cp_model.CpModel, problem: Problem, v: Variables, require_all: bool) -> None:
    """Define ``v.breaks[p]`` and ``v.has_meeting[p]`` for every participant."""
    for p, busy in enumerate(v.busy):
        pid = problem.person_ids[p]
        sure_runs = _runs_surely_used(problem, v, p, require_all)
        total: list[Expr] = []
        for r, run in enumerate(problem.runs):
            lits = [(t, busy[t]) for t in run if t in busy]
            if len(lits) <= 1:
                continue
            starts: list[Expr] = []
            for t, b in lits:
                prev = busy.get(t - 1) if t - 1 in run else None
                if prev is None:
                    starts.append(b)
                    continue
                s = model.new_bool_var(f"start[{pid}@{problem.slot_ids[t]}]")
                model.add(s >= b - prev)
                model.add_implication(s, b)
                model.add_implication(s, prev.Not())
                starts.append(s)
            if r in sure_runs:
                used: Expr = 1
            else:
                u = model.new_bool_var(f"in_session[{pid}@{r}]")
                model.add_max_equality(u, [b for _, b in lits])
                used = u
            model.add(sum(starts) >= used)
            total.append(sum(starts) - used)
        v.breaks.append(sum(total) if total else 0)
        live = [m for m in problem.meetings_of[p] if v.x[m]]
        if not live:
            v.has_meeting.append(0)
        elif require_all or any(problem.fixed[m] is not None for m in live):
            v.has_meeting.append(1)
        else:
            h = model.new_bool_var(f"has_meeting[{pid}]")
            model.add_max_equality(h, [v.scheduled[m] for m in live])  # type: ignore[list-item]
            v.has_meeting.append(h)


def _runs_surely_used(problem: Problem, v: Variables, p: int, require_all: bool) -> set[int]:
    """Session runs in which ``p`` certainly has a meeting (a fixed one, or a required
    meeting whose every possible slot lies in that run)."""
    sure: set[int] = set()
    for m in problem.meetings_of[p]:
        if not v.x[m]:
            continue
        if require_all or problem.fixed[m] is not None:
            runs = {problem.session_of[t] for t in v.x[m]}
            if len(runs) == 1:
                sure |= runs
    return sure


def add_fairness_bound(
    model: cp_model.CpModel, problem: Problem, v: Variables, max_diff: int
) -> None:
    """Hard rule: break counts of participants with meetings differ by at most max_diff."""
    horizon = problem.n_slots
    hi = model.new_int_var(0, horizon, "breaks_max")
    lo = model.new_int_var(0, horizon, "breaks_min")
    for p in range(problem.n_people):
        has = v.has_meeting[p]
        if isinstance(has, int):
            if has == 0:
                continue
            model.add(lo <= v.breaks[p])
        else:
            model.add(lo <= v.breaks[p]).only_enforce_if(has)  # type: ignore[arg-type]
        model.add(hi >= v.breaks[p])
    model.add(hi - lo <= max_diff)


def expression(v: Variables) -> Expr:
    return sum(v.breaks)
