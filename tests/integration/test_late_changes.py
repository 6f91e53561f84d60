from __future__ import annotations

import threading

from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from matchmaker import changes
from matchmaker.errors import DomainError
from matchmaker.models import (
    Account,
    AuditLog,
    Event,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Notification,
    OrgKind,
    ScheduleVersion,
    Slot,
)
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant


def _meeting(
    db: Session, event: Event, a: int, b: int, slot: Slot | None, table: MeetingTable | None
) -> Meeting:
    low, high = sorted([a, b])
    meeting = Meeting(
        event_id=event.id or 0,
        org_a_id=low,
        org_b_id=high,
        slot_id=slot.id if slot else None,
        table_id=table.id if table else None,
        status=MeetingStatus.scheduled if slot else MeetingStatus.accepted,
    )
    db.add(meeting)
    db.flush()
    return meeting


def _arrange(db: Session):  # type: ignore[no-untyped-def]
    """Three organisations; A meets B at slot 1 (table 1); A meets C at slot 2 (table 1)."""
    event = make_event(db)
    a = make_org(db, event, "Công ty A", OrgKind.startup)
    b = make_org(db, event, "Quỹ B", OrgKind.investor)
    c = make_org(db, event, "Sở C", OrgKind.agency)
    for org, name in ((a, "Người A"), (b, "Người B"), (c, "Người C")):
        make_participant(db, org, name)
    slots = list(db.exec(select(Slot).order_by(Slot.position)))
    tables = list(db.exec(select(MeetingTable).order_by(MeetingTable.name)))
    ab = _meeting(db, event, a.id or 0, b.id or 0, slots[0], tables[0])
    ac = _meeting(db, event, a.id or 0, c.id or 0, slots[1], tables[0])
    db.add(ScheduleVersion(event_id=event.id or 0, number=1))
    organiser = make_organiser(db)
    db.commit()
    return event, organiser, ab, ac, slots, tables


def test_legal_targets_leave_out_slots_where_someone_is_busy(db: Session) -> None:
    event, _, ab, _, slots, tables = _arrange(db)
    targets = changes.legal_targets(db, event, ab)
    offered = [t.slot.id for t in targets]
    assert slots[1].id not in offered  # A meets C then
    assert slots[0].id in offered  # its own slot stays possible, at another table
    assert offered == [s.id for s in slots if s.id != slots[1].id]
    first = next(t for t in targets if t.slot.id == slots[0].id)
    assert [t.name for t in first.tables] == [t.name for t in tables if t.id != ab.table_id]


def test_legal_targets_respect_unavailability(db: Session) -> None:
    event, _, ab, _, slots, _ = _arrange(db)
    from matchmaker.models import Participant

    person = db.exec(select(Participant).where(Participant.full_name == "Người B")).one()
    person.unavailable_slots = [slots[2].code]
    db.add(person)
    db.commit()
    offered = [t.slot.id for t in changes.legal_targets(db, event, ab)]
    assert slots[2].id not in offered


def test_move_places_locks_notifies_and_audits(db: Session) -> None:
    event, organiser, ab, _, slots, tables = _arrange(db)
    moved = changes.move(db, event, ab.id or 0, slots[3].id or 0, tables[1].id or 0, organiser)
    db.commit()
    assert (moved.slot_id, moved.table_id, moved.locked, moved.sequence) == (
        slots[3].id, tables[1].id, True, 1,
    )  # fmt: skip
    notes = db.exec(select(Notification)).all()
    assert len(notes) == 2  # one representative of each organisation
    assert all(n.link == "/me/agenda" for n in notes)
    assert db.exec(select(AuditLog).where(AuditLog.action == "meeting.move")).one()


def test_move_into_a_busy_slot_is_refused_and_changes_nothing(db: Session) -> None:
    event, organiser, ab, _, slots, tables = _arrange(db)
    try:
        changes.move(db, event, ab.id or 0, slots[1].id or 0, tables[1].id or 0, organiser)
    except DomainError as exc:
        assert exc.status_code == 409
    else:
        raise AssertionError("the move was accepted")
    db.rollback()
    db.expire_all()
    again = db.get(Meeting, ab.id)
    assert again is not None and (again.slot_id, again.sequence) == (slots[0].id, 0)


def test_concurrent_moves_into_the_same_table_cannot_double_book(
    engine: Engine, db: Session
) -> None:
    event, organiser, ab, _, slots, tables = _arrange(db)
    d = make_org(db, event, "Công ty D")
    e = make_org(db, event, "Công ty E")
    make_participant(db, d, "Người D")
    make_participant(db, e, "Người E")
    de = _meeting(db, event, d.id or 0, e.id or 0, None, None)
    db.commit()
    target = (slots[4].id or 0, tables[2].id or 0)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(meeting_id: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            current = session.get(Event, event.id)
            who = session.get(Account, organiser.id)
            assert current is not None and who is not None
            barrier.wait()
            try:
                changes.move(session, current, meeting_id, *target, who)
                session.commit()
                outcomes.append("moved")
            except DomainError:
                session.rollback()
                outcomes.append("refused")
            except Exception:  # a database that refuses the second writer outright
                session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(m,)) for m in (ab.id, de.id)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["moved", "refused"]
    db.expire_all()
    placed = db.exec(
        select(Meeting).where(Meeting.slot_id == target[0], Meeting.table_id == target[1])
    ).all()
    assert len(placed) == 1


def test_schedule_page_lock_move_and_cancel_through_htmx(client: TestClient, db: Session) -> None:
    _, organiser, ab, ac, slots, tables = _arrange(db)
    sign_in_as(client, organiser, db)
    page = client.get("/organiser/schedule")
    assert page.status_code == 200
    assert "Quỹ B" in page.text
    htmx = {"HX-Request": "true"}
    locked = post_form(
        client, f"/organiser/schedule/meetings/{ab.id}/lock", {"locked": "1"}, headers=htmx
    )
    assert locked.text.lstrip().startswith(f'<tr id="meeting-{ab.id}"')
    assert "🔒" in locked.text
    panel = client.get(f"/organiser/schedule/meetings/{ab.id}/targets", headers=htmx)
    assert f'value="{slots[3].id}:{tables[0].id}"' in panel.text
    assert f'value="{slots[1].id}:' not in panel.text
    moved = post_form(
        client,
        f"/organiser/schedule/meetings/{ab.id}/move",
        {"target": f"{slots[3].id}:{tables[0].id}"},
        headers=htmx,
    )
    assert moved.status_code in (200, 201)
    refused = post_form(
        client,
        f"/organiser/schedule/meetings/{ac.id}/move",
        {"target": f"{slots[3].id}:{tables[0].id}"},
        headers=htmx,
    )
    assert 'class="error"' in refused.text
    cancelled = post_form(
        client, f"/organiser/schedule/meetings/{ac.id}/cancel", {"reason": "ốm"}, headers=htmx
    )
    assert "cancelled" in cancelled.text or "đã hủy" in cancelled.text
    db.expire_all()
    assert db.get(Meeting, ab.id).slot_id == slots[3].id  # type: ignore[union-attr]
    assert db.get(Meeting, ac.id).status is MeetingStatus.cancelled  # type: ignore[union-attr]


def test_version_diff_lists_moved_meetings(client: TestClient, db: Session) -> None:
    event, organiser, ab, ac, slots, tables = _arrange(db)
    first = db.exec(select(ScheduleVersion)).one()
    first.assignments = {str(ab.id): {"slot": slots[0].id, "table": tables[0].id},
                         str(ac.id): {"slot": slots[1].id, "table": tables[0].id}}  # fmt: skip
    db.add(first)
    db.add(ScheduleVersion(event_id=event.id or 0, number=2, assignments={
        str(ab.id): {"slot": slots[3].id, "table": tables[0].id},
        str(ac.id): {"slot": slots[1].id, "table": tables[0].id}}))  # fmt: skip
    db.commit()
    sign_in_as(client, organiser, db)
    response = client.get("/organiser/schedule/versions", params={"a": 1, "b": 2})
    assert response.status_code == 200
    assert response.text.count("Sở C") == 0  # only the moved meeting is listed
    assert "Quỹ B" in response.text
    assert client.get("/organiser/schedule/versions", params={"a": 1, "b": 9}).status_code == 404


def test_schedule_actions_are_for_organisers_only(client: TestClient, db: Session) -> None:
    event, _, ab, _, _, _ = _arrange(db)
    _, account = make_participant(db, make_org(db, event, "Công ty F"), "Người F")
    db.commit()
    sign_in_as(client, account, db)
    assert client.get("/organiser/schedule").status_code == 403
    assert post_form(client, f"/organiser/schedule/meetings/{ab.id}/cancel", {}).status_code == 403


def test_plain_move_refused_redirects_to_the_schedule_with_the_reason(
    client: TestClient, db: Session
) -> None:
    _, organiser, ab, ac, _, _ = _arrange(db)
    sign_in_as(client, organiser, db)
    taken = {"target": f"{ab.slot_id}:{ab.table_id}"}  # A already meets B there

    refused = post_form(
        client, f"/organiser/schedule/meetings/{ac.id}/move", taken, follow_redirects=False
    )
    page = client.get(refused.headers["location"])

    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/organiser/schedule?flash=")
    assert page.status_code == 200
    assert page.text.count('<p class="error-box" role="alert">') == 1
    db.expire_all()
    assert db.get(Meeting, ac.id).slot_id != ab.slot_id  # type: ignore[union-attr]


def test_plain_lock_redirects_to_the_schedule_without_a_message(
    client: TestClient, db: Session
) -> None:
    _, organiser, ab, _, _, _ = _arrange(db)
    sign_in_as(client, organiser, db)

    locked = post_form(
        client, f"/organiser/schedule/meetings/{ab.id}/lock", {"locked": "1"},
        follow_redirects=False,
    )  # fmt: skip

    assert (locked.status_code, locked.headers["location"]) == (303, "/organiser/schedule")
    db.expire_all()
    assert db.get(Meeting, ab.id).locked is True  # type: ignore[union-attr]


def test_flash_that_the_site_did_not_sign_is_not_shown(client: TestClient, db: Session) -> None:
    _, organiser, _, _, _, _ = _arrange(db)
    sign_in_as(client, organiser, db)

    page = client.get("/organiser/schedule", params={"flash": "Call +84 000 to verify"})

    assert page.status_code == 200
    assert "Call +84" not in page.text
    assert 'class="error-box"' not in page.text
