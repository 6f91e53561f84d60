from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import icalendar
from litestar.testing import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from matchmaker.clock import utcnow
from matchmaker.models import (
    Meeting,
    MeetingStatus,
    MeetingTable,
    OrgKind,
    ScheduleVersion,
    Slot,
)
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant


def _arrange(db: Session, *, publish: bool):  # type: ignore[no-untyped-def]
    event = make_event(db)
    startup = make_org(db, event, "Công ty Khởi nghiệp Mekong")
    investor = make_org(db, event, "Quỹ Đầu tư Sông Hậu", OrgKind.investor)
    other = make_org(db, event, "Hợp tác xã Khóm Cầu Đúc", OrgKind.ocop)
    _, startup_account = make_participant(db, startup, "Trần Văn An")
    make_participant(db, investor, "Lê Thị Bình", "binh@quy.vn")
    _, other_account = make_participant(db, other, "Phạm Văn Cường")
    slot = db.exec(select(Slot).order_by(Slot.position)).first()
    table = db.exec(select(MeetingTable)).first()
    assert slot and table
    a, b = sorted([startup.id or 0, investor.id or 0])
    meeting = Meeting(event_id=event.id or 0, org_a_id=a, org_b_id=b, host_org_id=investor.id)
    if publish:
        meeting.slot_id, meeting.table_id = slot.id, table.id
        meeting.status = MeetingStatus.scheduled
        meeting.sequence = 2
        db.add(ScheduleVersion(event_id=event.id or 0, number=1))
    db.add(meeting)
    db.commit()
    return event, startup, investor, startup_account, other_account, meeting, slot, table


def test_agenda_before_publication_lists_meeting_awaiting_schedule(
    client: TestClient, db: Session
) -> None:
    *_, startup_account, _, _, _, _ = _arrange(db, publish=False)
    sign_in_as(client, startup_account, db)
    response = client.get("/me/agenda")
    assert response.status_code == 200
    assert "Quỹ Đầu tư Sông Hậu" in response.text
    assert "chưa được công bố" in response.text or "not been published" in response.text
    assert "/me/agenda/agenda.ics" not in response.text


def test_agenda_after_publication_shows_time_table_and_contact(
    client: TestClient, db: Session
) -> None:
    _, _, _, startup_account, _, _, _, table = _arrange(db, publish=True)
    sign_in_as(client, startup_account, db)
    response = client.get("/me/agenda")
    assert response.status_code == 200
    assert "08:00" in response.text  # 01:00 UTC shown in Asia/Ho_Chi_Minh
    assert table.name in response.text
    assert "binh@quy.vn" in response.text


def test_agenda_ics_has_timezone_stable_uid_and_sequence(client: TestClient, db: Session) -> None:
    _, _, investor, startup_account, _, meeting, _, table = _arrange(db, publish=True)
    table.zone = "Sảnh A"
    db.commit()
    sign_in_as(client, startup_account, db)
    first = client.get("/me/agenda/agenda.ics")
    second = client.get("/me/agenda/agenda.ics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(first.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    vevent = events[0]
    assert vevent.decoded("dtstart") == datetime(2023, 5, 18, 1, 0, tzinfo=UTC)
    assert vevent["dtstart"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    assert str(vevent["uid"]) == f"matchmaker-meeting-{meeting.id}@matchmaker.local"
    assert int(vevent["sequence"]) == 2
    assert str(vevent["status"]) == "CONFIRMED"
    assert investor.name in str(vevent["summary"])
    assert str(vevent["location"]) == f"{table.name} (Sảnh A) – Vị Thanh, Hậu Giang"
    uids = [str(e["uid"]) for e in icalendar.Calendar.from_ical(second.content).walk("VEVENT")]
    assert uids == [str(vevent["uid"])]


def test_agenda_ics_follows_a_change_made_elsewhere_and_stamps_the_time_of_writing(
    client: TestClient, db: Session
) -> None:
    _, _, investor, startup_account, _, meeting, _, table = _arrange(db, publish=True)
    sign_in_as(client, startup_account, db)
    client.get("/me/agenda/agenda.ics")  # the meeting's text is kept by this process
    investor.name = "Quỹ Đầu tư Cần Thơ"  # another session: what any process may do
    table.zone = "Sảnh B"
    meeting.sequence += 1
    db.commit()

    vevent = icalendar.Calendar.from_ical(client.get("/me/agenda/agenda.ics").content).walk(
        "VEVENT"
    )[0]

    assert str(vevent["summary"]) == "B2B: Quỹ Đầu tư Cần Thơ"
    assert str(vevent["location"]) == f"{table.name} (Sảnh B) – Vị Thanh, Hậu Giang"
    assert int(vevent["sequence"]) == 3
    assert abs(vevent.decoded("dtstamp") - utcnow()) < timedelta(minutes=1)


def test_agenda_ics_sends_cancelled_meeting_as_cancelled(client: TestClient, db: Session) -> None:
    _, _, _, startup_account, _, meeting, _, _ = _arrange(db, publish=True)
    meeting.status = MeetingStatus.cancelled
    meeting.sequence += 1
    db.add(meeting)
    db.commit()
    sign_in_as(client, startup_account, db)
    vevent = icalendar.Calendar.from_ical(client.get("/me/agenda/agenda.ics").content).walk(
        "VEVENT"
    )[0]
    assert str(vevent["status"]) == "CANCELLED"
    assert int(vevent["sequence"]) == 3


def test_calendar_feed_works_by_secret_and_stops_when_revoked(
    client: TestClient, db: Session
) -> None:
    _, _, _, startup_account, _, _, _, _ = _arrange(db, publish=True)
    sign_in_as(client, startup_account, db)
    page = post_form(client, "/me/agenda/feed", {})
    assert page.status_code == 201 or page.status_code == 200
    url = page.text.split("/calendar/")[1].split('"')[0]
    session_cookies = dict(client.cookies)
    client.cookies.clear()  # the feed needs no session: calendar apps have none
    feed = client.get(f"/calendar/{url}")
    assert feed.status_code == 200
    assert len(icalendar.Calendar.from_ical(feed.content).walk("VEVENT")) == 1
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404
    client.cookies.update(session_cookies)
    post_form(client, "/me/agenda/feed/revoke", {})
    client.cookies.clear()
    assert client.get(f"/calendar/{url}").status_code == 404


def test_agenda_pdf_is_a_pdf_with_an_embedded_unicode_font(
    client: TestClient, db: Session
) -> None:
    _, _, _, startup_account, _, _, _, _ = _arrange(db, publish=True)
    sign_in_as(client, startup_account, db)
    response = client.get("/me/agenda/agenda.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "Công ty Khởi nghiệp Mekong" in text
    assert "Quỹ Đầu tư Sông Hậu" in text
    fonts = {
        str(font["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert any("DejaVu" in name for name in fonts)


def test_agenda_of_other_organisation_is_not_reachable_by_participant(
    client: TestClient, db: Session
) -> None:
    _, _, investor, _, other_account, _, _, _ = _arrange(db, publish=True)
    sign_in_as(client, other_account, db)
    assert "Quỹ Đầu tư Sông Hậu" not in client.get("/me/agenda").text
    assert client.get(f"/organiser/agenda/{investor.id}").status_code == 403
    assert client.get(f"/organiser/agenda/{investor.id}/agenda.pdf").status_code == 403


def test_organiser_sees_any_organisation_agenda(client: TestClient, db: Session) -> None:
    _, startup, _, _, _, _, _, table = _arrange(db, publish=True)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    response = client.get(f"/organiser/agenda/{startup.id}")
    assert response.status_code == 200
    assert table.name in response.text
    assert client.get("/organiser/agenda/999999").status_code == 404




def test_a_published_agenda_without_meetings_offers_no_calendar_or_pdf(
    client: TestClient, db: Session
) -> None:
    *_, other_account, _, _, _ = _arrange(db, publish=True)
    sign_in_as(client, other_account, db)
    page = client.get("/me/agenda")
    assert page.status_code == 200
    assert "/me/agenda/agenda.ics" not in page.text
    assert "/me/agenda/agenda.pdf" not in page.text
