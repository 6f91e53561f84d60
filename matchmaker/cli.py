"""The `matchmaker` command: thin over the same services as the web application."""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from matchmaker import accounts, backup, storage
from matchmaker.clock import utcnow
from matchmaker.db import make_engine, session_scope, upgrade
from matchmaker.errors import DomainError
from matchmaker.models import Account, Event, Role
from matchmaker.paths import private_dir
from matchmaker.settings import Settings, SMTPSettings

if TYPE_CHECKING:  # the publication service loads the solver: only when publishing
    from matchmaker.publication import Disruption

DEMO_ORGANISER = "organiser@matchmaker.local"


class CommandError(Exception):
    """A message for the person at the terminal; exits non-zero."""


# The environment prefix of each settings model, to name the variable at fault.
_ENV_PREFIXES = {
    model.__name__: str(model.model_config.get("env_prefix", ""))
    for model in (Settings, SMTPSettings)
}


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        prefix = _ENV_PREFIXES.get(exc.title, "MATCHMAKER_")
        problems = "; ".join(
            f"{prefix}{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise CommandError(f"configuration: {problems}") from exc


def cmd_db_upgrade(_: argparse.Namespace) -> None:
    settings = _settings()
    upgrade(make_engine(settings.resolved_database_url()))
    print("database schema is up to date")


def cmd_create_organiser(args: argparse.Namespace) -> None:
    settings = _settings()
    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    password = args.password or secrets.token_urlsafe(12)
    try:
        with session_scope(engine) as session:
            accounts.create_organiser(session, args.email, password, args.name or "")
    except DomainError as exc:
        raise CommandError(f"{exc.field or 'input'}: {exc.message % exc.params}") from exc
    print(f"organiser {accounts.normalise_email(args.email)} is ready")
    if not args.password:
        print(f"password: {password}")


def load_demo(settings: Settings, *, seed: int, scale: float, if_empty: bool) -> str | None:
    """Load the demo event (and its organiser); returns the organiser's password
    when an organiser was created."""
    from matchmaker.demo import generate_demo

    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    with session_scope(engine) as session:
        if session.exec(select(Event)).first() is not None:
            if if_empty:
                return None
            raise CommandError("database: an event exists already; use an empty database")
        summary = generate_demo(session, seed=seed, scale=scale)
        made = accounts.ensure_participant_accounts(session)
        password = None
        if accounts.account_by_email(session, DEMO_ORGANISER) is None:
            password = secrets.token_urlsafe(9)
            accounts.create_organiser(session, DEMO_ORGANISER, password, "Ban tổ chức")
            private_dir(settings.var_dir)
            path = settings.var_dir / "demo-organiser.txt"
            path.write_text(f"{DEMO_ORGANISER}\n{password}\n")
            path.chmod(0o600)
    print(
        f"demo event loaded: {summary.organisations} organisations, "
        f"{summary.participants} participants ({made} accounts), "
        f"{summary.requests} meeting requests, {summary.meetings} accepted meetings, "
        f"{summary.slots} slots over {summary.days} days, {summary.tables} tables"
    )
    return password


def cmd_demo(args: argparse.Namespace) -> None:
    if args.scale <= 0 or args.scale > 50:
        raise CommandError("--scale: must be greater than 0 and at most 50")
    settings = _settings()
    password = load_demo(settings, seed=args.seed, scale=args.scale, if_empty=args.if_empty)
    if password:
        print(f"organiser sign-in: {DEMO_ORGANISER} / {password}")


def _check_port_free(host: str, port: int) -> None:
    """Fail early, with the way out, when something already listens on the port."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(
                f"--port: {host}:{port} is not available ({exc.strerror}); "
                f"choose another, e.g. `make run PORT={port + 1}`"
            ) from exc


def served_url(host: str, port: int) -> str:
    """The address to open for `serve --host HOST --port PORT` (a wildcard host
    listens on every interface, this machine's loopback among them)."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}"


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from matchmaker.web.app import create_app

    settings = _settings()
    workers = _workers(args.workers, settings)
    _check_port_free(args.host, args.port)
    engine = make_engine(settings.resolved_database_url())
    # Before anything writes: a read-only database or a full disk is said here, naming
    # the path, rather than found out by the first participant who cannot sign in.
    warnings = storage.startup_warnings(settings, engine)
    for warning in warnings:
        print(f"  WARNING: {warning}", file=sys.stderr)
    created = load_demo(settings, seed=2023, scale=1.0, if_empty=True) if args.demo else None
    # Built once here, before the workers: migrations run, the secret key is made, and a
    # broken configuration stops here with its message instead of in every worker.
    app = create_app(settings, engine=engine)
    url = served_url(args.host, args.port)
    if not settings.base_url:  # links in e-mails (`send-mail`) point here
        try:
            settings.record_served_url(url)
        except OSError as exc:
            print(f"  WARNING: links in e-mails cannot point here: {exc}", file=sys.stderr)
    print(f"\n  Matchmaker is running at {url}  ({workers} worker processes; Ctrl+C stops it)")
    if not settings.base_url and args.host in ("", "0.0.0.0", "::"):
        print(f"  Links in e-mails point at {url}: set MATCHMAKER_BASE_URL for other machines")
    credentials = settings.var_dir / "demo-organiser.txt"
    if credentials.exists():
        email, password = credentials.read_text().split()[:2]
        # The password goes to a person at a terminal, or once when it is made; a service's
        # log (stdout not a terminal) gets where it is kept instead.
        shown = password if created or sys.stdout.isatty() else f"in {credentials}"
        print(f"  Organiser sign-in: {url}/signin  email {email}  password {shown}")
    engine = app.state.engine
    with session_scope(engine) as session:
        organisers = session.exec(select(Account).where(Account.role == Role.organiser)).all()
        if not organisers:
            print("  No organiser yet: run `matchmaker create-organiser EMAIL`")
    print()
    engine.dispose()
    proxy_headers, forwarded_allow_ips = proxy_options(settings)
    job_worker = None if args.no_worker else JobWorkerProcess()
    try:
        # uvicorn's own supervisor: it restarts a worker that dies and pings the others;
        # each worker builds the app from the same environment (web.app.served_app).
        uvicorn.run(
            "matchmaker.web.app:served_app",
            factory=True,
            workers=workers,
            host=args.host,
            port=args.port,
            log_level="warning",
            proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips,
        )
    finally:
        if job_worker is not None:
            job_worker.stop()


class JobWorkerProcess:
    """`matchmaker worker` beside the web workers, started again if it dies (a job it
    was doing is marked failed by the next worker and can be retried from its page)."""

    def __init__(self) -> None:
        import threading

        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.thread = threading.Thread(target=self._supervise, daemon=True)
        self.thread.start()

    def _supervise(self) -> None:
        while not self.stopping.is_set():
            self.process = subprocess.Popen(
                [sys.executable, "-m", "matchmaker", "worker", "--parent", str(os.getpid())],
                stdin=subprocess.DEVNULL,
            )
            code = self.process.wait()
            if not self.stopping.is_set():
                print(f"  WARNING: the job worker ended ({code}); starting again", file=sys.stderr)
                self.stopping.wait(1.0)

    def stop(self) -> None:
        self.stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _exit_with_parent(parent: int) -> None:
    """Stop (as on SIGTERM) when the `serve` that started this worker is gone, however it
    ended: a worker left behind would go on taking jobs for a server that is not there."""
    import signal
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def cmd_worker(args: argparse.Namespace) -> None:
    """Run background jobs (documents, exports, imports; and solves on PostgreSQL, each in
    a process of its own): procrastinate's worker on PostgreSQL (as many as needed, on
    any machine), the job table's on SQLite (where the web server starts solves itself)."""
    import logging

    from matchmaker import job_queue

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("weasyprint", "fontTools"):  # a line per page and per font table
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = _settings()
    if args.parent:
        _exit_with_parent(args.parent)
    engine = make_engine(settings.resolved_database_url())
    try:
        upgrade(engine)
        if not args.until_idle:
            _remind_every_minute(settings, engine)
        job_queue.run_worker(engine, settings.var_dir, until_idle=args.until_idle, nice=True)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()


def _workers(requested: int | None, settings: Settings) -> int:
    count = requested if requested is not None else settings.workers
    if count < 0 or count > 64:
        raise CommandError("--workers: must be between 1 and 64 (0: one per core)")
    return count or os.cpu_count() or 1


def proxy_options(settings: Settings) -> tuple[bool, list[str] | None]:
    """uvicorn's (proxy_headers, forwarded_allow_ips): X-Forwarded-For is believed only
    from the proxies named (uvicorn itself would believe any client on 127.0.0.1)."""
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    return (True, proxies) if proxies else (False, None)


def cmd_expire_requests(_: argparse.Namespace) -> None:
    """Expire unanswered meeting requests past their deadline (run it from cron;
    request list pages do the same on every load)."""
    from matchmaker.requests import expire_requests

    settings = _settings()
    engine = make_engine(settings.resolved_database_url())
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            expired = expire_requests(session)
    finally:
        engine.dispose()
    print(f"{expired} meeting request(s) expired")


def cmd_send_mail(args: argparse.Namespace) -> None:
    """Send the notifications outbox by SMTP (only when MATCHMAKER_SMTP_HOST is set)."""
    from matchmaker.notifications import send_pending

    settings = _settings()
    engine = make_engine(settings.resolved_database_url())
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            result = send_pending(
                session, settings.smtp, base_url=settings.resolved_base_url(), limit=args.limit
            )
    finally:
        engine.dispose()
    if result.skipped:
        print("SMTP is not configured (MATCHMAKER_SMTP_HOST); messages stay in the outbox")
        return
    print(f"{result.sent} sent, {result.failed} refused by the server")
    if result.error:
        raise CommandError(f"smtp: {result.error}; unsent messages wait for the next run")


def _reminders_pass(settings: Settings, engine: Engine) -> str:
    from matchmaker.notifications import send_pending
    from matchmaker.reminders import send_due_reminders

    with session_scope(engine) as session:
        done = send_due_reminders(
            session,
            utcnow(),
            minutes=settings.reminder_minutes,
            video_base=settings.video_base_url,
        )
    line = f"{done.reminders} reminder(s), {done.follow_ups} follow-up(s) written"
    if settings.smtp.configured:
        with session_scope(engine) as session:
            result = send_pending(session, settings.smtp, base_url=settings.resolved_base_url())
        line += f"; e-mail: {result.sent} sent, {result.failed} refused"
        if result.error:
            line += f" ({result.error}; unsent messages wait for the next pass)"
    return line


def _remind_every_minute(settings: Settings, engine: Engine) -> None:
    """The worker also writes the reminders due, at the start of every minute, in a
    thread beside its jobs. Several workers may: each reminder is claimed once in the
    database (``reminders.claim``)."""
    import logging
    import threading

    log = logging.getLogger("matchmaker.reminders")

    def loop() -> None:
        while True:
            try:
                log.info(_reminders_pass(settings, engine))
            except Exception:  # a failed pass is retried next minute, the worker goes on
                log.exception("reminders pass failed")
            time.sleep(60 - time.time() % 60)

    threading.Thread(target=loop, name="reminders", daemon=True).start()


def cmd_reminders(args: argparse.Namespace) -> None:
    """Write the reminders due now (and the follow-ups a week after meetings), then send
    the outbox when SMTP is set; ``--loop``: again at the start of every minute."""
    settings = _settings()
    engine = make_engine(settings.resolved_database_url())
    try:
        upgrade(engine)
        while True:
            print(_reminders_pass(settings, engine), flush=True)
            if not args.loop:
                return
            time.sleep(60 - time.time() % 60)
    except KeyboardInterrupt:
        return
    finally:
        engine.dispose()


def _organiser(session: Session, email: str) -> Account | None:
    if not email:
        return None
    account = session.exec(
        select(Account).where(Account.email == accounts.normalise_email(email))
    ).first()
    if account is None or account.role != Role.organiser:
        raise CommandError(f"--by: {email} is not an organiser's e-mail")
    return account


def _figures(d: Disruption) -> str:
    return (
        f"{d.moved} moved, {d.added} added, {d.removed} removed; "
        f"{d.organisations} organisation(s) notified"
    )


def cmd_publish(args: argparse.Namespace) -> None:
    """Publish a finished solve run (or, with --final, the draft the hosts confirmed)
    through the same service as the web pages: versioned, notified and audited."""
    from matchmaker import publication

    if (args.run is None) == (not args.final):
        raise CommandError("publish: give a RUN id, or --final for the hosts' draft")
    settings = _settings()
    engine = make_engine(settings.resolved_database_url())
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            event = session.exec(select(Event).order_by(col(Event.id))).first()
            if event is None:
                raise CommandError("database: no event has been set up yet")
            by = _organiser(session, args.by)
            if args.preview:
                preview = (
                    publication.preview_final(session, event)
                    if args.final
                    else publication.preview_run(session, event, args.run)
                )
                if preview is None:
                    raise CommandError("publish: nothing to publish (no finished run or draft)")
                print(f"publishing would change: {_figures(preview)}")
                return
            try:
                done = (
                    publication.publish_final(session, event, by, via="cli")
                    if args.final
                    else publication.publish_run(session, event, args.run, by, via="cli")
                )
            except DomainError as exc:
                raise CommandError(f"publish: {exc.message % exc.params}") from exc
            print(f"published version {done.version.number}: {_figures(done.disruption)}")
    finally:
        engine.dispose()


def cmd_backup(args: argparse.Namespace) -> None:
    """Back up the whole database, also while the application runs."""
    settings = _settings()
    url = settings.resolved_database_url()
    output: Path | None = args.output
    try:
        if output is None:
            output = backup.default_path(backup.backup_dir(settings.var_dir), url, utcnow())
        elif output.is_dir():
            output = backup.default_path(output, url, utcnow())
        done = backup.backup(url, output)
    except backup.BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"wrote {done.path} ({backup.human_size(done.size)}, schema revision {done.revision})")


def _confirmed(url: str, path: Path) -> bool:
    """Whether the person at a terminal agrees that the restore replaces the data the
    database holds; a refusal changes nothing. Without a terminal, only --force does."""
    if not sys.stdin.isatty():
        return False
    engine = make_engine(url)
    try:
        rows = backup.stored_rows(engine)
    finally:
        engine.dispose()
    if not rows:
        return False
    try:
        answer = input(
            f"{backup.describe(url)} holds {rows} rows. Replace them with {path}? [y/N] "
        )
    except (EOFError, KeyboardInterrupt):
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise CommandError("restore: cancelled, nothing changed")
    return True


def cmd_restore(args: argparse.Namespace) -> None:
    """Replace the database's contents with a backup, then migrate it to this version."""
    settings = _settings()
    url = settings.resolved_database_url()
    try:
        if not settings.database_url:
            private_dir(settings.var_dir)  # it is to hold every participant's data
    except OSError as exc:
        raise CommandError(
            f"{settings.var_dir}: cannot create the folder ({exc.strerror})"
        ) from exc
    try:
        backup.inspect_backup(args.file, url)  # a bad file is reported before any question
        force = args.force or _confirmed(url, args.file)
        done = backup.restore(url, args.file, force=force)
    except backup.BackupError as exc:
        raise CommandError(str(exc)) from exc
    migrated = "" if done.revision == done.head else f", migrated to {done.head}"
    print(
        f"restored {args.file} into {backup.describe(url)} "
        f"(schema revision {done.revision}{migrated})"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="matchmaker", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations").set_defaults(func=cmd_db_upgrade)

    org = sub.add_parser("create-organiser", help="create an organiser or reset its password")
    org.add_argument("email")
    org.add_argument("--name", default="")
    org.add_argument("--password", default="", help="generated and printed when omitted")
    org.set_defaults(func=cmd_create_organiser)

    demo = sub.add_parser("demo", help="load the realistic demo event")
    demo.add_argument("--seed", type=int, default=2023)
    demo.add_argument("--scale", type=float, default=1.0)
    demo.add_argument("--if-empty", action="store_true", help="do nothing if an event exists")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="load the demo event when empty")
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default MATCHMAKER_WORKERS, else one per core)",
    )
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="start no job worker (`matchmaker worker` runs elsewhere)",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser(
        "worker", help="run background jobs (documents, exports, imports; solves on PostgreSQL)"
    )
    worker.add_argument(
        "--until-idle", action="store_true", help="stop when no job is left to run"
    )
    worker.add_argument("--parent", type=int, default=0, help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)

    pub = sub.add_parser("publish", help="publish a solve run or the hosts' draft (audited)")
    pub.add_argument("run", nargs="?", type=int, help="id of a finished solve run")
    pub.add_argument("--final", action="store_true", help="publish the draft the hosts confirmed")
    pub.add_argument("--preview", action="store_true", help="only print what would change")
    pub.add_argument("--by", default="", help="the organiser's e-mail, for the audit log")
    pub.set_defaults(func=cmd_publish)

    sub.add_parser(
        "expire-requests", help="expire unanswered meeting requests past their deadline"
    ).set_defaults(func=cmd_expire_requests)

    dump = sub.add_parser("backup", help="back up the database (also while it is in use)")
    dump.add_argument(
        "output",
        nargs="?",
        type=Path,
        help="file or folder to write (default: a timestamped file in var/backups)",
    )
    dump.set_defaults(func=cmd_backup)

    load = sub.add_parser("restore", help="replace the database's contents with a backup")
    load.add_argument("file", type=Path, help="a file written by `matchmaker backup`")
    load.add_argument("--force", action="store_true", help="replace a database holding data")
    load.set_defaults(func=cmd_restore)

    remind = sub.add_parser(
        "reminders", help="write the reminders due now and e-mail them when SMTP is set"
    )
    remind.add_argument("--loop", action="store_true", help="run a pass every minute")
    remind.set_defaults(func=cmd_reminders)

    mail = sub.add_parser("send-mail", help="send the notifications outbox by SMTP")
    mail.add_argument("--limit", type=int, default=500, help="messages to send in this run")
    mail.set_defaults(func=cmd_send_mail)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except CommandError as exc:
        print(f"matchmaker: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        if storage.storage_fault(exc) is not None:
            print(f"matchmaker: database: cannot write ({reason})", file=sys.stderr)
        else:
            print(f"matchmaker: database: cannot connect or query ({reason})", file=sys.stderr)
        return 2
    except OSError as exc:
        # A file it cannot write (var/ read-only, full, or not a folder): name the file.
        if exc.filename is None and storage.storage_fault(exc) is None:
            raise
        where = exc.filename if exc.filename is not None else "var"
        print(f"matchmaker: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
