"""The fault suite: `matchmaker serve` as its own process on a SQLite file, as `make run`
starts it, brought down the hard way.

- Killed with SIGKILL while participants send meeting requests: after a restart the file
  passes `PRAGMA integrity_check`, every request that got its "sent" answer is there, and
  none is half-written (each has its notification).
- A solve process killed with SIGKILL mid-solve (and the server with it): after the
  restart the organiser sees the run failed, nothing of it was applied, and a new solve
  starts.
- Started on a read-only database, `serve` says so, naming the file, and a sign-in gets
  the "not saved" page instead of a server error.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from matchmaker import accounts
from matchmaker.db import make_engine, session_scope
from matchmaker.demo import generate_demo
from matchmaker.models import (
    Account,
    Meeting,
    MeetingRequest,
    Notification,
    Participant,
    RunStatus,
    ScheduleVersion,
    SolveRun,
)
from tests.conftest import TEST_SECRET
from tests.factories import ORGANISER_PASSWORD, make_event, make_org, make_participant

pytestmark = pytest.mark.faults

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]
WRITERS = 4
TARGETS = 30
KILL_AFTER = 24  # acknowledged requests before the server is killed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Served:
    """`python -m matchmaker serve` on a free port, its output in a log file."""

    def __init__(self, var_dir: Path, database_url: str = "") -> None:
        self.var_dir = var_dir
        self.database_url = database_url or f"sqlite:///{var_dir / 'matchmaker.db'}"
        self.port = _free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.var_dir.parent / f"serve-{self.starts}.log"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, timeout: float = 60.0) -> None:
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
        env.update(
            MATCHMAKER_VAR_DIR=str(self.var_dir),
            MATCHMAKER_DATABASE_URL=self.database_url,
            MATCHMAKER_SECRET_KEY=TEST_SECRET,
            # These tests are about faults, not load: on a shared, busy machine the
            # overload guard would shed their reads (tests/unit/test_overload.py has it).
            MATCHMAKER_MAX_LAG_MS="60000",
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        )
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "matchmaker",
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    "--workers",
                    "2",
                ],
                env=env,
                cwd=self.var_dir.parent,
                start_new_session=True,  # its own process group: the supervisor and workers
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, f"serve stopped:\n{self.output()}"
            assert time.monotonic() < deadline, f"serve never answered:\n{self.output()}"
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no last commit, as when the machine's OOM killer
        or an operator's `kill -9` takes it."""
        assert self.process is not None
        # the whole group at once, as the OOM killer or systemd's KillMode takes a service
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def var_dir(tmp_path: Path, sqlite_template: Path) -> Path:
    """A var folder holding a migrated SQLite file, as `make run` leaves it."""
    folder = tmp_path / "var"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "matchmaker.db")
    return folder


@pytest.fixture
def served(var_dir: Path) -> Iterator[Served]:
    server = Served(var_dir)
    yield server
    server.stop()


@pytest.fixture
def engine(var_dir: Path) -> Iterator[Engine]:
    """The test's own connection to the served file (arranging and checking)."""
    eng = make_engine(f"sqlite:///{var_dir / 'matchmaker.db'}")
    yield eng
    eng.dispose()


def _browser(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, follow_redirects=False, timeout=30)


def _csrf(browser: httpx.Client, path: str) -> str:
    if "csrftoken" not in browser.cookies:
        browser.get(path)
    return str(browser.cookies["csrftoken"])


def _sign_in_link(browser: httpx.Client, token: str) -> None:
    path = f"/signin/link/{token}"
    answer = browser.post(path, data={"_csrf_token": _csrf(browser, path)})
    assert answer.status_code == 303, answer.text
    browser.get(answer.headers["location"])  # signing in renews the CSRF token


def _sign_in_organiser(browser: httpx.Client, email: str) -> None:
    answer = browser.post(
        "/signin",
        data={
            "email": email,
            "password": ORGANISER_PASSWORD,
            "_csrf_token": _csrf(browser, "/signin"),
        },
    )
    assert answer.status_code == 303, answer.text
    browser.get(answer.headers["location"])


# --- (a) the server killed while participants write ------------------------------------


def _arrange_writers(engine: Engine) -> tuple[list[tuple[int, str]], list[int]]:
    """Writers (their organisation and a personal sign-in token) and the organisations
    they ask for meetings, with no limit on open requests."""
    with session_scope(engine) as session:
        event = make_event(session)
        event.rules = {"max_open_requests": None}
        session.add(event)
        targets = []
        for i in range(TARGETS):
            org = make_org(session, event, f"Doanh nghiệp đích {i}")
            make_participant(session, org, f"Đại diện đích {i}")
            targets.append(org.id or 0)
        writers = []
        for i in range(WRITERS):
            org = make_org(session, event, f"Doanh nghiệp gửi {i}")
            _, account = make_participant(session, org, f"Người gửi {i}")
            writers.append((org.id or 0, accounts.issue_token(session, account)))
    return writers, targets


def test_server_killed_mid_writes_keeps_every_acknowledged_write(
    served: Served, engine: Engine
) -> None:
    writers, targets = _arrange_writers(engine)
    served.start()
    browsers = [_browser(served.url) for _ in writers]
    for browser, (_, token) in zip(browsers, writers, strict=True):
        _sign_in_link(browser, token)

    acknowledged: list[tuple[int, int]] = []  # (from organisation, to organisation)
    lock = threading.Lock()
    enough = threading.Event()
    failures: list[str] = []

    def write(browser: httpx.Client, org_id: int) -> None:
        csrf = str(browser.cookies["csrftoken"])
        for target in targets:
            try:
                answer = browser.post(
                    "/requests/new",
                    data={
                        "to": str(target),
                        "message": f"Gặp nhau nhé ({org_id}→{target})",
                        "priority": "would_like",
                        "_csrf_token": csrf,
                    },
                )
            except httpx.TransportError:
                return  # the server is gone: this request has no answer
            if answer.status_code != 303:
                failures.append(f"{answer.status_code}: {answer.text[:200]}")
                return
            with lock:
                acknowledged.append((org_id, target))
                if len(acknowledged) >= KILL_AFTER:
                    enough.set()

    threads = [
        threading.Thread(target=write, args=(browser, org_id))
        for browser, (org_id, _) in zip(browsers, writers, strict=True)
    ]
    for thread in threads:
        thread.start()
    assert enough.wait(timeout=30), f"writers stalled: {failures}\n{served.output()}"
    served.kill()  # the other writers are mid-request
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(acknowledged) < WRITERS * TARGETS  # killed mid-way, not after the end

    served.start()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
    with Session(engine) as session:
        stored = session.exec(select(MeetingRequest.from_org_id, MeetingRequest.to_org_id)).all()
        assert set(acknowledged) <= {(a, b) for a, b in stored}
        # Nothing half-written: each stored request notified its host's representative.
        for target in targets:
            requests = session.exec(
                select(func.count()).where(MeetingRequest.to_org_id == target)
            ).one()
            notes = session.exec(
                select(func.count())
                .select_from(Notification)
                .join(Account, col(Account.id) == Notification.account_id)
                .where(col(Account.participant_id).in_(_people_of(session, target)))
            ).one()
            assert (target, notes) == (target, requests)
    # The restarted server takes writes again on the same sessions.
    browser, (org_id, _) = browsers[0], writers[0]
    answer = browser.get("/requests", params={"box": "outgoing"})
    assert answer.status_code == 200
    done = {b for a, b in acknowledged if a == org_id}
    remaining = next(t for t in targets if t not in done and (org_id, t) not in stored)
    answer = browser.post(
        "/requests/new",
        data={
            "to": str(remaining),
            "message": "Sau khi khởi động lại",
            "priority": "would_like",
            "_csrf_token": str(browser.cookies["csrftoken"]),
        },
    )
    assert answer.status_code == 303, answer.text
    for each in browsers:
        each.close()


def _people_of(session: Session, org_id: int) -> list[int]:
    return [
        p.id or 0
        for p in session.exec(select(Participant).where(Participant.organisation_id == org_id))
    ]


# --- (b) a solve process killed mid-solve -------------------------------------------------


def _kill_pid(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.kill(pid, signal.SIGKILL)


def _run(engine: Engine, run_id: int) -> SolveRun:
    with Session(engine, expire_on_commit=False) as session:
        run = session.get(SolveRun, run_id)
        assert run is not None
        return run


def _wait_for_run(engine: Engine, ready: object, timeout: float = 30.0) -> SolveRun:
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine, expire_on_commit=False) as session:
            run = session.exec(select(SolveRun).order_by(col(SolveRun.id).desc())).first()
        if run is not None and ready(run):  # type: ignore[operator]
            return run
        assert time.monotonic() < deadline, f"no such run: {run}"
        time.sleep(0.1)


def test_solve_killed_mid_solve_is_shown_failed_after_restart_and_a_new_one_starts(
    served: Served, engine: Engine
) -> None:
    with session_scope(engine) as session:
        summary = generate_demo(session, seed=2023, scale=0.05)
        accounts.create_organiser(session, "btc@example.vn", ORGANISER_PASSWORD, "Ban tổ chức")
    with Session(engine) as session:
        before = {
            m.id: (m.slot_id, m.table_id, m.status)
            for m in session.exec(select(Meeting).where(Meeting.event_id == summary.event_id))
        }
    served.start()
    organiser = _browser(served.url)
    _sign_in_organiser(organiser, "btc@example.vn")
    pids: list[int] = []
    try:
        answer = organiser.post(
            "/organiser/solve",
            data={
                "time_limit": "60",
                "keep_published": "on",
                "_csrf_token": str(organiser.cookies["csrftoken"]),
            },
        )
        assert answer.status_code == 303, answer.text
        # Mid-solve: the worker has claimed the run and written progress at least once.
        running = _wait_for_run(
            engine, lambda r: r.status == RunStatus.running and r.progress and r.pid
        )
        assert running.pid is not None
        pids.append(running.pid)
        _kill_pid(running.pid)
        served.kill()  # and the web server with it, as when the machine goes down
        assert _run(engine, running.id or 0).status == RunStatus.running  # nobody said so yet

        served.start()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
        organiser.cookies.set("mm_lang", "en")
        page = organiser.get("/organiser/solve")
        assert page.status_code == 200
        assert "The solve process ended unexpectedly." in page.text
        run = _run(engine, running.id or 0)
        assert (run.status, run.message) == (
            RunStatus.failed,
            "The solve process ended unexpectedly.",
        )
        assert run.finished_at is not None and run.result == {}  # no proposed schedule
        with Session(engine) as session:  # nothing of the run was applied
            after = {
                m.id: (m.slot_id, m.table_id, m.status)
                for m in session.exec(select(Meeting).where(Meeting.event_id == summary.event_id))
            }
            assert after == before
            assert session.exec(select(func.count()).select_from(ScheduleVersion)).one() == 0

        answer = organiser.post(
            "/organiser/solve",
            data={"time_limit": "60", "_csrf_token": str(organiser.cookies["csrftoken"])},
        )
        assert answer.status_code == 303, answer.text
        fresh = _wait_for_run(engine, lambda r: r.id != running.id and r.pid)
        assert fresh.status in (RunStatus.queued, RunStatus.running)
        assert fresh.pid is not None
        pids.append(fresh.pid)
    finally:
        for pid in pids:  # the workers run in their own session: not ended with the server
            _kill_pid(pid)
        organiser.close()


# --- a read-only database at start-up -------------------------------------------------------


def test_serve_on_a_read_only_database_warns_at_start_and_sign_in_says_not_saved(
    var_dir: Path, engine: Engine
) -> None:
    with session_scope(engine) as session:
        accounts.create_organiser(session, "btc@example.vn", ORGANISER_PASSWORD, "Ban tổ chức")
    engine.dispose()
    database = var_dir / "matchmaker.db"
    served = Served(var_dir, database_url=f"sqlite:///file:{database}?mode=ro&uri=true")
    try:
        served.start()
        browser = _browser(served.url)
        answer = browser.post(
            "/signin",
            data={
                "email": "btc@example.vn",
                "password": ORGANISER_PASSWORD,
                "_csrf_token": _csrf(browser, "/signin"),
            },
        )
        browser.close()
    finally:
        served.stop()

    output = served.output()
    assert (
        f"  WARNING: the database {database.resolve()} is read-only: attempt to write a "
        "readonly database."
    ) in output
    assert output.index("WARNING") < output.index("Matchmaker is running at")
    assert answer.status_code == 503
    assert "Cơ sở dữ liệu đang ở chế độ chỉ đọc" in answer.text
    assert f"not saved (POST /signin): the database {database.resolve()} is read-only" in output
