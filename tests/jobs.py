"""Jobs in tests: ask for one as the organiser's pages do, let a worker run what is
queued (the same worker `matchmaker worker` runs: procrastinate on PostgreSQL, the job
table's polling loop on SQLite, here in the test's process until no job is left), and
fetch the result."""

from __future__ import annotations

import re

from litestar.testing import TestClient

from matchmaker import job_queue
from tests.conftest import post_form


def run_jobs(client: TestClient) -> None:
    state = client.app.state
    job_queue.run_worker(state.engine, state.settings.var_dir, until_idle=True)


def job_path(client: TestClient, kind: str, **fields: str) -> str:
    """Start a document job; where the page sends the organiser (job page or file)."""
    started = post_form(client, "/organiser/jobs", {"kind": kind, **fields}, follow_redirects=False)
    assert started.status_code == 303, started.text
    return str(started.headers["location"])


def document(client: TestClient, kind: str, **fields: str):  # type: ignore[no-untyped-def]
    """The file of a document job (made by a worker unless the cached one is served)."""
    location = job_path(client, kind, **fields)
    if not location.endswith("/file"):
        run_jobs(client)
        page = client.get(location)
        link = re.search(r'href="(/organiser/jobs/\d+/file)"', page.text)
        assert link is not None, page.text
        location = link.group(1)
    return client.get(location)


def export(client: TestClient, name: str, fmt: str):  # type: ignore[no-untyped-def]
    return document(client, "export", name=name, format=fmt)


def import_step(client: TestClient, token: str, step: str, mapping: dict[str, str]):  # type: ignore[no-untyped-def]
    """Post the import page's check or run form, let the job run, and open the page it
    leads to (the outcome, or the organiser's home after an import)."""
    started = post_form(
        client, f"/organiser/import/{token}/{step}", mapping, follow_redirects=False
    )
    if started.status_code != 303:
        return started  # refused at once (a column choice is missing)
    run_jobs(client)
    return client.get(started.headers["location"], follow_redirects=False)
