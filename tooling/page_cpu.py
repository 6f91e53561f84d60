"""CPU per page (`python -m tooling page-cpu`): a profile, not a load test.

Loads the demo event into a temporary SQLite database (or a throw-away PostgreSQL
server's, `--database postgres`) and publishes a schedule, as the load benchmark does
(tooling/loadbench.py: load_event, publish_schedule, prepare_fixtures); builds the app
in this process and drives it through httpx's ASGI transport, so the app runs on this
thread's event loop (its page handlers are synchronous on the loop, so a profile of this
thread sees them), signed in as a few participants (personal links) and, with
`--organiser`, an organiser. Each route of the load benchmark's mix (ROUTES) is warmed,
then requested `--repeats` times one at a time, cycling over the signed-in sessions and
the mix's ids and search words; each request's time.process_time() (this process's
CPU, every thread) gives the median and p90 per route. `GET /health` is the reference
for what the test client and the framework cost by themselves.

`--profile ROUTE` (a route label such as "GET /me/agenda", or a unique part of one)
runs that route's requests under cProfile and prints the top 30 functions by
cumulative time (pyinstrument's tree instead, when it is installed). `--keep FILE`
keeps the SQLite database in FILE and reuses it on the next run (loading and solving
take most of a run); the app migrates it on start, so a new migration meets old data.

Figures are printed, never asserted: the machine is shared; compare routes within one
run."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib.util
import io
import logging
import pstats
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
from litestar import Litestar
from sqlalchemy import Engine
from sqlmodel import select

from matchmaker.db import make_engine, session_scope, upgrade
from matchmaker.models import Role, SolveRun
from matchmaker.settings import Settings
from matchmaker.web.app import create_app
from tooling import UsageError
from tooling.loadbench import (
    HEALTH,
    ORGANISER_PASSWORD,
    ROUTES,
    SECRET,
    BenchConfig,
    Fixtures,
    Route,
    load_event,
    prepare_fixtures,
    publish_schedule,
    throwaway_postgres,
)

TARGET_MS = 5.0  # issue 11: every participant page at a median of at most this
BASE_URL = "http://testserver.local"


@dataclass(frozen=True)
class PageCpuConfig:
    scale: float = 1.0
    repeats: int = 30
    participants: int = 5  # signed-in participant sessions the requests cycle over
    organiser: bool = False  # also the organiser routes of the mix
    solve_seconds: int = 10
    seed: int = 2023
    database: str = "sqlite"
    keep: Path | None = None  # a SQLite file kept between runs
    profile: str = ""  # a route label (or a unique part of one) to profile


@dataclass(frozen=True)
class RouteCpu:
    label: str
    samples_ms: list[float]
    statuses: set[int]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p90(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


# --- the database ------------------------------------------------------------------------


def _fixtures(engine: Engine, config: PageCpuConfig, rng: random.Random) -> Fixtures:
    """Load and publish the demo event unless the database holds it already."""
    bench = BenchConfig(
        scale=config.scale, participants=config.participants, organisers=1, seed=config.seed
    )
    upgrade(engine)
    with session_scope(engine) as session:
        existing = session.exec(select(SolveRun.id, SolveRun.event_id)).first()
    if existing is None:
        print(f"loading the demo event (scale {config.scale}) ...", flush=True)
        setup = load_event(engine, bench)
        print(f"solving and publishing (time limit {config.solve_seconds} s) ...", flush=True)
        run_id, _ = publish_schedule(engine, setup["event_id"], config.solve_seconds)
        event_id = int(setup["event_id"])
    else:
        run_id, event_id = int(existing[0] or 0), int(existing[1])
    return prepare_fixtures(engine, event_id, run_id, bench, rng)


@contextmanager
def _database(config: PageCpuConfig, tmp: Path) -> Iterator[Engine]:
    with ExitStack() as stack:
        if config.database == "postgres":
            url, _ = stack.enter_context(throwaway_postgres(print))
        else:
            url = f"sqlite:///{config.keep or tmp / 'pages.db'}"
        engine = make_engine(url)
        stack.callback(engine.dispose)
        yield engine


# --- the requests ---------------------------------------------------------------------------


def _routes(config: PageCpuConfig) -> list[Route]:
    roles = {Role.participant, Role.organiser} if config.organiser else {Role.participant}
    return [r for r in ROUTES if r.role in roles]


def _profiled(config: PageCpuConfig, routes: list[Route]) -> Route | None:
    if not config.profile:
        return None
    exact = [r for r in routes if r.label == config.profile]
    found = exact or [r for r in routes if config.profile in r.label]
    if len(found) != 1:
        names = ", ".join(r.label for r in (found or routes))
        raise UsageError(f"--profile {config.profile!r}: name one route of: {names}")
    return found[0]


def _headers(route: Route) -> dict[str, str]:
    if not route.htmx_target:
        return {}
    return {"hx-request": "true", "hx-target": route.htmx_target}


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    if "csrftoken" not in client.cookies:
        await client.get(path)
    return str(client.cookies.get("csrftoken", ""))


async def _sign_in(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> None:
    data = {**data, "_csrf_token": await _csrf(client, path)}
    response = await client.post(path, data=data, follow_redirects=False)
    if response.status_code != 303:
        raise RuntimeError(f"sign-in at {path} answered {response.status_code}")
    await client.get(response.headers["location"])  # hands out the renewed CSRF token


@dataclass
class Sessions:
    by_role: dict[Role, list[httpx.AsyncClient]]

    def client(self, route: Route, n: int) -> httpx.AsyncClient:
        clients = self.by_role[route.role]
        return clients[n % len(clients)]


def _client(app: Litestar) -> httpx.AsyncClient:
    """A browser-like client calling the app on this thread's loop, no network."""
    transport = httpx.ASGITransport(app=cast(Any, app))
    return httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers={"accept-language": "vi"}
    )


async def _open_sessions(
    app: Litestar, fx: Fixtures, config: PageCpuConfig, stack: AsyncExitStack
) -> Sessions:
    participants = []
    for token in fx.participant_tokens:
        client = await stack.enter_async_context(_client(app))
        await _sign_in(client, f"/signin/link/{token}", {})
        participants.append(client)
    by_role: dict[Role, list[httpx.AsyncClient]] = {Role.participant: participants}
    if config.organiser:
        client = await stack.enter_async_context(_client(app))
        data = {"email": fx.organiser_emails[0], "password": ORGANISER_PASSWORD}
        await _sign_in(client, "/signin", data)
        by_role[Role.organiser] = [client]
    return Sessions(by_role)


async def _time_route(
    sessions: Sessions, route: Route, fx: Fixtures, rng: random.Random, repeats: int,
    profiler: cProfile.Profile | None = None,
) -> RouteCpu:  # fmt: skip
    samples, statuses = [], set()
    for n in range(repeats):
        client, url = sessions.client(route, n), route.url(fx, rng)
        if profiler is not None:
            profiler.enable()
        began = time.process_time()
        response = await client.get(url, headers=_headers(route))
        used = time.process_time() - began
        if profiler is not None:
            profiler.disable()
        samples.append(used * 1000)
        statuses.add(response.status_code)
    return RouteCpu(route.label, samples, statuses)


async def _measure(
    app: Litestar, fx: Fixtures, config: PageCpuConfig, routes: list[Route], rng: random.Random
) -> tuple[list[RouteCpu], str]:
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.lifespan())
        sessions = await _open_sessions(app, fx, config, stack)
        for route in routes:  # warm: templates compiled, caches filled, pages read once
            for n in range(3):
                await sessions.client(route, n).get(route.url(fx, rng), headers=_headers(route))
        target = _profiled(config, routes)
        if target is not None:
            return [], await _profile(sessions, target, fx, rng, config.repeats)
        return [await _time_route(sessions, r, fx, rng, config.repeats) for r in routes], ""


async def _profile(
    sessions: Sessions, route: Route, fx: Fixtures, rng: random.Random, repeats: int
) -> str:
    if importlib.util.find_spec("pyinstrument") is not None:
        from pyinstrument import Profiler  # type: ignore[import-not-found]

        profiler = Profiler(async_mode="enabled")
        with profiler:
            result = await _time_route(sessions, route, fx, rng, repeats)
        return _summary_line(result) + "\n" + str(profiler.output_text(unicode=True))
    cprofile = cProfile.Profile()
    result = await _time_route(sessions, route, fx, rng, repeats, cprofile)
    out = io.StringIO()
    stats = pstats.Stats(cprofile, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(30)
    return _summary_line(result) + f" (under cProfile, {repeats} requests)\n" + out.getvalue()


# --- the report -------------------------------------------------------------------------------

ROW = "{:<40} {:>9} {:>8} {:>8}  {}"


def _summary_line(r: RouteCpu) -> str:
    over = "" if r.label == HEALTH or r.median <= TARGET_MS else "  over target"
    status = ",".join(str(s) for s in sorted(r.statuses))
    return ROW.format(r.label, f"{r.median:.2f}", f"{r.p90:.2f}", status, over).rstrip()


def format_report(results: list[RouteCpu], backend: str, repeats: int) -> str:
    lines = [
        f"CPU ms per request ({backend}, {repeats} requests per route, in-process; "
        f"target: median <= {TARGET_MS:g} ms)",
        ROW.format("route", "median", "p90", "status", "").rstrip(),
    ]
    lines += [_summary_line(r) for r in results]
    return "\n".join(lines)


def measure(config: PageCpuConfig) -> str:
    rng = random.Random(config.seed)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    routes = _routes(config)
    _profiled(config, routes)  # a bad --profile fails before the slow part
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="matchmaker-pages-")))
        engine = stack.enter_context(_database(config, tmp))
        fx = _fixtures(engine, config, rng)
        settings = Settings(var_dir=tmp / "var", secret_key=SECRET, login_max_attempts=1000)
        app = create_app(settings, engine=engine)
        results, profile = asyncio.run(_measure(app, fx, config, routes, rng))
        backend = engine.url.get_backend_name()
    return profile or format_report(results, backend, config.repeats)


# --- the command line -----------------------------------------------------------------------


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--scale", type=float, default=1.0, help="demo event size (1: ~350 people)")
    ap.add_argument("--repeats", type=int, default=30, help="timed requests per route")
    ap.add_argument("--sessions", type=int, default=5, help="signed-in participants")
    ap.add_argument("--organiser", action="store_true", help="the organiser routes too")
    ap.add_argument("--profile", default="", metavar="ROUTE", help="profile this route")
    ap.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument(
        "--keep", type=Path, default=None, metavar="FILE",
        help="keep the SQLite database in FILE and reuse it next time",
    )  # fmt: skip
    ap.add_argument("--solve-seconds", type=int, default=10, help="the publishing solve's limit")


def run(args: argparse.Namespace) -> int:
    if args.repeats < 1 or args.sessions < 1:
        raise UsageError("--repeats and --sessions: at least 1")
    if not 0 < args.scale <= 50:
        raise UsageError("--scale: must be greater than 0 and at most 50")
    if args.keep is not None and args.database != "sqlite":
        raise UsageError("--keep: a SQLite file only")
    config = PageCpuConfig(
        scale=args.scale,
        repeats=args.repeats,
        participants=args.sessions,
        organiser=args.organiser,
        solve_seconds=args.solve_seconds,
        database=args.database,
        keep=args.keep,
        profile=args.profile,
    )
    print(measure(config))
    return 0
