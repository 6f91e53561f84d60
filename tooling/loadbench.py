"""The web load benchmark (`python -m tooling bench-load`).

Loads the demo event into a fresh database, publishes a schedule (a real solve in its
own process), serves the real app with uvicorn on 127.0.0.1 in a background thread,
signs in virtual participants (personal links) and organisers (password), then drives
a realistic mix of page requests with a bounded number of requests and a time limit.
It prints latency percentiles per route, the throughput and the peak memory, and then
checks that parallel writes cannot double-book: K parallel accepts of one pending
request and K parallel moves of different meetings into one slot and table.

Traffic goes to the loopback interface only. Figures are printed, never asserted:
the machine is shared and noisy. Sign-in is not timed in the table (argon2 password
hashing is slow on purpose)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import random
import re
import resource
import socket
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func
from sqlalchemy import event as sa_event
from sqlmodel import Session, col, select

from matchmaker import accounts, scheduling
from matchmaker.db import make_engine, session_scope, upgrade
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    RequestStatus,
    Role,
    RunStatus,
    SolveRun,
)
from matchmaker.settings import Settings
from tooling import UsageError

HOST = "127.0.0.1"
ORGANISER_PASSWORD = "bench-organiser-password-2023"
SECRET = "load-benchmark-secret-key-" + "x" * 32
REQUEST_TIMEOUT = 60.0


# --- configuration and results -----------------------------------------------------------


@dataclass(frozen=True)
class BenchConfig:
    scale: float = 1.0
    concurrency: int = 16
    requests: int = 400
    seconds: float = 60.0
    participants: int = 40  # virtual participant users
    organisers: int = 2  # virtual organiser users
    contenders: int = 8  # K parallel writers in the double-booking check
    solve_seconds: int = 10  # time limit of the solve that publishes the schedule
    seed: int = 2023
    database_url: str = ""


@dataclass
class RouteStats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # no answer: the exception
    # Measured alone afterwards (one request at a time): robust on a busy machine.
    statements: int = 0
    cpu_ms: float = 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in ms (0 when none)."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]


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
    routes: dict[str, RouteStats]
    elapsed_s: float
    signins: int
    signin_s: float
    rss_before_mb: float
    rss_peak_mb: float
    races: list[RaceResult]
    double_bookings: int

    @property
    def total_requests(self) -> int:
        return sum(len(s.latencies_ms) for s in self.routes.values())

    @property
    def total_errors(self) -> int:
        return sum(s.errors for s in self.routes.values()) + sum(r.errors for r in self.races)

    @property
    def throughput(self) -> float:
        return self.total_requests / self.elapsed_s if self.elapsed_s > 0 else 0.0


# --- memory ------------------------------------------------------------------------------------


def _status_kib(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of resident memory (Linux), so the peak
    measures the load phase, not the demo loading before it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _rss_mb() -> float:
    kib = _status_kib("VmRSS")
    return (kib or 0) / 1024


def _peak_rss_mb() -> float:
    kib = _status_kib("VmHWM")
    if kib is None:
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024


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
    return Fixtures(
        run_id=run_id,
        org_ids=[oid for oid, _ in orgs if oid is not None],
        queries=_queries([name for _, name in orgs], rng),
        participant_tokens=tokens,
        organiser_emails=list(organisers)[: max(1, config.organisers)],
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
        if path.endswith("q="):
            path += rng.choice(fx.queries).replace(" ", "+")
        return path


# A participant-heavy mix: roughly what a busy event morning looks like.
ROUTES = [
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


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    if "csrftoken" not in client.cookies:
        await client.get(path)
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
    await client.get(signed_in.headers["location"])


def _headers(route: Route) -> dict[str, str]:
    if not route.htmx_target:
        return {}
    return {"hx-request": "true", "hx-target": route.htmx_target}


class StatementCounter:
    """Counts SQL statements run on an engine (the app's and the nav badges' sessions)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        sa_event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1

    def close(self) -> None:
        sa_event.remove(self.engine, "before_cursor_execute", self._seen)


async def _measure_alone(
    users: dict[Role, list[httpx.AsyncClient]],
    fx: Fixtures,
    stats: dict[str, RouteStats],
    counter: StatementCounter,
    rng: random.Random,
    repeats: int = 3,
) -> None:
    """SQL statements and process CPU time of each route, one request at a time
    (the median of a few requests by different users)."""
    for route in ROUTES:
        entry = stats.get(route.label)
        if entry is None:
            continue
        counts: list[int] = []
        cpu: list[float] = []
        for n in range(repeats):
            client = users[route.role][n % len(users[route.role])]
            url = route.url(fx, rng)
            before, began = counter.count, time.process_time()
            response = await client.get(url, headers=_headers(route))
            await response.aread()
            cpu.append((time.process_time() - began) * 1000)
            counts.append(counter.count - before)
        entry.statements = sorted(counts)[len(counts) // 2]
        entry.cpu_ms = sorted(cpu)[len(cpu) // 2]


async def _drive(
    users: dict[Role, list[httpx.AsyncClient]],
    fx: Fixtures,
    config: BenchConfig,
    rng: random.Random,
) -> tuple[dict[str, RouteStats], float]:
    routes = [r for r in ROUTES if users.get(r.role)]
    weights = [r.weight for r in routes]
    stats: dict[str, RouteStats] = {r.label: RouteStats() for r in routes}
    issued = 0
    start = time.perf_counter()
    deadline = start + config.seconds

    async def worker() -> None:
        nonlocal issued
        while issued < config.requests and time.perf_counter() < deadline:
            issued += 1
            route = rng.choices(routes, weights)[0]
            client = rng.choice(users[route.role])
            url = route.url(fx, rng)
            began = time.perf_counter()
            try:
                response = await client.get(url, headers=_headers(route))
                await response.aread()
                status = response.status_code
            except httpx.HTTPError as exc:
                status = 0
                stats[route.label].failures[type(exc).__name__] += 1
            elapsed = (time.perf_counter() - began) * 1000
            entry = stats[route.label]
            entry.latencies_ms.append(elapsed)
            entry.statuses[status] += 1
            if not 200 <= status < 400:
                entry.errors += 1

    tasks = [asyncio.create_task(worker()) for _ in range(max(1, config.concurrency))]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=config.seconds + REQUEST_TIMEOUT + 5)
    return {k: v for k, v in stats.items() if v.latencies_ms}, time.perf_counter() - start


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


@contextmanager
def serve(engine: Engine, var_dir: Path) -> Iterator[str]:
    """The real app on a free loopback port, in a background thread."""
    import uvicorn

    from matchmaker.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(512)
    url = f"http://{HOST}:{sock.getsockname()[1]}"
    settings = Settings(var_dir=var_dir, secret_key=SECRET, base_url=url, login_max_attempts=1000)
    app = create_app(settings, engine=engine)
    config = uvicorn.Config(
        app, log_level="warning", ws="none", lifespan="on", access_log=False, backlog=512
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="bench-uvicorn", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            if not thread.is_alive():
                raise RuntimeError("the benchmark server stopped while starting")
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the benchmark server at {url} did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# --- the whole run ------------------------------------------------------------------------


async def _load_phase(
    engine: Engine, base_url: str, fx: Fixtures, config: BenchConfig, rng: random.Random
) -> tuple[dict[str, RouteStats], float, int, float]:
    participants = [_client(base_url) for _ in fx.participant_tokens]
    organisers = [_client(base_url) for _ in fx.organiser_emails]
    try:
        began = time.perf_counter()
        sem = asyncio.Semaphore(max(1, config.concurrency))

        async def bounded(coro: Any) -> None:
            async with sem:
                await coro

        pairs = zip(participants, fx.participant_tokens, strict=True)
        staff = zip(organisers, fx.organiser_emails, strict=True)
        await asyncio.gather(
            *(bounded(sign_in_link(c, t)) for c, t in pairs),
            *(bounded(sign_in_password(c, e)) for c, e in staff),
        )
        signin_s = time.perf_counter() - began
        users = {Role.participant: participants, Role.organiser: organisers}
        # One untimed request per route first: templates compile on their first use.
        for route in ROUTES:
            if users.get(route.role):
                await users[route.role][0].get(route.url(fx, rng), headers=_headers(route))
        stats, elapsed = await _drive(users, fx, config, rng)
        counter = StatementCounter(engine)
        try:
            await _measure_alone(users, fx, stats, counter, rng)
        finally:
            counter.close()
    finally:
        for client in participants + organisers:
            await client.aclose()
    return stats, elapsed, len(participants) + len(organisers), signin_s


def run_bench(
    config: BenchConfig, engine: Engine | None = None, *, log: Any = print
) -> BenchResult:
    """Run the whole benchmark; `engine` must point at an empty database (a temporary
    SQLite file is made when neither it nor config.database_url is given)."""
    rng = random.Random(config.seed)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="matchmaker-bench-") as tmp:
        var_dir = Path(tmp) / "var"
        own_engine = engine is None
        if engine is None:
            url = config.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            engine = make_engine(url)
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
            with serve(engine, var_dir) as base_url:
                rss_before = _rss_mb()
                _reset_peak_rss()
                log(
                    f"signing in {len(fx.participant_tokens)} participants and "
                    f"{len(fx.organiser_emails)} organisers at {base_url}; then at most "
                    f"{config.requests} requests in {config.seconds:g} s, "
                    f"{config.concurrency} at a time ..."
                )
                stats, elapsed, signins, signin_s = asyncio.run(
                    _load_phase(engine, base_url, fx, config, rng)
                )
                rss_peak = _peak_rss_mb()
                log("parallel writes: accepts of one request, moves into one slot and table ...")
                races = asyncio.run(_races(base_url, engine, setup["event_id"], config, rng))
            with session_scope(engine) as session:
                doubles = double_bookings(session, setup["event_id"])
        finally:
            if own_engine:
                engine.dispose()
    return BenchResult(
        config=config,
        backend=backend,
        setup=setup,
        routes=stats,
        elapsed_s=elapsed,
        signins=signins,
        signin_s=signin_s,
        rss_before_mb=rss_before,
        rss_peak_mb=rss_peak,
        races=races,
        double_bookings=doubles,
    )


def format_report(result: BenchResult) -> str:
    c = result.config
    lines = [
        f"Web load benchmark: demo event scale {c.scale:g} on {result.backend} "
        f"({result.setup['organisations']} organisations, {result.setup['participants']} "
        f"participants, {result.setup.get('scheduled', 0)} scheduled meetings)",
        f"{result.signins} virtual users signed in in {result.signin_s:.1f} s (not timed below); "
        f"concurrency {c.concurrency}",
        "",
        f"{'route':<42} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'SQL':>5} {'CPU ms':>7}",
    ]
    for label, s in sorted(result.routes.items(), key=lambda item: -item[1].percentile(50)):
        lines.append(
            f"{label:<42} {len(s.latencies_ms):>8} {s.errors:>6} {s.percentile(50):>7.0f} "
            f"{s.percentile(95):>7.0f} {s.percentile(99):>7.0f} {s.statements:>5} {s.cpu_ms:>7.1f}"
        )
    every = RouteStats(
        latencies_ms=[x for s in result.routes.values() for x in s.latencies_ms],
        errors=sum(s.errors for s in result.routes.values()),
    )
    lines += [
        f"{'all':<42} {len(every.latencies_ms):>8} {every.errors:>6} "
        f"{every.percentile(50):>7.0f} {every.percentile(95):>7.0f} {every.percentile(99):>7.0f}",
        "(SQL: statements per request and CPU ms: process CPU time per request, both measured "
        "one request at a time after the load)",
        "",
        f"throughput: {result.throughput:.1f} req/s ({result.total_requests} requests in "
        f"{result.elapsed_s:.1f} s)",
        f"memory: RSS {result.rss_before_mb:.0f} MiB before the load, peak "
        f"{result.rss_peak_mb:.0f} MiB during it (server and load client share the process)",
        "",
    ]
    for label, s in result.routes.items():
        if s.errors:
            bad = [f"{n}x HTTP {code}" for code, n in s.statuses.items() if code and code >= 400]
            bad += [f"{n}x {name}" for name, n in s.failures.items()]
            lines.append(f"errors on {label}: {', '.join(bad)}")
    for race in result.races:
        lines.append(
            f"{race.name}: {race.succeeded} succeeded, {race.refused} refused, {race.errors} errors"
        )
    lines.append(f"double bookings: {result.double_bookings}")
    return "\n".join(lines)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--scale", type=float, default=1.0, help="demo event size (1: ~350 people)")
    ap.add_argument("--concurrency", type=int, default=16, help="requests in flight at once")
    ap.add_argument("--requests", type=int, default=400, help="at most this many page requests")
    ap.add_argument("--seconds", type=float, default=60.0, help="and for at most this long")
    ap.add_argument("--users", type=int, default=40, help="virtual participants signed in")
    ap.add_argument("--solve-seconds", type=int, default=10, help="time limit of the solve")
    ap.add_argument("--database-url", default="", help="an EMPTY database (default: temp SQLite)")


def run(args: argparse.Namespace) -> int:
    if not 0 < args.scale <= 50:
        raise UsageError("--scale: must be greater than 0 and at most 50")
    for name in ("concurrency", "requests", "seconds"):
        if getattr(args, name) <= 0:
            raise UsageError(f"--{name}: must be greater than 0")
    config = BenchConfig(
        scale=args.scale,
        concurrency=args.concurrency,
        requests=args.requests,
        seconds=args.seconds,
        participants=args.users,
        solve_seconds=args.solve_seconds,
        database_url=args.database_url,
    )
    try:
        result = run_bench(config)
    except ValueError as exc:
        raise UsageError(f"--database-url: {exc}") from exc
    print()
    print(format_report(result))
    if result.total_errors or result.double_bookings:
        print(f"{result.total_errors} errors, {result.double_bookings} double bookings")
        return 1
    return 0
