from __future__ import annotations

import re

from litestar.testing import TestClient
from sqlmodel import Session, select

from matchmaker.models import AuditLog, Meeting, MeetingStatus, MeetingTable, OrgKind, Slot
from matchmaker.setup import form_from_event
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant
from tests.sessions import open_session, organiser_account


def _arrange(db: Session):  # type: ignore[no-untyped-def]
    event = make_event(db)
    organiser = make_organiser(db)
    db.commit()
    return event, organiser


def test_setup_page_shows_current_sessions_and_slot_preview(
    client: TestClient, db: Session
) -> None:
    _, organiser = _arrange(db)
    sign_in_as(client, organiser, db)
    response = client.get("/organiser/setup")
    assert response.status_code == 200
    assert 'value="B2B-01"' in response.text
    assert "d1-am-01" in response.text  # the preview lists the generated slots


def test_setup_save_regenerates_slots_and_keeps_codes(client: TestClient, db: Session) -> None:
    event, organiser = _arrange(db)
    sign_in_as(client, organiser, db)
    form = form_from_event(db, event)
    form["session-0-end"] = "09:00"  # 08:00-09:00 in 20-minute slots: 3 slots
    form["table-3-name"] = "VIP-01"
    form["table-3-zone"] = "VIP"
    response = post_form(client, "/organiser/setup", form, follow_redirects=False)
    assert response.status_code == 303
    db.expire_all()
    codes = sorted(s.code for s in db.exec(select(Slot)))
    assert codes[:3] == ["d1-am-01", "d1-am-02", "d1-am-03"]
    assert len(codes) == 3 + 6  # day 2 fills its 08:00-10:00 session: 6 slots
    assert "VIP-01" in {t.name for t in db.exec(select(MeetingTable))}
    assert db.exec(select(AuditLog).where(AuditLog.action == "setup.change")).first()


def test_setup_save_with_errors_shows_them_next_to_fields_and_changes_nothing(
    client: TestClient, db: Session
) -> None:
    event, organiser = _arrange(db)
    sign_in_as(client, organiser, db)
    before = sorted(s.code for s in db.exec(select(Slot)))
    form = form_from_event(db, event)
    form["session-0-start"] = "8 o'clock"
    response = post_form(client, "/organiser/setup", form)
    assert response.status_code == 400
    assert 'id="e-session-0-start"' in response.text
    db.expire_all()
    assert sorted(s.code for s in db.exec(select(Slot))) == before


def test_setup_change_that_unplaces_meetings_asks_for_confirmation(
    client: TestClient, db: Session
) -> None:
    event, organiser = _arrange(db)
    a = make_org(db, event, "Công ty A")
    b = make_org(db, event, "Quỹ B", OrgKind.investor)
    make_participant(db, a, "Người A")
    last = db.exec(select(Slot).where(Slot.code == "d1-am-04")).one()
    meeting = Meeting(
        event_id=event.id or 0,
        org_a_id=a.id or 0,
        org_b_id=b.id or 0,
        slot_id=last.id,
        status=MeetingStatus.scheduled,
    )
    db.add(meeting)
    db.commit()
    sign_in_as(client, organiser, db)
    form = form_from_event(db, event)
    form["session-0-end"] = "09:00"  # only 3 slots remain: d1-am-04 disappears
    warned = post_form(client, "/organiser/setup", form)
    assert warned.status_code == 409
    assert 'name="confirm"' in warned.text
    db.expire_all()
    assert db.get(Meeting, meeting.id).slot_id == last.id  # type: ignore[union-attr]
    confirmed = post_form(
        client, "/organiser/setup", {**form, "confirm": "1"}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    db.expire_all()
    moved = db.get(Meeting, meeting.id)
    assert moved is not None
    assert (moved.slot_id, moved.status, moved.sequence) == (None, MeetingStatus.accepted, 1)


def test_setup_preview_returns_the_partial_with_errors(client: TestClient, db: Session) -> None:
    event, organiser = _arrange(db)
    sign_in_as(client, organiser, db)
    form = form_from_event(db, event)
    form["session-0-slot_minutes"] = "45"
    response = post_form(client, "/organiser/setup/preview", form, headers={"HX-Request": "true"})
    assert response.status_code in (200, 201)
    assert response.text.lstrip().startswith('<section id="setup-preview"')
    assert "08:45" in response.text


def test_setup_is_for_organisers_only(client: TestClient, db: Session) -> None:
    event, _ = _arrange(db)
    _, account = make_participant(db, make_org(db, event, "Công ty C"), "Người C")
    db.commit()
    sign_in_as(client, account, db)
    assert client.get("/organiser/setup").status_code == 403
    assert post_form(client, "/organiser/setup", {"start_date": "2023-05-18"}).status_code == 403


def test_setup_page_heads_the_table_column_as_table_name_not_full_name(
    client: TestClient, db: Session
) -> None:
    _, organiser = _arrange(db)
    open_session(client, organiser)
    html = client.get("/organiser/setup").text
    assert "<th>Tên bàn</th><th>Khu</th>" in html
    assert "Họ tên" not in html


def test_setup_page_examples_are_marked_as_examples(client: TestClient, db: Session) -> None:
    _, organiser = _arrange(db)
    open_session(client, organiser)
    html = client.get("/organiser/setup").text
    assert 'placeholder="vd. Sáng"' in html  # an empty spare row's name
    assert 'value="vd.' not in html
    css = client.get("/static/css/app.css").text
    assert ".setup-form ::placeholder { color: #8a96a3; font-style: italic; opacity: 1; }" in css


def test_setup_add_row_with_htmx_answers_one_new_row_and_saves_nothing(
    client: TestClient, db: Session
) -> None:
    event, organiser = _arrange(db)
    open_session(client, organiser)
    form = form_from_event(db, event)  # tables 0-2
    form |= {"table-3-name": "", "table-4-name": "", "table-5-name": ""}  # the spare rows
    response = post_form(
        client, "/organiser/setup/rows/table", form, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.strip().startswith("<tr>")
    assert re.findall(r'name="(table-\d+-name)"', response.text) == ["table-6-name"]
    session_row = post_form(
        client, "/organiser/setup/rows/session", form, headers={"HX-Request": "true"}
    )
    assert re.findall(r'name="(session-\d+-start)"', session_row.text) == ["session-2-start"]
    db.expire_all()
    assert len(db.exec(select(MeetingTable)).all()) == 3


def test_setup_add_row_without_javascript_returns_the_page_with_more_rows(
    client: TestClient, db: Session
) -> None:
    event, organiser = _arrange(db)
    open_session(client, organiser)
    form = form_from_event(db, event) | {"table-3-name": "VIP-01", "table-4-name": ""}
    response = post_form(client, "/organiser/setup/rows/table", form)
    assert response.status_code == 200
    assert 'value="VIP-01"' in response.text  # what was typed, not saved
    assert re.findall(r'name="table-(\d+)-name"', response.text) == [str(i) for i in range(8)]
    db.expire_all()
    assert "VIP-01" not in {t.name for t in db.exec(select(MeetingTable))}


def test_setup_home_table_host_is_chosen_by_name(client: TestClient, db: Session) -> None:
    event, organiser = _arrange(db)
    fund = make_org(db, event, "Quỹ Đầu tư Sông Hậu", OrgKind.investor)
    db.commit()
    open_session(client, organiser)
    form = form_from_event(db, event) | {"table-0-host": "quy dau tu song hau"}
    assert post_form(client, "/organiser/setup", form, follow_redirects=False).status_code == 303
    db.expire_all()
    hosts = {t.name: t.host_org_id for t in db.exec(select(MeetingTable))}
    assert hosts == {"B2B-01": fund.id, "B2B-02": None, "B2B-03": None}
    shown = client.get("/organiser/setup").text
    assert 'name="table-0-host" type="text" list="host-list" value="Quỹ Đầu tư Sông Hậu"' in shown
    assert '<option value="Quỹ Đầu tư Sông Hậu">' in shown


def test_setup_home_table_host_unknown_name_is_refused_at_its_field(
    client: TestClient, db: Session
) -> None:
    event, organiser = _arrange(db)
    open_session(client, organiser)
    client.cookies.set("mm_lang", "en")
    form = form_from_event(db, event) | {"table-1-host": "Nobody Ltd"}
    response = post_form(client, "/organiser/setup", form)
    assert response.status_code == 400
    assert '<p class="error" id="e-table-1-host">Choose from the list.</p>' in response.text
    assert 'value="Nobody Ltd"' in response.text


def test_setup_page_stays_light_with_many_hosts_and_tables(client: TestClient, db: Session) -> None:
    event = make_event(db, tables=33)
    for i in range(170):
        make_org(db, event, f"Trung tâm Xúc tiến Thương mại và Đầu tư số {i}", OrgKind.agency)
    organiser = organiser_account(db)
    db.commit()
    open_session(client, organiser)
    response = client.get("/organiser/setup")
    assert response.status_code == 200
    assert len(response.content) < 100_000  # 470 KB with a list of hosts in every row
    assert response.text.count('<option value="Trung tâm') == 170
