"""The phase runner: CP-SAT in lexicographic phases (each fixing the level reached by the
previous one and starting from its schedule), with its time budget, progress reports
and stop flag. ``solver.api`` builds the whole solve on it; ``solver.decompose`` runs
one per session.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver import lp
from solver.model import Variables
from solver.model import build as build_model
from solver.model.objectives import breaks, coverage, fairness, floor, moves, weight
from solver.problem import Problem
from solver.solution import Bound
from solver.validate import break_counts

log = logging.getLogger("solver")


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives on every improving schedule. ``phase`` is
    floor, weight, coverage, fairness, moves or breaks; "first" while looking for any schedule that
    places every meeting, "relaxed" while minimising breaks without the fairness bound
    (its objective may then be below what a fair schedule reaches)."""

    phase: str
    elapsed: float
    objective: float
    bound: float


ProgressCallback = Callable[[Progress], None]
# a fairness phase's search on a large event: (runner, phase, schedule, levels) ->
# (better schedule, its level)
LocalPhase = Callable[
    ["Runner", str, list[int | None], list[tuple[str, int]]], tuple[list[int | None], int]
]

# meetings; above, the fairness phases search neighbourhoods of the worst-off
# participants (solver.neighbourhood) instead of the whole event
FAIRNESS_CP_MAX = 1000
FAIR_PHASES = ("floor", "coverage", "fairness")

# meetings; up to this size the break phase with two workers runs two core-based
# searches (different seeds) instead of one core search beside LNS (see make_solver)
TWO_CORES_MAX = 500

# share of the remaining time each phase may use (the last one gets the rest)
_BUDGET = {
    "floor": 0.5,
    "weight": 0.6,
    "coverage": 0.3,
    "fairness": 0.3,
    "moves": 0.3,
    "breaks": 1.0,
}


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


class Runner:
    """The state of one solve: the best schedule so far, the bound, and whether it was
    proved, stopped or found infeasible."""

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
        # schedulable meetings per participant (of the whole event, also in a child)
        self.live_count = [sum(1 for m in ms if problem.domain[m]) for ms in problem.meetings_of]
        # the search of fairness phases above FAIRNESS_CP_MAX meetings (api sets it to
        # solver.neighbourhood.raise_worst_off); None: CP-SAT on the whole model
        self.local_phase: LocalPhase | None = None
        self.is_child = False
        self.share_cap: float | None = None  # a bound on min share proved by CP-SAT
        self.zero_floor: int | None = None  # participants at zero, proved by CP-SAT

    def child(self, problem: Problem, time_limit: float) -> Runner:
        """A runner for part of the event (same settings), searching it with CP-SAT."""
        sub = Runner(
            problem,
            time.monotonic(),
            time_limit,
            self.workers,
            self.seed,
            self.deterministic,
            self.callback,
            self.stop,
        )
        sub.live_count, sub.is_child = self.live_count, True
        sub.bound = Bound(min_share=self.bound.min_share, zero_meeting=self.bound.zero_meeting)
        return sub

    def remaining(self) -> float:
        return self.time_limit - (time.monotonic() - self.t0)

    def report(self, phase: str, slots: list[int | None], bound: float) -> None:
        """Tell the progress callback about a schedule found outside CP-SAT (the greedy
        start, the weight LP), so progress shows from the first second."""
        if self.callback is None:
            return
        value = sum(self.pr.weight[m] for m, t in enumerate(slots) if t is not None)
        self.callback(Progress(phase, time.monotonic() - self.t0, float(value), float(bound)))

    def run_phases(
        self,
        hint: list[int | None],
        names: list[str],
        levels: list[tuple[str, int]] | None = None,
        with_breaks: bool = True,
    ) -> list[int | None]:
        """Lexicographic phases: lean model for weight, fairness and moves; the model with
        break variables last, keeping every level reached before."""
        levels = list(levels or [])
        hint = self._lean_phases(hint, names, levels)
        if self.stopped or self.infeasible or not with_breaks:
            return hint
        hint = self.before_breaks(hint)
        if self.opts.fairness_max_diff is not None:
            return self._fair_breaks(levels, hint)
        model, v = self._breaks_model(levels)
        expr, maximize = self._objective("breaks", model, v)
        hint, _ = self._phase(model, v, "breaks", expr, maximize, hint)
        return hint

    def before_breaks(self, hint: list[int | None]) -> list[int | None]:
        """A better start for the break phase, if the subclass knows one (the whole solve
        does, on large events: ``solver.compaction``)."""
        return hint

    def _lean_phases(
        self, hint: list[int | None], names: list[str], levels: list[tuple[str, int]]
    ) -> list[int | None]:
        """The phases before breaks, appending the level each reaches to ``levels``. On
        large events the fairness phases search neighbourhoods (``local_phase``)."""
        lean: tuple[cp_model.CpModel, Variables] | None = None
        bounded = False
        for name in names:
            if self.stopped or self.infeasible:
                break
            if self._skip(name, hint):
                continue
            if name in ("coverage", "fairness") and not (self.is_child or bounded):
                hint = self._fairness_bounds(hint, levels)
                bounded = True
            reached: int | None = self._at_bound(name, hint)
            if reached is not None:  # nothing to gain: keep the level, skip the search
                levels.append((name, reached))
                continue
            if name in FAIR_PHASES and self.local_phase is not None:
                hint, reached = self.local_phase(self, name, hint, levels)
                self.best, self.proved = hint, False
                lean = None  # rebuilt with this level when a later phase needs it
            else:
                if lean is None:
                    lean = self._lean_model(levels)
                expr, maximize = self._objective(name, *lean)
                self._cap(lean[0], name, expr)
                hint, reached = self._phase(*lean, name, expr, maximize, hint)
                if reached is not None:
                    lean[0].add(expr >= reached if maximize else expr <= reached)
            if reached is not None:
                levels.append((name, reached))
        if self.share_cap is not None:  # what CP-SAT proved, when tighter than the LP
            self.bound.min_share = min(self.bound.min_share or 1.0, self.share_cap)
        if self.zero_floor is not None:
            self.bound.zero_meeting = max(self.bound.zero_meeting or 0, self.zero_floor)
        return hint

    def _lean_model(self, levels: list[tuple[str, int]]) -> tuple[cp_model.CpModel, Variables]:
        """The model without break variables, keeping ``levels``."""
        model, v = build_model(
            self.pr,
            self.active,
            with_implied=not self.is_child,  # most of a child's meetings are fixed
            with_breaks=False,
            require_all=self.require_all,
        )
        for name, value in levels:
            expr, maximize = self._objective(name, model, v)
            model.add(expr >= value if maximize else expr <= value)
        return model, v

    def _skip(self, name: str, slots: list[int | None]) -> bool:
        """Fairness phases with nothing to do: every meeting placed; the min share while
        someone is at zero (it is 0 then; coverage has done what it could)."""
        if name not in FAIR_PHASES:
            return False
        if all(slots[m] is not None for m in range(self.pr.n_meetings) if self.active[m]):
            return True
        if name == "fairness":
            return phase_value(self, "coverage", slots) < sum(1 for n in self.live_count if n)
        return False

    def _at_bound(self, name: str, slots: list[int | None]) -> int | None:
        """The level of ``slots`` on a fairness phase when it already meets the LP bound."""
        b = self.bound
        if name == "coverage" and b.zero_meeting is not None:
            cap = sum(1 for n in self.live_count if n) - b.zero_meeting
        elif name == "fairness" and b.min_share is not None:
            cap = math.floor(fairness.SCALE * b.min_share + 1e-6)
        else:
            return None
        value = phase_value(self, name, slots)
        return value if value >= cap else None

    def _fairness_bounds(
        self, slots: list[int | None], levels: list[tuple[str, int]]
    ) -> list[int | None]:
        """LP bounds at this weight on the worst-off share and on the participants left
        at zero (CP-SAT may tighten them later); and the schedule to go on from: the
        LP's rounded optima when one is as good on ``levels`` and fairer."""
        if phase_value(self, "fairness", slots) >= fairness.SCALE:
            self.bound.min_share, self.bound.zero_meeting = 1.0, 0
            return slots
        weight_now = sum(self.pr.weight[m] for m, t in enumerate(slots) if t is not None)
        floor_level = dict(levels).get("floor")
        budget = max(1.0, self.remaining() * 0.15)  # per LP solve; two solves
        got = lp.fairness_bounds(self.pr, self.active, weight_now, floor_level, budget)
        self.bound.min_share = round(self._slot_share_bound(), 6)
        if got is None:
            return slots
        if got.min_share is not None:
            self.bound.min_share = min(self.bound.min_share, round(got.min_share, 6))
        if got.zero_meeting:  # someone at zero in every schedule of this weight
            self.bound.min_share = 0.0
        self.bound.zero_meeting = got.zero_meeting
        best = slots
        for other in got.schedules:
            if self._fairer(other, best, levels):
                best = other
        if best is not slots:
            log.info("fairness LP: a rounded optimum is fairer at the same levels")
            self.best = best
        return best

    def _slot_share_bound(self) -> float:
        """A bound on the worst-off share that needs no LP: a participant holds at most
        its capacity in each slot where one of its meetings could take place."""
        pr, share = self.pr, 1.0
        for p, n in enumerate(self.live_count):
            if n:
                usable = {t for m in pr.meetings_of[p] if self.active[m] for t in pr.domain[m]}
                share = min(share, min(n, len(usable) * pr.capacity[p]) / n)
        return share

    def _fairer(
        self, slots: list[int | None], than: list[int | None], levels: list[tuple[str, int]]
    ) -> bool:
        """Whether ``slots`` keeps every (maximised) level and is better on coverage, then
        on the worst-off share, than ``than``."""
        kept = [(n, v) for n, v in levels if n in ("floor", "weight", "coverage")]
        if any(phase_value(self, name, slots) < value for name, value in kept):
            return False
        key = [phase_value(self, name, slots) for name in ("coverage", "fairness")]
        return key > [phase_value(self, name, than) for name in ("coverage", "fairness")]

    def _cap(self, model: cp_model.CpModel, name: str, expr: cp_model.LinearExprT) -> None:
        """The LP bound as a constraint, so that a phase reaching it stops, proved."""
        if name == "coverage" and self.bound.zero_meeting is not None:
            model.add(expr <= sum(1 for n in self.live_count if n) - self.bound.zero_meeting)
        if name == "fairness" and self.bound.min_share is not None:
            model.add(expr <= math.floor(fairness.SCALE * self.bound.min_share + 1e-6))

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
            expr, maximize = self._objective(name, model, v)
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
            slots = read_slots(solver, rv, self.pr.n_meetings)
            if is_fair(self.pr, slots):
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
        share = 0.9 if self.is_child else _BUDGET[name]  # a child runs one phase
        solver, status = self._search(model, v, name, expr, maximize, hint, share)
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
            # Both this search's bound and one found before (the LP's) hold: keep the tighter.
            found = math.floor(bound + 1e-6)
            known = self.bound.scheduled_weight
            self.bound.scheduled_weight = found if known is None else min(known, found)
        if name == "breaks":
            self.bound.breaks = max(0, math.ceil(bound - 1e-6))
        if status == cp_model.OPTIMAL and name == "coverage":
            self.zero_floor = sum(1 for n in self.live_count if n) - value
            if self.zero_floor:
                self.share_cap = 0.0  # someone stays at zero in every schedule of this weight
        if status == cp_model.OPTIMAL and name == "fairness":
            self.share_cap = min(1.0, (value + 1) / fairness.SCALE)
        slots = read_slots(solver, v, self.pr.n_meetings)
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
        self._hint(model, v, hint, optimise=name in FAIR_PHASES)
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

    def _hint(
        self, model: cp_model.CpModel, v: Variables, hint: list[int | None], optimise: bool = False
    ) -> None:
        """Hint every variable, not just the slots: fix the slots in a copy of the model,
        let propagation derive the rest, and hint all values. A complete, feasible hint
        is CP-SAT's first solution at once. No schedule yet: no hint (a partial one
        misleads the search more than it helps). ``optimise`` keeps the objective in the
        copy: the fairness phases' counters (``has_meeting``, ``min_share``) are not
        implied by the slots, and a hint with them all at 0 starts the search far below
        the schedule's own level."""
        model.clear_hints()
        if all(t is None for t in hint):
            return
        trial = model.clone()
        for m, xs in enumerate(v.x):
            for t, lit in xs.items():
                var = trial.get_bool_var_from_proto_index(lit.index)
                trial.add(var == int(hint[m] == t))
        if not optimise:
            trial.clear_objective()
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(1.0, min(10.0, self.remaining() * 0.3))
        status = solver.solve(trial)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # the whole solution at once (one add_hint per variable costs ~0.3 s here)
            values = list(solver.response_proto.solution)
            hints = model.proto.solution_hint
            hints.vars.extend(range(len(values)))
            hints.values.extend(values)
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
            if p.num_workers == 2 and not self.is_child and self.pr.n_meetings <= TWO_CORES_MAX:
                # With two workers CP-SAT runs one full worker (core) and shares the other
                # thread among LNS. On B2BSP the schedule at the optimum comes from the core
                # search, whose run time varies a lot with the seed: two of them, seeded
                # differently, halve forum-13crafb (median 20 s -> 11 s). Large events keep
                # LNS, which is what improves their schedules.
                p.num_full_subsolvers = 2
                p.subsolvers.extend(["core", "core_seeded"])
                p.merge_text_format(
                    'subsolver_params { name: "core_seeded" optimize_with_core: true '
                    f"linearization_level: 0 random_seed: {self.seed + 17} }}"
                )
            else:
                p.subsolvers.extend(["core", "default_lp", "no_lp", "max_lp"][: p.num_workers])
        if self.is_child:
            # a neighbourhood with a complete hint: improving moves, not presolve, pay
            p.max_presolve_iterations = 1
            p.cp_model_probing_level = 0
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

    def _objective(
        self, name: str, model: cp_model.CpModel, v: Variables
    ) -> tuple[cp_model.LinearExprT, bool]:
        """The expression of a phase and whether it is maximised."""
        pr = self.pr
        if name == "floor":
            n = self.opts.min_meetings or 0
            return floor.expression(model, pr, v, n, self.live_count), True
        if name == "weight":
            return weight.expression(pr, v), True
        if name == "coverage":
            return coverage.expression(model, pr, v), True
        if name == "fairness":
            return fairness.expression(model, pr, v, self.live_count), True
        if name == "moves":
            return moves.expression(pr, v), False
        return breaks.expression(v), False


def phase_value(runner: Runner, name: str, slots: list[int | None]) -> int:
    """The level a schedule reaches on a phase (weight, floor, coverage or fairness), as
    its CP-SAT expression counts it (for ``fairness``: the largest z with
    z × n_p ≤ SCALE × scheduled_p for all p)."""
    pr, live = runner.pr, runner.live_count
    got = [0] * pr.n_people
    for m, t in enumerate(slots):
        if t is not None and runner.active[m]:
            for p in pr.ends[m]:
                got[p] += 1
    pairs = [(got[p], n) for p, n in enumerate(live) if n]
    if name == "weight":
        return sum(pr.weight[m] for m, t in enumerate(slots) if t is not None and runner.active[m])
    if name == "floor":
        return sum(min(runner.opts.min_meetings or 0, g) for g, _ in pairs)
    if name == "coverage":
        return sum(1 for g, _ in pairs if g)
    return min((fairness.SCALE * g // n for g, n in pairs), default=fairness.SCALE)


def read_slots(solver: cp_model.CpSolver, v: Variables, n_meetings: int) -> list[int | None]:
    slots: list[int | None] = [None] * n_meetings
    for m, xs in enumerate(v.x):
        for t, lit in xs.items():
            if solver.boolean_value(lit):
                slots[m] = t
    return slots


def is_fair(pr: Problem, slots: list[int | None]) -> bool:
    """Whether a schedule respects ``fairness_max_diff`` (greedy ignores it)."""
    d = pr.instance.options.fairness_max_diff
    if d is None:
        return True
    slot_of = {m: t for m, t in enumerate(slots) if t is not None}
    counts = break_counts(pr, slot_of)
    values = [counts[p] for p in {p for m in slot_of for p in pr.ends[m]}]
    return not values or max(values) - min(values) <= d


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
