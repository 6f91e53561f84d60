"""Solve runs in their own process, never inside a request.

``start_solve`` records a queued ``SolveRun`` (the database refuses a second queued or
running run of the same event: a partial unique index) and launches
``python -m matchmaker.solve_worker RUN_ID`` in a new session, so closing the browser
or restarting the web process does not stop it. The child:

1. marks the run running (with its pid), builds the instance from the rows;
2. solves, collecting progress (``SolveRun.progress``: [{t, phase, objective, bound,
   breaks}]) that a monitor thread writes every second, when it also reads
   ``SolveRun.stop_requested`` and, when set, stops the search keeping the best
   schedule found;
3. stores the solution on the run as its *proposed* schedule (``scheduling.store_solution``;
   Meeting rows change only when an organiser publishes the run) and marks it
   finished (or stopped).

Any exception marks the run failed with a message. A process killed outright cannot
say so: ``reap_dead_runs`` (called whenever the solve page is viewed and before a new
solve starts) marks runs whose process is gone as failed. Nothing else is touched, so
the published schedule stays as it was.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matchmaker.clock import as_utc, utcnow
from matchmaker.db import make_engine, session_scope
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Event, RunStatus, SolveRun
from matchmaker.scheduling import IdMaps, build_instance, store_solution
from solver.instance import Instance

log = logging.getLogger(__name__)

WORKER_MODULE = "matchmaker.solve_worker"
ACTIVE = (RunStatus.queued, RunStatus.running)
MAX_PROGRESS_POINTS = 300
# A queued run whose process never reported is given up after this long.
QUEUED_GRACE = timedelta(minutes=2)
# A run on another machine is alive while its heartbeat is this recent.
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=60)
HOST = socket.gethostname()

# Processes started by this (web) process by pid, so their exit is collected (no zombies).
_children: dict[int, subprocess.Popen[bytes]] = {}


def _collect() -> None:
    """Collect the exit status of finished worker processes started here."""
    for pid, process in list(_children.items()):
        if process.poll() is not None:
            _children.pop(pid, None)


# --- parameters ---------------------------------------------------------------------


@dataclass(frozen=True)
class SolveParams:
    time_limit: int = 30
    require_all: bool = False
    fairness: int | None = None
    keep_published: bool = True
    # "everyone gets at least N meetings first": ranked above scheduled weight
    min_meetings: int | None = None
    workers: int = 2
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "time_limit": self.time_limit,
            "require_all": self.require_all,
            "fairness": self.fairness,
            "keep_published": self.keep_published,
            "min_meetings": self.min_meetings,
            "workers": self.workers,
            "seed": self.seed,
        }


def _flag(value: Any) -> bool:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip().lower() in ("1", "true", "on", "yes")


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def _whole(data: dict[str, Any], name: str, default: int, message: str) -> int:
    raw = _first(data.get(name, ""))
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise DomainError(message, field=name) from exc


def _optional(
    data: dict[str, Any], name: str, bounds: tuple[int, int], not_whole: str, outside: str
) -> int | None:
    """An optional whole number within ``bounds``; empty is None."""
    raw = _first(data.get(name, ""))
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise DomainError(not_whole, field=name) from exc
    if not bounds[0] <= value <= bounds[1]:
        raise DomainError(outside, field=name)
    return value


def parse_params(data: dict[str, Any]) -> SolveParams:
    """Solve parameters from a form or a dict; raises DomainError naming the field."""
    raw_limit = _first(data.get("time_limit", "30")) or "30"
    try:
        time_limit = int(float(raw_limit))
    except (ValueError, OverflowError) as exc:  # "abc", "nan", "inf"
        raise DomainError(N_("Enter the time limit in seconds."), field="time_limit") from exc
    if not 1 <= time_limit <= 3600:
        raise DomainError(
            N_("The time limit must be between 1 and 3600 seconds."), field="time_limit"
        )
    fairness = _optional(
        data,
        "fairness",
        (0, 100),
        N_("Fairness must be a whole number of breaks, or empty."),
        N_("Fairness must be between 0 and 100 breaks."),
    )
    min_meetings = _optional(
        data,
        "min_meetings",
        (1, 50),
        N_("Enter a whole number of meetings, or leave it empty."),
        N_("The minimum must be between 1 and 50 meetings."),
    )
    workers = _whole(data, "workers", min(2, os.cpu_count() or 1), N_("Enter a whole number."))
    seed = _whole(data, "seed", 0, N_("Enter a whole number."))
    return SolveParams(
        time_limit=time_limit,
        require_all=_flag(data.get("require_all", "")),
        fairness=fairness,
        keep_published=_flag(data.get("keep_published", "")),
        min_meetings=min_meetings,
        workers=max(1, min(workers, 16)),
        seed=seed,
    )


# --- starting, stopping, reaping (web side) ------------------------------------------


def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def start_solve(
    engine: Engine,
    event_id: int,
    params: SolveParams | dict[str, Any],
    by_account: int | None,
    *,
    launch: bool = True,
) -> int:
    """Queue a solve of the event and launch its worker process; returns the run id.

    Commits on its own (the worker process must see the run). Raises Conflict when
    another solve of the event is queued or running."""
    if isinstance(params, dict):
        params = parse_params(params)
    with session_scope(engine) as session:
        if session.get(Event, event_id) is None:
            raise NotFound(N_("No such event."))
        reap_dead_runs(session, event_id)
    try:
        with session_scope(engine) as session:
            run = SolveRun(
                event_id=event_id,
                started_by=by_account,
                parameters=params.as_dict(),
                status=RunStatus.queued,
            )
            session.add(run)
            session.flush()
            assert run.id is not None
            run_id = run.id
    except IntegrityError as exc:
        raise Conflict(N_("A solve of this event is already running.")) from exc
    if launch:
        launch_worker(engine, run_id)
    return run_id


def launch_worker(engine: Engine, run_id: int) -> int:
    """Start the worker process of a queued run; returns its pid."""
    return _spawn(engine, run_id).pid


def run_in_child(engine: Engine, run_id: int) -> int:
    """Solve a queued run in its own process and wait for it (the job queue's worker on
    PostgreSQL: the solve keeps its own process, its lower priority and its stop signal,
    and the worker's concurrency bounds the solves on a machine); the exit code."""
    process = _spawn(engine, run_id)
    code = process.wait()
    _children.pop(process.pid, None)
    return code


def _spawn(engine: Engine, run_id: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["MATCHMAKER_DATABASE_URL"] = database_url(engine)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, str(run_id)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        fail_run(engine, run_id, f"could not start the solve process: {exc}")
        raise DomainError(N_("The solve process could not be started.")) from exc
    _collect()
    _children[process.pid] = process
    with session_scope(engine) as session:
        session.execute(
            update(SolveRun)
            .where(col(SolveRun.id) == run_id, col(SolveRun.pid).is_(None))
            .values(pid=process.pid)
        )
    return process


def request_stop(session: Session, event: Event, run_id: int) -> SolveRun:
    """Ask a queued or running solve to stop; it keeps the best schedule found."""
    run = session.get(SolveRun, run_id)
    if run is None or run.event_id != event.id:
        raise NotFound(N_("No such solve run."))
    if run.status not in ACTIVE:
        raise Conflict(N_("This solve has already ended."))
    run.stop_requested = True
    session.add(run)
    session.flush()
    return run


def _pid_alive(pid: int) -> bool:
    process = _children.get(pid)
    if process is not None:
        if process.poll() is None:
            return True
        _children.pop(pid, None)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.parent.exists():
        try:
            # empty for a zombie; another program when the pid was reused
            return WORKER_MODULE.encode() in cmdline.read_bytes()
        except OSError:
            return False
    return True


def _run_alive(run: SolveRun) -> bool:
    if run.worker_host and run.worker_host != HOST:  # another machine's worker took it
        beat = as_utc(run.heartbeat_at or run.started_at)
        return beat is not None and utcnow() - beat < STALE_AFTER
    if run.pid is None:
        created = as_utc(run.created_at)
        assert created is not None
        return utcnow() - created < QUEUED_GRACE
    return _pid_alive(run.pid)


def _death(run: SolveRun) -> str:
    if run.pid is None and not run.worker_host:
        return N_(
            "No solve worker took this solve within two minutes: is `matchmaker worker` "
            "running?"
        )
    return N_("The solve process ended unexpectedly.")


def reap_dead_runs(session: Session, event_id: int | None = None) -> list[int]:
    """Mark queued/running runs whose process is gone as failed; returns their ids."""
    _collect()
    query = select(SolveRun).where(col(SolveRun.status).in_(ACTIVE))
    if event_id is not None:
        query = query.where(SolveRun.event_id == event_id)
    reaped = []
    for run in session.exec(query).all():
        if _run_alive(run):
            continue
        result = session.execute(
            update(SolveRun)
            .where(col(SolveRun.id) == run.id, col(SolveRun.status).in_(ACTIVE))
            .values(status=RunStatus.failed, message=_death(run), finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            reaped.append(run.id or 0)
            session.refresh(run)
    return reaped


def fail_run(engine: Engine, run_id: int, message: str) -> None:
    """Mark a run failed with ``message`` (its process or its queue could not run it)."""
    with session_scope(engine) as session:
        session.execute(
            update(SolveRun)
            .where(col(SolveRun.id) == run_id)
            .values(status=RunStatus.failed, message=message[:4000], finished_at=utcnow())
        )


# --- the worker process -------------------------------------------------------------


class _Progress:
    """Collects the solver's progress (solver thread) for the monitor to store.

    Times are this process's own clock since the solve began. Only reports about the
    whole event update the figures: the solver's per-session sub-searches report the
    breaks of one session, on their own clock, and are recognised by that clock."""

    def __init__(self, weight: int | None) -> None:
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.points: list[dict[str, Any]] = []
        self.weight: float | None = weight
        self.weight_bound: float | None = weight
        self.breaks: float | None = None
        self.breaks_bound: float | None = None
        self.sessions_done = 0  # per-session searches seen so far
        self._sub_elapsed = float("inf")
        self.dirty = False

    def __call__(self, p: Any) -> None:
        now = time.monotonic() - self.t0
        phase = str(getattr(p, "phase", ""))
        elapsed = float(getattr(p, "elapsed", now))
        whole_event = abs(elapsed - now) < 1.0
        with self.lock:
            if not whole_event:
                if elapsed < self._sub_elapsed:  # a new per-session search began
                    self.sessions_done += 1
                self._sub_elapsed = elapsed
                phase = f"{phase}-session"
            elif phase == "weight":
                self.weight, self.weight_bound = p.objective, p.bound
            elif phase == "breaks":
                self.breaks = p.objective
                self.breaks_bound = p.bound if p.bound is not None and p.bound >= 0 else None
            self._add(now, phase)

    def finish(self, solution: Any) -> None:
        """The solution's own figures as the last point."""
        objective, bound = solution.objective, solution.bound
        with self.lock:
            if objective is not None:
                self.weight, self.breaks = objective.scheduled_weight, objective.breaks
                self.weight_bound = bound.scheduled_weight
                self.breaks_bound = bound.breaks
            self._add(time.monotonic() - self.t0, "end")

    def _add(self, now: float, phase: str) -> None:
        point = {
            "t": round(now, 2),
            "phase": phase,
            "objective": _num(self.weight),
            "bound": _num(self.weight_bound),
            "breaks": _num(self.breaks),
            "breaks_bound": _num(self.breaks_bound),
            "sessions": self.sessions_done,
        }
        if self.points and self.points[-1]["t"] == point["t"]:
            self.points[-1] = point
        else:
            self.points.append(point)
        if len(self.points) > MAX_PROGRESS_POINTS:
            # keep the first point and thin the rest
            self.points = [self.points[0], *self.points[2::2]]
        self.dirty = True

    def snapshot(self) -> list[dict[str, Any]] | None:
        with self.lock:
            if not self.dirty:
                return None
            self.dirty = False
            return [dict(p) for p in self.points]


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    if abs(value - round(value)) < 1e-9:
        return round(float(value))
    return round(float(value), 4)


def _monitor(
    engine: Engine, run_id: int, progress: _Progress, stop: threading.Event, done: threading.Event
) -> None:
    last_beat = time.monotonic()
    while not done.wait(1.0):
        try:
            with session_scope(engine) as session:
                run = session.get(SolveRun, run_id)
                if run is None:
                    stop.set()
                    return
                points = progress.snapshot()
                if points is not None:
                    run.progress = points
                    session.add(run)
                if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                    run.heartbeat_at = utcnow()
                    session.add(run)
                    last_beat = time.monotonic()
                if run.stop_requested:
                    stop.set()
        except Exception:  # a busy database must not end the solve
            log.exception("solve %s: could not record progress", run_id)


def _known_weight(instance: Any) -> int | None:
    """The scheduled weight before any report: when every meeting must be scheduled, it
    is the weight of all meetings that can take place at all; otherwise unknown."""
    if not instance.options.require_all:
        return None
    from solver.problem import build

    problem = build(instance)
    return sum(w for w, dom in zip(problem.weight, problem.domain, strict=True) if dom)


@dataclass(frozen=True)
class _Claimed:
    """A queued run this process has taken, with the problem it is to solve."""

    params: SolveParams
    instance: Instance
    maps: IdMaps
    stop_requested: bool


def _claim(engine: Engine, run_id: int) -> _Claimed | None:
    """Mark queued run ``run_id`` running and build its instance; None if it cannot run."""
    with session_scope(engine) as session:
        run = session.get(SolveRun, run_id)
        if run is None:
            log.error("solve run %s does not exist", run_id)
            return None
        if run.status != RunStatus.queued:
            log.error("solve run %s is %s, not queued", run_id, run.status.value)
            return None
        run.status = RunStatus.running
        run.pid = os.getpid()
        run.worker_host = HOST
        run.started_at = run.heartbeat_at = utcnow()
        session.add(run)
        params = parse_params(dict(run.parameters or {}))
        event = session.get(Event, run.event_id)
        if event is None:
            raise NotFound(N_("No such event."))
        instance, maps = build_instance(
            session,
            event,
            require_all=params.require_all,
            fairness=params.fairness,
            keep_published=params.keep_published,
            min_meetings=params.min_meetings,
        )
        return _Claimed(params, instance, maps, run.stop_requested)


def _failure_message(exc: BaseException) -> str:
    """What the run history shows for a run that failed with ``exc``."""
    if isinstance(exc, DomainError):
        return exc.message % exc.params if exc.params else exc.message
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return N_("The solve process was interrupted.")
    traceback.print_exc()
    return f"{type(exc).__name__}: {exc}"


def run_worker(run_id: int, url: str) -> int:
    """The child process: solve one run; returns the process exit code."""
    from solver.api import solve

    engine = make_engine(url)
    stop = threading.Event()
    done = threading.Event()
    monitor: threading.Thread | None = None
    try:
        claimed = _claim(engine, run_id)
        if claimed is None:
            return 2
        params, instance, maps = claimed.params, claimed.instance, claimed.maps
        progress = _Progress(_known_weight(instance))
        if claimed.stop_requested:
            stop.set()
        monitor = threading.Thread(
            target=_monitor, args=(engine, run_id, progress, stop, done), daemon=True
        )
        monitor.start()
        solution = solve(
            instance,
            time_limit=params.time_limit,
            workers=params.workers,
            seed=params.seed,
            progress_callback=progress,
            stop_event=stop,
        )
        done.set()
        monitor.join()
        progress.finish(solution)
        with session_scope(engine) as session:
            run = session.get(SolveRun, run_id)
            event = session.get(Event, run.event_id) if run is not None else None
            if run is None or event is None:
                return 2
            store_solution(session, event, run, solution, maps)
            points = progress.snapshot()
            if points is not None:
                run.progress = points
            stopped = stop.is_set() or run.stop_requested
            run.status = RunStatus.stopped if stopped else RunStatus.finished
            run.finished_at = utcnow()
            session.add(run)
        log.info("solve run %s: %s", run_id, solution.summary())
        return 0
    except BaseException as exc:
        done.set()
        if monitor is not None:
            monitor.join(timeout=5)
        try:
            fail_run(engine, run_id, _failure_message(exc))
        except Exception:
            log.exception("solve run %s: could not record the failure", run_id)
        return 1
    finally:
        engine.dispose()


def _on_term(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


SOLVE_NICENESS = 10  # participants' pages come first; the solve takes what is left


def _lower_priority() -> None:
    """A solve uses every core it gets for minutes: run it below the web workers."""
    try:
        os.nice(SOLVE_NICENESS)
    except OSError as exc:  # not permitted here: the solve still runs, at normal priority
        logging.getLogger(__name__).warning("could not lower the solve's priority: %s", exc)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        print("usage: python -m matchmaker.solve_worker RUN_ID", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    signal.signal(signal.SIGTERM, _on_term)
    _lower_priority()
    url = os.environ.get("MATCHMAKER_DATABASE_URL", "")
    if not url:  # started by hand: the same settings as the web application
        from matchmaker.settings import Settings

        url = Settings().resolved_database_url()
    return run_worker(int(args[0]), url)


def wait_for(engine: Engine, run_id: int, timeout: float = 60.0) -> SolveRun:
    """Wait until a run has ended (for the command line and tests)."""
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine, expire_on_commit=False) as session:
            reap_dead_runs(session)
            session.commit()
            run = session.get(SolveRun, run_id)
            if run is None:
                raise NotFound(N_("No such solve run."))
            if run.status not in ACTIVE:
                return run
        if time.monotonic() > deadline:
            raise TimeoutError(f"solve run {run_id} still {run.status.value}")
        time.sleep(0.1)


if __name__ == "__main__":
    raise SystemExit(main())
