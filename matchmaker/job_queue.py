"""The queues that deliver jobs to workers; what a job does is ``jobs.execute`` either way.

- PostgreSQL: procrastinate. ``enqueue`` defers the task ``matchmaker.run_job`` and
  ``matchmaker worker`` runs procrastinate's worker, on as many machines as needed (they
  share the database and the var folder, where uploads and results are files).
  Procrastinate's tables live in their own schema, ``procrastinate``, made when first
  needed, so the application's schema, its migrations and its backups stay its own.
- SQLite (the embedded default): no queue server; ``matchmaker worker`` (started by
  ``matchmaker serve``) polls the job table and claims a job with a conditional UPDATE.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from matchmaker import jobs, solve_worker
from matchmaker.db import session_scope
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Job, JobStatus

log = logging.getLogger(__name__)

TASK_NAME = "matchmaker.run_job"
SOLVE_TASK = "matchmaker.run_solve"
QUEUE = "matchmaker"
SCHEMA = "procrastinate"
POLL_SECONDS = 0.5
REAP_SECONDS = 5.0
WORKER_NICENESS = 5  # below the web workers (participants first), above a solve


def uses_procrastinate(engine: Engine) -> bool:
    return engine.url.get_backend_name() == "postgresql"


# --- procrastinate (PostgreSQL) ------------------------------------------------------


def _conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


_schema_ready: set[str] = set()
_apps: dict[str, Any] = {}
_apps_lock = threading.Lock()


def ensure_schema(engine: Engine) -> None:
    """Create procrastinate's tables in their own schema unless they are there already
    (under an advisory lock: several processes may start at once)."""
    from procrastinate.schema import SchemaManager

    key = _conninfo(engine)
    if key in _schema_ready:
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727001)")
        found = conn.exec_driver_sql(f"SELECT to_regclass('{SCHEMA}.procrastinate_jobs')")
        if found.scalar() is None:
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            conn.exec_driver_sql(f"SET LOCAL search_path TO {SCHEMA}")
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute(SchemaManager.get_schema())
    _schema_ready.add(key)


@dataclass
class _WorkerContext:
    engine: Engine
    var_dir: Path


_context: _WorkerContext | None = None


def _run_job(job_id: int) -> None:
    """The procrastinate task: the same work as the SQLite worker's."""
    if _context is None:
        raise RuntimeError("the job worker was not set up")
    jobs.execute(_context.engine, job_id, _context.var_dir)


def _run_solve(run_id: int) -> None:
    """The procrastinate task of a solve: its own process, waited for."""
    if _context is None:
        raise RuntimeError("the job worker was not set up")
    code = solve_worker.run_in_child(_context.engine, run_id)
    if code:
        log.warning("solve run %s: its process ended with code %s", run_id, code)


def procrastinate_app(engine: Engine) -> Any:
    """This database's procrastinate application (one per process), its task registered."""
    import procrastinate

    key = _conninfo(engine)
    with _apps_lock:
        app = _apps.get(key)
        if app is None:
            connector = procrastinate.PsycopgConnector(
                conninfo=key,
                kwargs={"options": f"-c search_path={SCHEMA}"},
                min_size=1,
                max_size=4,
            )
            app = procrastinate.App(connector=connector)
            app.task(name=TASK_NAME, queue=QUEUE)(_run_job)
            app.task(name=SOLVE_TASK, queue=QUEUE)(_run_solve)
            _apps[key] = app
        return app


def _defer(engine: Engine, task: str, **arguments: int) -> None:
    # Opened for the one deferral: jobs and solves are asked for a few times an hour,
    # and no pool is left behind in every web process.
    ensure_schema(engine)
    with procrastinate_app(engine).open() as app:
        app.tasks[task].defer(**arguments)


def enqueue(engine: Engine, job_id: int) -> None:
    """Hand a committed, queued job to its queue (on SQLite the workers find it alone).
    A queue that cannot take it leaves the job failed, to be retried from its page."""
    if not uses_procrastinate(engine):
        return
    try:
        _defer(engine, TASK_NAME, job_id=job_id)
    except Exception as exc:
        log.exception("job %s: could not be queued", job_id)
        with session_scope(engine) as session:
            job = session.get(Job, job_id)
            if job is not None and job.status == JobStatus.queued:
                job.status = JobStatus.failed
                job.error = f"could not be queued: {type(exc).__name__}"
                session.add(job)


def start_solve(
    engine: Engine,
    event_id: int,
    params: solve_worker.SolveParams | dict[str, Any],
    by_account: int | None,
) -> int:
    """Queue a solve (``solve_worker.start_solve``) and have it run: on PostgreSQL by
    whichever ``matchmaker worker`` takes it from the queue, on any machine; on SQLite
    in a process of its own started here, beside the web server. The run id."""
    if not uses_procrastinate(engine):
        return solve_worker.start_solve(engine, event_id, params, by_account)
    run_id = solve_worker.start_solve(engine, event_id, params, by_account, launch=False)
    try:
        _defer(engine, SOLVE_TASK, run_id=run_id)
    except Exception as exc:
        log.exception("solve run %s: could not be queued", run_id)
        solve_worker.fail_run(engine, run_id, f"could not be queued: {type(exc).__name__}")
        raise DomainError(N_("The solve could not be queued.")) from exc
    return run_id


def submit(
    engine: Engine,
    event_id: int,
    kind: str,
    params: dict[str, Any],
    by_account: int | None,
    *,
    fresh: bool = False,
) -> jobs.Started:
    """Ask for a job (``jobs.start``) and queue it when it is a new one."""
    started = jobs.start(engine, event_id, kind, params, by_account, fresh=fresh)
    if started.created:
        enqueue(engine, started.job_id)
    return started


def retry(engine: Engine, job_id: int) -> None:
    with session_scope(engine) as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(N_("No such job."))
        jobs.retry(session, job)
    enqueue(engine, job_id)


# --- workers -------------------------------------------------------------------------------


def _reap(engine: Engine) -> None:
    try:
        with session_scope(engine) as session:
            for job_id in jobs.reap_dead_jobs(session):
                log.warning("job %s: its worker stopped; marked failed", job_id)
    except Exception:
        log.exception("could not look for dead workers")


def _poll(engine: Engine, var_dir: Path, *, until_idle: bool, stop: threading.Event) -> None:
    """The SQLite queue: claim the oldest queued job (conditional UPDATE), run it, repeat."""
    last_reap = 0.0
    while not stop.is_set():
        if time.monotonic() - last_reap > REAP_SECONDS:
            _reap(engine)
            last_reap = time.monotonic()
        ran = False
        for job_id in jobs.next_queued(engine):
            if jobs.execute(engine, job_id, var_dir):
                ran = True
                break  # look again from the oldest
        if not ran:
            if until_idle:
                return
            stop.wait(POLL_SECONDS)


def _procrastinate(engine: Engine, *, until_idle: bool, name: str) -> None:
    ensure_schema(engine)
    app = procrastinate_app(engine)

    async def work() -> None:
        async with app.open_async():
            await app.run_worker_async(
                queues=[QUEUE],
                name=name,
                wait=not until_idle,
                # Two at a time: a solve (waited for in a thread while its own process
                # works, minutes long) must not hold the documents up behind it.
                concurrency=2,
                install_signal_handlers=threading.current_thread() is threading.main_thread(),
                # A job that is not ours to run any more (reaped, retried) is skipped by
                # jobs.claim; procrastinate's own rows are not kept once done.
                delete_jobs="always",
            )

    asyncio.run(work())


def run_worker(
    engine: Engine,
    var_dir: Path,
    *,
    until_idle: bool = False,
    nice: bool = False,
    stop: threading.Event | None = None,
) -> None:
    """Run jobs until stopped (SIGTERM, Ctrl+C, or ``stop`` set: SQLite only), or until
    none is left (``until_idle``)."""
    global _context
    _context = _WorkerContext(engine, var_dir)
    if nice:
        try:
            os.nice(WORKER_NICENESS)
        except OSError as exc:
            log.warning("could not lower the job worker's priority: %s", exc)
    _reap(engine)
    if uses_procrastinate(engine):
        _procrastinate(engine, until_idle=until_idle, name=f"matchmaker-{jobs.HOST}-{os.getpid()}")
        return
    stopping = stop or threading.Event()
    if threading.current_thread() is threading.main_thread() and not until_idle:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
    _poll(engine, var_dir, until_idle=until_idle, stop=stopping)


def wait_for(engine: Engine, job_id: int, timeout: float = 60.0) -> Job:
    """Wait until a job has ended (for the command line and tests)."""
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine, expire_on_commit=False) as session:
            jobs.reap_dead_jobs(session)
            session.commit()
            job = session.get(Job, job_id)
            if job is None:
                raise NotFound(N_("No such job."))
            if job.status not in jobs.ACTIVE:
                return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} still {job.status.value}")
        time.sleep(0.05)
