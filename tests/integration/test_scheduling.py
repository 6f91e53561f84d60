"""Scheduling services against a real database: the instance built from the rows, a run's
proposal written back on publish, versions, sequences, diffs and notifications."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select

from matchmaker import publication, scheduling
from matchmaker.errors import Conflict
from matchmaker.models import (
    Event,
    HostConfirmation,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Notification,
    Organisation,
    Placement,
    RunReason,
    RunResult,
    RunStatus,
    Slot,
    SolveRun,
)
from solver.api import solve
from solver.solution import Assignment, Objective, Reason, Solution, Status, Unscheduled
from solver.validate import validate
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant


def _slots(db: Session, event: Event) -> list[Slot]:
    instance, maps = scheduling.build_instance(db, event)
    return [db.get(Slot, maps.slot_id[s.id]) for s in instance.slots]  # type: ignore[misc]


def _tables(db: Session, event: Event) -> list[MeetingTable]:
    return list(
        db.exec(
            select(MeetingTable)
            .where(MeetingTable.event_id == event.id)
            .order_by(col(MeetingTable.id))
        ).all()
    )


def _three_orgs(db: Session) -> tuple[Event, list[Organisation], list[Meeting]]:
    event = make_event(db, slots_per_session=4, tables=2)
    orgs = [make_org(db, event, name) for name in ("Sở TT&TT", "FPT Cần Thơ", "HTX Mía Vị Thanh")]
    for org in orgs:
        make_participant(db, org, f"Đại diện {org.name}")
    meetings = [
        make_meeting(db, event, orgs[0], orgs[1]),
        make_meeting(db, event, orgs[0], orgs[2]),
        make_meeting(db, event, orgs[1], orgs[2]),
    ]
    db.commit()
    return event, orgs, meetings


def _run_with(
    db: Session,
    event: Event,
    placements: dict[int, tuple[Slot, MeetingTable]],
    unscheduled: dict[int, tuple[str, dict[str, Any]]] | None = None,
) -> SolveRun:
    """A finished run whose proposal is exactly `placements` (meeting id -> slot, table);
    `unscheduled`: meeting id -> (reason code, params in solver ids)."""
    _, maps = scheduling.build_instance(db, event)
    solution = Solution(
        status=Status.FEASIBLE,
        assignments=[
            Assignment(
                meeting=str(mid),
                slot=maps.slot_code[slot.id or 0],
                table=maps.table_code[table.id or 0],
            )
            for mid, (slot, table) in placements.items()
        ],
        unscheduled=[
            Unscheduled(meeting=str(mid), reason=f"({code})", code=code, params=params)
            for mid, (code, params) in (unscheduled or {}).items()
        ],
        objective=Objective(scheduled=len(placements)),
    )
    run = SolveRun(event_id=event.id or 0, status=RunStatus.finished)
    db.add(run)
    db.flush()
    scheduling.store_solution(db, event, run, solution, maps)
    db.flush()
    return run


def test_built_instance_is_valid_and_solvable(db: Session) -> None:
    event, _, _ = _three_orgs(db)
    instance, _ = scheduling.build_instance(db, event)
    solution = solve(instance, time_limit=5, workers=1)
    assert [s.id for s in instance.slots][:2] == ["d1-am-01", "d1-am-02"]
    assert len(instance.participants) == 3
    assert len(instance.meetings) == 3
    assert solution.has_schedule
    assert validate(instance, solution) == []


def test_store_solution_leaves_meetings_untouched_until_publish(db: Session) -> None:
    event, orgs, meetings = _three_orgs(db)
    slots, tables = _slots(db, event), _tables(db, event)
    never = {"participants": [f"o{orgs[0].id}", f"o{orgs[2].id}"], "within_allowed": False}
    run = _run_with(
        db,
        event,
        {meetings[0].id or 0: (slots[0], tables[0])},
        {meetings[1].id or 0: ("no_common_slot", never)},
    )
    db.refresh(meetings[0])
    assert meetings[0].slot_id is None
    assert run.outcome == RunResult(
        status="FEASIBLE",
        assignments={meetings[0].id or 0: Placement(slot=slots[0].id, table=tables[0].id)},
        unscheduled={
            meetings[1].id or 0: RunReason(
                code="no_common_slot",
                params={"participants": [orgs[0].id, orgs[2].id], "within_allowed": False},
                text="(no_common_slot)",
            )
        },
    )


def test_run_result_round_trips_through_the_database(db: Session) -> None:
    event, orgs, meetings = _three_orgs(db)
    slots, tables = _slots(db, event), _tables(db, event)
    booked = {
        "participants": [f"o{orgs[1].id}", f"o{orgs[2].id}"],
        "slots": ["d1-am-01", "d2-am-04"],
        "booked": [2, 0],
        "tables_full": 0,
        "daily_limit": 0,
        "other": 0,
    }
    run = _run_with(
        db,
        event,
        {meetings[0].id or 0: (slots[0], tables[0])},
        {meetings[2].id or 0: ("participant_booked", booked)},
    )
    stored = run.outcome
    db.commit()
    db.expire_all()

    again = db.get(SolveRun, run.id)

    assert again is not None and again.outcome == stored
    assert (again.outcome_size, again.has_schedule) == ((1, 1), True)
    assert stored is not None
    assert stored.unscheduled[meetings[2].id or 0].params == {
        "participants": [orgs[1].id, orgs[2].id],
        "slots": [slots[0].id, slots[7].id],
        "booked": [2, 0],
        "tables_full": 0,
        "daily_limit": 0,
        "other": 0,
    }


def test_run_result_in_the_old_dict_format_still_reads_and_publishes(db: Session) -> None:
    event, _, meetings = _three_orgs(db)
    organiser = make_organiser(db)
    slots, tables = _slots(db, event), _tables(db, event)
    run = SolveRun(
        event_id=event.id or 0,
        status=RunStatus.finished,
        solver_status="FEASIBLE",
        result={
            "status": "FEASIBLE",
            "assignments": {str(meetings[0].id): {"slot": slots[0].id, "table": tables[0].id}},
            "unscheduled": {str(meetings[1].id): "FPT Cần Thơ is fully booked"},
            "reasons": [],
            "solve_seconds": 1.5,
        },
    )
    db.add(run)
    db.commit()

    outcome = run.outcome
    publication.publish_run(db, event, run.id or 0, organiser)
    db.refresh(meetings[1])

    assert outcome == RunResult(
        status="FEASIBLE",
        assignments={meetings[0].id or 0: Placement(slot=slots[0].id, table=tables[0].id)},
        unscheduled={meetings[1].id or 0: RunReason(text="FPT Cần Thơ is fully booked")},
        solve_seconds=1.5,
    )
    assert (run.outcome_size, run.has_schedule) == ((1, 1), True)
    assert meetings[1].status == MeetingStatus.unscheduled
    assert (meetings[1].unscheduled_code, meetings[1].unscheduled_reason) == (
        "",
        "FPT Cần Thơ is fully booked",
    )


def test_old_infeasible_result_reads_its_reasons_as_diagnosis() -> None:
    old = {"status": "INFEASIBLE", "assignments": {}, "unscheduled": {}, "reasons": ["a b"]}

    outcome = RunResult.model_validate(old)

    assert (outcome.has_schedule, outcome.diagnosis) == (False, [RunReason(text="a b")])


def test_store_solution_of_an_infeasible_answer_keeps_its_diagnosis_in_database_ids(
    db: Session,
) -> None:
    event, orgs, _ = _three_orgs(db)
    _, maps = scheduling.build_instance(db, event)
    too_many = Reason(
        code="too_many_meetings",
        params={"participant": f"o{orgs[0].id}", "meetings": 2, "fit": 1, "slots": ["d1-am-02"]},
        text="Sở TT&TT has 2 meetings but they fit in at most 1",
    )
    run = SolveRun(event_id=event.id or 0, status=RunStatus.finished)
    db.add(run)
    db.flush()

    solution = Solution(status=Status.INFEASIBLE, diagnosis=[too_many])
    scheduling.store_solution(db, event, run, solution, maps)

    assert run.outcome is not None and run.outcome.diagnosis == [
        RunReason(
            code="too_many_meetings",
            params={
                "participant": orgs[0].id,
                "meetings": 2,
                "fit": 1,
                "slots": [maps.slot_id["d1-am-02"]],
            },
            text="Sở TT&TT has 2 meetings but they fit in at most 1",
        )
    ]
    assert run.message == "Sở TT&TT has 2 meetings but they fit in at most 1"


def test_publish_writes_slots_tables_and_reasons(db: Session) -> None:
    event, orgs, meetings = _three_orgs(db)
    organiser = make_organiser(db)
    slots, tables = _slots(db, event), _tables(db, event)
    booked = {
        "participants": [f"o{orgs[1].id}", f"o{orgs[2].id}"],
        "slots": ["d1-am-01"],
        "booked": [1, 0],
        "tables_full": 0,
        "daily_limit": 0,
        "other": 0,
    }
    run = _run_with(
        db,
        event,
        {meetings[0].id or 0: (slots[0], tables[0]), meetings[1].id or 0: (slots[1], tables[1])},
        {meetings[2].id or 0: ("participant_booked", booked)},
    )
    result = publication.publish_run(db, event, run.id or 0, organiser)
    for m in meetings:
        db.refresh(m)
    assert result.version.number == 1
    assert result.version.assignments == {
        str(meetings[0].id): {"slot": slots[0].id, "table": tables[0].id},
        str(meetings[1].id): {"slot": slots[1].id, "table": tables[1].id},
    }
    assert [(m.status, m.slot_id, m.table_id) for m in meetings] == [
        (MeetingStatus.scheduled, slots[0].id, tables[0].id),
        (MeetingStatus.scheduled, slots[1].id, tables[1].id),
        (MeetingStatus.unscheduled, None, None),
    ]
    assert meetings[2].unscheduled_code == "participant_booked"
    assert meetings[2].unscheduled_params == {
        "participants": [orgs[1].id, orgs[2].id],
        "slots": [slots[0].id],
        "booked": [1, 0],
        "tables_full": 0,
        "daily_limit": 0,
        "other": 0,
    }
    assert meetings[2].unscheduled_reason == ""
    assert [m.sequence for m in meetings] == [0, 0, 0]


def test_publish_raises_sequence_of_moved_meetings_and_notifies_their_organisations(
    db: Session,
) -> None:
    event, orgs, meetings = _three_orgs(db)
    organiser = make_organiser(db)
    slots, tables = _slots(db, event), _tables(db, event)
    first = _run_with(
        db,
        event,
        {meetings[0].id or 0: (slots[0], tables[0]), meetings[1].id or 0: (slots[1], tables[0])},
    )
    publication.publish_run(db, event, first.id or 0, organiser)
    notes_before = len(db.exec(select(Notification)).all())
    second = _run_with(
        db,
        event,
        {meetings[0].id or 0: (slots[0], tables[0]), meetings[1].id or 0: (slots[3], tables[1])},
    )
    result = publication.publish_run(db, event, second.id or 0, organiser)
    for m in meetings:
        db.refresh(m)
    assert result.version.number == 2
    assert result.diff.moved == [meetings[1].id]
    assert result.diff.added == []
    assert result.diff.removed == []
    assert [m.sequence for m in meetings] == [0, 1, 0]
    assert result.changed_orgs == {orgs[0].id, orgs[2].id}
    notes = db.exec(select(Notification).order_by(col(Notification.id))).all()[notes_before:]
    assert len(notes) == 2
    assert {n.link for n in notes} == {"/me/agenda"}


def test_diff_versions_lists_moved_added_and_removed() -> None:
    old = {
        "1": {"slot": 10, "table": 1},
        "2": {"slot": 11, "table": 1},
        "3": {"slot": 12, "table": 2},
    }
    new = {
        "1": {"slot": 10, "table": 1},
        "2": {"slot": 11, "table": 2},
        "4": {"slot": 12, "table": 2},
    }
    diff = publication.diff_versions(old, new)
    assert (diff.moved, diff.added, diff.removed) == ([2], [4], [3])


def test_publish_refuses_a_run_that_would_double_book(db: Session) -> None:
    event, _, meetings = _three_orgs(db)
    organiser = make_organiser(db)
    slots, tables = _slots(db, event), _tables(db, event)
    run = _run_with(
        db,
        event,
        {meetings[0].id or 0: (slots[0], tables[0]), meetings[1].id or 0: (slots[0], tables[1])},
    )
    with pytest.raises(Conflict):
        publication.publish_run(db, event, run.id or 0, organiser)


def test_publishing_the_current_run_again_is_refused(db: Session) -> None:
    event, _, meetings = _three_orgs(db)
    organiser = make_organiser(db)
    slots, tables = _slots(db, event), _tables(db, event)
    run = _run_with(db, event, {meetings[0].id or 0: (slots[0], tables[0])})
    publication.publish_run(db, event, run.id or 0, organiser)
    with pytest.raises(Conflict):
        publication.publish_run(db, event, run.id or 0, organiser)


def test_publish_keeps_locked_meeting_where_it_is(db: Session) -> None:
    event, _, meetings = _three_orgs(db)
    organiser = make_organiser(db)
    slots, tables = _slots(db, event), _tables(db, event)
    meetings[0].slot_id, meetings[0].table_id, meetings[0].locked = slots[5].id, tables[1].id, True
    meetings[0].status = MeetingStatus.scheduled
    db.add(meetings[0])
    db.flush()
    run = _run_with(db, event, {meetings[0].id or 0: (slots[2], tables[0])})
    publication.publish_run(db, event, run.id or 0, organiser)
    db.refresh(meetings[0])
    assert (meetings[0].slot_id, meetings[0].table_id) == (slots[5].id, tables[1].id)


def test_host_refused_slot_is_excluded_and_reset_after_the_move(db: Session) -> None:
    event, _, meetings = _three_orgs(db)
    organiser = make_organiser(db)
    slots, tables = _slots(db, event), _tables(db, event)
    first = _run_with(db, event, {meetings[0].id or 0: (slots[0], tables[0])})
    publication.publish_run(db, event, first.id or 0, organiser)
    db.refresh(meetings[0])
    meetings[0].host_confirmation = HostConfirmation.impossible
    db.add(meetings[0])
    db.flush()

    instance, _ = scheduling.build_instance(db, event)
    refused = next(m for m in instance.meetings if m.id == str(meetings[0].id))
    solution = solve(instance, time_limit=5, workers=1)
    assert refused.allowed_slots is not None
    assert "d1-am-01" not in refused.allowed_slots
    assert solution.slot_of().get(str(meetings[0].id)) != "d1-am-01"

    second = _run_with(db, event, {meetings[0].id or 0: (slots[2], tables[0])})
    publication.publish_run(db, event, second.id or 0, organiser)
    db.refresh(meetings[0])
    assert meetings[0].slot_id == slots[2].id
    assert meetings[0].host_confirmation == HostConfirmation.pending


def test_review_counts_figures_of_a_run(db: Session) -> None:
    event, orgs, meetings = _three_orgs(db)
    slots, tables = _slots(db, event), _tables(db, event)
    run = _run_with(
        db,
        event,
        {meetings[0].id or 0: (slots[0], tables[0]), meetings[1].id or 0: (slots[1], tables[0])},
        {meetings[2].id or 0: ("no_slot", {})},
    )
    review = scheduling.review_run(db, event, run)
    assert (review.scheduled, review.unscheduled, review.total) == (2, 1, 3)
    assert review.weight == 2
    assert review.min_share == 0.5
    assert review.utilisation == 2 / (8 * 2)
    assert review.histogram == [(1, 2), (2, 1)]
    assert [cell.used for cell in review.days[0][2]] == [1, 1, 0, 0]
    # fairness as the solver reports it; without its figures, counted from the proposal
    assert (review.zero_meeting, review.share_bound, review.zero_bound) == (0, None, None)
    run.objective = {"zero_meeting": 1}
    run.bound = {"min_share": 0.5, "zero_meeting": 0}
    again = scheduling.review_run(db, event, run)
    assert (again.zero_meeting, again.share_bound, again.zero_bound) == (1, 0.5, 0)
    schedule = scheduling.org_schedule(db, event, run, orgs[2].id or 0)
    assert [(row[0].id if row[0] else None, row[3], row[4]) for row in schedule] == [
        (slots[1].id, "Sở TT&TT", None),
        (None, "FPT Cần Thơ", RunReason(code="no_slot", text="(no_slot)")),
    ]
    assert [(m.id, a, b, why.code) for m, a, b, why in review.unscheduled_rows] == [
        (meetings[2].id, "FPT Cần Thơ", "HTX Mía Vị Thanh", "no_slot")
    ]
