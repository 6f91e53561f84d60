"""Heavy work as jobs, on SQLite and PostgreSQL: a job runs in a worker and its file is
served; a document is served from cache until the schedule changes; a worker killed
mid-way leaves its job failed, and retrying it succeeds; two workers never run the same
job; only organisers see job pages (and only their own imports)."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from matchmaker import jobs
from matchmaker.clock import utcnow
from matchmaker.models import (
    Job,
    JobStatus,
    Meeting,
    MeetingStatus,
    MeetingTable,
    OrgKind,
    ScheduleVersion,
    Slot,
)
from matchmaker.web.session_cookie import LANG_COOKIE
from tests.conftest import csrf_token, post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant
from tests.jobs import document, job_path, run_jobs

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["Tên đơn vị", "Loại", "Lĩnh vực", "Tỉnh", "Họ tên", "Chức vụ", "Email", "Điện thoại"]


def _published_event(db: Session):  # type: ignore[no-untyped-def]
    event = make_event(db)
    startup = make_org(db, event, "Công ty Nông nghiệp Số Vị Thanh")
    investor = make_org(db, event, "Quỹ Đầu tư Sông Hậu", OrgKind.investor)
    _, startup_account = make_participant(db, startup, "Võ Thị Yến")
    make_participant(db, investor, "Đặng Văn Bảo")
    slot = db.exec(select(Slot).order_by(col(Slot.position))).all()[1]
    table = db.exec(select(MeetingTable).order_by(col(MeetingTable.name))).first()
    a, b = sorted([startup.id or 0, investor.id or 0])
    meeting = Meeting(
        event_id=event.id or 0,
        org_a_id=a,
        org_b_id=b,
        slot_id=slot.id,
        table_id=table.id if table else None,
        status=MeetingStatus.scheduled,
    )
    db.add(meeting)
    db.add(ScheduleVersion(event_id=event.id or 0, number=1))
    organiser = make_organiser(db)
    db.commit()
    return event, organiser, startup_account, meeting


def _job(engine: Engine, job_id: int) -> Job:
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _id(location: str) -> int:
    return int(location.split("/organiser/jobs/")[1].split("/")[0])


def _worker(client: TestClient, *args: str) -> subprocess.Popen[bytes]:
    """`matchmaker worker` in its own process, against the test's database and var folder."""
    state = client.app.state
    env = dict(os.environ)
    env.update(
        MATCHMAKER_DATABASE_URL=state.engine.url.render_as_string(hide_password=False),
        MATCHMAKER_VAR_DIR=str(state.settings.var_dir),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "matchmaker", "worker", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# --- a job runs and its file is served ---------------------------------------------------


def test_document_job_shows_progress_then_serves_its_file(client: TestClient, db: Session) -> None:
    _, organiser, _, _ = _published_event(db)
    sign_in_as(client, organiser, db)

    location = job_path(client, "table_plan")
    waiting = client.get(location)
    polled = client.get(location, headers={"HX-Request": "true"})
    run_jobs(client)
    done = client.get(location, headers={"HX-Request": "true"})
    served = client.get(f"{location}/file")

    job_id = _id(location)
    assert waiting.status_code == 200 and f'id="job-{job_id}"' in waiting.text
    assert f'hx-get="/organiser/jobs/{job_id}"' in waiting.text  # polls while queued
    assert polled.text.lstrip().startswith(f'<section class="card job" id="job-{job_id}"')
    assert "<html" not in polled.text  # the partial alone
    assert "hx-get" not in done.text  # ended: no more polling
    assert f'href="/organiser/jobs/{job_id}/file"' in done.text
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == 'inline; filename="table-plan.pdf"'
    assert served.content.startswith(b"%PDF")
    job = _job(client.app.state.engine, job_id)
    assert (job.status, job.progress, job.attempts, job.schedule_version) == (
        JobStatus.finished,
        100,
        1,
        1,
    )


def test_export_job_serves_a_spreadsheet_as_an_attachment(client: TestClient, db: Session) -> None:
    event, organiser, _, _ = _published_event(db)
    sign_in_as(client, organiser, db)

    response = document(client, "export", name="schedule", format="xlsx")

    assert response.headers["content-disposition"] == (
        f'attachment; filename="{event.slug}-schedule.xlsx"'
    )
    assert response.content.startswith(b"PK")  # a zipped workbook


# --- cached per schedule version ---------------------------------------------------------


def test_document_is_served_from_cache_until_the_schedule_changes(
    client: TestClient, db: Session
) -> None:
    event, organiser, _, meeting = _published_event(db)
    sign_in_as(client, organiser, db)
    first = job_path(client, "table_signs")
    run_jobs(client)

    again = job_path(client, "table_signs")
    asked_fresh = job_path(client, "table_signs", fresh="1")
    run_jobs(client)
    client.cookies.set(LANG_COOKIE, "en")
    in_english = job_path(client, "table_signs")
    client.cookies.set(LANG_COOKIE, "vi")
    db.add(ScheduleVersion(event_id=event.id or 0, number=2))
    db.commit()
    after_version = job_path(client, "table_signs")
    run_jobs(client)
    cached_again = job_path(client, "table_signs")
    meeting.updated_at = utcnow()  # a late change by hand, without a new version
    db.add(meeting)
    db.commit()
    after_move = job_path(client, "table_signs")

    assert again == f"/organiser/jobs/{_id(first)}/file"  # at once, the same file
    assert _id(asked_fresh) != _id(first)  # "make it again" makes a new one
    new = {_id(first), _id(asked_fresh)}
    assert not in_english.endswith("/file") and _id(in_english) not in new
    assert not after_version.endswith("/file") and _id(after_version) not in new
    assert cached_again == f"/organiser/jobs/{_id(after_version)}/file"
    assert not after_move.endswith("/file") and _id(after_move) != _id(after_version)
    assert _job(client.app.state.engine, _id(after_version)).schedule_version == 2


# --- a killed worker ---------------------------------------------------------------------


def _big_csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for n in range(rows):
        writer.writerow(
            [f"Công ty Số {n}", "startup", "agritech", "Hậu Giang", f"Người Thứ {n}", "CEO",
             f"nguoi{n}@example.vn", "0909 111 222"]
        )  # fmt: skip
    return buffer.getvalue().encode()


def _upload(client: TestClient, content: bytes) -> str:
    response = client.post(
        "/organiser/import",
        files={"file": ("people.csv", content, "text/csv")},
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


MAPPING = {
    "map-organisation": "0",
    "map-kind": "1",
    "map-sectors": "2",
    "map-province": "3",
    "map-full_name": "4",
    "map-title": "5",
    "map-email": "6",
    "map-phone": "7",
}


def _wait_until(engine: Engine, job_id: int, status: JobStatus, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while (job := _job(engine, job_id)).status != status:
        assert time.monotonic() < deadline, f"job still {job.status.value}"
        time.sleep(0.02)
    return job


def test_job_of_a_killed_worker_is_failed_and_retrying_it_succeeds(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    engine = client.app.state.engine
    token = _upload(client, _big_csv(5000))
    started = post_form(client, f"/organiser/import/{token}/check", MAPPING, follow_redirects=False)
    location = started.headers["location"]
    job_id = int(location.rsplit("=", 1)[1])

    worker = _worker(client)
    running = _wait_until(engine, job_id, JobStatus.running)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    failed_page = client.get(location)
    failed = _job(engine, job_id)
    retried = post_form(client, f"/organiser/jobs/{job_id}/retry", {}, follow_redirects=False)
    second = _worker(client, "--until-idle")
    second.wait(timeout=240)
    finished = _job(engine, job_id)
    result_page = client.get(location)

    assert running.worker_pid == worker.pid
    assert failed.status == JobStatus.failed
    assert failed.error == "The worker doing this job stopped before it finished."
    assert f'action="/organiser/jobs/{job_id}/retry"' in failed_page.text
    assert retried.status_code == 303
    assert (finished.status, finished.attempts) == (JobStatus.finished, 2)
    assert finished.outcome["ok"] is True and finished.outcome["new_people"] == 5000
    assert f'action="/organiser/import/{token}/run"' in result_page.text


# --- two workers ---------------------------------------------------------------------------


def test_two_workers_never_run_the_same_job(client: TestClient, db: Session) -> None:
    _, organiser, _, _ = _published_event(db)
    sign_in_as(client, organiser, db)
    engine = client.app.state.engine
    # Exports of live data are never cached: each asks for a job of its own.
    ids = [
        _id(job_path(client, "export", name="participants", format=fmt))
        for fmt in ("csv", "xlsx") * 6
    ]

    workers = [_worker(client, "--until-idle") for _ in range(2)]
    for worker in workers:
        worker.wait(timeout=240)
    done = [_job(engine, job_id) for job_id in ids]

    assert len(set(ids)) == 12
    assert [j.status for j in done] == [JobStatus.finished] * 12
    assert [j.attempts for j in done] == [1] * 12  # each claimed once, by one worker
    assert {j.worker_pid for j in done} <= {w.pid for w in workers}


def test_a_queued_job_is_claimed_once_however_many_ask_at_once(
    client: TestClient, db: Session
) -> None:
    _, organiser, _, _ = _published_event(db)
    sign_in_as(client, organiser, db)
    engine = client.app.state.engine
    job_id = _id(job_path(client, "agendas"))
    barrier = threading.Barrier(6)
    won: list[int | None] = []

    def claim() -> None:
        barrier.wait()
        won.append(jobs.claim(engine, job_id))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(won, key=lambda a: a or 0) == [None] * 5 + [1]


# --- who may see what ----------------------------------------------------------------------


def test_job_pages_are_for_organisers_and_imports_for_whoever_started_them(
    client: TestClient, db: Session
) -> None:
    _, organiser, startup_account, _ = _published_event(db)
    other = make_organiser(db, "other@example.vn")
    db.commit()
    sign_in_as(client, organiser, db)
    plan = job_path(client, "table_plan")
    token = _upload(client, _big_csv(3))
    checked = post_form(client, f"/organiser/import/{token}/check", MAPPING, follow_redirects=False)
    check_id = int(checked.headers["location"].rsplit("=", 1)[1])
    run_jobs(client)

    client.cookies.clear()
    sign_in_as(client, other, db)
    other_sees_plan = client.get(plan)
    other_sees_check = client.get(f"/organiser/jobs/{check_id}")
    client.cookies.clear()
    sign_in_as(client, startup_account, db)
    participant = [
        client.get(plan).status_code,
        client.get(f"{plan}/file").status_code,
        post_form(client, f"{plan}/retry", {}).status_code,
        post_form(client, "/organiser/jobs", {"kind": "agendas"}).status_code,
    ]
    own_agenda = client.get("/me/agenda/agenda.pdf")

    assert other_sees_plan.status_code == 200
    assert other_sees_check.status_code == 404
    assert participant == [403, 403, 403, 403]
    # A participant's own agenda stays a direct download: one sheet, made at once.
    assert own_agenda.status_code == 200
    assert own_agenda.headers["content-type"] == "application/pdf"
