"""End-to-end fixtures: the real app served by uvicorn in a background thread, driven
by the system's headless Chromium through Playwright's sync API.

One server per run of this package (the demo event at scale 0.3 on a fresh SQLite file);
every test gets a new browser context, so cookies never leak between tests. When a
test fails, a screenshot of its page is saved under test-artifacts/.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.request
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from matchmaker import accounts, job_queue
from matchmaker.db import make_engine, session_scope, upgrade
from matchmaker.settings import Settings
from matchmaker.web.app import create_app
from tests.conftest import IN_CI, TEST_SECRET
from tests.e2e.helpers import ARTIFACTS, ORGANISER_EMAIL, ORGANISER_PASSWORD, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
# How long (ms) Playwright waits for an element or a navigation before failing.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


def _listening_socket() -> socket.socket:
    """A socket bound to a free port, handed to uvicorn (no race for the port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def _wait_until_up(url: str, thread: threading.Thread, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the e2e server thread stopped while starting")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the e2e server at {url} did not answer within {timeout:.0f}s")


@contextmanager
def serve_demo(var_dir: Path) -> Iterator[LiveServer]:
    """The app with the demo event (seed 2023, scale 0.3) on a fresh SQLite file under
    var_dir, served on a free port until the block ends."""
    import uvicorn

    from matchmaker.demo import generate_demo

    sock = _listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(var_dir=var_dir, secret_key=TEST_SECRET, base_url=url)
    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    with session_scope(engine) as db:
        summary = generate_demo(db, seed=2023, scale=0.3)
        accounts.ensure_participant_accounts(db)
        accounts.create_organiser(db, ORGANISER_EMAIL, ORGANISER_PASSWORD, "Ban tổ chức E2E")
    app = create_app(settings, engine=engine)
    # The server runs its own event loop in its own thread (no clash with Playwright's);
    # ws="none" avoids importing websockets, whose deprecation warnings are errors here.
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="e2e-uvicorn", daemon=True
    )
    thread.start()
    # The job worker `matchmaker serve` starts beside the web workers (documents, imports).
    stop_jobs = threading.Event()
    job_worker = threading.Thread(
        target=job_queue.run_worker,
        args=(engine, settings.var_dir),
        kwargs={"stop": stop_jobs},
        name="e2e-job-worker",
        daemon=True,
    )
    job_worker.start()
    try:
        _wait_until_up(url, thread)
        yield LiveServer(url=url, engine=engine, settings=settings, event_id=summary.event_id)
    finally:
        server.should_exit = True
        stop_jobs.set()
        thread.join(timeout=10)
        job_worker.join(timeout=30)
        sock.close()
        engine.dispose()


@contextmanager
def read_only_server(live_server: LiveServer) -> Iterator[str]:
    """A second server (same settings, so the same sessions) on the live server's SQLite
    file opened read-only, as SQLite opens a file it may not write; yields its URL.
    Cookies belong to the host, not the port: a browser signed in on the live server is
    signed in on this one."""
    import uvicorn

    engine = make_engine(f"sqlite:///file:{live_server.engine.url.database}?mode=ro&uri=true")
    sock = _listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(live_server.settings, engine=engine)
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", ws="none", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_until_up(url, thread)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        engine.dispose()


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the demo event (seed 2023, scale 0.3), served on a free port. A test
    module that changes the event a lot (publishing, importing) overrides this fixture
    with its own module-scoped server from `serve_demo`."""
    with serve_demo(tmp_path_factory.mktemp("e2e") / "var") as server:
        yield server


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """The Debian Chromium, headless (never a Playwright-downloaded browser)."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing (CI must not skip the end-to-end tests)")
        pytest.skip(f"{CHROMIUM} is not installed here (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so page fixtures see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _open_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, viewport: Any
) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
            target = ARTIFACTS / f"FAILED-{name.strip('_')}.png"
            try:
                page.screenshot(path=str(target), full_page=True)
            except Exception as exc:  # the page may be gone; the failure itself matters
                print(f"could not save {target}: {exc}")
        context.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A desktop-sized page (1280×800) in a fresh browser context."""
    yield from _open_page(request, browser, live_server, DESKTOP)


@pytest.fixture
def phone_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A phone-sized page (390×844) in a fresh browser context."""
    yield from _open_page(request, browser, live_server, PHONE)
