"""``solve(instance) -> Solution``: presolve, a constructive first schedule, then CP-SAT
in lexicographic phases (scheduled weight, fairness, moves, breaks), each fixing the
level reached by the previous one and starting from its schedule.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model
from pydantic import ValidationError

from solver import diagnose, greedy
from solver.decompose import improve_by_session
from solver.instance import Instance
from solver.lp import solve_weight
from solver.model import Variables
from solver.model import build as build_model
from solver.model.objectives import breaks, fairness, moves, weight
from solver.problem import Problem, build
from solver.solution import Assignment, Bound, Solution, Status, Unscheduled
from solver.tables import assign_tables
from solver.validate import break_counts, recompute, validate

log = logging.getLogger("solver")


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives on every improving schedule. ``phase`` is
    weight, fairness, moves or breaks; "first" while looking for any schedule that
    places every meeting, "relaxed" while minimising breaks without the fairness bound
    (its objective may then be below what a fair schedule reaches)."""

    phase: str
    elapsed: float
    objective: float
    bound: float


ProgressCallback = Callable[[Progress], None]

# share of the remaining time each phase may use (the last one gets the rest)
DECOMPOSE_ABOVE = 300  # meetings
LP_ABOVE = 300  # meetings
FAIRNESS_CP_MAX = 1000  # meetings; above, the fairness phase would only cost time

_BUDGET = {"weight": 0.6, "fairness": 0.3, "moves": 0.3, "breaks": 1.0}


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, phase: str, t0: float, callback: ProgressCallback | None, stop: threading.Event | None
    ) -> None:
        super().__init__()
        self.phase, self.t0, self.callback, self.stop = phase, t0, callback, stop

    def on_solution_callback(self) -> None:
        if self.callback is not None:
            self.callback(
                Progress(
                    phase=self.phase,
                    elapsed=time.monotonic() - self.t0,
                    objective=self.objective_value,
                    bound=self.best_objective_bound,
                )
            )
        if self.stop is not None and self.stop.is_set():
            self.stop_search()


def solve(
    instance: Instance,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    deterministic: bool = False,
    progress_callback: ProgressCallback | None = None,
    stop_event: threading.Event | None = None,
) -> Solution:
    """Schedule ``instance``; the returned solution has been checked by ``validate``."""
    t0 = time.monotonic()
    problem = build(instance)
    reasons = diagnose.presolve(problem)
    if reasons:
        log.info("infeasible before search: %s", reasons[0])
        return Solution(
            status=Status.INFEASIBLE,
            reasons=reasons,
            solve_seconds=round(time.monotonic() - t0, 3),
        )
    runner = _Runner(
        problem, t0, time_limit, workers, seed, deterministic, progress_callback, stop_event
    )
    return runner.run()


class _Runner:
    def __init__(
        self,
        problem: Problem,
        t0: float,
        time_limit: float,
        workers: int,
        seed: int,
        deterministic: bool,
        callback: ProgressCallback | None,
        stop: threading.Event | None,
    ) -> None:
        self.pr = problem
        self.t0, self.time_limit = t0, time_limit
        self.workers, self.seed, self.deterministic = max(1, workers), seed, deterministic
        self.callback, self.stop = callback, stop
        self.opts = problem.instance.options
        self.require_all = self.opts.require_all
        self.active = [bool(d) for d in problem.domain]
        self.best: list[int | None] | None = None
        self.proved = True
        self.bound = Bound()
        self.infeasible = False
        self.stopped = False

    def remaining(self) -> float:
        return self.time_limit - (time.monotonic() - self.t0)

    def report(self, phase: str, slots: list[int | None], bound: float) -> None:
        """Tell the progress callback about a schedule found outside CP-SAT (the greedy
        start, the weight LP), so progress shows from the first second."""
        if self.callback is None:
            return
        value = sum(self.pr.weight[m] for m, t in enumerate(slots) if t is not None)
        self.callback(Progress(phase, time.monotonic() - self.t0, float(value), float(bound)))

    def run(self) -> Solution:
        pr = self.pr
        first = greedy.compact(pr)
        complete = all(first[m] is not None for m in range(pr.n_meetings) if self.active[m])
        if (complete or not self.require_all) and _fair(pr, first):
            self.best = first
            self.report(
                "weight", first, sum(w for w, a in zip(pr.weight, self.active, strict=True) if a)
            )
        else:
            complete = False
        if self.require_all or complete:
            self.bound.scheduled_weight = sum(
                pr.weight[m] for m in range(pr.n_meetings) if self.active[m]
            )
        hint: list[int | None] = self.best if self.best is not None else [None] * pr.n_meetings
        if self.require_all and self.best is None:
            hint = self._first_schedule(hint)
        names = [] if self.require_all or complete else ["weight", "fairness"]
        if not self.opts.keep_previous and any(p is not None for p in pr.previous):
            names.append("moves")
        levels: list[tuple[str, int]] = []
        if complete and not self.require_all:
            levels.append(("weight", self.bound.scheduled_weight or 0))
        if "weight" in names and pr.n_meetings > LP_ABOVE:
            hint = self._weight_by_lp(hint, names, levels)
        if _decompose(pr):
            hint = self.run_phases(hint, names, levels, with_breaks=False)
            if not (self.stopped or self.infeasible):
                self.best = improve_by_session(self, self.best or hint)
            self.proved = False  # breaks are minimised per session only
        else:
            self.run_phases(hint, names, levels)
        return self._finish()

    def _first_schedule(self, hint: list[int | None]) -> list[int | None]:
        """Every meeting must take place and greedy found no way: any schedule, from the
        leanest model (no break variables, no fairness, no redundant constraints), as a
        complete hint. On B2BSP ticf-14crafa (an edge colouring with as many slots as
        its busiest participant has meetings) this takes 0.3 s, while the model with
        breaks and counters often finds no schedule at all in a minute."""
        model, v = build_model(
            self.pr,
            self.active,
            with_implied=False,
            with_breaks=False,
            require_all=True,
            with_fairness=False,
        )
        solver = self.make_solver(max(0.1, self.remaining() * 0.2), "first")
        status = self.run_solver(solver, model, "first")
        log.info(
            "first schedule: %s after %.2fs",
            solver.status_name(status),
            time.monotonic() - self.t0,
        )
        if status == cp_model.INFEASIBLE:
            self.infeasible = True  # a relaxation of the whole problem
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return hint
        slots = _read_slots(solver, v, self.pr.n_meetings)
        if _fair(self.pr, slots):
            self.best = slots
        return slots

    def _weight_by_lp(
        self, hint: list[int | None], names: list[str], levels: list[tuple[str, int]]
    ) -> list[int | None]:
        result = solve_weight(self.pr, self.active, self.remaining() * 0.4)
        if result is None:
            return hint
        self.bound.scheduled_weight = result.bound
        value = sum(self.pr.weight[m] for m, t in enumerate(result.slots) if t is not None)
        old = sum(self.pr.weight[m] for m, t in enumerate(hint) if t is not None)
        if value >= old:
            hint = self.best = result.slots
            self.report("weight", result.slots, result.bound)
        if result.integral or value == result.bound:
            names.remove("weight")
            levels.append(("weight", result.bound))
        return hint

    def run_phases(
        self,
        hint: list[int | None],
        names: list[str],
        levels: list[tuple[str, int]] | None = None,
        with_breaks: bool = True,
    ) -> list[int | None]:
        """Lexicographic phases: lean model for weight, fairness and moves; the model with
        break variables last, keeping every level reached before."""
        pr = self.pr
        levels = list(levels or [])
        if names:
            model, v = build_model(pr, self.active, with_breaks=False, require_all=self.require_all)
            for name, value in levels:
                expr, maximize = _objective(name, model, pr, v)
                model.add(expr >= value if maximize else expr <= value)
            for name in names:
                if self.stopped or self.infeasible:
                    return hint
                if name == "fairness" and (
                    pr.n_meetings > FAIRNESS_CP_MAX
                    or (
                        self.best is not None
                        and all(
                            self.best[m] is not None for m in range(pr.n_meetings) if self.active[m]
                        )
                    )
                ):
                    continue
                expr, maximize = _objective(name, model, pr, v)
                hint, reached = self._phase(model, v, name, expr, maximize, hint)
                if reached is not None:
                    levels.append((name, reached))
                    model.add(expr >= reached if maximize else expr <= reached)
        if self.stopped or self.infeasible or not with_breaks:
            return hint
        if self.opts.fairness_max_diff is not None:
            return self._fair_breaks(levels, hint)
        model, v = self._breaks_model(levels)
        expr, maximize = _objective("breaks", model, pr, v)
        hint, _ = self._phase(model, v, "breaks", expr, maximize, hint)
        return hint

    def _breaks_model(
        self,
        levels: list[tuple[str, int]],
        with_fairness: bool = True,
        cheaper_counter: bool = True,
    ) -> tuple[cp_model.CpModel, Variables]:
        model, v = build_model(
            self.pr,
            self.active,
            with_breaks=True,
            require_all=self.require_all,
            with_fairness=with_fairness,
            cheaper_counter=cheaper_counter,
        )
        for name, value in levels:
            expr, maximize = _objective(name, model, self.pr, v)
            model.add(expr >= value if maximize else expr <= value)
        return model, v

    def _fair_breaks(
        self, levels: list[tuple[str, int]], hint: list[int | None]
    ) -> list[int | None]:
        """Fewest breaks under the hard fairness bound.

        The bound couples every participant's break count, and the search then rarely
        finds low-break schedules (B2BSP ticf-14crafa with d = 0: nothing in 60 s, while
        the relaxation without the bound finds its fair optimum of 0 in 8 s). So the
        relaxation first: its optimum is the fair optimum when its schedule happens to
        be fair; otherwise its bound is a lower bound for the full model, which gets the
        rest of the time (and proves the infeasible d = 0 instances in a few seconds).
        The full model takes the other per-slot counter: a hedge, as the better one
        varies (B2BSP tic-13crafc fixed040: the cheaper counter misses the optimum in
        a minute, the other finds it in 20 s).
        """
        relaxed, rv = self._breaks_model(levels, with_fairness=False)
        solver, status = self._search(
            relaxed, rv, "breaks", breaks.expression(rv), False, hint, 0.6, "relaxed"
        )
        if status == cp_model.INFEASIBLE:
            self.infeasible = True
            return hint
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            slots = _read_slots(solver, rv, self.pr.n_meetings)
            if _fair(self.pr, slots):
                hint = self.best = slots
                if status == cp_model.OPTIMAL:
                    self.bound.breaks = round(solver.objective_value)
                    return hint
        if self.stopped:
            return hint
        model, v = self._breaks_model(levels, cheaper_counter=False)
        expr = breaks.expression(v)
        if math.isfinite(solver.best_objective_bound):
            low = max(0, math.ceil(solver.best_objective_bound - 1e-6))
            self.bound.breaks = max(self.bound.breaks or 0, low)
            model.add(expr >= low)
        hint, _ = self._phase(model, v, "breaks", expr, False, hint)
        return hint

    def _phase(
        self,
        model: cp_model.CpModel,
        v: Variables,
        name: str,
        expr: cp_model.LinearExprT,
        maximize: bool,
        hint: list[int | None],
    ) -> tuple[list[int | None], int | None]:
        solver, status = self._search(model, v, name, expr, maximize, hint, _BUDGET[name])
        if status == cp_model.INFEASIBLE:
            self.infeasible = True
            return hint, None
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.proved = False
            return hint, None
        if status != cp_model.OPTIMAL:
            self.proved = False
        value = round(solver.objective_value)
        bound = solver.best_objective_bound
        if name == "weight":
            self.bound.scheduled_weight = math.floor(bound + 1e-6)
        if name == "breaks":
            self.bound.breaks = max(0, math.ceil(bound - 1e-6))
        slots = _read_slots(solver, v, self.pr.n_meetings)
        self.best = slots
        return slots, value

    def _search(
        self,
        model: cp_model.CpModel,
        v: Variables,
        name: str,
        expr: cp_model.LinearExprT,
        maximize: bool,
        hint: list[int | None],
        share: float,
        label: str | None = None,
    ) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
        """One CP-SAT run on ``share`` of the remaining time, from ``hint``; ``label``
        names it in progress reports and logs (default: ``name``)."""
        if maximize:
            model.maximize(expr)
        else:
            model.minimize(expr)
        self._hint(model, v, hint)
        solver = self.make_solver(max(0.1, self.remaining() * share), name)
        status = self.run_solver(solver, model, label or name)
        log.info(
            "phase %s: %s objective=%s bound=%s after %.2fs",
            label or name,
            solver.status_name(status),
            solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
            solver.best_objective_bound,
            time.monotonic() - self.t0,
        )
        return solver, status

    def _hint(self, model: cp_model.CpModel, v: Variables, hint: list[int | None]) -> None:
        """Hint every variable, not just the slots: fix the slots in a copy of the model,
        let propagation derive the rest, and hint all values. A complete, feasible hint
        is CP-SAT's first solution at once. No schedule yet: no hint (a partial one
        misleads the search more than it helps)."""
        model.clear_hints()
        if all(t is None for t in hint):
            return
        trial = model.clone()
        for m, xs in enumerate(v.x):
            for t, lit in xs.items():
                var = trial.get_bool_var_from_proto_index(lit.index)
                trial.add(var == int(hint[m] == t))
        trial.clear_objective()
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(1.0, min(10.0, self.remaining() * 0.3))
        status = solver.solve(trial)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            for i in range(len(model.proto.variables)):
                var = model.get_int_var_from_proto_index(i)
                model.add_hint(var, solver.value(var))
            return
        log.debug("hint is not a complete schedule (%s)", solver.status_name(status))
        for m, xs in enumerate(v.x):
            for t, lit in xs.items():
                model.add_hint(lit, hint[m] == t)

    def make_solver(self, budget: float, name: str) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = self.workers
        p.random_seed = self.seed
        if self.deterministic:
            p.num_workers = 1
            p.max_deterministic_time = budget
            p.max_time_in_seconds = 3 * budget  # a safety net; normally never reached
        else:
            p.max_time_in_seconds = budget
        if name == "breaks" and p.num_workers <= 4:
            # core-based search proves low break counts where the default portfolio stalls
            p.subsolvers.extend(["core", "default_lp", "no_lp", "max_lp"][: p.num_workers])
        p.log_search_progress = log.isEnabledFor(logging.DEBUG)
        p.log_to_stdout = False
        solver.log_callback = log.debug
        return solver

    def run_solver(
        self, solver: cp_model.CpSolver, model: cp_model.CpModel, name: str
    ) -> cp_model.CpSolverStatus:
        reporter = _Reporter(name, self.t0, self.callback, self.stop)
        watcher = _StopWatcher(self.stop, solver)
        with watcher:
            status = solver.solve(model, reporter)
        if watcher.fired:
            self.stopped = True
        return status  # type: ignore[no-any-return]

    def _finish(self) -> Solution:
        pr = self.pr
        elapsed = round(time.monotonic() - self.t0, 3)
        if (self.infeasible and self.best is None) or (self.infeasible and self.opts.require_all):
            return Solution(
                status=Status.INFEASIBLE,
                reasons=[
                    "no schedule satisfies every hard rule"
                    + (" with every meeting scheduled" if self.opts.require_all else "")
                ],
                solve_seconds=elapsed,
            )
        if self.best is None:
            return Solution(
                status=Status.UNKNOWN,
                reasons=[f"no schedule found within {self.time_limit:g}s"],
                solve_seconds=elapsed,
            )
        solution = _to_solution(pr, self.best)
        solution.status = Status.OPTIMAL if self.proved and not self.stopped else Status.FEASIBLE
        solution.bound = self.bound
        solution.solve_seconds = round(time.monotonic() - self.t0, 3)
        errors = validate(pr.instance, solution)
        if errors:  # a bug: never hand out a schedule that breaks a rule
            raise RuntimeError("solver produced an invalid schedule: " + "; ".join(errors[:5]))
        return solution


def _objective(
    name: str, model: cp_model.CpModel, pr: Problem, v: Variables
) -> tuple[cp_model.LinearExprT, bool]:
    """The expression of a phase and whether it is maximised."""
    if name == "weight":
        return weight.expression(pr, v), True
    if name == "fairness":
        return fairness.expression(model, pr, v), True
    if name == "moves":
        return moves.expression(pr, v), False
    return breaks.expression(v), False


def _read_slots(solver: cp_model.CpSolver, v: Variables, n_meetings: int) -> list[int | None]:
    slots: list[int | None] = [None] * n_meetings
    for m, xs in enumerate(v.x):
        for t, lit in xs.items():
            if solver.boolean_value(lit):
                slots[m] = t
    return slots


def _fair(pr: Problem, slots: list[int | None]) -> bool:
    """Whether a schedule respects ``fairness_max_diff`` (greedy ignores it)."""
    d = pr.instance.options.fairness_max_diff
    if d is None:
        return True
    slot_of = {m: t for m, t in enumerate(slots) if t is not None}
    counts = break_counts(pr, slot_of)
    values = [counts[p] for p in {p for m in slot_of for p in pr.ends[m]}]
    return not values or max(values) - min(values) <= d


def _decompose(pr: Problem) -> bool:
    """Large multi-session events are solved session by session after a session plan."""
    return (
        len(pr.runs) > 1
        and pr.n_meetings > DECOMPOSE_ABOVE
        and pr.instance.options.fairness_max_diff is None
        and not pr.instance.options.require_all
    )


def _to_solution(pr: Problem, slots: list[int | None]) -> Solution:
    slot_of = {m: t for m, t in enumerate(slots) if t is not None}
    table_of = assign_tables(pr, slot_of)
    assignments = [
        Assignment(meeting=pr.meeting_ids[m], slot=pr.slot_ids[t], table=table_of.get(m))
        for m, t in sorted(slot_of.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    reasons = diagnose.explain_all(pr, slot_of)
    unscheduled = [
        Unscheduled(meeting=pr.meeting_ids[m], reason=reason) for m, reason in reasons.items()
    ]
    fresh = build(pr.instance)
    return Solution(
        status=Status.FEASIBLE,
        assignments=assignments,
        unscheduled=unscheduled,
        objective=recompute(fresh, slot_of),
    )


class _StopWatcher:
    """Stops the running search when another thread sets ``stop``."""

    def __init__(self, stop: threading.Event | None, solver: cp_model.CpSolver) -> None:
        self.stop, self.solver = stop, solver
        self.fired = False
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _StopWatcher:
        if self.stop is not None:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def _watch(self) -> None:
        assert self.stop is not None
        while not self._done.is_set():
            if self.stop.wait(0.05):
                self.fired = True
                self.solver.stop_search()
                return

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()


def solve_data(data: object, **kwargs: Any) -> Solution:
    """``solve`` for instance JSON data that may be wrong: status INVALID says where."""
    try:
        instance = Instance.model_validate(data)
    except ValidationError as exc:
        reasons = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            reasons.append(f"{loc}: {msg}" if loc else msg)
        return Solution(status=Status.INVALID, reasons=reasons)
    return solve(instance, **kwargs)
