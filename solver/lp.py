"""Scheduled weight by linear programming (GLOP), for large events.

The weight phase of a realistic event is an assignment problem whose linear relaxation
is (nearly) integral, which a simplex solves in seconds where a SAT search crawls. The LP
value is a true upper bound on scheduled weight; an integral LP solution is a proved
optimal schedule for it. A fractional one is rounded down and completed first-fit.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from solver.greedy import complete
from solver.problem import Problem

log = logging.getLogger("solver")


@dataclass
class WeightLP:
    slots: list[int | None]
    bound: int  # floor of the LP optimum: no schedule does better
    integral: bool


Vars = list[dict[int, pywraplp.Variable]]  # meeting -> slot -> share of the meeting there


def solve_weight(
    problem: Problem, active: list[bool], time_limit: float, fairness: bool = True
) -> WeightLP | None:
    """Most weight by LP, then (with ``fairness``, time allowing) the fairest such schedule."""
    pr = problem
    started = time.monotonic()
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:  # pragma: no cover - GLOP ships with ortools
        return None
    lp.SetTimeLimit(max(1, int(time_limit * 1000)))
    x = _hard_rows(lp, pr, active)
    objective = lp.Objective()
    _set_weights(objective, pr, x)
    objective.SetMaximization()
    status = lp.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        log.info("weight LP: status %s", status)
        return None
    value = objective.Value()
    plain = _rounded(pr, x)
    log.info("weight LP: %.2f (%s)", value, "integral" if plain.integral else "fractional")
    result = WeightLP(slots=plain.slots, bound=math.floor(value + 1e-6), integral=plain.integral)
    if not fairness or time.monotonic() - started > time_limit / 2:
        return result
    return _fairer(lp, pr, x, value, result)


def _hard_rows(lp: pywraplp.Solver, pr: Problem, active: list[bool]) -> Vars:
    """The share variables and every hard rule's rows (participants, teams, tables, order)."""
    x = _variables(lp, pr, active)
    for p in range(pr.n_people):
        _person_limits(lp, pr, x, p)
    for p in pr.teams:
        _team_limits(lp, pr, x, p)
    _table_limits(lp, pr, x)
    _precedence(lp, pr, x)
    return x


def _variables(lp: pywraplp.Solver, pr: Problem, active: list[bool]) -> Vars:
    """A share variable per active meeting and possible slot; fixed meetings take a whole one."""
    x: Vars = []
    for m, dom in enumerate(pr.domain):
        if not active[m]:
            x.append({})
            continue
        lo = 1.0 if pr.fixed[m] is not None else 0.0
        xs = {t: lp.NumVar(0.0, 1.0, f"x[{m},{t}]") for t in dom}
        x.append(xs)
        c = lp.Constraint(lo, 1.0)
        for var in xs.values():
            c.SetCoefficient(var, 1.0)
    return x


def _at_most(lp: pywraplp.Solver, lits: list[pywraplp.Variable], k: float) -> None:
    if len(lits) > k:
        c = lp.Constraint(-lp.infinity(), k)
        for var in lits:
            c.SetCoefficient(var, 1.0)


def _person_limits(lp: pywraplp.Solver, pr: Problem, x: Vars, p: int) -> None:
    """Participant ``p``'s capacity per slot, meetings per day and consecutive meetings."""
    cap = pr.capacity[p]
    by_slot: dict[int, list[pywraplp.Variable]] = {}
    for m in pr.meetings_of[p]:
        for t, var in x[m].items():
            by_slot.setdefault(t, []).append(var)
    for lits in by_slot.values():
        _at_most(lp, lits, cap)
    limit = pr.max_per_day[p]
    if limit is not None:
        for ts in pr.days.values():
            _at_most(lp, [v for t in ts for v in by_slot.get(t, [])], limit)
    k = pr.max_consecutive[p]
    if k is not None:
        for run in pr.runs:
            for i in range(len(run) - k):
                _at_most(lp, [v for t in run[i : i + k + 1] for v in by_slot.get(t, [])], cap * k)


def _team_limits(lp: pywraplp.Solver, pr: Problem, x: Vars, p: int) -> None:
    """Team ``p``: per slot the people present, one meeting per slot for a required
    person, and per day what its people can hold then (their daily limits summed)."""
    team = pr.teams[p]
    by_slot: dict[int, list[pywraplp.Variable]] = {}
    by_person: dict[tuple[int, int], list[pywraplp.Variable]] = {}
    for m in pr.meetings_of[p]:
        r = pr.required.get((m, p))
        for t, var in x[m].items():
            by_slot.setdefault(t, []).append(var)
            if r is not None:
                by_person.setdefault((r, t), []).append(var)
    for t, lits in by_slot.items():
        _at_most(lp, lits, len(team.present(t)))
    for lits in by_person.values():
        _at_most(lp, lits, 1)
    if team.size > 1 and any(k is not None for k in team.max_per_day):
        for ts in pr.days.values():
            most = 0
            for r in range(team.size):
                here = sum(1 for t in ts if t not in team.away[r])
                limit = team.max_per_day[r]
                most += here if limit is None else min(here, limit)
            _at_most(lp, [v for t in ts for v in by_slot.get(t, [])], most)


def _table_limits(lp: pywraplp.Solver, pr: Problem, x: Vars) -> None:
    """Per slot, no more meetings than free tables, nor than a host's home tables."""
    free: dict[int, list[pywraplp.Variable]] = {}
    home: dict[tuple[int, int], list[pywraplp.Variable]] = {}
    for m, xs in enumerate(x):
        h = pr.home_of[m]
        for t, var in xs.items():
            if h is None:
                free.setdefault(t, []).append(var)
            else:
                home.setdefault((h, t), []).append(var)
    for lits in free.values():
        _at_most(lp, lits, len(pr.free_tables))
    for (h, _t), lits in home.items():
        _at_most(lp, lits, len(pr.home_tables[h]))


def _precedence(lp: pywraplp.Solver, pr: Problem, x: Vars) -> None:
    """A meeting in slot t excludes the meetings that must come before it at t or later."""
    for m, befores in enumerate(pr.after):
        for a in befores:
            for t, var in x[m].items():
                _at_most(lp, [var, *(v for u, v in x[a].items() if u >= t)], 1)


def _set_weights(row: pywraplp.Objective | pywraplp.Constraint, pr: Problem, x: Vars) -> None:
    for m, xs in enumerate(x):
        for var in xs.values():
            row.SetCoefficient(var, float(pr.weight[m]))


def _fairer(lp: pywraplp.Solver, pr: Problem, x: Vars, value: float, result: WeightLP) -> WeightLP:
    """Second level: raise the worst-off share without losing weight.

    The fairer schedule is kept only when, rounded, it still has all the weight.
    """
    keep = lp.Constraint(value - 1e-6, lp.infinity())
    _set_weights(keep, pr, x)
    z = lp.NumVar(0.0, 1.0, "min_share")
    for ms in pr.meetings_of:
        live = [m for m in ms if x[m]]
        if live:
            c = lp.Constraint(0.0, lp.infinity())  # scheduled_p - n_p * z >= 0
            c.SetCoefficient(z, -float(len(live)))
            for m in live:
                for var in x[m].values():
                    c.SetCoefficient(var, 1.0)
    objective = lp.Objective()
    objective.Clear()
    objective.SetCoefficient(z, 1.0)
    objective.SetMaximization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return result
    fair = _rounded(pr, x)
    if _weight(pr, fair.slots) >= _weight(pr, result.slots) and _min_share(pr, fair.slots) >= (
        _min_share(pr, result.slots)
    ):
        log.info("fairness LP: min share %.3f", _min_share(pr, fair.slots))
        return WeightLP(slots=fair.slots, bound=result.bound, integral=result.integral)
    return result


@dataclass
class _Rounded:
    slots: list[int | None]
    integral: bool


def _rounded(pr: Problem, x: list[dict[int, pywraplp.Variable]]) -> _Rounded:
    slots: list[int | None] = [None] * pr.n_meetings
    integral = True
    for m, xs in enumerate(x):
        for t, var in xs.items():
            val = var.solution_value()
            if val > 1 - 1e-6:
                slots[m] = t
            elif val > 1e-6:
                integral = False
    if not integral or pr.teams:  # the LP knows nothing of people: greedy checks them
        rounded = slots
        slots = complete(pr, slots)
        integral = integral and slots == rounded
    return _Rounded(slots, integral)


def _weight(pr: Problem, slots: list[int | None]) -> int:
    return sum(pr.weight[m] for m, t in enumerate(slots) if t is not None)


def _min_share(pr: Problem, slots: list[int | None]) -> float:
    shares = [
        sum(1 for m in ms if slots[m] is not None) / len(ms)
        for ms in ([m for m in ms if pr.domain[m]] for ms in pr.meetings_of)
        if ms
    ]
    return min(shares, default=1.0)


@dataclass
class FairnessBounds:
    min_share: float | None  # no schedule of the weight has a higher worst-off share
    zero_meeting: int  # every schedule of the weight leaves at least this many at zero
    schedules: list[list[int | None]]  # the two LP optima rounded (maybe less weight)


def fairness_bounds(
    problem: Problem,
    active: list[bool],
    weight: int,
    floor_level: int | None,
    time_limit: float,
) -> FairnessBounds | None:
    """Bounds over every schedule with at least ``weight`` (and, with
    ``options.min_meetings``, at least ``floor_level`` floor meetings), from one LP
    solved twice: the most participants with a meeting (y_p ≤ 1, y_p ≤ scheduled_p),
    then the largest z with ``scheduled_p ≥ n_p × z`` for every participant (each solve
    within ``time_limit``). None when the first gives no answer in time."""
    pr = problem
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:  # pragma: no cover - GLOP ships with ortools
        return None
    lp.SetTimeLimit(max(1, int(time_limit * 1000)))
    x = _hard_rows(lp, pr, active)
    keep = lp.Constraint(weight - 1e-6, lp.infinity())
    _set_weights(keep, pr, x)
    n = pr.instance.options.min_meetings
    if n is not None and floor_level is not None:
        _floor(lp, pr, x, n, floor_level)
    z = lp.NumVar(0.0, 1.0, "min_share")
    objective = lp.Objective()
    people = 0
    for p, ms in enumerate(pr.meetings_of):
        live = [m for m in ms if x[m]]
        if not live:
            continue
        people += 1
        y = lp.NumVar(0.0, 1.0, f"has_meeting[{p}]")
        objective.SetCoefficient(y, 1.0)
        share = lp.Constraint(0.0, lp.infinity())  # scheduled_p - n_p * z >= 0
        share.SetCoefficient(z, -float(len(live)))
        has = lp.Constraint(0.0, lp.infinity())  # scheduled_p - y_p >= 0
        has.SetCoefficient(y, -1.0)
        for m in live:
            for var in x[m].values():
                share.SetCoefficient(var, 1.0)
                has.SetCoefficient(var, 1.0)
    objective.SetMaximization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    zero = people - math.floor(objective.Value() + 1e-6)
    covering = _rounded(pr, x).slots
    objective.Clear()
    objective.SetCoefficient(z, 1.0)
    objective.SetMaximization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return FairnessBounds(None, max(0, zero), [covering])
    share = min(1.0, z.solution_value() + 1e-6)
    return FairnessBounds(share, max(0, zero), [covering, _rounded(pr, x).slots])


def _floor(lp: pywraplp.Solver, pr: Problem, x: Vars, n: int, level: int) -> None:
    """At least ``level`` floor meetings: sum of f_p with f_p ≤ min(n, scheduled_p)."""
    total = lp.Constraint(level - 1e-6, lp.infinity())
    for p, ms in enumerate(pr.meetings_of):
        live = [m for m in ms if x[m]]
        if not live:
            continue
        f = lp.NumVar(0.0, float(min(n, len(live))), f"floor[{p}]")
        total.SetCoefficient(f, 1.0)
        c = lp.Constraint(0.0, lp.infinity())  # scheduled_p - f_p >= 0
        c.SetCoefficient(f, -1.0)
        for m in live:
            for var in x[m].values():
                c.SetCoefficient(var, 1.0)
