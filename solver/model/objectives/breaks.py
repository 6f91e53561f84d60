"""Goal 4: few breaks; plus the optional hard bound on the spread of break counts.

A break is a maximal idle run between two meetings of a participant inside one session.
The break literals are exact (not just bounds), so the counts can also be bounded from
below for fairness.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Expr, Variables
from solver.problem import Problem


def add(model: cp_model.CpModel, problem: Problem, v: Variables, require_all: bool) -> None:
    """Define ``v.breaks[p]`` and ``v.has_meeting[p]`` for every participant.

    A break starts in slot t when p meets in t, not in t-1, but met earlier in the
    session: ``brk[p@t] = busy[t] ∧ ¬busy[t-1] ∧ seen[t-1]`` with
    ``seen[t] = seen[t-1] ∨ busy[t]``. Each objective literal is one real break (as
    the MaxSAT model's soft clauses), so core-based search starts from "no break at all".
    """
    for p, busy in enumerate(v.busy):
        pid = problem.person_ids[p]
        terms: list[cp_model.IntVar] = []
        for run in problem.runs:
            lits = [(t, busy[t]) for t in run if t in busy]
            if len(lits) < 2:
                continue  # a break lies between two meetings
            seen: cp_model.IntVar | None = None
            prev_t = -2
            prev_b: cp_model.IntVar | None = None
            for t, b in lits:
                if seen is not None:
                    adjacent = prev_t == t - 1
                    brk = model.new_bool_var(f"break[{pid}@{problem.slot_ids[t]}]")
                    # brk <-> b ∧ seen ∧ (not adjacent-busy)
                    model.add_implication(brk, b)
                    model.add_implication(brk, seen)
                    if adjacent:
                        assert prev_b is not None
                        model.add_implication(brk, prev_b.Not())
                        model.add_bool_or([brk, b.Not(), seen.Not(), prev_b])
                    else:
                        model.add_bool_or([brk, b.Not(), seen.Not()])
                    terms.append(brk)
                    nxt = model.new_bool_var(f"seen[{pid}@{problem.slot_ids[t]}]")
                    model.add_max_equality(nxt, [seen, b])
                    seen = nxt
                else:
                    seen = b
                prev_t, prev_b = t, b
        v.breaks.append(sum(terms) if terms else 0)
        live = [m for m in problem.meetings_of[p] if v.x[m]]
        if not live:
            v.has_meeting.append(0)
        elif require_all or any(problem.fixed[m] is not None for m in live):
            v.has_meeting.append(1)
        else:
            h = model.new_bool_var(f"has_meeting[{pid}]")
            model.add_max_equality(h, [v.scheduled[m] for m in live])  # type: ignore[list-item]
            v.has_meeting.append(h)


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
