"""Check-in at the registration desk: by name (diacritics ignored) or by the code of the
QR printed on the agenda; once per person and day; counted; late arrivals flagged."""

from __future__ import annotations

import io

from litestar.testing import TestClient
from pypdf import PdfReader
from sqlmodel import Session, col, select

from matchmaker import checkin
from matchmaker.models import AuditLog, CheckIn, Participant
from tests.conftest import post_form
from tests.eventday import at, clock_at, make_event_day
from tests.jobs import document
from tests.sessions import open_session

HTMX = {"HX-Request": "true"}


def _check_ins(db: Session) -> list[CheckIn]:
    db.expire_all()
    return list(db.exec(select(CheckIn)))


def test_desk_search_ignores_diacritics_and_checks_in_once(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.organiser)
    with clock_at(at(7, 40)):
        found = client.get("/organiser/desk", params={"q": "tran van an"})
        assert found.status_code == 200
        assert "Trần Văn An" in found.text
        assert "Lê Thị Bình" not in found.text
        first = post_form(client, f"/organiser/desk/check-in/{world.an.id}", {}, headers=HTMX)
        again = post_form(client, f"/organiser/desk/check-in/{world.an.id}", {}, headers=HTMX)
    assert first.status_code == 200 and again.status_code == 200
    assert "07:40" in again.text  # the first check-in's time, shown on the row
    assert first.headers["hx-trigger"] == "desk-changed"
    rows = _check_ins(db)
    assert [(r.participant_id, r.by_account_id) for r in rows] == [
        (world.an.id, world.organiser.id)
    ]
    audits = db.exec(select(AuditLog).where(AuditLog.action == "checkin")).all()
    assert [a.detail for a in audits] == [{"participant": world.an.id, "day": 1}]


def test_desk_search_finds_by_organisation_name(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.organiser)
    with clock_at(at(7, 40)):
        found = client.get("/organiser/desk", params={"q": "khom cau duc"})
    assert "Phạm Văn Cường" in found.text
    assert "Trần Văn An" not in found.text


def test_desk_scan_checks_in_the_person_whose_code_is_on_their_agenda(
    client: TestClient, db: Session
) -> None:
    world = make_event_day(db)
    open_session(client, world.an_account)
    agenda = client.get("/me/agenda")
    db.expire_all()
    code = db.get(Participant, world.an.id).checkin_code  # type: ignore[union-attr]
    assert code and len(code) == checkin.CODE_LENGTH
    assert code in agenda.text
    assert '<svg width="116" height="116" class="segno">' in agenda.text
    assert str(world.an.id) != code
    open_session(client, world.organiser)
    typed = f" {code[:5].lower()}-{code[5:].lower()} "  # a person typing it, not a scanner
    with clock_at(at(7, 55)):
        scanned = post_form(client, "/organiser/desk/scan", {"code": typed}, headers=HTMX)
        rescanned = post_form(client, "/organiser/desk/scan", {"code": code}, headers=HTMX)
    assert scanned.status_code == 200
    assert "Trần Văn An" in scanned.text and "07:55" in scanned.text
    assert "scan-again" not in scanned.text
    assert "scan-again" in rescanned.text  # "already checked in today at 07:55"
    assert [r.participant_id for r in _check_ins(db)] == [world.an.id]


def test_desk_scan_of_an_unknown_code_says_so_at_the_field(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.organiser)
    with clock_at(at(7, 55)):
        htmx = post_form(client, "/organiser/desk/scan", {"code": "ZZZZZZZZZZ"}, headers=HTMX)
        plain = post_form(client, "/organiser/desk/scan", {"code": ""})
    assert htmx.status_code == 200  # htmx swaps the message in where the result goes
    assert "ZZZZZZZZZZ" in htmx.text and 'role="alert"' in htmx.text
    assert plain.status_code == 422
    assert 'class="field has-error"' in plain.text
    assert _check_ins(db) == []


def test_desk_refuses_check_in_on_a_day_the_event_does_not_run(
    client: TestClient, db: Session
) -> None:
    world = make_event_day(db)
    open_session(client, world.organiser)
    with clock_at(at(9, 0, day=20)):
        page = client.get("/organiser/desk")
        answer = post_form(
            client, f"/organiser/desk/check-in/{world.an.id}", {}, follow_redirects=False
        )
    assert "does not run today" in page.text or "không diễn ra" in page.text
    assert answer.status_code == 303 and "flash=" in answer.headers["location"]
    assert _check_ins(db) == []


def test_desk_check_in_is_per_day_and_counted_per_day(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.organiser)
    with clock_at(at(8, 0, day=18)):
        post_form(client, f"/organiser/desk/check-in/{world.an.id}", {}, headers=HTMX)
        post_form(client, f"/organiser/desk/check-in/{world.binh.id}", {}, headers=HTMX)
    with clock_at(at(8, 0, day=19)):
        post_form(client, f"/organiser/desk/check-in/{world.an.id}", {}, headers=HTMX)
        status = client.get("/organiser/desk/status")
    days = {d.id: d.number for d in checkin.days_of(db, world.event)}
    assert sorted((r.participant_id, days[r.day_id]) for r in _check_ins(db)) == sorted(
        [(world.an.id, 1), (world.binh.id, 1), (world.an.id, 2)]
    )
    assert [n for _, n in checkin.counts_per_day(db, world.event)] == [2, 1]
    assert 'id="checked-in-day-1">2<' in status.text
    assert 'id="checked-in-day-2">1<' in status.text


def test_desk_undo_takes_back_todays_check_in(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.organiser)
    with clock_at(at(8, 0)):
        post_form(client, f"/organiser/desk/check-in/{world.an.id}", {}, headers=HTMX)
        undone = post_form(client, f"/organiser/desk/undo/{world.an.id}", {}, headers=HTMX)
    assert undone.status_code == 200 and "/organiser/desk/check-in/" in undone.text
    assert _check_ins(db) == []
    actions = [a.action for a in db.exec(select(AuditLog).order_by(col(AuditLog.id)))]
    assert actions == ["checkin", "checkin.undo"]


def test_desk_flags_people_not_checked_in_ten_minutes_before_their_first_meeting(
    client: TestClient, db: Session
) -> None:
    world = make_event_day(db)
    open_session(client, world.organiser)
    with clock_at(at(7, 49)):
        early = checkin.late_arrivals(db, world.event)
    with clock_at(at(7, 50)):
        due = checkin.late_arrivals(db, world.event)
        post_form(client, f"/organiser/desk/check-in/{world.an.id}", {}, headers=HTMX)
        after = checkin.late_arrivals(db, world.event)
    with clock_at(at(8, 10)):  # Cường's meeting at 08:20 is now 10 minutes away
        status = client.get("/organiser/desk/status")
    assert early == []
    # An and Bình meet at 08:00 (listed by time, then organisation); Cường's first
    # meeting is at 08:20.
    assert [a.person.full_name for a in due if a.person] == ["Trần Văn An", "Lê Thị Bình"]
    assert [a.person.full_name for a in after if a.person] == ["Lê Thị Bình"]
    assert "Lê Thị Bình" in status.text and "Phạm Văn Cường" in status.text
    assert "Trần Văn An" not in status.text
    assert status.text.count("late-started") == 1  # Bình's 08:00 meeting has begun


def test_agenda_pdf_carries_the_check_in_code(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    open_session(client, world.an_account)
    pdf = client.get("/me/agenda/agenda.pdf")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    db.expire_all()
    code = db.get(Participant, world.an.id).checkin_code  # type: ignore[union-attr]
    assert code and code in text
    open_session(client, world.organiser)
    every = document(client, "agendas")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(every.content)).pages)
    db.expire_all()
    codes = [p.checkin_code for p in db.exec(select(Participant))]
    assert all(c and c in text for c in codes)
    assert len(set(codes)) == 3
