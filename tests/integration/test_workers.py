"""`matchmaker serve` with several worker processes against one database (SQLite file or
PostgreSQL): the processes are there, and the guarantees hold across them — a personal
sign-in link works once however many tabs press it at once, and one event has one solve
at a time."""

from __future__ import annotations

import os
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
from sqlmodel import Session, func, select

from matchmaker import accounts
from matchmaker.models import SolveRun
from tests.conftest import TEST_SECRET
from tests.factories import (
    ORGANISER_PASSWORD,
    make_event,
    make_org,
    make_organiser,
    make_participant,
)

WORKERS = 2
CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(cmdline)
    return found


@pytest.fixture
def server(db: Session, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    bind = db.get_bind()
    assert isinstance(bind, Engine)
    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": bind.url.render_as_string(hide_password=False),
        "MATCHMAKER_VAR_DIR": str(tmp_path / "var"),
        "MATCHMAKER_SECRET_KEY": TEST_SECRET,
        "MATCHMAKER_MAX_LAG_MS": "60000",  # about workers, not load (a busy machine sheds)
    }
    env.pop("MATCHMAKER_BASE_URL", None)
    port = _free_port()
    command = [sys.executable, "-m", "matchmaker", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(WORKERS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/signin", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "matchmaker serve stopped"
            assert time.monotonic() < deadline, "matchmaker serve never answered"
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _at_once(count: int, action: object) -> list[object]:
    """Run ``action(i)`` in ``count`` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = action(i)  # type: ignore[operator]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def browsers() -> Iterator[list[httpx.Client]]:
    """Browser-like clients, closed at the end."""
    opened: list[httpx.Client] = []
    yield opened
    for client in opened:
        client.close()


def _form_client(opened: list[httpx.Client], url: str, page: str) -> httpx.Client:
    """A browser-like client that has opened ``page`` (and so holds a CSRF cookie)."""
    client = httpx.Client(base_url=url, timeout=60, follow_redirects=False)
    opened.append(client)
    assert client.get(page).status_code == 200
    return client


def _csrf(client: httpx.Client) -> dict[str, str]:
    return {"_csrf_token": client.cookies["csrftoken"]}


def test_several_workers_keep_the_guarantees_of_one(
    db: Session,
    engine: Engine,
    server: tuple[str, subprocess.Popen[bytes]],
    browsers: list[httpx.Client],
) -> None:
    """One server start for the three checks: starting one costs seconds."""
    url, process = server
    # the processes are there
    workers = [c for c in _children(process.pid) if "multiprocessing" in c]
    assert len([c for c in workers if "resource_tracker" not in c]) == WORKERS

    # a personal link pressed in many tabs at once signs in once
    event = make_event(db)
    _, account = make_participant(db, make_org(db, event, "HTX Khóm Cầu Đúc"), "Lê Thị Mai")
    token = accounts.issue_token(db, account)
    orgs = [make_org(db, event, f"Doanh nghiệp {i}") for i in range(3)]
    for org in orgs:
        make_participant(db, org, f"Đại diện {org.name}")
    organiser = make_organiser(db)
    db.commit()
    tabs = [_form_client(browsers, url, f"/signin/link/{token}") for _ in range(CLIENTS)]
    answers = _at_once(
        CLIENTS, lambda i: tabs[i].post(f"/signin/link/{token}", data=_csrf(tabs[i]))
    )
    statuses = sorted(a.status_code for a in answers)  # type: ignore[attr-defined]
    assert statuses == [303] + [400] * (CLIENTS - 1)

    # organisers starting a solve at once start one
    clients = []
    for _ in range(CLIENTS):
        client = _form_client(browsers, url, "/signin")
        signed_in = client.post(
            "/signin",
            data={"email": organiser.email, "password": ORGANISER_PASSWORD, **_csrf(client)},
        )
        assert signed_in.status_code == 303
        client.get("/organiser")  # signing in renews the CSRF token
        clients.append(client)
    answers = _at_once(
        CLIENTS,
        lambda i: clients[i].post(
            "/organiser/solve",
            data={"time_limit": "2", "keep_published": "on", **_csrf(clients[i])},
        ),
    )
    assert all(a.status_code < 500 for a in answers)  # type: ignore[attr-defined]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(SolveRun)).one() == 1
