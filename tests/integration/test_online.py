"""Online meetings of hybrid events: the organiser marks tables or sessions online; their
meetings get a unique, unguessable video link in the agenda, the calendar and the PDF."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlmodel import Session, select

from matchmaker import setup, video
from matchmaker.agenda import build_agenda, to_ics
from matchmaker.models import EventSession, Meeting
from tests.conftest import post_form, sign_in_as
from tests.eventdays import make_pair, scheduled
from tests.factories import make_organiser


def test_a_meeting_at_an_online_table_has_its_own_link(db: Session) -> None:
    p = make_pair(db)
    p.tables[1].online = True
    db.add(p.tables[1])
    online = scheduled(db, p, 1, table=1)
    agenda = build_agenda(db, p.event, p.a, p.pa, video_base="https://meet.haugiang.vn/")
    item = agenda.days[0].items[0]
    assert item.video_url == f"https://meet.haugiang.vn/Matchmaker-{online.video_room}"
    assert len(online.video_room) == 30 and online.video_room.isalnum()
    ics = to_ics(agenda, domain="test", title="x").decode().replace("\r\n ", "")
    assert f"URL:{item.video_url}" in ics
    assert f"LOCATION:{item.video_url}" in ics


def test_a_meeting_in_an_online_session_is_online_and_others_are_not(db: Session) -> None:
    p = make_pair(db)
    in_person = scheduled(db, p, 1)
    agenda = build_agenda(db, p.event, p.a, p.pa)
    assert agenda.days[0].items[0].video_url == ""
    assert "meet.jit.si" not in to_ics(agenda, domain="test", title="x").decode()
    block = db.exec(select(EventSession).where(EventSession.code == "d1-am")).all()
    for s in block:
        s.online = True
        db.add(s)
    db.commit()
    assert video.link_for(db, in_person) == f"https://meet.jit.si/Matchmaker-{in_person.video_room}"


def test_every_meeting_gets_a_different_room(db: Session) -> None:
    p = make_pair(db)
    scheduled(db, p, 1)
    rooms = [m.video_room for m in db.exec(select(Meeting)).all()]
    rooms.append(Meeting(event_id=1, org_a_id=1, org_b_id=2).video_room)
    assert len(set(rooms)) == len(rooms)


def test_the_agenda_page_and_pdf_show_the_link(client: TestClient, db: Session) -> None:
    p = make_pair(db)
    p.tables[0].online = True
    db.add(p.tables[0])
    meeting = scheduled(db, p, 1)
    sign_in_as(client, p.ua, db)
    page = client.get("/me/agenda")
    assert "Vào cuộc họp video" in page.text
    assert f"https://meet.jit.si/Matchmaker-{meeting.video_room}" in page.text
    pdf = client.get("/me/agenda/agenda.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ics = client.get("/me/agenda/agenda.ics").text.replace("\r\n ", "")
    assert f"URL:https://meet.jit.si/Matchmaker-{meeting.video_room}" in ics


def test_the_setup_page_marks_tables_and_sessions_online(client: TestClient, db: Session) -> None:
    p = make_pair(db)
    organiser = make_organiser(db)
    db.commit()
    data = {k: v for k, v in setup.form_from_event(db, p.event).items() if not isinstance(v, list)}
    allowed = {k: v for k, v in setup.form_from_event(db, p.event).items() if isinstance(v, list)}
    sign_in_as(client, organiser, db)
    form = {**data, "table-1-online": "1", "session-0-online": "1", "reminder_minutes": "10"}
    response = post_form(
        client, "/organiser/setup", {**form, **{k: v[0] for k, v in allowed.items() if v}}
    )
    assert response.status_code in (200, 303), response.text
    db.expire_all()
    again = setup.form_from_event(db, p.event)
    assert again["table-1-online"] == "1" and again["table-0-online"] == ""
    assert again["session-0-online"] == "1" and again["session-1-online"] == ""
    assert again["reminder_minutes"] == "10"
