"""The web load benchmark (`python -m tooling bench-load`).

Loads the demo event into a fresh database and publishes a schedule (a real solve),
then starts the server as an operator does, `python -m matchmaker serve --host
127.0.0.1 --port P [--workers N]`, in its own process group (the supervisor and its
worker processes, each behind the overload guard). This process only generates load:
it signs in participants (personal links) and organisers (password), and virtual
users arrive over a ramp, each sending one request of a realistic page mix and then
thinking for an exponentially distributed time before the next (open-loop arrivals,
so a slow server is not spared new visitors). `GET /health` (no database, template or
sign-in) runs in the same mix as the reference for what the server costs by itself.

Scenarios: `quiet`; `solve`, where a real solve of the event runs alongside the load
(its own process, as the Solve page starts it), competing for the cores; `pdf`, where
an organiser has the all-agendas PDF made meanwhile (a job when the app makes it one:
started through its form's POST and followed until done; else one long request); and
`overload`: the sustainable rate found by a short open-loop ramp (or given), then twice
that rate offered open-loop (arrivals at their own pace, whatever the answers), counting
the requests answered within 2 s (served or 503) and time-outs, then a short quiet probe
that must find the server serving again. `--scale10` is the scale-10 run: 3,000-odd
participants, 400 users, quiet and pdf. `--database postgres` runs it all against a
throw-away PostgreSQL server (`both`: SQLite, then PostgreSQL, and their ratio).

It prints per route the p50/p95/p99 latency of answered requests, errors, 503s (the
overload guard's quick "busy, retry", counted apart from errors), the throughput and
the resident memory of the server's process tree (VmRSS of the supervisor and its
descendants, sampled during the load). CPU ms per request is measured afterwards, one
request at a time, as the utime+stime the server's processes gained (idle ticking
subtracted). The SQL-statements-per-request column of earlier versions is gone: it
counted statements on an engine shared with an in-process server, and the server is
another process now. Last, it checks that parallel writes cannot double-book: K
parallel accepts of one pending request and K parallel moves of different meetings into
one slot and table, and counts double bookings in the stored schedule.

Traffic goes to the loopback interface only. Figures are printed, never asserted:
the machine is shared and noisy, and the load generator shares its cores with the
server. Sign-in is not timed in the table (argon2 password hashing is slow on
purpose)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import html
import itertools
import logging
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, text
from sqlmodel import Session, col, select

from matchmaker import accounts, board, scheduling
from matchmaker.clock import FAKE_NOW_ENV, as_utc
from matchmaker.db import make_engine, session_scope, upgrade
from matchmaker.models import (
    Account,
    Day,
    Event,
    EventSession,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    RequestStatus,
    Role,
    RunStatus,
    Slot,
    SolveRun,
)
from tooling import UsageError
from tooling.pgserver import PostgresServer

HOST = "127.0.0.1"
ORGANISER_PASSWORD = "bench-organiser-password-2023"
SECRET = "load-benchmark-secret-key-" + "x" * 32
REQUEST_TIMEOUT = 60.0
ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("quiet", "solve", "pdf", "overload")
DEFAULT_SCENARIOS = ("quiet", "solve")
BUSY = 503  # the overload guard's answer: shed, not failed
HEALTH = "GET /health"
DATABASES = ("sqlite", "postgres", "both")
PROMPT_MS = 2000.0  # the overload target: every request answered within this (served or 503)
RAMP_P95_MS = 500.0  # a ramp step is held when its p95 stays under this, without 503s or errors
RAMP_GROWTH = 1.5  # each ramp step offers this many times the rate of the one before
PROBE_PAUSE = 2.0  # seconds between the overload's end and the probe (the guard holds 1 s)
PROBE_RATE = 5.0  # requests a second of the quiet probe after the overload
PDF_TIMEOUT = 1800.0  # seconds the all-agendas PDF may take
AGENDAS_PDF = "/organiser/print/agendas.pdf"
PRINT_PAGE = "/organiser/print"
# A throw-away server's settings for the benchmark: commits as durable as SQLite's WAL
# with synchronous=NORMAL (matchmaker.db), that is the last ones may be lost on a power
# cut, never a corrupt database; fsync stays on, unlike the test run's server.
BENCH_POSTGRES = {"synchronous_commit": "off", "max_connections": "200"}


# --- configuration and results -----------------------------------------------------------


@dataclass(frozen=True)
class BenchConfig:
    scale: float = 1.0
    users: int = 200  # virtual users arriving over the ramp, in each scenario
    think: float = 5.0  # mean think time between a user's requests, seconds
    ramp: float = 10.0  # users arrive evenly over this many seconds
    seconds: float = 60.0  # length of each scenario, the ramp included
    scenarios: tuple[str, ...] = SCENARIOS
    workers: int | None = None  # serve's --workers; None: what serve defaults to
    participants: int = 40  # signed-in participant sessions the users share
    organisers: int = 2  # signed-in organiser sessions
    contenders: int = 8  # K parallel writers in the double-booking check
    solve_seconds: int = 10  # time limit of the solve that publishes the schedule
    cpu_repeats: int = 10  # requests per route in the one-at-a-time CPU measure
    seed: int = 2023
    database_url: str = ""
    database: str = "sqlite"  # "postgres": a throw-away server (ignored with database_url)
    overload_rate: float | None = None  # the sustainable rate; None: found by a ramp
    ramp_from: float = 10.0  # requests a second of the ramp's first step
    ramp_step_s: float = 4.0  # length of each ramp step
    ramp_steps: int = 10  # steps at most (10 from 10 req/s: up to 384 req/s)
    probe_s: float = 5.0  # the quiet probe after the overload


@dataclass
class RouteStats:
    latencies_ms: list[float] = field(default_factory=list)  # answered, 503s excepted
    errors: int = 0  # no answer, or a status other than 2xx, 3xx and 503
    busy: int = 0  # 503: shed by the overload guard
    busy_at: list[float] = field(default_factory=list)  # when, seconds into the scenario
    busy_ms: list[float] = field(default_factory=list)  # how long a 503 took
    timeouts: int = 0  # no answer within REQUEST_TIMEOUT (counted in errors too)
    resent: int = 0  # sent again once: the keep-alive connection closed unanswered
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # no answer: the exception

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in ms (0 when none)."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]

    @property
    def prompt(self) -> int:
        """Requests answered within PROMPT_MS, served or 503."""
        return sum(1 for ms in [*self.latencies_ms, *self.busy_ms] if ms <= PROMPT_MS)


def merged(stats: list[RouteStats]) -> RouteStats:
    """The routes' figures as one."""
    return RouteStats(
        latencies_ms=[x for s in stats for x in s.latencies_ms],
        errors=sum(s.errors for s in stats),
        busy=sum(s.busy for s in stats),
        busy_at=[x for s in stats for x in s.busy_at],
        busy_ms=[x for s in stats for x in s.busy_ms],
        timeouts=sum(s.timeouts for s in stats),
        resent=sum(s.resent for s in stats),
        statuses=sum((s.statuses for s in stats), Counter()),
        failures=sum((s.failures for s in stats), Counter()),
    )


@dataclass(frozen=True)
class PdfResult:
    """The all-agendas PDF made alongside the load."""

    how: str  # the request, or the job and the form that started it
    outcome: str  # "finished", else what went wrong
    seconds: float  # from the first request until the file was there (or the failure)
    size: int = 0  # bytes of the PDF

    @property
    def ok(self) -> bool:
        return self.outcome == "finished"


@dataclass(frozen=True)
class RampStep:
    rate: float  # offered, requests a second
    requests: int
    p95_ms: float
    busy: int
    errors: int

    @property
    def held(self) -> bool:
        return (
            self.requests > 0 and not self.busy and not self.errors and (self.p95_ms <= RAMP_P95_MS)
        )


@dataclass
class OverloadResult:
    sustainable_rate: float  # requests a second
    source: str  # where that rate comes from
    steps: list[RampStep]  # the ramp's, when it found the rate
    offered_rate: float  # twice the sustainable rate
    generator_cpu: float  # share of one core the load generator used meanwhile
    probe: RouteStats  # the quiet probe after the load, every route together
    probe_s: float


@dataclass
class ScenarioResult:
    name: str
    routes: dict[str, RouteStats]
    elapsed_s: float
    rss_peak_mb: float
    note: str = ""  # what ran alongside
    pdf: PdfResult | None = None
    overload: OverloadResult | None = None

    @property
    def every(self) -> RouteStats:
        return merged(list(self.routes.values()))

    @property
    def total_requests(self) -> int:
        return sum(s.sent for s in self.routes.values())

    @property
    def total_errors(self) -> int:
        return sum(s.errors for s in self.routes.values())

    @property
    def total_busy(self) -> int:
        return sum(s.busy for s in self.routes.values())

    @property
    def throughput(self) -> float:
        """Requests answered other than 503, per second."""
        served = (
            self.total_requests
            - self.total_busy
            - sum(sum(s.failures.values()) for s in self.routes.values())
        )
        return served / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass
class RaceResult:
    name: str
    sent: int
    succeeded: int
    refused: int
    errors: int


@dataclass
class BenchResult:
    config: BenchConfig
    backend: str
    setup: dict[str, Any]
    server_pid: int  # the supervisor's, stopped by the time the result is returned
    server_processes: int
    server_workers: int
    signins: int
    signin_s: float
    rss_before_mb: float
    scenarios: list[ScenarioResult]
    cpu_ms: dict[str, float]
    idle_cpu_ms_per_s: float
    races: list[RaceResult]
    double_bookings: int
    database_rss_mb: float = 0.0  # a throw-away PostgreSQL server's tree, after the load

    @property
    def total_requests(self) -> int:
        return sum(s.total_requests for s in self.scenarios)

    @property
    def total_errors(self) -> int:
        probes = sum(s.overload.probe.errors for s in self.scenarios if s.overload)
        return (
            sum(s.total_errors for s in self.scenarios) + probes + sum(r.errors for r in self.races)
        )

    @property
    def problems(self) -> list[str]:
        """What makes the run fail (exit status 1), in words."""
        found = []
        if self.total_errors:
            found.append(f"{self.total_errors} errors")
        if self.double_bookings:
            found.append(f"{self.double_bookings} double bookings")
        for scenario in self.scenarios:
            if scenario.pdf is not None and not scenario.pdf.ok:
                found.append(f"the all-agendas PDF: {scenario.pdf.outcome}")
            if scenario.overload is not None and scenario.overload.probe.busy:
                found.append(f"{scenario.overload.probe.busy} 503s in the probe after the load")
        found += [f"{label}: no answer within {REQUEST_TIMEOUT:.0f} s alone"
                  for label, ms in self.cpu_ms.items() if math.isinf(ms)]  # fmt: skip
        return found


# --- the server's process tree (Linux /proc) ---------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from field 3 (state) on: the name before it may hold spaces."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_tree(root: int) -> list[int]:
    """`root` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def worker_processes(root: int) -> int:
    """The supervisor's worker processes (multiprocessing's spawned children; its
    resource tracker, also a child, is not one)."""
    count = 0
    for pid in process_tree(root):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                count += 1
        except OSError:
            continue
    return count


def tree_rss_mb(root: int) -> float:
    """VmRSS summed over the tree: pages the processes share count in each."""
    total_kib = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue  # it ended meanwhile
    return total_kib / 1024


def tree_cpu_s(root: int) -> float:
    """utime + stime of the tree's processes, every thread included, in seconds."""
    ticks = 0
    for pid in process_tree(root):
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)
    return ticks / CLOCK_TICKS


# --- the event -------------------------------------------------------------------------------


def load_event(engine: Engine, config: BenchConfig) -> dict[str, Any]:
    """The demo event, participant accounts and the benchmark's organisers."""
    from matchmaker.demo import generate_demo

    upgrade(engine)
    with session_scope(engine) as session:
        if session.exec(select(Event)).first() is not None:
            raise ValueError("the benchmark needs an empty database (an event exists)")
        summary = generate_demo(session, seed=config.seed, scale=config.scale)
        accounts.ensure_participant_accounts(session)
        for n in range(max(1, config.organisers)):
            accounts.create_organiser(
                session, f"bench-organiser-{n + 1}@matchmaker.local", ORGANISER_PASSWORD,
                f"Ban tổ chức {n + 1}",
            )  # fmt: skip
    return {
        "event_id": summary.event_id,
        "organisations": summary.organisations,
        "participants": summary.participants,
        "requests": summary.requests,
        "meetings": summary.meetings,
        "slots": summary.slots,
        "tables": summary.tables,
    }


def publish_schedule(engine: Engine, event_id: int, seconds: int) -> tuple[int, int]:
    """Solve (the worker's own code, run in this process) and publish the result, as
    an organiser does on the Solve page; returns (run id, scheduled meetings)."""
    from matchmaker.publication import publish_run
    from matchmaker.solve_worker import database_url, run_worker, start_solve

    run_id = start_solve(engine, event_id, {"time_limit": str(seconds)}, None, launch=False)
    run_worker(run_id, database_url(engine))
    with session_scope(engine) as session:
        event = session.get(Event, event_id)
        run = session.get(SolveRun, run_id)
        assert event is not None and run is not None
        if run.status not in (RunStatus.finished, RunStatus.stopped):
            raise RuntimeError(f"the benchmark's solve ended {run.status.value}: {run.message}")
        publish_run(session, event, run_id, None, via="bench")
        scheduled = session.exec(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.event_id == event_id, Meeting.status == MeetingStatus.scheduled)
        ).one()
    return run_id, int(scheduled)


def first_morning(engine: Engine, event_id: int) -> str:
    """Five minutes into the event's first slot, as an ISO time: the issue's worst minute
    is a change of slot on the first morning, when the desk checks people in, the boards
    show now and next, and the agendas are opened (real dates would find the event over
    or not begun, and the event-day pages empty)."""
    with session_scope(engine) as session:
        start = session.exec(
            select(func.min(Slot.start))
            .join(EventSession, col(EventSession.id) == col(Slot.session_id))
            .join(Day, col(Day.id) == col(EventSession.day_id))
            .where(Day.event_id == event_id)
        ).one()
    moment = as_utc(start)
    assert moment is not None, "the demo event has slots"
    return (moment + timedelta(minutes=5)).isoformat()


def double_bookings(session: Session, event_id: int) -> int:
    """Every way the stored schedule double-books: two meetings at one table in one
    slot, an organisation in more meetings in a slot than it has representatives,
    and a request accepted into more than one meeting."""
    found = scheduling.double_bookings(session, event_id)
    per_request = session.exec(
        select(Meeting.request_id, func.count())
        .where(Meeting.event_id == event_id, col(Meeting.request_id).is_not(None))
        .group_by(col(Meeting.request_id))
        .having(func.count() > 1)
    ).all()
    found += sum(int(n) - 1 for _, n in per_request)
    return found


# --- what the virtual users ask for -------------------------------------------------------------


@dataclass
class Fixtures:
    """Ids and words the request mix draws from."""

    run_id: int
    org_ids: list[int]
    queries: list[str]
    participant_tokens: list[str]
    organiser_emails: list[str]
    board_key: str = ""


def _queries(names: list[str], rng: random.Random, n: int = 60) -> list[str]:
    """Diacritic-free search words and word pairs taken from organisation names."""
    found: set[str] = set()
    for name in names:
        words = [w for w in re.split(r"[^a-z0-9]+", name) if len(w) >= 3]
        found.update(words)
        found.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    pool = sorted(found)
    rng.shuffle(pool)
    return pool[:n] or ["hau giang"]


def prepare_fixtures(
    engine: Engine, event_id: int, run_id: int, config: BenchConfig, rng: random.Random
) -> Fixtures:
    with session_scope(engine) as session:
        orgs = session.exec(
            select(Organisation.id, Organisation.name_folded).where(
                Organisation.event_id == event_id, col(Organisation.approved).is_(True)
            )
        ).all()
        participant_accounts = list(
            session.exec(
                select(Account)
                .where(Account.role == Role.participant, col(Account.active).is_(True))
                .order_by(col(Account.id))
            ).all()
        )
        chosen = rng.sample(
            participant_accounts, min(config.participants, len(participant_accounts))
        )
        tokens = [accounts.issue_token(session, a) for a in chosen]
        organisers = session.exec(
            select(Account.email).where(Account.role == Role.organiser).order_by(col(Account.id))
        ).all()
        key = board.board_key(session.get_one(Event, event_id), SECRET)
    return Fixtures(
        run_id=run_id,
        org_ids=[oid for oid, _ in orgs if oid is not None],
        queries=_queries([name for _, name in orgs], rng),
        participant_tokens=tokens,
        organiser_emails=list(organisers)[: max(1, config.organisers)],
        board_key=key,
    )


@dataclass(frozen=True)
class Route:
    label: str
    role: Role
    weight: int
    htmx_target: str = ""

    def url(self, fx: Fixtures, rng: random.Random) -> str:
        path = self.label.split(" ", 1)[1]
        if "{org}" in path:
            path = path.replace("{org}", str(rng.choice(fx.org_ids)))
        if "{run}" in path:
            path = path.replace("{run}", str(fx.run_id))
        if "{board}" in path:
            path = path.replace("{board}", fx.board_key)
        if path.endswith("q="):
            path += rng.choice(fx.queries).replace(" ", "+")
        return path


# A participant-heavy mix: roughly what a busy event morning looks like; and the bare
# reference route, in the same mix so it meets the same queues (sent with a
# participant's cookies, which it ignores).
ROUTES = [
    Route(HEALTH, Role.participant, 5),
    Route("GET /me", Role.participant, 10),
    Route("GET /me/suggestions/top", Role.participant, 8, "top-suggestions"),
    Route("GET /directory", Role.participant, 6),
    Route("GET /directory?q=", Role.participant, 10, "directory-results"),
    Route("GET /directory/{org}", Role.participant, 12),
    Route("GET /me/suggestions", Role.participant, 6),
    Route("GET /requests", Role.participant, 8),
    Route("GET /requests?box=outgoing", Role.participant, 4),
    Route("GET /me/agenda", Role.participant, 8),
    Route("GET /me/agenda/agenda.ics", Role.participant, 3),
    Route("GET /me/notifications", Role.participant, 4),
    Route("GET /organiser?q=", Role.organiser, 5, "participant-results"),
    Route("GET /organiser", Role.organiser, 2),
    Route("GET /organiser/solve/runs/{run}/progress", Role.organiser, 3, "solve-progress"),
    Route("GET /organiser/schedule", Role.organiser, 2),
    # The event days (issue 14): the desk's search and its counts, and the live boards'
    # polls: the TVs' public link (no sign-in; sent with a participant's cookies, which it
    # ignores) and the organisers' own view.
    Route("GET /organiser/desk?q=", Role.organiser, 4, "desk-results"),
    Route("GET /organiser/desk/status", Role.organiser, 2, "desk-status"),
    Route("GET /board/{board}", Role.participant, 3, "board"),
    Route("GET /organiser/board", Role.organiser, 1, "board"),
]


# --- virtual users ------------------------------------------------------------------------


def _client(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        follow_redirects=False,
        timeout=REQUEST_TIMEOUT,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        headers={"accept-language": "vi"},
    )


async def _get(
    client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None, **options: Any
) -> httpx.Response:
    """A GET outside the measured load (sign-in, warm-up, CPU measure): a 503 of the
    overload guard is retried after a pause, as its page does by itself."""
    for _ in range(30):
        response = await client.get(path, headers=headers, **options)
        await response.aread()
        if response.status_code != BUSY:
            return response
        await asyncio.sleep(0.5)
    return response


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    if "csrftoken" not in client.cookies:
        await _get(client, path)
    return str(client.cookies.get("csrftoken", ""))


async def sign_in_link(client: httpx.AsyncClient, token: str) -> None:
    path = f"/signin/link/{token}"
    csrf = await _csrf(client, path)
    response = await client.post(path, data={"_csrf_token": csrf})
    if response.status_code != 303:
        raise RuntimeError(f"personal-link sign-in answered {response.status_code}")
    await _land(client, response)


async def sign_in_password(client: httpx.AsyncClient, email: str) -> None:
    csrf = await _csrf(client, "/signin")
    response = await client.post(
        "/signin", data={"email": email, "password": ORGANISER_PASSWORD, "_csrf_token": csrf}
    )
    if response.status_code != 303:
        raise RuntimeError(f"organiser sign-in answered {response.status_code}")
    await _land(client, response)


async def _land(client: httpx.AsyncClient, signed_in: httpx.Response) -> None:
    """Open the page the sign-in sends to, as a browser does: signing in renews the
    CSRF token, and that page hands out the new one."""
    await _get(client, signed_in.headers["location"])


def _headers(route: Route) -> dict[str, str]:
    if not route.htmx_target:
        return {}
    return {"hx-request": "true", "hx-target": route.htmx_target}


Users = dict[Role, list[httpx.AsyncClient]]


async def _send(
    client: httpx.AsyncClient, route: Route, url: str, entry: RouteStats, start: float
) -> None:
    began = time.perf_counter()
    status = 0
    for attempt in range(2):
        try:
            response = await client.get(url, headers=_headers(route))
            await response.aread()
            status = response.status_code
            break
        except httpx.RemoteProtocolError as exc:
            # uvicorn closes a keep-alive connection idle for 5 s, about the mean think
            # time: a request sent as it closes finds no answer. Browsers resend a GET
            # on a reused connection that closed unanswered; so does this, once.
            if attempt == 0:
                entry.resent += 1
                continue
            entry.failures[type(exc).__name__] += 1
        except httpx.HTTPError as exc:
            entry.failures[type(exc).__name__] += 1
            if isinstance(exc, httpx.TimeoutException):
                entry.timeouts += 1
            break
    elapsed = (time.perf_counter() - began) * 1000
    entry.statuses[status] += 1
    if status == BUSY:
        entry.busy += 1
        entry.busy_at.append(began - start)
        entry.busy_ms.append(elapsed)
        return
    if status:
        entry.latencies_ms.append(elapsed)
    if not 200 <= status < 400:
        entry.errors += 1


async def _sample_rss(pid: int, peak: list[float]) -> None:
    while True:
        peak[0] = max(peak[0], tree_rss_mb(pid))
        await asyncio.sleep(0.5)


async def _drive(
    users: Users, fx: Fixtures, config: BenchConfig, rng: random.Random, server_pid: int
) -> tuple[dict[str, RouteStats], float, float]:
    """One scenario's load: `config.users` virtual users arrive evenly over the ramp;
    each sends a request, waits for its answer, thinks (exponential, mean
    `config.think`) and sends the next, until the scenario's time is up. Returns the
    routes' figures, the elapsed seconds and the server tree's peak RSS (MiB)."""
    routes = [r for r in ROUTES if users.get(r.role)]
    weights = [r.weight for r in routes]
    stats: dict[str, RouteStats] = {r.label: RouteStats() for r in routes}
    start = time.perf_counter()
    deadline = start + config.seconds
    ramp = min(config.ramp, config.seconds)

    async def user(n: int) -> None:
        await asyncio.sleep(ramp * n / max(1, config.users))
        while time.perf_counter() < deadline:
            route = rng.choices(routes, weights)[0]
            client = rng.choice(users[route.role])
            await _send(client, route, route.url(fx, rng), stats[route.label], start)
            pause = rng.expovariate(1 / config.think) if config.think > 0 else 0.0
            if time.perf_counter() + pause >= deadline:
                return
            await asyncio.sleep(pause)

    peak = [tree_rss_mb(server_pid)]
    sampler = asyncio.create_task(_sample_rss(server_pid, peak))
    try:
        await asyncio.wait_for(
            asyncio.gather(*(user(n) for n in range(config.users))),
            timeout=config.seconds + REQUEST_TIMEOUT + 5,
        )
    finally:
        sampler.cancel()
    elapsed = time.perf_counter() - start
    peak[0] = max(peak[0], tree_rss_mb(server_pid))
    return {k: v for k, v in stats.items() if v.sent}, elapsed, peak[0]


async def _drive_rate(
    users: Users,
    fx: Fixtures,
    rate: float,
    seconds: float,
    rng: random.Random,
    server_pid: int,
) -> tuple[dict[str, RouteStats], float, float]:
    """Open-loop load at a fixed rate: requests of the page mix arrive as a Poisson
    process of `rate` a second for `seconds`, each sent at its time whether or not the
    ones before have been answered (a late generator sends its backlog at once, so the
    offered rate holds). Returns what `_drive` does, the elapsed time until the last
    answer."""
    routes = [r for r in ROUTES if users.get(r.role)]
    weights = [r.weight for r in routes]
    stats: dict[str, RouteStats] = {r.label: RouteStats() for r in routes}
    start = time.perf_counter()
    deadline = start + seconds
    pending: set[asyncio.Task[None]] = set()
    peak = [tree_rss_mb(server_pid)]
    sampler = asyncio.create_task(_sample_rss(server_pid, peak))
    try:
        due = start
        while True:
            due += rng.expovariate(rate)
            if due >= deadline:
                break
            if due > time.perf_counter():
                await asyncio.sleep(due - time.perf_counter())
            route = rng.choices(routes, weights)[0]
            client = rng.choice(users[route.role])
            task = asyncio.create_task(
                _send(client, route, route.url(fx, rng), stats[route.label], start)
            )
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(set(pending), timeout=REQUEST_TIMEOUT + 5)
    finally:
        sampler.cancel()
        for task in list(pending):
            task.cancel()
    elapsed = time.perf_counter() - start
    peak[0] = max(peak[0], tree_rss_mb(server_pid))
    return {k: v for k, v in stats.items() if v.sent}, elapsed, peak[0]


def _own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


async def _find_sustainable(
    users: Users, fx: Fixtures, config: BenchConfig, rng: random.Random, server_pid: int
) -> tuple[float, list[RampStep]]:
    """A short open-loop ramp: steps of `ramp_step_s` seconds, each RAMP_GROWTH times
    the rate of the one before, until a step is not held (a 503, an error or a p95 over
    RAMP_P95_MS); the sustainable rate is the last held step's (the first step's when
    none is)."""
    steps: list[RampStep] = []
    rate = config.ramp_from
    for _ in range(max(1, config.ramp_steps)):
        stats, _, _ = await _drive_rate(users, fx, rate, config.ramp_step_s, rng, server_pid)
        every = merged(list(stats.values()))
        steps.append(RampStep(rate, every.sent, every.percentile(95), every.busy, every.errors))
        if not steps[-1].held:
            break
        rate *= RAMP_GROWTH
        await asyncio.sleep(PROBE_PAUSE)  # the queues drain before the next step
    held = [step.rate for step in steps if step.held]
    return (held[-1] if held else steps[0].rate), steps


async def _overload(
    users: Users,
    fx: Fixtures,
    config: BenchConfig,
    rng: random.Random,
    server_pid: int,
    log: Callable[..., Any],
) -> ScenarioResult:
    """Twice the sustainable rate, open-loop, for the scenario's length; then, once the
    answers are in and the guard has stopped holding, a quiet probe."""
    if config.overload_rate is not None:
        sustainable, source, steps = config.overload_rate, "--overload-rate", list[RampStep]()
    else:
        log(
            f"  a short ramp from {config.ramp_from:g} req/s, x{RAMP_GROWTH:g} every "
            f"{config.ramp_step_s:g} s, to find the sustainable rate ..."
        )
        sustainable, steps = await _find_sustainable(users, fx, config, rng, server_pid)
        source = "a short ramp"
        await asyncio.sleep(PROBE_PAUSE)
    offered = 2 * sustainable
    log(f"  offering {offered:.1f} req/s open-loop for {config.seconds:g} s ...")
    cpu_before = _own_cpu_s()
    stats, elapsed, peak = await _drive_rate(users, fx, offered, config.seconds, rng, server_pid)
    generator_cpu = (_own_cpu_s() - cpu_before) / elapsed if elapsed > 0 else 0.0
    await asyncio.sleep(PROBE_PAUSE)
    probe, _, _ = await _drive_rate(users, fx, PROBE_RATE, config.probe_s, rng, server_pid)
    result = OverloadResult(
        sustainable_rate=sustainable,
        source=source,
        steps=steps,
        offered_rate=offered,
        generator_cpu=generator_cpu,
        probe=merged(list(probe.values())),
        probe_s=config.probe_s,
    )
    note = f"{offered:.1f} req/s open-loop, twice the sustainable {sustainable:.1f} ({source})"
    return ScenarioResult("overload", stats, elapsed, peak, note, overload=result)


async def _measure_cpu(
    users: Users, fx: Fixtures, rng: random.Random, server_pid: int, repeats: int
) -> tuple[dict[str, float], float]:
    """CPU ms per request of each route: the server tree's utime+stime gained over
    `repeats` requests sent one at a time (the kernel counts in ticks of 10 ms, hence
    several), less what the idle server spends meanwhile (the guards' monitors, the
    supervisor's pings). Returns (route -> ms, idle ms per second)."""
    before, began = tree_cpu_s(server_pid), time.perf_counter()
    await asyncio.sleep(2.0)
    idle_per_s = (tree_cpu_s(server_pid) - before) / (time.perf_counter() - began)
    found: dict[str, float] = {}
    for route in ROUTES:
        clients = users.get(route.role)
        if not clients:
            continue
        before, began = tree_cpu_s(server_pid), time.perf_counter()
        try:
            for n in range(repeats):
                url = route.url(fx, rng)
                answer = await _get(clients[n % len(clients)], url, _headers(route))
                if answer.status_code >= 400:  # a route of the mix that is broken, not slow
                    raise RuntimeError(f"{url} answered {answer.status_code} while measuring CPU")
        except httpx.TimeoutException:
            found[route.label] = math.inf  # reported (and failing the run), not measured
            continue
        used = tree_cpu_s(server_pid) - before - idle_per_s * (time.perf_counter() - began)
        found[route.label] = max(0.0, used) * 1000 / repeats
    return found, idle_per_s * 1000


# --- the double-booking check ---------------------------------------------------------------------


REFUSED = 409  # what _answer calls a refusal, whatever the status the form got


def _answer(response: httpx.Response) -> int:
    """The status of a plain form's answer, a refusal counted as 409: the app redirects a
    refused form back to its page with the message as a `flash` (matchmaker/web/actions)."""
    if response.status_code == 303 and "flash=" in response.headers.get("location", ""):
        return REFUSED
    return response.status_code


def _race_outcome(name: str, statuses: list[int]) -> RaceResult:
    return RaceResult(
        name=name,
        sent=len(statuses),
        succeeded=sum(1 for s in statuses if s == 303),
        refused=sum(1 for s in statuses if s in (400, 409)),
        errors=sum(1 for s in statuses if s not in (303, 400, 409)),
    )


def pending_request_for_race(engine: Engine, event_id: int) -> tuple[int, int] | None:
    """(request id, host account id) of a pending request its host may accept now
    (tried in a transaction that is rolled back: meeting limits can refuse it)."""
    from matchmaker.errors import DomainError
    from matchmaker.requests import accept

    with Session(engine, expire_on_commit=False) as session:
        rows = session.exec(
            select(MeetingRequest.id, Account.id)
            .join(Participant, col(Participant.organisation_id) == col(MeetingRequest.to_org_id))
            .join(Account, col(Account.participant_id) == col(Participant.id))
            .where(
                MeetingRequest.event_id == event_id,
                MeetingRequest.status == RequestStatus.pending,
                col(Account.active).is_(True),
            )
            .order_by(col(MeetingRequest.id))
            .limit(200)
        ).all()
        for request_id, account_id in rows:
            if request_id is None or account_id is None:
                continue
            host = session.get(Account, account_id)
            assert host is not None
            try:
                accept(session, request_id, host)
            except DomainError:
                continue
            finally:
                session.rollback()
            return int(request_id), int(account_id)
    return None


def move_contenders(
    engine: Engine, event_id: int, k: int, rng: random.Random
) -> tuple[list[int], str]:
    """Up to k meetings of pairwise different organisations, every one of which may
    legally move to one common "slot:table" target; returns (meeting ids, target)."""
    from matchmaker.changes import MoveChecker, legal_targets  # the move's own checks

    with session_scope(engine) as session:
        event = session.get(Event, event_id)
        assert event is not None
        home_hosts = {
            h
            for h in session.exec(
                select(MeetingTable.host_org_id).where(MeetingTable.event_id == event_id)
            ).all()
            if h is not None
        }
        meetings = [
            m
            for m in session.exec(
                select(Meeting)
                .where(Meeting.event_id == event_id, Meeting.status == MeetingStatus.scheduled)
                .order_by(col(Meeting.id))
            ).all()
            if m.org_a_id not in home_hosts and m.org_b_id not in home_hosts
        ]
        rng.shuffle(meetings)
        busy: dict[int, set[int]] = {}  # slot -> organisations meeting then
        for m in meetings:
            if m.slot_id is not None:
                busy.setdefault(m.slot_id, set()).update((m.org_a_id, m.org_b_id))
        for first in meetings[:5]:
            targets = [
                t for t in legal_targets(session, event, first) if t.slot.id != first.slot_id
            ]
            if not targets:
                continue
            slot_id, table_id = targets[0].slot.id, targets[0].tables[0].id
            assert slot_id is not None and table_id is not None
            group = [first]
            taken = {first.org_a_id, first.org_b_id} | busy.get(slot_id, set())
            for m in meetings[:200]:
                if len(group) >= k:
                    break
                if m is first or m.org_a_id in taken or m.org_b_id in taken:
                    continue
                if MoveChecker(session, event, m).problems(slot_id, table_id):
                    continue
                group.append(m)
                taken |= {m.org_a_id, m.org_b_id}
            if len(group) >= 2:
                return [m.id for m in group if m.id is not None], f"{slot_id}:{table_id}"
    return [], ""


async def _races(
    base_url: str, engine: Engine, event_id: int, config: BenchConfig, rng: random.Random
) -> list[RaceResult]:
    k = max(2, config.contenders)
    results: list[RaceResult] = []
    race = pending_request_for_race(engine, event_id)
    if race is not None:
        request_id, host_id = race
        with session_scope(engine) as session:
            host = session.get(Account, host_id)
            assert host is not None
            tokens = [accounts.issue_token(session, host) for _ in range(k)]
        clients = [_client(base_url) for _ in range(k)]
        try:
            for client, token in zip(clients, tokens, strict=True):
                await sign_in_link(client, token)

            async def accept(client: httpx.AsyncClient) -> int:
                csrf = str(client.cookies.get("csrftoken", ""))
                response = await client.post(
                    f"/requests/{request_id}/accept", data={"_csrf_token": csrf}
                )
                return _answer(response)

            statuses = await asyncio.gather(*(accept(c) for c in clients))
        finally:
            for client in clients:
                await client.aclose()
        results.append(_race_outcome(f"{k} parallel accepts of one pending request", statuses))

    meeting_ids, target = move_contenders(engine, event_id, k, rng)
    if len(meeting_ids) >= 2:
        organiser = _client(base_url)
        try:
            await sign_in_password(organiser, "bench-organiser-1@matchmaker.local")
            csrf = str(organiser.cookies.get("csrftoken", ""))

            async def move(meeting_id: int) -> int:
                response = await organiser.post(
                    f"/organiser/schedule/meetings/{meeting_id}/move",
                    data={"target": target, "_csrf_token": csrf},
                )
                return _answer(response)

            statuses = await asyncio.gather(*(move(m) for m in meeting_ids))
        finally:
            await organiser.aclose()
        results.append(
            _race_outcome(
                f"{len(meeting_ids)} parallel moves into one slot and table", list(statuses)
            )
        )
    return results


# --- the server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str
    pid: int  # the supervisor's, also its process group's
    log_path: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def serve(
    database_url: str, var_dir: Path, workers: int | None, now: str = ""
) -> Iterator[Server]:
    """`python -m matchmaker serve` on a free loopback port, configured by the
    environment as the README does, in its own process group; stopped at the end with
    SIGTERM to the group (SIGKILL if it is still there 20 s later). `now`, when given,
    is the server's clock (MATCHMAKER_FAKE_NOW, see matchmaker.clock)."""
    port = _free_port()
    url = f"http://{HOST}:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.update(
        MATCHMAKER_DATABASE_URL=database_url,
        MATCHMAKER_VAR_DIR=str(var_dir),
        MATCHMAKER_SECRET_KEY=SECRET,
        MATCHMAKER_BASE_URL=url,
        MATCHMAKER_LOGIN_MAX_ATTEMPTS="1000",
        **({FAKE_NOW_ENV: now} if now else {}),
        # this checkout's code, wherever the command is run from
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    command = [sys.executable, "-m", "matchmaker", "serve", "--host", HOST, "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    var_dir.mkdir(parents=True, exist_ok=True)
    log_path = var_dir.parent / "serve.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=var_dir.parent,
            start_new_session=True,  # its own process group: the supervisor and workers
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the benchmark's server stopped:\n{_log_tail(log_path)}")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server at {url} did not start:\n{_log_tail(log_path)}")
            time.sleep(0.1)
        yield Server(url=url, pid=process.pid, log_path=log_path)
    finally:
        _stop(process)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the group; then a few seconds for its last members (the resource
    tracker exits once the supervisor has, and init reaps it), SIGKILL to what is left."""
    if not _group_alive(process.pid):
        return
    os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)  # the supervisor stops its workers first
    deadline = time.monotonic() + 5
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


# --- a solve alongside ---------------------------------------------------------------------


def start_background_solve(engine: Engine, event_id: int, seconds: float) -> int:
    """A real solve of the event in its own process, as the Solve page starts it,
    with a time limit as long as the scenario; returns the run id."""
    from matchmaker.job_queue import start_solve

    limit = max(1, min(3600, math.ceil(seconds)))
    return start_solve(engine, event_id, {"time_limit": str(limit)}, None)


async def finish_background_solve(
    engine: Engine, event_id: int, run_id: int, timeout: float = 60.0
) -> str:
    """Ask the solve to stop if it still runs, wait until it ends; says how it ended."""
    from matchmaker.solve_worker import ACTIVE, request_stop

    with session_scope(engine) as session:
        run, event = session.get(SolveRun, run_id), session.get(Event, event_id)
        assert run is not None and event is not None
        if run.status in ACTIVE:
            request_stop(session, event, run_id)
    deadline = time.monotonic() + timeout
    while True:
        with session_scope(engine) as session:
            run = session.get(SolveRun, run_id)
            assert run is not None
            status = run.status
        if status not in ACTIVE or time.monotonic() > deadline:
            return status.value
        await asyncio.sleep(0.5)


# --- the all-agendas PDF alongside -------------------------------------------------------------

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_INPUT = re.compile(r"<input\b[^>]*>", re.I)
_ATTR = re.compile(r'([a-z_:-]+)="([^"]*)"', re.I)


def _attrs(tag: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value) for name, value in _ATTR.findall(tag)}


def job_form(page: str, kind: str) -> tuple[str, dict[str, str]] | None:
    """The form of `page` that starts the `kind` job (a hidden input kind=`kind`):
    (its action, its hidden fields, the CSRF token among them); None when there is none."""
    for head, body in _FORM.findall(page):
        fields = {}
        for tag in _INPUT.findall(body):
            attrs = _attrs(tag)
            if attrs.get("type", "").lower() == "hidden" and "name" in attrs:
                fields[attrs["name"]] = attrs.get("value", "")
        action = _attrs(f"<form {head}>").get("action", "")
        if fields.get("kind") == kind and action:
            return action, fields
    return None


def job_poll(page: str) -> tuple[str, str]:
    """What a job's page says: ("active", the URL it polls), ("finished", its file's
    URL) or ("failed", its message)."""
    for tag in re.findall(r"<[a-z]+\b[^>]*\bhx-trigger=\"every[^>]*>", page, re.I):
        poll = _attrs(tag).get("hx-get", "")
        if poll:
            return "active", poll
    found = re.search(r'href="([^"]*/file)"', page)
    if found:
        return "finished", html.unescape(found.group(1))
    alert = re.search(r'role="alert"[^>]*>(.*?)<', page, re.S)
    return "failed", (alert.group(1).strip() if alert else "the job's page shows no file")


def _is_pdf(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.headers.get("content-type", "").startswith(
        "application/pdf"
    )


async def _until_served(
    deadline: float, send: Callable[..., Awaitable[httpx.Response]], url: str, **options: Any
) -> httpx.Response:
    """`send(url, **options)`, again after a 503 (as the busy page does by itself) until
    the deadline."""
    while True:
        response = await send(url, **options)
        await response.aread()
        if response.status_code != BUSY or time.monotonic() > deadline:
            return response
        await asyncio.sleep(1.0)


async def make_agendas_pdf(client: httpx.AsyncClient) -> PdfResult:
    """Have the all-agendas PDF made, as an organiser does, and time it. If
    AGENDAS_PDF answers the PDF, that request is the time. If the app makes the PDF as
    a background job instead (AGENDAS_PDF then answers a page with the job's form, or
    nothing and the print page has it), the job is started through its form's POST
    (asking for a new file, not one cached for this schedule) and its page polled as
    the browser does until it shows the file, which is then fetched."""
    deadline = time.monotonic() + PDF_TIMEOUT
    began = time.perf_counter()
    response = await _until_served(
        deadline, client.get, AGENDAS_PDF, follow_redirects=True, timeout=PDF_TIMEOUT
    )
    if _is_pdf(response):
        return PdfResult(f"GET {AGENDAS_PDF}", "finished", _since(began), len(response.content))
    form = job_form(response.text, "agendas")
    if form is None:
        form = job_form((await _get(client, PRINT_PAGE)).text, "agendas")
    if form is None:
        outcome = f"HTTP {response.status_code}, and no job form on {PRINT_PAGE}"
        return PdfResult(f"GET {AGENDAS_PDF}", outcome, _since(began))
    action, fields = form
    began = time.perf_counter()
    response = await _until_served(deadline, client.post, action, data={**fields, "fresh": "1"})
    how = f"a job, started by POST {action}"
    where = response.headers.get("location", "")
    if response.status_code != 303 or not where:
        return PdfResult(how, f"the POST answered HTTP {response.status_code}", _since(began))
    state = "finished" if where.endswith("/file") else "active"
    while state == "active":
        page = await _until_served(deadline, client.get, where, headers={"hx-request": "true"})
        state, found = job_poll(page.text)
        if state == "failed":
            return PdfResult(how, f"the job failed: {found}", _since(began))
        if time.monotonic() > deadline:
            return PdfResult(how, f"not done after {PDF_TIMEOUT:g} s", _since(began))
        if state == "active":
            await asyncio.sleep(0.5)
        where = found
    file = await _until_served(deadline, client.get, where, timeout=PDF_TIMEOUT)
    job = re.search(r"/jobs/(\d+)", where)
    how = f"job {job.group(1)}, started by POST {action}" if job else how
    if not _is_pdf(file):
        return PdfResult(how, f"its file answered HTTP {file.status_code}", _since(began))
    return PdfResult(how, "finished", _since(began), len(file.content))


def _since(began: float) -> float:
    return time.perf_counter() - began


async def _pdf_alongside(task: asyncio.Task[PdfResult]) -> PdfResult:
    """The PDF's outcome once the load has stopped (it may outlast the load)."""
    try:
        return await asyncio.wait_for(task, timeout=PDF_TIMEOUT)
    except TimeoutError:
        return PdfResult("?", f"not done after {PDF_TIMEOUT:g} s", PDF_TIMEOUT)
    except httpx.HTTPError as exc:
        return PdfResult("?", f"no answer ({type(exc).__name__})", 0.0)


# --- the whole run ------------------------------------------------------------------------


@dataclass
class _Measured:
    signins: int = 0
    signin_s: float = 0.0
    rss_before_mb: float = 0.0
    scenarios: list[ScenarioResult] = field(default_factory=list)
    cpu_ms: dict[str, float] = field(default_factory=dict)
    idle_cpu_ms_per_s: float = 0.0
    races: list[RaceResult] = field(default_factory=list)


async def _against(
    server: Server,
    engine: Engine,
    event_id: int,
    fx: Fixtures,
    config: BenchConfig,
    rng: random.Random,
    log: Callable[..., Any],
) -> _Measured:
    measured = _Measured()
    participants = [_client(server.url) for _ in fx.participant_tokens]
    organisers = [_client(server.url) for _ in fx.organiser_emails]
    try:
        began = time.perf_counter()
        sem = asyncio.Semaphore(8)

        async def bounded(step: Awaitable[None]) -> None:
            async with sem:
                await step

        pairs = zip(participants, fx.participant_tokens, strict=True)
        staff = zip(organisers, fx.organiser_emails, strict=True)
        await asyncio.gather(
            *(bounded(sign_in_link(c, t)) for c, t in pairs),
            *(bounded(sign_in_password(c, e)) for c, e in staff),
        )
        measured.signins = len(participants) + len(organisers)
        measured.signin_s = time.perf_counter() - began
        users: Users = {Role.participant: participants, Role.organiser: organisers}
        # Untimed requests first: each worker process compiles templates and reads the
        # suggestions' corpus on first use. Each client keeps its connection to one
        # worker, so several clients make sure that every worker gets some.
        warm = 4 * max(1, worker_processes(server.pid))
        for route in ROUTES:
            for n in range(warm if users.get(route.role) else 0):
                client = users[route.role][n % len(users[route.role])]
                await _get(client, route.url(fx, rng), _headers(route))
        measured.rss_before_mb = tree_rss_mb(server.pid)
        for name in config.scenarios:
            if name == "overload":
                log(f"scenario overload: {config.seconds:g} s ...")
                measured.scenarios.append(await _overload(users, fx, config, rng, server.pid, log))
                continue
            scenario_fx, note, run_id, pdf = fx, "", None, None
            if name == "solve":
                run_id = start_background_solve(engine, event_id, config.seconds)
                # the organisers' progress polls follow the live run
                scenario_fx = dataclasses.replace(fx, run_id=run_id)
            if name == "pdf":
                pdf = asyncio.create_task(make_agendas_pdf(organisers[0]))
            log(
                f"scenario {name}: {config.users} users over {config.ramp:g} s, think "
                f"{config.think:g} s, {config.seconds:g} s"
                + (f", solve run {run_id} alongside" if run_id else "")
                + (", the all-agendas PDF alongside" if pdf else "")
                + " ..."
            )
            stats, elapsed, peak = await _drive(users, scenario_fx, config, rng, server.pid)
            if run_id is not None:
                ended = await finish_background_solve(engine, event_id, run_id)
                note = f"solve run {run_id} alongside (time limit {config.seconds:g} s): {ended}"
            made = None
            if pdf is not None:
                log("  waiting for the all-agendas PDF ...")
                made = await _pdf_alongside(pdf)
                note = f"the all-agendas PDF alongside ({made.how})"
            measured.scenarios.append(ScenarioResult(name, stats, elapsed, peak, note, pdf=made))
        log(f"CPU per request, {config.cpu_repeats} requests a route one at a time ...")
        measured.cpu_ms, measured.idle_cpu_ms_per_s = await _measure_cpu(
            users, fx, rng, server.pid, config.cpu_repeats
        )
    finally:
        for client in participants + organisers:
            await client.aclose()
    log("parallel writes: accepts of one request, moves into one slot and table ...")
    measured.races = await _races(server.url, engine, event_id, config, rng)
    return measured


@contextmanager
def throwaway_postgres(log: Callable[..., Any]) -> Iterator[tuple[str, PostgresServer]]:
    """A PostgreSQL server of its own for the run (tooling/pgserver.py, the binaries
    of /usr/lib/postgresql/*/bin), with one empty database; removed at the end."""
    server = PostgresServer(BENCH_POSTGRES)
    log(f"starting a throw-away PostgreSQL server ({server.initdb}) ...")
    server.start()
    try:
        admin = make_engine(server.url())
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CREATE DATABASE matchmaker_bench"))
        admin.dispose()
        yield server.url("matchmaker_bench"), server
    finally:
        server.stop()


def _postmaster_pid(server: PostgresServer) -> int | None:
    try:
        return int((server.data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def run_bench(
    config: BenchConfig, engine: Engine | None = None, *, log: Callable[..., Any] = print
) -> BenchResult:
    """Run the whole benchmark; `engine` must point at an empty database (else
    config.database_url's; else a throw-away PostgreSQL server's when config.database
    is "postgres"; else a temporary SQLite file)."""
    rng = random.Random(config.seed)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="matchmaker-bench-") as tmp, ExitStack() as stack:
        var_dir = Path(tmp) / "var"
        own_engine = engine is None
        postgres: PostgresServer | None = None
        if engine is None:
            url = config.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            if not config.database_url and config.database == "postgres":
                url, postgres = stack.enter_context(throwaway_postgres(log))
            engine = make_engine(url)
        database_rss_mb = 0.0
        try:
            backend = engine.url.get_backend_name()
            log(f"loading the demo event (scale {config.scale}) into {backend} ...")
            setup = load_event(engine, config)
            log(
                f"  {setup['organisations']} organisations, {setup['participants']} "
                f"participants, {setup['requests']} requests, {setup['meetings']} meetings, "
                f"{setup['slots']} slots"
            )
            log(f"solving and publishing the schedule (time limit {config.solve_seconds} s) ...")
            run_id, scheduled = publish_schedule(engine, setup["event_id"], config.solve_seconds)
            setup["scheduled"] = scheduled
            log(f"  {scheduled} meetings scheduled")
            fx = prepare_fixtures(engine, setup["event_id"], run_id, config, rng)
            database_url = engine.url.render_as_string(hide_password=False)
            now = first_morning(engine, setup["event_id"])
            log(f"the server's clock stands at {now}: the first meeting of the first day")
            with serve(database_url, var_dir, config.workers, now) as server:
                server_pid, processes = server.pid, len(process_tree(server.pid))
                workers = worker_processes(server.pid)
                log(
                    f"serving at {server.url} ({workers} workers); signing in "
                    f"{len(fx.participant_tokens)} participants and "
                    f"{len(fx.organiser_emails)} organisers ..."
                )
                measured = asyncio.run(
                    _against(server, engine, setup["event_id"], fx, config, rng, log)
                )
                # before the server stops: its connections' backends still there
                postmaster = _postmaster_pid(postgres) if postgres is not None else None
                if postmaster is not None:
                    database_rss_mb = tree_rss_mb(postmaster)
            with session_scope(engine) as session:
                doubles = double_bookings(session, setup["event_id"])
        finally:
            if own_engine:
                engine.dispose()
    return BenchResult(
        config=config,
        backend=backend,
        setup=setup,
        server_pid=server_pid,
        server_processes=processes,
        server_workers=workers,
        signins=measured.signins,
        signin_s=measured.signin_s,
        rss_before_mb=measured.rss_before_mb,
        scenarios=measured.scenarios,
        cpu_ms=measured.cpu_ms,
        idle_cpu_ms_per_s=measured.idle_cpu_ms_per_s,
        races=measured.races,
        double_bookings=doubles,
        database_rss_mb=database_rss_mb,
    )


ROW = "{:<42} {:>8} {:>6} {:>5} {:>7} {:>7} {:>7}"


def _route_row(label: str, s: RouteStats) -> str:
    return ROW.format(
        label,
        s.sent,
        s.errors,
        s.busy,
        f"{s.percentile(50):.0f}",
        f"{s.percentile(95):.0f}",
        f"{s.percentile(99):.0f}",
    )


def _scenario_lines(scenario: ScenarioResult) -> list[str]:
    lines = [
        f"scenario {scenario.name}" + (f": {scenario.note}" if scenario.note else ""),
        ROW.format("route", "requests", "errors", "503", "p50 ms", "p95 ms", "p99 ms"),
    ]
    ordered = sorted(scenario.routes.items(), key=lambda item: -item[1].percentile(50))
    lines += [_route_row(label, s) for label, s in ordered]
    every = scenario.every
    lines += [
        _route_row("all", every),
        f"throughput: {scenario.throughput:.1f} req/s answered other than 503 "
        f"({scenario.total_requests} requests in {scenario.elapsed_s:.1f} s)",
        f"server RSS peak: {scenario.rss_peak_mb:.0f} MiB",
    ]
    resent = sum(s.resent for s in scenario.routes.values())
    if resent:
        lines.append(f"resent once after the server closed an idle keep-alive connection: {resent}")
    shed = sorted(t for s in scenario.routes.values() for t in s.busy_at)
    if shed:
        windows = Counter(int(t // 5) * 5 for t in shed)
        lines.append(
            "503s by when (s into the scenario): "
            + ", ".join(f"{w}-{w + 5}: {n}" for w, n in sorted(windows.items()))
        )
    for label, s in scenario.routes.items():
        if s.errors:
            bad = [f"{n}x HTTP {code}" for code, n in s.statuses.items() if code and code >= 400]
            bad = [b for b in bad if not b.endswith(f" {BUSY}")]
            bad += [f"{n}x {name}" for name, n in s.failures.items()]
            lines.append(f"errors on {label}: {', '.join(bad)}")
    if scenario.pdf is not None:
        lines.append(_pdf_line(scenario.pdf, scenario.elapsed_s))
    if scenario.overload is not None:
        lines += _overload_lines(scenario.overload, every)
    return lines


def _pdf_line(pdf: PdfResult, load_s: float) -> str:
    if not pdf.ok:
        return f"all-agendas PDF: {pdf.outcome} after {pdf.seconds:.1f} s"
    when = "within the load" if pdf.seconds <= load_s else f"{pdf.seconds - load_s:.1f} s after it"
    return f"all-agendas PDF: finished in {pdf.seconds:.1f} s ({pdf.size / 1e6:.1f} MB), {when}"


def _overload_lines(result: OverloadResult, every: RouteStats) -> list[str]:
    if result.steps:
        steps = ", ".join(
            f"{s.rate:.0f}: p95 {s.p95_ms:.0f} ms"
            + (f", {s.busy} 503s" if s.busy else "")
            + (f", {s.errors} errors" if s.errors else "")
            + ("" if s.held else " (not held)")
            for s in result.steps
        )
        source = f"{result.source} (req/s: {steps})"
    else:
        source = result.source
    answered = [*every.latencies_ms, *every.busy_ms]
    share = every.prompt / every.sent if every.sent else 0.0
    probe = result.probe
    return [
        f"sustainable rate: {result.sustainable_rate:.1f} req/s, from {source}",
        f"answered within {PROMPT_MS / 1000:g} s (served or 503): {100 * share:.1f} % of "
        f"{every.sent}; max latency {max(answered, default=0):.0f} ms; time-outs "
        f"({REQUEST_TIMEOUT:g} s): {every.timeouts}",
        f"load generator CPU: {100 * result.generator_cpu:.0f} % of a core",
        f"quiet probe after the load ({PROBE_PAUSE:g} s later, {PROBE_RATE:g} req/s for "
        f"{result.probe_s:g} s): {probe.sent} requests, {probe.errors} errors, "
        f"{probe.busy} 503s, p50 {probe.percentile(50):.0f} ms, p95 "
        f"{probe.percentile(95):.0f} ms",
    ]


def format_report(result: BenchResult) -> str:
    c = result.config
    option = "" if c.workers is None else f" --workers {c.workers}"
    database = (
        f"database server: RSS of its processes {result.database_rss_mb:.0f} MiB after the "
        "load (VmRSS summed; not in the server's figures)"
    )
    lines = [
        f"Web load benchmark: demo event scale {c.scale:g} on {result.backend} "
        f"({result.setup['organisations']} organisations, {result.setup['participants']} "
        f"participants, {result.setup.get('scheduled', 0)} scheduled meetings)",
        f"server: python -m matchmaker serve{option}: {result.server_workers} workers; RSS of "
        f"its {result.server_processes} processes (the supervisor and every process under "
        f"it: workers, resource tracker, a job worker if any; VmRSS summed) "
        f"{result.rss_before_mb:.0f} MiB before the load",
        *([database] if result.database_rss_mb else []),
        f"load: {c.users} virtual users arriving over {c.ramp:g} s, exponential think time "
        f"of mean {c.think:g} s, {c.seconds:g} s a scenario; {result.signins} sessions signed "
        f"in in {result.signin_s:.1f} s (not timed)",
        "latencies: answered requests, 503s (the overload guard shedding) left out and "
        "counted apart",
        "",
    ]
    for scenario in result.scenarios:
        lines += [*_scenario_lines(scenario), ""]
    lines.append(
        f"CPU ms per request ({c.cpu_repeats} requests a route one at a time after the load: "
        f"utime+stime of the server's processes, idle {result.idle_cpu_ms_per_s:.1f} ms/s "
        "subtracted)"
    )
    for label, ms in sorted(result.cpu_ms.items(), key=lambda item: -item[1]):
        shown = f"{ms:>7.1f}" if math.isfinite(ms) else f"no answer within {REQUEST_TIMEOUT:.0f} s"
        lines.append(f"{label:<42} {shown}")
    lines.append("")
    for race in result.races:
        lines.append(
            f"{race.name}: {race.succeeded} succeeded, {race.refused} refused, {race.errors} errors"
        )
    lines.append(f"double bookings: {result.double_bookings}")
    return "\n".join(lines)


def format_comparison(sqlite: BenchResult, postgres: BenchResult) -> str:
    """The two backends' figures side by side, every route of a scenario together."""
    row = "{:<10} {:>18} {:>18} {:>18} {:>18} {:>11} {:>9}"
    lines = [
        "SQLite / PostgreSQL, every route of a scenario together (ratio PostgreSQL to SQLite)",
        row.format("scenario", "p50 ms", "p95 ms", "p99 ms", "req/s", "503s", "RSS MiB"),
    ]

    def cell(a: float, b: float, digits: int = 0) -> str:
        ratio = f"{b / a:.2f}x" if a > 0 else "-"
        return f"{a:.{digits}f} / {b:.{digits}f} {ratio}"

    for a, b in zip(sqlite.scenarios, postgres.scenarios, strict=False):
        ea, eb = a.every, b.every
        lines.append(
            row.format(
                a.name,
                *(cell(ea.percentile(p), eb.percentile(p)) for p in (50, 95, 99)),
                cell(a.throughput, b.throughput, 1),
                f"{ea.busy} / {eb.busy}",
                f"{a.rss_peak_mb:.0f} / {b.rss_peak_mb:.0f}",
            )
        )
    for a, b in zip(sqlite.scenarios, postgres.scenarios, strict=False):
        if a.pdf is not None and b.pdf is not None:
            lines.append(f"all-agendas PDF, seconds: {cell(a.pdf.seconds, b.pdf.seconds, 1)}")
    return "\n".join(lines)


def scenario_names(value: str) -> tuple[str, ...]:
    """`--scenario`: names separated by commas, or "all"."""
    if value == "all":
        return SCENARIOS
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown or not names:
        raise UsageError(
            f"--scenario: {', '.join(unknown) or 'none given'}: the scenarios are "
            f"{', '.join(SCENARIOS)} (several separated by commas), or all"
        )
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Preset:
    scale: float
    users: int
    scenario: str


DEFAULTS = Preset(scale=1.0, users=200, scenario=",".join(DEFAULT_SCENARIOS))
# --scale10: the scale-10 run of issue 11, 3,000-odd participants and 400 users.
SCALE10 = Preset(scale=10.0, users=400, scenario="quiet,pdf")


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--scale", type=float, default=None, help="demo event size (1: ~350 people)")
    ap.add_argument("--users", type=int, default=None, help="virtual users (default 200)")
    ap.add_argument("--think", type=float, default=5.0, help="mean think time, seconds")
    ap.add_argument("--ramp", type=float, default=10.0, help="users arrive over this long")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each scenario")
    ap.add_argument(
        "--scenario",
        default=None,
        help=f"{', '.join(SCENARIOS)}, several separated by commas, or all "
        f"(default {','.join(DEFAULT_SCENARIOS)})",
    )
    ap.add_argument(
        "--scale10",
        action="store_true",
        help="the scale-10 run: --scale 10 --users 400 --scenario quiet,pdf unless given",
    )
    ap.add_argument(
        "--overload-rate",
        type=float,
        default=None,
        help="overload: the sustainable rate, req/s (default: found by a short ramp)",
    )
    ap.add_argument(
        "--workers", type=int, default=None, help="serve's --workers (default: serve's own)"
    )
    ap.add_argument("--sessions", type=int, default=40, help="signed-in participant sessions")
    ap.add_argument("--solve-seconds", type=int, default=10, help="the publishing solve's limit")
    ap.add_argument(
        "--database",
        choices=DATABASES,
        default="sqlite",
        help="a temporary SQLite file (default), a throw-away PostgreSQL server, or both",
    )
    ap.add_argument("--database-url", default="", help="an EMPTY database (default: temp SQLite)")


def config_from(args: argparse.Namespace) -> BenchConfig:
    """The command line's BenchConfig (the database taken from --database)."""
    preset = SCALE10 if args.scale10 else DEFAULTS
    scale: float = preset.scale if args.scale is None else args.scale
    users: int = preset.users if args.users is None else args.users
    scenarios = scenario_names(preset.scenario if args.scenario is None else args.scenario)
    if not 0 < scale <= 50:
        raise UsageError("--scale: must be greater than 0 and at most 50")
    if users <= 0:
        raise UsageError("--users: must be greater than 0")
    for name in ("seconds", "sessions"):
        if getattr(args, name) <= 0:
            raise UsageError(f"--{name}: must be greater than 0")
    for name in ("think", "ramp"):
        if getattr(args, name) < 0:
            raise UsageError(f"--{name}: must not be negative")
    if args.overload_rate is not None and not args.overload_rate > 0:
        raise UsageError("--overload-rate: must be greater than 0")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise UsageError("--workers: must be between 1 and 64")
    if args.database_url and args.database != "sqlite":
        raise UsageError("--database-url: give it or --database, not both")
    return BenchConfig(
        scale=scale,
        users=users,
        think=args.think,
        ramp=args.ramp,
        seconds=args.seconds,
        scenarios=scenarios,
        workers=args.workers,
        participants=args.sessions,
        solve_seconds=args.solve_seconds,
        database_url=args.database_url,
        overload_rate=args.overload_rate,
    )


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    results = []
    for database in databases:
        try:
            result = run_bench(dataclasses.replace(config, database=database))
        except ValueError as exc:
            raise UsageError(f"--database-url: {exc}") from exc
        print()
        print(format_report(result))
        results.append(result)
    if len(results) == 2:
        print()
        print(format_comparison(*results))
    problems = [f"{r.backend}: {p}" for r in results for p in r.problems]
    if problems:
        print("; ".join(problems))
        return 1
    return 0
