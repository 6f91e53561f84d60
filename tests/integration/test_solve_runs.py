"""Solve runs in their own process: start, progress, stop, crash, one at a time, publish,
re-solve; and the solve pages over HTTP."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from matchmaker import job_queue, publication, scheduling, solve_worker
from matchmaker.clock import utcnow
from matchmaker.errors import Conflict
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingStatus,
    Organisation,
    Participant,
    RunStatus,
    ScheduleVersion,
    SolveRun,
)
from matchmaker.solve_worker import SolveParams, parse_params, start_solve, wait_for
from solver.api import solve
from solver.solution import Objective, Reason, Solution, Status, Unscheduled
from tests.conftest import post_form, sign_in_as
from tests.factories import (
    make_event,
    make_meeting,
    make_org,
    make_organiser,
    make_participant,
)
from tests.jobs import export, run_jobs

TINY = SolveParams(time_limit=5, workers=1)


@pytest.fixture
def tiny_event(db: Session) -> Iterator[tuple[Event, Account]]:
    """Four organisations (one representative each), every pair meets: 6 meetings,
    8 slots over two days, 3 tables."""
    event = make_event(db, slots_per_session=4, tables=3)
    orgs = [make_org(db, event, f"Doanh nghiệp {i}") for i in range(4)]
    for org in orgs:
        make_participant(db, org, f"Đại diện {org.name}")
    for i in range(4):
        for j in range(i + 1, 4):
            make_meeting(db, event, orgs[i], orgs[j])
    organiser = make_organiser(db)
    db.commit()
    yield event, organiser


def _solve(engine: Engine, event: Event, account: Account, **params: object) -> SolveRun:
    run_id = start_solve(engine, event.id or 0, {**TINY.as_dict(), **params}, account.id)
    return wait_for(engine, run_id, timeout=120)


def _publish_in_process(engine: Engine, event: Event, account: Account) -> SolveRun:
    """A first published schedule, solved in this process (same services, no worker)."""
    with Session(engine, expire_on_commit=False) as session:
        current = session.get(Event, event.id)
        assert current is not None
        run = SolveRun(event_id=event.id or 0, status=RunStatus.finished, parameters={})
        session.add(run)
        session.flush()
        instance, maps = scheduling.build_instance(session, current)
        solution = solve(instance, time_limit=5, workers=1)
        scheduling.store_solution(session, current, run, solution, maps)
        publication.publish_run(session, current, run.id or 0, account)
        session.commit()
        return run


def _placements(engine: Engine, event: Event) -> dict[int, tuple[int | None, int | None]]:
    with Session(engine, expire_on_commit=False) as session:
        rows = session.exec(select(Meeting).where(Meeting.event_id == event.id)).all()
        return {m.id or 0: (m.slot_id, m.table_id) for m in rows}


def _assert_no_double_booking(engine: Engine, event: Event) -> None:
    with Session(engine, expire_on_commit=False) as session:
        meetings = session.exec(
            select(Meeting).where(
                Meeting.event_id == event.id, Meeting.status == MeetingStatus.scheduled
            )
        ).all()
        reps = Counter(p.organisation_id for p in session.exec(select(Participant)).all())
    busy: Counter[tuple[int, int | None]] = Counter()
    tables: Counter[tuple[int | None, int | None]] = Counter()
    for m in meetings:
        assert m.slot_id is not None and m.table_id is not None
        busy[(m.org_a_id, m.slot_id)] += 1
        busy[(m.org_b_id, m.slot_id)] += 1
        tables[(m.table_id, m.slot_id)] += 1
    assert all(n <= reps[org] for (org, _slot), n in busy.items())
    assert all(n == 1 for n in tables.values())


def test_killed_solve_is_marked_failed_and_published_schedule_stays(
    engine: Engine, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    _publish_in_process(engine, event, organiser)
    published = _placements(engine, event)

    run_id = start_solve(engine, event.id or 0, TINY.as_dict(), organiser.id)
    with Session(engine, expire_on_commit=False) as session:
        pid = session.get(SolveRun, run_id).pid  # type: ignore[union-attr]
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    run = wait_for(engine, run_id, timeout=30)

    assert run.status == RunStatus.failed
    assert run.message == "The solve process ended unexpectedly."
    assert _placements(engine, event) == published
    with Session(engine, expire_on_commit=False) as session:
        assert len(session.exec(select(ScheduleVersion)).all()) == 1


def test_second_solve_of_an_event_is_refused_while_one_is_queued(
    engine: Engine, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    first = start_solve(engine, event.id or 0, TINY.as_dict(), organiser.id, launch=False)
    with pytest.raises(Conflict):
        start_solve(engine, event.id or 0, TINY.as_dict(), organiser.id, launch=False)
    with Session(engine, expire_on_commit=False) as session:
        runs = session.exec(select(SolveRun)).all()
    assert [r.id for r in runs] == [first]


def test_two_simultaneous_starts_queue_exactly_one_run(
    engine: Engine, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start() -> None:
        barrier.wait()
        try:
            start_solve(engine, event.id or 0, TINY.as_dict(), organiser.id, launch=False)
            outcomes.append("queued")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["queued", "refused"]
    with Session(engine, expire_on_commit=False) as session:
        assert len(session.exec(select(SolveRun)).all()) == 1


def test_database_refuses_two_active_runs_of_one_event(
    engine: Engine, tiny_event: tuple[Event, Account]
) -> None:
    """The guard is the database's: a second insert fails even past the service."""
    event, _ = tiny_event
    with Session(engine, expire_on_commit=False) as session:
        session.add(SolveRun(event_id=event.id or 0, status=RunStatus.running))
        session.commit()
    with (
        Session(engine, expire_on_commit=False) as session,
        pytest.raises(IntegrityError),
    ):
        session.add(SolveRun(event_id=event.id or 0, status=RunStatus.queued))
        session.commit()
    with Session(engine, expire_on_commit=False) as session:
        session.add(SolveRun(event_id=event.id or 0, status=RunStatus.failed))
        session.commit()


def test_stop_requested_before_start_keeps_a_schedule(
    engine: Engine, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    run_id = start_solve(engine, event.id or 0, TINY.as_dict(), organiser.id, launch=False)
    with Session(engine, expire_on_commit=False) as session:
        solve_worker.request_stop(session, session.get(Event, event.id), run_id)  # type: ignore[arg-type]
        session.commit()
    solve_worker.launch_worker(engine, run_id)
    run = wait_for(engine, run_id, timeout=120)
    assert run.status == RunStatus.stopped
    assert run.outcome is not None and run.outcome.status in ("FEASIBLE", "OPTIMAL")


def test_resolve_keeps_published_meetings_by_default(
    engine: Engine, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    _publish_in_process(engine, event, organiser)
    with Session(engine, expire_on_commit=False) as session:
        late = make_org(session, session.get(Event, event.id), "Công ty đến muộn")  # type: ignore[arg-type]
        make_participant(session, late, "Người đến muộn")
        some = session.exec(select(Meeting).order_by(col(Meeting.id))).first()
        assert some is not None
        other = session.get(Event, event.id)
        assert other is not None
        partner = session.get(Organisation, some.org_a_id)
        assert partner is not None
        new_meeting = make_meeting(session, other, partner, late)
        session.commit()
        new_id = new_meeting.id
    published = {
        mid: place for mid, place in _placements(engine, event).items() if place[0] is not None
    }

    second = _solve(engine, event, organiser)
    outcome = second.outcome
    assert outcome is not None
    proposed = {mid: (p.slot, p.table) for mid, p in outcome.assignments.items()}
    assert all(proposed[mid] == place for mid, place in published.items())
    with Session(engine, expire_on_commit=False) as session:
        result = publication.publish_run(
            session, session.get(Event, event.id), second.id or 0, organiser
        )
        session.commit()
    assert result.version.number == 2
    assert result.diff.moved == []
    assert result.diff.removed == []
    assert set(result.diff.added).isdisjoint(published)
    assert new_id in set(result.diff.added) | set(outcome.unscheduled)


# --- the pages ----------------------------------------------------------------------


def test_solve_page_starts_a_run_and_review_publishes_it(
    client: TestClient, db: Session, engine: Engine, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    sign_in_as(client, organiser, db)
    page = client.get("/organiser/solve")
    assert page.status_code == 200
    assert 'name="time_limit"' in page.text

    started = post_form(
        client,
        "/organiser/solve",
        {"time_limit": "3", "fairness": "", "keep_published": "on"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    run_jobs(client)  # PostgreSQL: the queue's worker takes the solve (SQLite: started)
    with Session(engine, expire_on_commit=False) as session:
        run_id = session.exec(select(SolveRun.id)).one()
    run = wait_for(engine, run_id, timeout=120)
    assert run.status == RunStatus.finished
    assert run.solver_status in ("OPTIMAL", "FEASIBLE")
    assert run.parameters["time_limit"] == 3
    assert run.progress != []
    outcome = run.outcome
    assert outcome is not None
    assert len(outcome.assignments) + len(outcome.unscheduled) == 6
    assert _placements(engine, event) == {mid: (None, None) for mid in _placements(engine, event)}

    review = client.get(f"/organiser/solve/runs/{run_id}")
    assert review.status_code == 200
    assert "heat-cell" in review.text
    assert '<span class="heat-time" aria-hidden="true">08:00</span>' in review.text
    assert f'{len(outcome.assignments)}<small class="muted"> / 6</small>' in review.text
    assert "Cuộc gặp đã xếp / số được đề nghị" in review.text
    assert "khoảng chờ: những lúc một người tham dự phải chờ giữa hai cuộc gặp" in review.text
    assert 'class="bar"' in review.text
    assert "Bên tham gia không có cuộc gặp nào" in review.text

    meeting_id = next(iter(outcome.assignments or outcome.unscheduled))
    with Session(engine, expire_on_commit=False) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        partner = meeting.org_a_id
    picked = client.get(
        f"/organiser/solve/runs/{run_id}",
        params={"org": partner},
        headers={"HX-Request": "true", "HX-Target": "org-schedule"},
    )
    assert picked.status_code == 200
    assert picked.text.lstrip().startswith('<div id="org-schedule"')

    unconfirmed = post_form(client, f"/organiser/solve/runs/{run_id}/publish", {})
    assert unconfirmed.status_code == 400
    published = post_form(
        client,
        f"/organiser/solve/runs/{run_id}/publish",
        {"confirm": "on"},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert published.headers["location"] == f"/organiser/solve/runs/{run_id}?published=1"
    with Session(engine, expire_on_commit=False) as session:
        versions = session.exec(select(ScheduleVersion)).all()
        scheduled = session.exec(
            select(Meeting).where(Meeting.status == MeetingStatus.scheduled)
        ).all()
    assert [(v.number, v.run_id) for v in versions] == [(1, run_id)]
    assert {m.id for m in scheduled} == set(outcome.assignments)
    assert {int(k) for k in versions[0].assignments} == set(outcome.assignments)
    _assert_no_double_booking(engine, event)


def test_solve_page_refuses_bad_time_limit(
    client: TestClient, db: Session, tiny_event: tuple[Event, Account]
) -> None:
    _, organiser = tiny_event
    sign_in_as(client, organiser, db)
    response = post_form(client, "/organiser/solve", {"time_limit": "0"})
    assert response.status_code == 400
    assert "Giới hạn thời gian phải từ 1 đến 3600 giây." in response.text


def test_solve_page_refuses_a_crafted_workers_value(
    client: TestClient, db: Session, tiny_event: tuple[Event, Account]
) -> None:
    _, organiser = tiny_event
    sign_in_as(client, organiser, db)
    response = post_form(client, "/organiser/solve", {"time_limit": "3", "workers": "abc"})
    assert response.status_code == 400
    assert "Hãy nhập số nguyên." in response.text
    assert db.exec(select(func.count()).select_from(SolveRun)).one() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_meetings", "abc", "Hãy nhập một số nguyên cuộc gặp, hoặc để trống."),
        ("min_meetings", "0", "Mức tối thiểu phải từ 1 đến 50 cuộc gặp."),
        ("min_meetings", "51", "Mức tối thiểu phải từ 1 đến 50 cuộc gặp."),
        ("fairness", "-1", "Mức công bằng phải từ 0 đến 100 khoảng trống."),
        ("fairness", "1.5", "Mức công bằng phải là một số nguyên khoảng trống, hoặc để trống."),
    ],
)
def test_solve_page_refuses_a_bad_optional_number_at_its_field(
    client: TestClient,
    db: Session,
    tiny_event: tuple[Event, Account],
    field: str,
    value: str,
    message: str,
) -> None:
    _, organiser = tiny_event
    sign_in_as(client, organiser, db)
    response = post_form(client, "/organiser/solve", {"time_limit": "3", field: value})
    assert response.status_code == 400
    assert message in response.text
    assert 'class="field has-error"' in response.text
    assert f'id="{field}" name="{field}" type="number"' in response.text
    assert f'value="{value}"' in response.text
    assert db.exec(select(func.count()).select_from(SolveRun)).one() == 0


def test_a_minimum_of_meetings_reaches_the_solver_and_the_history(
    client: TestClient, db: Session, engine: Engine, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    sign_in_as(client, organiser, db)
    post_form(client, "/organiser/solve", {"time_limit": "3", "min_meetings": "2"})
    run_jobs(client)
    with Session(engine, expire_on_commit=False) as session:
        run_id = session.exec(select(SolveRun.id)).one()
    run = wait_for(engine, run_id, timeout=120)
    assert run.status == RunStatus.finished
    assert run.parameters["min_meetings"] == 2
    params = parse_params(dict(run.parameters))
    with Session(engine) as session:
        instance, _ = scheduling.build_instance(
            session, event, min_meetings=params.min_meetings
        )
    assert instance.options.min_meetings == 2
    assert "mỗi bên ít nhất 2" in client.get("/organiser/solve").text


def test_progress_partial_polls_while_running_and_stops_when_done(
    client: TestClient, db: Session, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    points = [
        {"t": 0.2, "phase": "weight", "objective": 4, "bound": 6, "breaks": None},
        {"t": 0.9, "phase": "weight", "objective": 5, "bound": 6, "breaks": None},
        {"t": 1.5, "phase": "breaks", "objective": 6, "bound": 6, "breaks": 2},
    ]
    running = SolveRun(event_id=event.id or 0, status=RunStatus.queued, progress=points)
    db.add(running)
    db.commit()
    sign_in_as(client, organiser, db)
    headers = {"HX-Request": "true", "HX-Target": "solve-progress"}

    live = client.get(f"/organiser/solve/runs/{running.id}/progress", headers=headers)
    assert live.status_code == 200
    assert 'hx-trigger="every 1s"' in live.text
    assert "<polyline" in live.text
    assert "Dừng và giữ lịch tốt nhất" in live.text

    stop = post_form(client, f"/organiser/solve/runs/{running.id}/stop", {}, headers=headers)
    assert stop.status_code == 200
    assert "Đang dừng: lịch tốt nhất tìm được đến lúc này sẽ được giữ lại." in stop.text
    db.refresh(running)
    assert running.stop_requested is True

    running.status = RunStatus.finished
    db.add(running)
    db.commit()
    done = client.get(f"/organiser/solve/runs/{running.id}/progress", headers=headers)
    assert done.status_code == 200
    assert done.headers["hx-refresh"] == "true"
    without_js = client.get(f"/organiser/solve/runs/{running.id}/progress")
    assert "hx-trigger" not in without_js.text
    assert "Xem kết quả" not in without_js.text


def test_progress_says_in_words_what_the_solver_does_after_the_weight_is_reached(
    client: TestClient, db: Session, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    points = [
        {"t": 0.2, "phase": "weight", "objective": 4, "bound": 6, "breaks": None},
        {"t": 0.9, "phase": "weight", "objective": 6, "bound": 6, "breaks": None},
    ]
    running = SolveRun(
        event_id=event.id or 0, status=RunStatus.running, progress=points, started_at=utcnow()
    )
    db.add(running)
    db.commit()
    sign_in_as(client, organiser, db)
    post_form(client, "/lang", {"locale": "en", "next": "/organiser/solve"})

    live = client.get(f"/organiser/solve/runs/{running.id}/progress")

    assert live.status_code == 200
    assert "Meetings to place" in live.text
    assert '<span class="stat-value">6</span>' in live.text  # the tiny event's meetings
    assert "Importance of the meetings placed, of the best possible" in live.text
    assert "100.0 %" in live.text  # how close to the best possible
    assert "not counted yet" in live.text  # waiting gaps, not a dash
    assert "–</span>" not in live.text
    assert (
        "All the meetings that can be placed are placed (the best possible importance is "
        "reached); now sharing meetings fairly and reducing waiting time between meetings."
    ) in live.text
    for solver_term in ("Bound", "Gap", "weight<"):
        assert solver_term not in live.text


def test_solve_pages_are_for_organisers_only(
    client: TestClient, db: Session, tiny_event: tuple[Event, Account]
) -> None:
    event, _ = tiny_event
    org = make_org(db, event, "Khởi nghiệp Vị Thanh")
    _, account = make_participant(db, org, "Trần Văn B")
    db.commit()
    sign_in_as(client, account, db)
    assert client.get("/organiser/solve").status_code == 403
    assert post_form(client, "/organiser/solve", {"time_limit": "3"}).status_code == 403


def _run_leaving_out(db: Session, event: Event, solution: Solution) -> SolveRun:
    """A finished run of `event` storing `solution` (solver ids as build_instance names)."""
    _, maps = scheduling.build_instance(db, event)
    run = SolveRun(event_id=event.id or 0, status=RunStatus.finished, parameters={})
    db.add(run)
    db.flush()
    scheduling.store_solution(db, event, run, solution, maps)
    db.commit()
    return run


def _first_meeting(db: Session, event: Event) -> Meeting:
    meeting = db.exec(
        select(Meeting).where(Meeting.event_id == event.id).order_by(col(Meeting.id))
    ).first()
    assert meeting is not None
    return meeting


TABLES_FULL_VI = (
    "Doanh nghiệp 0 và Doanh nghiệp 1 chỉ cùng rảnh vào sáng Thứ Năm 18/05: "
    "tất cả các bàn đều đã kín vào thời gian đó."
)
TABLES_FULL_EN = (
    "Doanh nghiệp 0 and Doanh nghiệp 1 are both free only on the morning of Thu 18 May: "
    "every table is taken then."
)


def _tables_full(meeting: Meeting) -> Solution:
    return Solution(
        status=Status.FEASIBLE,
        unscheduled=[
            Unscheduled(
                meeting=str(meeting.id),
                reason="(English text)",
                code="tables_full",
                params={
                    "participants": [f"o{meeting.org_a_id}", f"o{meeting.org_b_id}"],
                    "slots": ["d1-am-01", "d1-am-02", "d1-am-03", "d1-am-04"],
                    "booked": [0, 0],
                    "tables_full": 4,
                    "daily_limit": 0,
                    "other": 0,
                },
            )
        ],
        objective=Objective(),
    )


def test_review_shows_why_a_meeting_is_unscheduled_in_the_readers_language(
    client: TestClient, db: Session, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    run = _run_leaving_out(db, event, _tables_full(_first_meeting(db, event)))
    sign_in_as(client, organiser, db)

    in_vietnamese = client.get(f"/organiser/solve/runs/{run.id}")
    post_form(client, "/lang", {"locale": "en", "next": "/"})
    in_english = client.get(f"/organiser/solve/runs/{run.id}")

    assert TABLES_FULL_VI in in_vietnamese.text
    assert TABLES_FULL_EN in in_english.text
    assert "(English text)" not in in_vietnamese.text + in_english.text


def test_published_reason_shows_on_the_schedule_page_and_in_the_export(
    client: TestClient, db: Session, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    meeting = _first_meeting(db, event)
    run = _run_leaving_out(db, event, _tables_full(meeting))
    publication.publish_run(db, event, run.id or 0, organiser)
    db.commit()
    sign_in_as(client, organiser, db)

    waiting = client.get("/organiser/schedule", params={"show": "waiting"})
    exported = export(client, "meetings", "csv").content.decode("utf-8-sig")

    assert TABLES_FULL_VI in waiting.text
    assert f"{meeting.id},Doanh nghiệp 0,Doanh nghiệp 1," in exported
    assert TABLES_FULL_VI in exported


def test_infeasible_run_says_why_in_the_readers_language(
    client: TestClient, db: Session, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    meeting = _first_meeting(db, event)
    why = Reason(
        code="too_many_meetings",
        params={"participant": f"o{meeting.org_a_id}", "meetings": 3, "fit": 2, "capacity": 1},
        text="Doanh nghiệp 0 has 3 meetings but they fit in at most 2",
    )
    run = _run_leaving_out(db, event, Solution(status=Status.INFEASIBLE, diagnosis=[why]))
    sign_in_as(client, organiser, db)

    page = client.get("/organiser/solve")
    progress = client.get(f"/organiser/solve/runs/{run.id}/progress")

    expected = (
        "Doanh nghiệp 0 có 3 cuộc gặp nhưng chỉ xếp được tối đa 2 cuộc vào các khung giờ có thể."
    )
    assert expected in page.text
    assert expected in progress.text
    assert "they fit in at most" not in page.text


def test_participant_agenda_says_why_a_meeting_has_no_slot(
    client: TestClient, db: Session, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    meeting = _first_meeting(db, event)
    run = _run_leaving_out(db, event, _tables_full(meeting))
    publication.publish_run(db, event, run.id or 0, organiser)
    org = db.get(Organisation, meeting.org_a_id)
    assert org is not None
    _, account = make_participant(db, org, "Lê Thu Hà")
    db.commit()
    sign_in_as(client, account, db)

    agenda = client.get("/me/agenda")

    assert agenda.status_code == 200
    assert TABLES_FULL_VI in agenda.text


# --- where a solve runs: beside the web server (SQLite), or from the queue (PostgreSQL) ---


def test_a_solve_runs_beside_the_server_on_sqlite_and_from_the_queue_on_postgres(
    client: TestClient, engine: Engine, tiny_event: tuple[Event, Account]
) -> None:
    event, organiser = tiny_event
    run_id = job_queue.start_solve(engine, event.id or 0, TINY.as_dict(), organiser.id)
    with Session(engine) as session:
        queued = session.get(SolveRun, run_id)
        assert queued is not None
        if job_queue.uses_procrastinate(engine):
            # nobody runs it until a `matchmaker worker` takes it, on whatever machine
            assert (queued.status, queued.pid) == (RunStatus.queued, None)
        else:
            assert queued.pid is not None  # its process was started here
    run_jobs(client)
    run = wait_for(engine, run_id, timeout=120)
    assert run.status == RunStatus.finished
    assert run.worker_host == solve_worker.HOST
    assert run.heartbeat_at is not None and run.outcome is not None


def _active_run(db: Session, event: Event, **fields: object) -> SolveRun:
    run = SolveRun(event_id=event.id or 0, parameters={}, **fields)
    db.add(run)
    db.commit()
    return run


def test_a_run_on_another_machine_lives_while_its_heartbeat_is_fresh(
    db: Session, tiny_event: tuple[Event, Account]
) -> None:
    event, _ = tiny_event
    # a pid that is not alive here: only the heartbeat can tell
    run = _active_run(
        db, event, status=RunStatus.running, pid=2**22 + 7, worker_host="worker-2.example",
        heartbeat_at=utcnow() - timedelta(seconds=20),
    )  # fmt: skip
    assert solve_worker.reap_dead_runs(db, event.id) == []
    run.heartbeat_at = utcnow() - solve_worker.STALE_AFTER - timedelta(seconds=1)
    db.add(run)
    db.commit()
    assert solve_worker.reap_dead_runs(db, event.id) == [run.id]
    assert (run.status, run.message) == (
        RunStatus.failed,
        "The solve process ended unexpectedly.",
    )


def test_a_solve_no_worker_took_says_to_start_one(
    db: Session, tiny_event: tuple[Event, Account]
) -> None:
    event, _ = tiny_event
    run = _active_run(
        db, event, status=RunStatus.queued,
        created_at=utcnow() - solve_worker.QUEUED_GRACE - timedelta(seconds=1),
    )  # fmt: skip
    assert solve_worker.reap_dead_runs(db, event.id) == [run.id]
    assert run.status == RunStatus.failed
    assert "is `matchmaker worker` running?" in run.message
