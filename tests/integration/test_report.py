"""The organiser's report: what it counts, its PDF with charts, its typed XLSX, and the
public summary the organisers may show."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from litestar.testing import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, select

from matchmaker.models import (
    Event,
    Feedback,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    OrgKind,
    RequestStatus,
    Slot,
)
from matchmaker.report import build_report
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant

AFTER_THE_EVENT = datetime(2023, 6, 1, tzinfo=UTC)


def _event_with_meetings(db: Session) -> Event:
    """Four requests (one withdrawn), three agreed meetings: one held and rated 4, one a
    no-show, one never placed; all on the first day."""
    event = make_event(db)
    startup = make_org(db, event, "Nông Sản Số", sectors=["agritech"])
    investor = make_org(db, event, "Quỹ Mekong", OrgKind.investor, sectors=["fintech"])
    ocop = make_org(db, event, "HTX Khóm Cầu Đúc", OrgKind.ocop, sectors=["agritech"])
    firm = make_org(db, event, "Công ty Phần mềm Tây Đô", OrgKind.tech_firm)
    make_participant(db, startup, "Võ Thị Yến")
    slots = db.exec(select(Slot).order_by(Slot.position)).all()
    tables = db.exec(select(MeetingTable).order_by(MeetingTable.name)).all()
    for a, b, status in [
        (startup, investor, RequestStatus.accepted),
        (ocop, investor, RequestStatus.accepted),
        (ocop, firm, RequestStatus.accepted),
        (firm, startup, RequestStatus.withdrawn),
    ]:
        db.add(
            MeetingRequest(
                event_id=event.id or 0, from_org_id=a.id or 0, to_org_id=b.id or 0, status=status
            )
        )
    held = make_meeting(
        db,
        event,
        startup,
        investor,
        status=MeetingStatus.scheduled,
        slot_id=slots[0].id,
        table_id=tables[0].id,
    )
    missed = make_meeting(
        db,
        event,
        ocop,
        investor,
        status=MeetingStatus.no_show,
        slot_id=slots[1].id,
        table_id=tables[1].id,
    )
    make_meeting(db, event, ocop, firm, status=MeetingStatus.unscheduled)
    db.add(
        Feedback(
            meeting_id=held.id or 0, organisation_id=startup.id or 0, rating=4, follow_up=True,
            outcome="talks",
        )
    )  # fmt: skip
    db.add(
        Feedback(
            meeting_id=missed.id or 0, organisation_id=ocop.id or 0, rating=1, took_place=False
        )
    )
    db.commit()
    return event


def test_report_counts_each_step_by_kind_sector_and_day(db: Session) -> None:
    report = build_report(db, _event_with_meetings(db), now=AFTER_THE_EVENT)
    totals = report.totals
    assert (totals.requested, totals.agreed, totals.scheduled) == (3, 3, 2)
    assert (totals.held, totals.no_show) == (1, 1)
    assert totals.no_show_rate == 0.5
    kinds = {r.key: r.counts for r in report.by_kind}
    # The investor met twice (one held, one missed); the OCOP co-operative's meetings
    # were one missed and one never placed.
    assert (kinds["investor"].scheduled, kinds["investor"].held) == (2, 1)
    assert (kinds["ocop"].agreed, kinds["ocop"].scheduled, kinds["ocop"].no_show) == (2, 1, 1)
    sectors = {r.key: r.counts for r in report.by_sector}
    assert (sectors["agritech"].scheduled, sectors["agritech"].held) == (2, 1)
    assert [r.key for r in report.top_sectors] == ["agritech", "fintech"]
    assert [(r.counts.scheduled, r.counts.held) for r in report.by_day] == [(2, 1)]
    # The no-show's "rating" is not satisfaction with a meeting that did not happen.
    assert report.satisfaction.ratings == [0, 0, 0, 1, 0]
    assert report.satisfaction.mean == 4
    assert report.satisfaction.follow_ups == 1
    assert ("We are still talking", 1) in report.satisfaction.outcome_counts


def test_before_its_time_a_scheduled_meeting_is_not_held(db: Session) -> None:
    event = _event_with_meetings(db)
    report = build_report(db, event, now=datetime(2023, 5, 1, tzinfo=UTC))
    assert (report.totals.scheduled, report.totals.held) == (2, 0)


def test_report_pdf_renders_its_charts(client: TestClient, db: Session) -> None:
    _event_with_meetings(db)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    post_form(client, "/lang", {"locale": "en", "next": "/"})
    response = client.get("/organiser/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Event report" in text
    assert "Meetings by day" in text  # a chart's caption, under the drawing
    assert "Sectors with the most meetings" in text
    page = client.get("/organiser/report")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 4  # steps, kinds, days, sectors (and ratings)


def test_report_xlsx_has_typed_sheets_in_the_readers_language(
    client: TestClient, db: Session
) -> None:
    _event_with_meetings(db)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    response = client.get("/organiser/report.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tóm tắt", "Theo loại", "Theo lĩnh vực", "Theo ngày", "Đánh giá"]
    by_kind = book["Theo loại"]
    assert by_kind.freeze_panes == "A2"
    assert by_kind.auto_filter.ref
    rows = {row[0]: row[1:] for row in by_kind.iter_rows(min_row=2, values_only=True)}
    assert all(isinstance(v, int) for values in rows.values() for v in values)
    by_day = next(book["Theo ngày"].iter_rows(min_row=2, values_only=True))
    assert isinstance(by_day[0], datetime)  # a date Excel can sort by


def test_public_summary_is_hidden_until_the_organisers_show_it(
    client: TestClient, db: Session
) -> None:
    _event_with_meetings(db)
    organiser = make_organiser(db)
    db.commit()
    assert client.get("/report").status_code == 404
    sign_in_as(client, organiser, db)
    assert post_form(client, "/organiser/report/public", {"shown": "1"}).status_code == 200
    client.cookies.clear()
    public = client.get("/report")
    assert public.status_code == 200
    assert "<svg" in public.text
    assert "Nông Sản Số" not in public.text  # figures, never names
    sign_in_as(client, organiser, db)
    post_form(client, "/organiser/report/public", {"shown": "0"})
    client.cookies.clear()
    assert client.get("/report").status_code == 404


def test_report_is_for_organisers_only(client: TestClient, db: Session) -> None:
    event = _event_with_meetings(db)
    org = make_org(db, event, "Khởi nghiệp Xanh")
    _, account = make_participant(db, org, "Lê Văn Tâm")
    db.commit()
    sign_in_as(client, account, db)
    for url in ("/organiser/report", "/organiser/report.pdf", "/organiser/report.xlsx"):
        assert client.get(url).status_code == 403
    assert post_form(client, "/organiser/report/public", {"shown": "1"}).status_code == 403
    assert client.get("/report").status_code == 404
