"""The publication service: drafts are never versions, every publication is audited
(web, final, CLI), and the preview shown before publishing is what publishing does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from matchmaker import cli, publication, scheduling
from matchmaker.clock import utcnow
from matchmaker.models import (
    Account,
    AuditLog,
    Event,
    Meeting,
    MeetingTable,
    Notification,
    Organisation,
    RunStatus,
    ScheduleVersion,
    Slot,
    SolveRun,
)
from solver.solution import Assignment, Objective, Solution, Status, Unscheduled
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant

pytestmark = pytest.mark.integration


@dataclass
class World:
    event: Event
    orgs: list[Organisation]
    meetings: list[Meeting]
    slots: list[Slot]
    tables: list[MeetingTable]
    organiser: Account


@pytest.fixture
def world(db: Session) -> World:
    event = make_event(db, slots_per_session=4, tables=2)
    names = ("Sở TT&TT Hậu Giang", "FPT Cần Thơ", "HTX Mía Vị Thanh", "Quỹ Mekong")
    orgs = [make_org(db, event, name) for name in names]
    for org in orgs:
        make_participant(db, org, f"Đại diện {org.name}")
    meetings = [
        make_meeting(db, event, orgs[0], orgs[1]),
        make_meeting(db, event, orgs[0], orgs[2]),
        make_meeting(db, event, orgs[2], orgs[3]),
    ]
    organiser = make_organiser(db)
    instance, maps = scheduling.build_instance(db, event)
    slots = [db.get(Slot, maps.slot_id[s.id]) for s in instance.slots]
    tables = list(
        db.exec(
            select(MeetingTable)
            .where(MeetingTable.event_id == event.id)
            .order_by(col(MeetingTable.id))
        )
    )
    db.commit()
    return World(event, orgs, meetings, [s for s in slots if s is not None], tables, organiser)


def _run(
    db: Session, w: World, places: dict[int, tuple[int, int]], dropped: tuple[int, ...] = ()
) -> SolveRun:
    """A finished run proposing meeting index -> (slot index, table index), leaving the
    `dropped` meetings out of the schedule."""
    _, maps = scheduling.build_instance(db, w.event)
    solution = Solution(
        status=Status.FEASIBLE,
        assignments=[
            Assignment(
                meeting=str(w.meetings[m].id),
                slot=maps.slot_code[w.slots[s].id or 0],
                table=maps.table_code[w.tables[t].id or 0],
            )
            for m, (s, t) in places.items()
        ],
        unscheduled=[Unscheduled(meeting=str(w.meetings[m].id), reason="") for m in dropped],
        objective=Objective(scheduled=len(places)),
    )
    run = SolveRun(event_id=w.event.id or 0, status=RunStatus.finished)
    db.add(run)
    db.flush()
    scheduling.store_solution(db, w.event, run, solution, maps)
    db.commit()
    return run


def _count(db: Session, model: type) -> int:
    return int(db.exec(select(func.count()).select_from(model)).one())


def _places(db: Session, w: World) -> list[tuple[int | None, int | None]]:
    for m in w.meetings:
        db.refresh(m)
    return [(m.slot_id, m.table_id) for m in w.meetings]


def test_a_draft_is_never_a_version(db: Session, world: World) -> None:
    w = world
    run = _run(db, w, {0: (0, 0), 1: (1, 0)})

    release = publication.release_draft(
        db, w.event, run.id or 0, utcnow() + timedelta(days=1), w.organiser
    )
    draft_current = publication.current_version(db, w.event)
    final = publication.publish_final(db, w.event, w.organiser)
    db.commit()

    assert (release.version.kind, release.version.number) == ("draft", 1)
    assert draft_current is None
    assert (final.version.kind, final.version.number) == ("final", 1)
    assert final.first
    assert publication.current_version(db, w.event) == final.version


def test_versions_count_publications_and_drafts_apart(db: Session, world: World) -> None:
    w = world
    first = _run(db, w, {0: (0, 0)})
    publication.publish_run(db, w.event, first.id or 0, w.organiser)
    second = _run(db, w, {0: (1, 0)})
    deadline = utcnow() + timedelta(days=1)
    publication.release_draft(db, w.event, second.id or 0, deadline, w.organiser)
    publication.publish_final(db, w.event, w.organiser)
    third = _run(db, w, {0: (2, 1)})
    publication.release_draft(db, w.event, third.id or 0, deadline, w.organiser)
    db.commit()

    versions = db.exec(select(ScheduleVersion).order_by(col(ScheduleVersion.id))).all()
    assert [(v.kind, v.number) for v in versions] == [
        ("final", 1),
        ("draft", 1),
        ("final", 2),
        ("draft", 2),
    ]
    assert publication.open_draft(db, w.event) == versions[3]
    assert publication.current_version(db, w.event) == versions[2]


def test_run_history_and_schedule_page_label_a_draft_as_a_draft(
    client, db: Session, world: World
) -> None:  # type: ignore[no-untyped-def]
    w = world
    run = _run(db, w, {0: (0, 0), 1: (1, 0)})
    publication.release_draft(db, w.event, run.id or 0, utcnow() + timedelta(days=1), w.organiser)
    db.commit()
    sign_in_as(client, w.organiser, db)
    client.cookies.set("mm_lang", "en")

    solve_page = client.get("/organiser/solve")
    schedule_page = client.get("/organiser/schedule")

    assert "Released as draft 1" in solve_page.text
    assert "Published as version" not in solve_page.text
    assert "Nothing has been published yet." in schedule_page.text


def test_every_publication_is_audited_with_who_and_how(
    db: Session, world: World, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world
    web = _run(db, w, {0: (0, 0)})
    publication.publish_run(db, w.event, web.id or 0, w.organiser)
    drafted = _run(db, w, {0: (1, 0), 1: (2, 0)})
    deadline = utcnow() + timedelta(days=1)
    publication.release_draft(db, w.event, drafted.id or 0, deadline, w.organiser)
    publication.publish_final(db, w.event, w.organiser)
    by_cli = _run(db, w, {0: (3, 1), 1: (2, 0)})
    db.commit()
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", engine.url.render_as_string(False))
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(tmp_path))

    code = cli.main(["publish", str(by_cli.id), "--by", w.organiser.email])

    assert code == 0
    db.expire_all()
    entries = db.exec(select(AuditLog).order_by(col(AuditLog.id))).all()
    assert [(e.action, e.detail["via"], e.detail.get("version")) for e in entries] == [
        ("schedule.publish", "web", 1),
        ("schedule.draft", "web", None),
        ("schedule.publish", "web", 2),
        ("schedule.publish", "cli", 3),
    ]
    assert {e.account_id for e in entries} == {w.organiser.id}
    assert entries[2].detail["draft"] == 1
    assert (entries[3].detail["moved"], entries[3].detail["run_id"]) == (1, by_cli.id)


def test_cli_publish_refuses_an_unknown_run_with_a_message(
    db: Session, world: World, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", engine.url.render_as_string(False))
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(tmp_path))

    code = cli.main(["publish", "999"])

    assert code == 2
    assert capsys.readouterr().err == "matchmaker: publish: No such solve run.\n"
    assert _count(db, ScheduleVersion) == 0


def test_preview_of_a_run_equals_what_publishing_it_does(db: Session, world: World) -> None:
    w = world
    first = _run(db, w, {0: (0, 0), 1: (1, 0)})
    publication.publish_run(db, w.event, first.id or 0, w.organiser)
    db.commit()
    # Meeting 0 moves, meeting 1 is dropped, meeting 2 is added.
    second = _run(db, w, {0: (2, 1), 2: (3, 0)}, dropped=(1,))
    before = (_places(db, w), _count(db, ScheduleVersion), _count(db, Notification))

    preview = publication.preview_run(db, w.event, second.id or 0)
    after_preview = (_places(db, w), _count(db, ScheduleVersion), _count(db, Notification))
    done = publication.publish_run(db, w.event, second.id or 0, w.organiser)

    assert preview is not None
    assert (preview.moved, preview.added, preview.removed) == (1, 1, 1)
    assert preview.organisations == 4
    assert not preview.first
    assert after_preview == before
    assert done.disruption == preview


def test_preview_of_the_final_schedule_equals_what_publishing_it_does(
    db: Session, world: World
) -> None:
    w = world
    first = _run(db, w, {0: (0, 0), 1: (1, 0), 2: (2, 0)})
    publication.publish_run(db, w.event, first.id or 0, w.organiser)
    second = _run(db, w, {0: (0, 0), 1: (3, 1), 2: (2, 0)})
    publication.release_draft(
        db, w.event, second.id or 0, utcnow() + timedelta(days=1), w.organiser
    )
    db.commit()

    preview = publication.preview_final(db, w.event)
    still_draft = publication.open_draft(db, w.event)
    done = publication.publish_final(db, w.event, w.organiser)

    assert preview is not None
    assert (preview.moved, preview.added, preview.removed, preview.organisations) == (1, 0, 0, 2)
    assert still_draft is not None
    assert done.disruption == preview


def test_preview_is_none_when_there_is_nothing_to_publish(db: Session, world: World) -> None:
    w = world
    run = _run(db, w, {0: (0, 0)})
    publication.publish_run(db, w.event, run.id or 0, w.organiser)
    db.commit()

    assert publication.preview_run(db, w.event, run.id or 0) is None  # already published
    assert publication.preview_run(db, w.event, 999) is None
    assert publication.preview_final(db, w.event) is None  # no draft


def test_review_page_shows_what_publishing_will_change(client, db: Session, world: World) -> None:  # type: ignore[no-untyped-def]
    w = world
    first = _run(db, w, {0: (0, 0), 1: (1, 0)})
    publication.publish_run(db, w.event, first.id or 0, w.organiser)
    second = _run(db, w, {0: (2, 1), 1: (1, 0), 2: (3, 0)})
    db.commit()
    sign_in_as(client, w.organiser, db)
    client.cookies.set("mm_lang", "en")

    review = client.get(f"/organiser/solve/runs/{second.id}")
    published = post_form(
        client,
        f"/organiser/solve/runs/{second.id}/publish",
        {"confirm": "on"},
        follow_redirects=False,
    )

    assert review.status_code == 200
    assert "Compared with the published schedule:" in review.text
    assert "1 meeting moves" in review.text
    assert "1 meeting is added" in review.text
    assert "0 meetings are removed" in review.text
    assert "4 organisations will be notified that their agenda changed." in review.text
    assert published.status_code == 303
    assert published.headers["location"] == f"/organiser/solve/runs/{second.id}?published=2"
