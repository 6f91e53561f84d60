from __future__ import annotations

import io

from litestar.testing import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from matchmaker import audit, printing
from matchmaker.models import Meeting, MeetingStatus, MeetingTable, OrgKind, ScheduleVersion, Slot
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant
from tests.jobs import document
from tests.sessions import open_session, organiser_account


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


def test_audit_page_tells_each_action_in_words_in_both_languages(
    client: TestClient, db: Session
) -> None:
    event, organiser, _ = _published_event(db)
    meeting = db.exec(select(Meeting)).one()
    slots = db.exec(select(Slot).order_by(Slot.position)).all()
    tables = db.exec(select(MeetingTable).order_by(MeetingTable.name)).all()
    audit.record(
        db, "meeting.move", event=event, account=organiser, meeting=meeting.id,
        slot_from=slots[1].id, table_from=tables[0].id, slot=slots[3].id, table=tables[1].id,
    )  # fmt: skip
    audit.record(db, "solve.stop", event=event, account=organiser, run_id=12)
    audit.record(db, "something.new", event=event, account=organiser, size=3)
    db.commit()
    sign_in_as(client, organiser, db)

    vi = client.get("/organiser/audit")
    post_form(client, "/lang", {"locale": "en", "next": "/organiser/audit"})
    en = client.get("/organiser/audit")

    assert vi.status_code == en.status_code == 200
    assert (
        "Đã dời cuộc gặp Công ty Nông nghiệp Số Vị Thanh – Quỹ Đầu tư Sông Hậu từ "
        "Thứ Năm 18/05 08:20 tại bàn B2B-01 sang Thứ Năm 18/05 09:00 tại bàn B2B-02."
    ) in vi.text
    assert "Đã dừng lượt xếp lịch 12." in vi.text
    assert (
        "Moved the meeting Công ty Nông nghiệp Số Vị Thanh – Quỹ Đầu tư Sông Hậu from "
        "Thu 18 May, 08:20 at table B2B-01 to Thu 18 May, 09:00 at table B2B-02."
    ) in en.text
    assert "Stopped solve run 12." in en.text
    assert "meeting.move" not in en.text.replace('data-action="meeting.move"', "")
    assert "something.new size: 3" in en.text  # an action without wording is still shown


def test_printing_and_audit_are_for_organisers_only(client: TestClient, db: Session) -> None:
    _, _, startup_account = _published_event(db)
    sign_in_as(client, startup_account, db)
    for url in ("/organiser/print", "/organiser/audit"):
        assert client.get(url).status_code == 403
    assert post_form(client, "/organiser/jobs", {"kind": "agendas"}).status_code == 403


def _busy_table(db: Session, meetings: int):  # type: ignore[no-untyped-def]
    """One table busy in every slot of the first day, with long names on both sides."""
    event = make_event(db, slots_per_session=meetings)
    slots = db.exec(select(Slot).order_by(Slot.position)).all()[:meetings]
    table = db.exec(select(MeetingTable).order_by(MeetingTable.name)).first()
    host = make_org(
        db, event, "Sở Nông nghiệp và Phát triển nông thôn tỉnh Hậu Giang", OrgKind.agency
    )
    host_person, _ = make_participant(db, host, "Huỳnh Nhật Bình")
    for number, slot in enumerate(slots, start=1):
        guest = make_org(
            db,
            event,
            f"Công ty TNHH Giải pháp Phần mềm và Chuyển đổi số Đồng bằng Sông Cửu Long {number}",
        )
        guest_person, _ = make_participant(db, guest, "Nguyễn Thị Phương Thảo")
        a, b = sorted([(host.id or 0, host_person.id), (guest.id or 0, guest_person.id)])
        db.add(
            Meeting(
                event_id=event.id or 0,
                org_a_id=a[0],
                org_b_id=b[0],
                person_a_id=a[1],
                person_b_id=b[1],
                slot_id=slot.id,
                table_id=table.id if table else None,
                status=MeetingStatus.scheduled,
            )
        )
    organiser = organiser_account(db)
    db.commit()
    return organiser


def test_table_signs_a_full_day_of_long_names_fits_one_sheet(
    client: TestClient, db: Session
) -> None:
    organiser = _busy_table(db, printing.MAX_SIGN_ROWS)
    open_session(client, organiser)
    pages = _pages_text(document(client, "table_signs").content)
    assert len(pages) == 1
    assert pages[0].startswith("B2B-01")
    assert pages[0].count("Huỳnh Nhật Bình") == printing.MAX_SIGN_ROWS


def test_table_signs_a_longer_day_is_split_into_sheets_each_naming_the_table(
    client: TestClient, db: Session
) -> None:
    organiser = _busy_table(db, printing.MAX_SIGN_ROWS + 4)
    open_session(client, organiser)
    pages = _pages_text(document(client, "table_signs").content)
    assert len(pages) == 2
    assert [p.startswith("B2B-01") for p in pages] == [True, True]
    assert ["tờ 1/2" in pages[0], "tờ 2/2" in pages[1]] == [True, True]
    assert [p.count("Huỳnh Nhật Bình") for p in pages] == [12, 12]
