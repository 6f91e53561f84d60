"""Heavy work as jobs: documents (table plan, table signs, all agendas), exports, import
checks and imports run in a worker process, never inside a request.

A ``Job`` row says what to make (kind and parameters) and how far it got. The web page
records one (``start``) and polls it; a worker claims it (``claim``: a conditional
UPDATE, so two workers never take the same job) and runs it (``execute``), writing the
result file under ``var/jobs`` and the job's progress, heartbeat and outcome. What a job
does is the same whichever queue delivered it (``matchmaker.job_queue``: procrastinate on
PostgreSQL, a polling loop on SQLite).

A document made for a schedule is the cached answer for its ``cache_key`` (the kind, its
parameters and ``schedule_stamp``: the published version and the last change of any
meeting): asking again serves the same file until a new version is published or a
meeting is moved. A worker killed outright cannot say so: ``reap_dead_jobs`` marks its
job failed (its process is gone, or its heartbeat stopped) and the job can be retried.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from matchmaker import checkin, exporting, importing, printing
from matchmaker.clock import as_utc, utcnow
from matchmaker.db import session_scope
from matchmaker.documents import render_pdf
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Event, Job, JobStatus, Meeting, ScheduleVersion
from matchmaker.paths import private_dir
from matchmaker.settings import Settings
from matchmaker.templating import document_environment

log = logging.getLogger(__name__)

ACTIVE = (JobStatus.queued, JobStatus.running)
HEARTBEAT_SECONDS = 2.0
# A running job whose worker has not written for this long is given up, whichever
# machine it runs on (on the worker's own machine a vanished process is seen at once).
STALE_AFTER = timedelta(seconds=60)
KEEP_RESULTS = 3  # result files kept per kind of document and event
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


# --- what a job makes ----------------------------------------------------------------------


@dataclass
class Output:
    content: bytes | None = None  # the result file, when there is one
    filename: str = ""
    media_type: str = ""
    outcome: dict[str, Any] = field(default_factory=dict)
    ok: bool = True  # False: keep nothing the job wrote (an import with problems)


class Work:
    """What a running job is given: its session and event, its parameters, the var
    folder, and ``report`` to say how far it got (written by the heartbeat thread)."""

    def __init__(self, session: Session, event: Event, job: Job, var_dir: Path) -> None:
        self.session = session
        self.event = event
        self.params: dict[str, Any] = dict(job.params or {})
        self.started_by = job.started_by
        self.var_dir = var_dir
        self.lock = threading.Lock()
        self.progress = 0
        self.message = ""
        self.dirty = False

    @property
    def locale(self) -> str:
        return str(self.params.get("locale", "vi"))

    def report(self, progress: int, message: str) -> None:
        with self.lock:
            self.progress = max(0, min(99, int(progress)))
            self.message = message
            self.dirty = True

    def steps(self, start: int, end: int, message: str) -> Callable[[int, int], None]:
        """A callback for ``done of total`` items that maps onto start..end percent."""

        def step(done: int, total: int) -> None:
            share = done / total if total else 1.0
            self.report(start + round((end - start) * share), message)

        return step

    def owner(self) -> Account:
        account = self.session.get(Account, self.started_by) if self.started_by else None
        if account is None:
            raise NotFound(N_("This import has expired. Upload the file again."))
        return account


@dataclass(frozen=True)
class Kind:
    title: str  # msgid
    make: Callable[[Work], Output]
    # Whether a finished job is served again for the same schedule (None: never cached).
    cached: Callable[[dict[str, Any]], bool] = lambda _params: False
    # Only whoever started it may see it (an import holds that organiser's upload).
    personal: bool = False


class _PageProgress(logging.Handler):
    """WeasyPrint logs each page it lays out ("Step 5 - Creating layout - Page 12") on
    ``weasyprint.progress``: the job of the rendering thread hears how far it got."""

    current = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        work, expected = getattr(self.current, "job", (None, 0))
        message = record.getMessage()
        if work is None or "Creating layout - Page" not in message:
            return
        page = int(message.rsplit(" ", 1)[-1])
        share = min(1.0, page / expected) if expected else 0.0
        work.report(40 + round(50 * share), N_("Laying out the pages…"))


_page_logger = logging.getLogger("weasyprint.progress")
_page_logger.addHandler(_PageProgress())
_page_logger.setLevel(logging.INFO)
_page_logger.propagate = False  # a line per page is for the job's page, not the log


def _pdf(work: Work, template: str, filename: str, pages: int = 0, **context: Any) -> Output:
    """``pages``: about how many pages it will have (0: not known), for the progress."""
    work.report(40, N_("Laying out the pages…"))
    _PageProgress.current.job = (work, pages)
    try:
        body = render_pdf(document_environment(), template, locale=work.locale, **context)
    finally:
        _PageProgress.current.job = (None, 0)
    return Output(body, filename, PDF)


def _table_plan(work: Work) -> Output:
    work.report(5, N_("Reading the schedule…"))
    plans = printing.table_plan(work.session, work.event)
    days = printing.group_by_day(plans, work.event)
    return _pdf(work, "print/table_plan.html", "table-plan.pdf", event=work.event, days=days)


def _table_signs(work: Work) -> Output:
    work.report(5, N_("Reading the schedule…"))
    signs = printing.table_signs(work.session, work.event)
    return _pdf(
        work, "print/table_signs.html", "table-signs.pdf", len(signs), event=work.event, signs=signs
    )


def _agendas(work: Work) -> Output:
    step = work.steps(5, 40, N_("Gathering every participant's agenda…"))
    # The worker is its own process: the video server comes from its environment, as
    # the web application's does.
    video_base = Settings().video_base_url
    items = printing.all_agendas(work.session, work.event, progress=step, video_base=video_base)
    checkin.ensure_codes(work.session, [item.participant for item in items])
    sheets = [(item.participant, item.agenda) for item in items]
    codes = {item.participant.id: item.participant.checkin_code for item in items}
    return _pdf(
        work, "agenda/print.html", "agendas.pdf", pages=len(sheets), sheets=sheets, codes=codes
    )


def _export(work: Work) -> Output:
    name, fmt = str(work.params.get("name", "")), str(work.params.get("format", ""))
    if name not in exporting.BUILDERS or fmt not in ("csv", "xlsx"):
        raise NotFound(N_("No such export."))
    work.report(10, N_("Reading the data…"))
    export = exporting.BUILDERS[name](work.session, work.event, work.locale)
    work.report(60, N_("Writing the file…"))
    if fmt == "csv":
        body, media = exporting.to_csv(export.table()), CSV
    else:
        body, media = exporting.to_xlsx(export), XLSX
    return Output(body, f"{work.event.slug}-{name}.{fmt}", media)


def _import_outcome(result: importing.CheckResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "new_people": result.new_people,
        "updated_people": result.updated_people,
        "new_organisations": result.new_organisations,
        "problems": [[p.line, p.target, p.message, p.params] for p in result.problems],
    }


def _upload(work: Work) -> tuple[importing.Upload, dict[str, int | None]]:
    upload = importing.load_upload(work.var_dir, str(work.params.get("token", "")), work.owner())
    raw = work.params.get("mapping") or {}
    mapping = {t: raw.get(t) if isinstance(raw.get(t), int) else None for t in importing.FIELDS}
    return upload, mapping


def _import_check(work: Work) -> Output:
    upload, mapping = _upload(work)
    step = work.steps(0, 95, N_("Checking the rows…"))
    result = importing.check(work.session, work.event, upload, mapping, progress=step)
    return Output(outcome=_import_outcome(result))


def _import_run(work: Work) -> Output:
    upload, mapping = _upload(work)
    step = work.steps(0, 60, N_("Checking the rows…"))
    result = importing.run_import(
        work.session, work.event, upload, mapping, work.owner(), progress=step
    )
    if result.ok:
        work.report(90, N_("Saving…"))
    return Output(outcome=_import_outcome(result), ok=result.ok)


KINDS: dict[str, Kind] = {
    "table_plan": Kind(N_("Table plan"), _table_plan, cached=lambda _p: True),
    "table_signs": Kind(N_("Table signs"), _table_signs, cached=lambda _p: True),
    "agendas": Kind(N_("All agendas"), _agendas, cached=lambda _p: True),
    # Participants and requests change all the time: made afresh each time they are asked.
    "export": Kind(
        N_("Export"), _export, cached=lambda p: p.get("name") in ("meetings", "schedule")
    ),
    "import_check": Kind(N_("Import check"), _import_check, personal=True),
    "import_run": Kind(N_("Import"), _import_run, personal=True),
}


# --- asking for a job (web side) -------------------------------------------------------


def schedule_stamp(session: Session, event: Event) -> tuple[int | None, str]:
    """The published version number, and a stamp that changes with the schedule: a new
    version, and any change of a meeting after it (a move by hand, a cancellation)."""
    version = session.exec(
        select(ScheduleVersion.id, ScheduleVersion.number)
        .where(ScheduleVersion.event_id == event.id, ScheduleVersion.kind == "final")
        .order_by(col(ScheduleVersion.number).desc())
    ).first()
    changed, count = session.exec(
        select(func.max(Meeting.updated_at), func.count(col(Meeting.id))).where(
            Meeting.event_id == event.id
        )
    ).one()
    number = version[1] if version else None
    last = changed_at.isoformat() if (changed_at := as_utc(changed)) else "-"
    return number, f"{version[0] if version else '-'}/{count}/{last}"


def _cache_key(kind: str, params: dict[str, Any], stamp: str) -> str:
    body = json.dumps({"params": params, "schedule": stamp}, sort_keys=True)
    return f"{kind}:{hashlib.sha256(body.encode()).hexdigest()[:40]}"


@dataclass(frozen=True)
class Started:
    job_id: int
    created: bool  # False: an existing job (cached or under way) answers the request


def start(
    engine: Engine,
    event_id: int,
    kind: str,
    params: dict[str, Any],
    by_account: int | None,
    *,
    fresh: bool = False,
) -> Started:
    """Record a queued job, or find the one that already answers it: a finished document
    for the same schedule (unless ``fresh``) or the same one under way. Commits on its own
    (the worker must see the row); the caller hands new jobs to the queue."""
    spec = KINDS.get(kind)
    if spec is None:
        raise NotFound(N_("No such job."))
    with session_scope(engine) as session:
        event = session.get(Event, event_id)
        if event is None:
            raise NotFound(N_("No such event."))
        reap_dead_jobs(session)
        version, key = None, ""
        if spec.cached(params):
            version, stamp = schedule_stamp(session, event)
            key = _cache_key(kind, params, stamp)
            existing = _answering(session, event_id, key, fresh=fresh)
            if existing is not None:
                return Started(existing, created=False)
        job = Job(
            event_id=event_id,
            kind=kind,
            params=params,
            cache_key=key,
            schedule_version=version,
            started_by=by_account,
        )
        session.add(job)
        session.flush()
        assert job.id is not None
        return Started(job.id, created=True)


def _answering(session: Session, event_id: int, key: str, *, fresh: bool) -> int | None:
    """The newest job with ``key`` that is under way, or finished with its file kept."""
    statuses = ACTIVE if fresh else (*ACTIVE, JobStatus.finished)
    job = session.exec(
        select(Job)
        .where(Job.event_id == event_id, Job.cache_key == key, col(Job.status).in_(statuses))
        .order_by(col(Job.id).desc())
    ).first()
    if job is None or (job.status == JobStatus.finished and not job.result_path):
        return None
    return job.id


def visible_job(session: Session, event: Event, job_id: int, account: Account) -> Job:
    """A job of the event that ``account`` (an organiser) may see."""
    job = session.get(Job, job_id)
    if job is None or job.event_id != event.id or job.kind not in KINDS:
        raise NotFound(N_("No such job."))
    if KINDS[job.kind].personal and job.started_by != account.id:
        raise NotFound(N_("No such job."))
    return job


def retry(session: Session, job: Job) -> Job:
    """Queue a failed job again (the caller hands it to the queue after committing)."""
    if job.status != JobStatus.failed:
        raise Conflict(N_("Only a failed job can be tried again."))
    job.status = JobStatus.queued
    job.progress, job.message, job.error = 0, "", ""
    job.worker_pid, job.worker_host, job.heartbeat_at = None, "", None
    job.started_at = job.finished_at = None
    session.add(job)
    session.flush()
    return job


def result_file(var_dir: Path, job: Job) -> Path:
    """The finished job's file; NotFound when there is none (any more)."""
    if job.status != JobStatus.finished or not job.result_path:
        raise NotFound(N_("This file is not ready."))
    path = var_dir / job.result_path
    if not path.is_file():
        raise NotFound(N_("This file is no longer kept: make it again."))
    return path


# --- dead workers ---------------------------------------------------------------------------


HOST = socket.gethostname()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child not yet collected by its parent is a zombie: dead all the same
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _dead(job: Job) -> bool:
    if job.worker_host == HOST and job.worker_pid is not None and not _pid_alive(job.worker_pid):
        return True
    beat = as_utc(job.heartbeat_at or job.started_at)
    return beat is not None and utcnow() - beat > STALE_AFTER


def reap_dead_jobs(session: Session) -> list[int]:
    """Mark running jobs whose worker is gone as failed; returns their ids."""
    reaped = []
    for job in session.exec(select(Job).where(Job.status == JobStatus.running)).all():
        if not _dead(job):
            continue
        result = session.execute(
            update(Job)
            .where(
                col(Job.id) == job.id,
                col(Job.status) == JobStatus.running,
                col(Job.attempts) == job.attempts,
            )
            .values(
                status=JobStatus.failed,
                error=N_("The worker doing this job stopped before it finished."),
                finished_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            reaped.append(job.id or 0)
            session.refresh(job)
    return reaped


# --- doing a job (worker side) ---------------------------------------------------------------


def claim(engine: Engine, job_id: int) -> int | None:
    """Take queued job ``job_id`` for this process; its attempt number, or None when
    another worker took it first (or it is not queued)."""
    now = utcnow()
    with session_scope(engine) as session:
        result = session.execute(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.status) == JobStatus.queued)
            .values(
                status=JobStatus.running,
                attempts=Job.attempts + 1,
                worker_pid=os.getpid(),
                worker_host=HOST,
                started_at=now,
                heartbeat_at=now,
                progress=0,
                message="",
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        attempts = session.exec(select(Job.attempts).where(Job.id == job_id)).one()
    return int(attempts)


def next_queued(engine: Engine) -> list[int]:
    """Queued jobs, oldest first (a polling worker tries to claim them in turn)."""
    with Session(engine) as session:
        query = select(Job.id).where(Job.status == JobStatus.queued).order_by(col(Job.id))
        return [int(i) for i in session.exec(query.limit(20)).all() if i is not None]


def _still_mine(job_id: int, attempt: int) -> Any:
    return (
        col(Job.id) == job_id,
        col(Job.status) == JobStatus.running,
        col(Job.attempts) == attempt,
    )


def _beat(engine: Engine, job_id: int, attempt: int, work: Work, done: threading.Event) -> None:
    while not done.wait(HEARTBEAT_SECONDS):
        with work.lock:
            values: dict[str, Any] = {"heartbeat_at": utcnow()}
            if work.dirty:
                values.update(progress=work.progress, message=work.message[:300])
                work.dirty = False
        try:
            with session_scope(engine) as session:
                session.execute(update(Job).where(*_still_mine(job_id, attempt)).values(**values))
        except Exception:  # a busy database must not end the job
            log.exception("job %s: could not record progress", job_id)


def _store(var_dir: Path, job_id: int, output: Output) -> str:
    folder = private_dir(var_dir / "jobs")
    name = f"{job_id}-{output.filename}"
    partial = folder / f".{name}.part"
    partial.write_bytes(output.content or b"")
    partial.replace(folder / name)
    return f"jobs/{name}"


def _prune(session: Session, var_dir: Path, job: Job) -> None:
    """Drop the files of older documents of the same kind: only the newest few are kept."""
    older = session.exec(
        select(Job)
        .where(
            Job.event_id == job.event_id,
            Job.kind == job.kind,
            Job.status == JobStatus.finished,
            col(Job.id) < job.id,
            Job.result_path != "",
        )
        .order_by(col(Job.id).desc())
        .offset(KEEP_RESULTS - 1)
    ).all()
    for old in older:
        (var_dir / old.result_path).unlink(missing_ok=True)
        old.result_path = ""
        session.add(old)


def _failure(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return exc.message % exc.params if exc.params else exc.message
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return N_("The worker doing this job stopped before it finished.")
    traceback.print_exc()
    return f"{type(exc).__name__}: {exc}"


def execute(engine: Engine, job_id: int, var_dir: Path) -> bool:
    """Claim and run one job; False when it was not this worker's to run."""
    attempt = claim(engine, job_id)
    if attempt is None:
        return False
    done = threading.Event()
    beat: threading.Thread | None = None
    try:
        with Session(engine, expire_on_commit=False) as session:
            job = session.get(Job, job_id)
            event = session.get(Event, job.event_id) if job is not None else None
            if job is None or event is None:
                raise NotFound(N_("No such event."))
            kind, work = job.kind, Work(session, event, job, var_dir)
            beat = threading.Thread(
                target=_beat, args=(engine, job_id, attempt, work, done), daemon=True
            )
            beat.start()
            output = KINDS[kind].make(work)
            _finish(session, var_dir, job_id, attempt, output)
            done.set()  # joined after the commit: a heartbeat may wait for this write lock
        beat.join()
        if kind == "import_run" and output.ok:
            importing.discard_upload(var_dir, str(work.params.get("token", "")))
        return True
    except BaseException as exc:
        done.set()
        if beat is not None:
            beat.join(timeout=5)
        _record_failure(engine, job_id, attempt, exc)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return True


def _finish(session: Session, var_dir: Path, job_id: int, attempt: int, output: Output) -> None:
    """Store the result and mark the job finished, in the transaction of what it wrote;
    nothing stays when it was given up meanwhile (reaped as dead)."""
    if not output.ok:
        session.rollback()
    path = _store(var_dir, job_id, output) if output.content is not None else ""
    finished = session.execute(
        update(Job)
        .where(*_still_mine(job_id, attempt))
        .values(
            status=JobStatus.finished,
            progress=100,
            message="",
            result_path=path,
            result_name=output.filename,
            outcome=output.outcome,
            finished_at=utcnow(),
        )
    )
    if not finished.rowcount:  # type: ignore[attr-defined]
        session.rollback()
        if path:
            (var_dir / path).unlink(missing_ok=True)
        return
    if path:
        job = session.get(Job, job_id)
        assert job is not None
        session.refresh(job)
        _prune(session, var_dir, job)
    session.commit()


def _record_failure(engine: Engine, job_id: int, attempt: int, exc: BaseException) -> None:
    try:
        with session_scope(engine) as session:
            session.execute(
                update(Job)
                .where(*_still_mine(job_id, attempt))
                .values(status=JobStatus.failed, error=_failure(exc)[:4000], finished_at=utcnow())
            )
    except Exception:
        log.exception("job %s: could not record the failure", job_id)
