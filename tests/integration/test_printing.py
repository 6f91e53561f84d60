from __future__ import annotations

import io

from litestar.testing import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from matchmaker import audit
from matchmaker.models import Meeting, MeetingStatus, MeetingTable, OrgKind, ScheduleVersion, Slot
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant
from tests.jobs import document


def _published_event(db: Session):  # type: ignore[no-untyped-def]
    event = make_event(db)
    startup = make_org(db, event, "Công ty Nông nghiệp Số Vị Thanh")
    investor = make_org(db, event, "Quỹ Đầu tư Sông Hậu", OrgKind.investor)
    _, startup_account = make_participant(db, startup, "Võ Thị Yến")
    make_participant(db, investor, "Đặng Văn Bảo")
    make_participant(db, investor, "Âu Minh Châu")
    slots = db.exec(select(Slot).order_by(Slot.position)).all()
    table = db.exec(select(MeetingTable).order_by(MeetingTable.name)).first()
    a, b = sorted([startup.id or 0, investor.id or 0])
    db.add(
        Meeting(
            event_id=event.id or 0,
            org_a_id=a,
            org_b_id=b,
            slot_id=slots[1].id,
            table_id=table.id if table else None,
            status=MeetingStatus.scheduled,
        )
    )
    db.add(ScheduleVersion(event_id=event.id or 0, number=1))
    organiser = make_organiser(db)
    db.commit()
    return event, organiser, startup_account


def _pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_table_plan_pdf_lists_meeting_at_its_table(client: TestClient, db: Session) -> None:
    _, organiser, _ = _published_event(db)
    sign_in_as(client, organiser, db)
    response = document(client, "table_plan")
    assert response.status_code == 200
    text = "\n".join(_pages_text(response.content))
    assert "B2B-01" in text
    assert "08:20" in text
    assert "Công ty Nông nghiệp Số Vị Thanh" in text


def test_table_signs_pdf_has_one_page_per_table_and_day(client: TestClient, db: Session) -> None:
    _, organiser, _ = _published_event(db)
    sign_in_as(client, organiser, db)
    pages = _pages_text(document(client, "table_signs").content)
    assert len(pages) == 1
    assert "B2B-01" in pages[0]
    assert "Quỹ Đầu tư Sông Hậu" in pages[0]


def test_all_agendas_pdf_has_one_page_per_participant_sorted_by_name(
    client: TestClient, db: Session
) -> None:
    _, organiser, _ = _published_event(db)
    sign_in_as(client, organiser, db)
    pages = _pages_text(document(client, "agendas").content)
    firsts = [text.splitlines()[0] for text in pages]
    assert firsts == ["Âu Minh Châu", "Đặng Văn Bảo", "Võ Thị Yến"]


def test_print_page_previews_the_plan(client: TestClient, db: Session) -> None:
    _, organiser, _ = _published_event(db)
    sign_in_as(client, organiser, db)
    response = client.get("/organiser/print")
    assert response.status_code == 200
    assert "Quỹ Đầu tư Sông Hậu" in response.text


def test_audit_page_lists_recorded_actions(client: TestClient, db: Session) -> None:
    event, organiser, _ = _published_event(db)
    audit.record(db, "meeting.lock", event=event, account=organiser, meeting=7)
    db.commit()
    sign_in_as(client, organiser, db)
    response = client.get("/organiser/audit")
    assert response.status_code == 200
    assert "meeting.lock" in response.text
    assert "meeting: 7" in response.text


def test_printing_and_audit_are_for_organisers_only(client: TestClient, db: Session) -> None:
    _, _, startup_account = _published_event(db)
    sign_in_as(client, startup_account, db)
    for url in ("/organiser/print", "/organiser/audit"):
        assert client.get(url).status_code == 403
    assert post_form(client, "/organiser/jobs", {"kind": "agendas"}).status_code == 403
