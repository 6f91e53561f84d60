"""No-shows: a side reports from its agenda that the other did not come; the meeting
records it and frees its slot and table; repeated absentees are listed for organisers."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlmodel import Session, col, select

from matchmaker import changes, noshows
from matchmaker.models import AuditLog, Meeting, MeetingStatus
from tests.conftest import post_form
from tests.eventday import at, clock_at, make_event_day
from tests.sessions import open_session


def _status(db: Session, meeting: Meeting) -> MeetingStatus:
    db.expire_all()
    current = db.get(Meeting, meeting.id)
    assert current is not None
    return current.status


def test_no_show_is_refused_before_the_meeting_starts(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.an_account)
    with clock_at(at(7, 59)):
        agenda = client.get("/me/agenda")
        answer = post_form(
            client, f"/me/agenda/no-show/{world.first.id}", {}, follow_redirects=False
        )
    assert f"/me/agenda/no-show/{world.first.id}" not in agenda.text
    assert answer.status_code == 303 and "flash=" in answer.headers["location"]
    assert _status(db, world.first) is MeetingStatus.scheduled


def test_no_show_reported_after_the_start_records_the_absent_side(
    client: TestClient, db: Session
) -> None:
    world = make_event_day(db)
    sequence = world.first.sequence
    open_session(client, world.an_account)
    with clock_at(at(8, 6)):
        before = client.get("/me/agenda")
        answer = post_form(
            client, f"/me/agenda/no-show/{world.first.id}", {}, follow_redirects=False
        )
        after = client.get("/me/agenda")
    assert f"/me/agenda/no-show/{world.first.id}" in before.text
    assert f"/me/agenda/no-show/{world.second.id}" not in before.text  # not started yet
    assert answer.status_code == 303 and "flash=" not in answer.headers["location"]
    db.expire_all()
    meeting = db.get(Meeting, world.first.id)
    assert meeting is not None
    assert meeting.status is MeetingStatus.no_show
    assert meeting.no_show_org_id == world.investor.id
    assert meeting.no_show_reported_by == world.an_account.id
    assert (meeting.slot_id, meeting.table_id) == (world.first.slot_id, world.first.table_id)
    assert meeting.sequence == sequence + 1
    assert "Quỹ Đầu tư Sông Hậu đã không đến." in after.text
    audit = db.exec(select(AuditLog).where(AuditLog.action == "meeting.no_show")).one()
    assert audit.detail["absent"] == world.investor.id
    # The absent side sees what was said, and cannot answer with a report of its own.
    open_session(client, world.binh_account)
    with clock_at(at(8, 7)):
        theirs = client.get("/me/agenda")
        counter = post_form(
            client, f"/me/agenda/no-show/{world.first.id}", {}, follow_redirects=False
        )
    assert "Công ty Khởi nghiệp Mekong báo rằng bên bạn đã không đến." in theirs.text
    assert "flash=" in counter.headers["location"]
    db.expire_all()
    assert db.get(Meeting, world.first.id).no_show_org_id == world.investor.id  # type: ignore[union-attr]


def test_no_show_of_another_pairs_meeting_is_not_found(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.an_account)  # An's organisation is not in the third meeting
    with clock_at(at(8, 45)):
        answer = post_form(client, f"/me/agenda/no-show/{world.third.id}", {})
    assert answer.status_code == 404
    assert _status(db, world.third) is MeetingStatus.scheduled


def test_no_show_is_refused_the_next_day(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.an_account)
    with clock_at(at(8, 6, day=19)):
        post_form(client, f"/me/agenda/no-show/{world.first.id}", {})
    assert _status(db, world.first) is MeetingStatus.scheduled


def test_no_show_frees_the_slot_and_table_for_another_meeting(
    client: TestClient, db: Session
) -> None:
    """The 08:00 slot at B2B-01 becomes a legal place for the OCOP and investor's
    meeting once the startup's meeting there is a no-show (and the investor is free)."""
    world = make_event_day(db)

    def places() -> set[tuple[int | None, int | None]]:
        db.expire_all()
        third = db.get(Meeting, world.third.id)
        assert third is not None
        return {
            (target.slot.id, table.id)
            for target in changes.legal_targets(db, world.event, third)
            for table in target.tables
        }

    freed = (world.first.slot_id, world.first.table_id)
    assert freed not in places()
    open_session(client, world.an_account)
    with clock_at(at(8, 6)):
        post_form(client, f"/me/agenda/no-show/{world.first.id}", {})
    assert freed in places()


def test_no_shows_repeated_twice_are_listed_for_organisers(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.cuong_account)
    with clock_at(at(8, 25)):
        post_form(client, f"/me/agenda/no-show/{world.second.id}", {})  # An did not come
    open_session(client, world.binh_account)
    with clock_at(at(8, 6)):
        post_form(client, f"/me/agenda/no-show/{world.first.id}", {})  # An did not come
    with clock_at(at(8, 45)):
        post_form(client, f"/me/agenda/no-show/{world.third.id}", {})  # Cường did not come
    db.expire_all()
    repeated = noshows.absentees(db, world.event)
    assert [(a.person.full_name if a.person else "", a.count) for a in repeated] == [
        ("Trần Văn An", 2)
    ]
    open_session(client, world.organiser)
    listed = client.get("/organiser/no-shows")
    table = listed.text.split('id="repeated-no-shows"')[1].split("</table>")[0]
    assert "Trần Văn An" in table and "<strong>2</strong>" in table
    assert "Phạm Văn Cường" not in table
    assert listed.text.count("/clear") == 3


def test_no_show_taken_back_by_an_organiser_while_the_place_is_free(
    client: TestClient, db: Session
) -> None:
    world = make_event_day(db)
    open_session(client, world.an_account)
    with clock_at(at(8, 6)):
        post_form(client, f"/me/agenda/no-show/{world.first.id}", {})
    open_session(client, world.organiser)
    answer = post_form(
        client, f"/organiser/no-shows/{world.first.id}/clear", {}, follow_redirects=False
    )
    assert answer.status_code == 303 and "flash=" not in answer.headers["location"]
    assert _status(db, world.first) is MeetingStatus.scheduled
    actions = [a.action for a in db.exec(select(AuditLog).order_by(col(AuditLog.id)))]
    assert actions == ["meeting.no_show", "meeting.no_show.clear"]


def test_no_show_cannot_be_taken_back_once_the_table_is_rebooked(
    client: TestClient, db: Session
) -> None:
    world = make_event_day(db)
    open_session(client, world.an_account)
    with clock_at(at(8, 6)):
        post_form(client, f"/me/agenda/no-show/{world.first.id}", {})
    db.expire_all()
    third = db.get(Meeting, world.third.id)
    assert third is not None
    third.slot_id, third.table_id = world.first.slot_id, world.first.table_id  # booked on site
    db.add(third)
    db.commit()
    open_session(client, world.organiser)
    answer = post_form(
        client, f"/organiser/no-shows/{world.first.id}/clear", {}, follow_redirects=False
    )
    assert "flash=" in answer.headers["location"]
    assert _status(db, world.first) is MeetingStatus.no_show
