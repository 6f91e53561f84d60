"""The organiser's exports as a spreadsheet program reads them: XLSX cells are typed
(numbers, event-local dates and times) and in the reader's language, with a frozen
bold header and an autofilter; CSV files keep codes and ISO dates; the schedule is a
timetable, the meetings export the list of agreed meetings."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time
from typing import Any

from litestar.testing import TestClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, select

from matchmaker.exporting import BUILDERS, to_csv, to_xlsx
from matchmaker.models import (
    Event,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    OrgKind,
    Priority,
    RequestStatus,
    Slot,
)
from matchmaker.web.session_cookie import LANG_COOKIE
from tests.conftest import sign_in_as
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant
from tests.jobs import export

HOSTILE_NAME = '=HYPERLINK("http://evil.example/","x")'


def _arrange(db: Session) -> Event:
    """Two meetings placed on the first morning (the later-made one earlier in the day),
    one cancelled; the first came from a "must meet" request answered in event time."""
    event = make_event(db)
    startup = make_org(
        db, event, "Công ty TNHH Nông Sản Số", OrgKind.startup,
        sectors=["agritech"], stage="seed", seeks=["seed_investment"],
    )  # fmt: skip
    fund = make_org(db, event, "Quỹ Đầu tư Mekong", OrgKind.investor, sectors=["agritech"])
    agency = make_org(db, event, "Sở Khoa học và Công nghệ Hậu Giang", OrgKind.agency)
    tam, _ = make_participant(db, startup, "Nguyễn Văn Tâm", "tam@nongsanso.vn")
    make_participant(db, startup, "Trần Thu Hà", "ha@nongsanso.vn")
    make_participant(db, fund, "Lê Thị Mai", "mai@mekongfund.vn")
    make_participant(db, fund, "Võ Minh Khoa", "khoa@mekongfund.vn")
    make_participant(db, agency, HOSTILE_NAME, "viet@skhcn.vn")
    request = MeetingRequest(
        event_id=event.id or 0,
        from_org_id=startup.id or 0,
        to_org_id=fund.id or 0,
        priority=Priority.must,
        status=RequestStatus.accepted,
        created_at=datetime(2023, 5, 10, 3, 0, tzinfo=UTC),  # 10:00 in Hồ Chí Minh City
        answered_at=datetime(2023, 5, 11, 14, 30, tzinfo=UTC),  # 21:30
    )
    db.add(request)
    db.flush()
    slots = {s.code: s for s in db.exec(select(Slot).order_by(col(Slot.position)))}
    tables = {t.name: t for t in db.exec(select(MeetingTable))}
    tables["B2B-02"].zone = "Khu A"
    make_meeting(
        db, event, startup, fund, request_id=request.id, weight=2,
        status=MeetingStatus.scheduled, slot_id=slots["d1-am-02"].id,
        table_id=tables["B2B-02"].id, person_a_id=tam.id, locked=True,
    )  # fmt: skip
    make_meeting(
        db, event, fund, agency, status=MeetingStatus.scheduled,
        slot_id=slots["d1-am-01"].id, table_id=tables["B2B-03"].id,
    )  # fmt: skip
    make_meeting(
        db, event, startup, agency, status=MeetingStatus.cancelled,
        unscheduled_reason="Sở bận họp tỉnh",
    )  # fmt: skip
    db.commit()
    return event


def _sheet(db: Session, event: Event, kind: str, locale: str = "vi") -> Worksheet:
    book = load_workbook(io.BytesIO(to_xlsx(BUILDERS[kind](db, event, locale))))
    return book.worksheets[0]


def _rows(sheet: Worksheet) -> list[list[Any]]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _csv(db: Session, event: Event, kind: str) -> list[list[str]]:
    body = to_csv(BUILDERS[kind](db, event, "vi").table()).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_exports_xlsx_requests_have_numbers_and_event_local_datetimes(db: Session) -> None:
    event = _arrange(db)

    sheet = _sheet(db, event, "requests")

    assert _rows(sheet)[0] == [
        "Số yêu cầu", "Bên gửi yêu cầu", "Bên nhận yêu cầu", "Mức ưu tiên", "Trạng thái",
        "Lời nhắn", "Gửi lúc", "Trả lời lúc",
    ]  # fmt: skip
    number, *_, created, answered = sheet[2]
    assert isinstance(number.value, int) and number.data_type == "n"
    assert created.value == datetime(2023, 5, 10, 10, 0)
    assert answered.value == datetime(2023, 5, 11, 21, 30)
    assert created.is_date and created.number_format == "dd/mm/yyyy hh:mm"
    assert [c.value for c in sheet[2]][3:5] == ["Nhất định phải gặp", "Đã chấp nhận"]


def test_exports_xlsx_meetings_list_every_meeting_with_status_weight_priority_and_reason(
    db: Session,
) -> None:
    event = _arrange(db)

    rows = _rows(_sheet(db, event, "meetings"))

    assert rows[0] == [
        "Số cuộc gặp", "Đơn vị A", "Đơn vị B", "Trạng thái", "Trọng số", "Mức ưu tiên",
        "Số yêu cầu", "Bắt đầu", "Bàn", "Đã khóa vị trí", "Lý do chưa xếp",
    ]  # fmt: skip
    first, second, cancelled = rows[1:]
    assert first[3:] == [
        "Đã xếp lịch", 2, "Nhất định phải gặp", first[6], datetime(2023, 5, 18, 8, 20),
        "B2B-02", "Có", None,
    ]  # fmt: skip
    assert isinstance(first[0], int) and isinstance(first[6], int)
    assert second[3:6] == ["Đã xếp lịch", 1, None]
    assert cancelled[3] == "Đã hủy" and cancelled[7] is None
    assert (cancelled[9], cancelled[10]) == ("Không", "Sở bận họp tỉnh")


def test_exports_xlsx_schedule_is_a_timetable_with_who_attends(db: Session) -> None:
    event = _arrange(db)

    sheet = _sheet(db, event, "schedule")
    rows = _rows(sheet)

    assert rows[0] == [
        "Ngày", "Bắt đầu", "Kết thúc", "Bàn", "Khu", "Đơn vị A", "Người dự của A", "Đơn vị B",
        "Người dự của B", "Bên chủ trì", "Đã khóa vị trí", "Mã khung giờ", "Số cuộc gặp",
    ]  # fmt: skip
    assert len(rows) == 3  # the cancelled meeting has no place in the timetable
    early, late = rows[1:]
    # In time order, not in the order the meetings were made.
    assert early[:4] == [datetime(2023, 5, 18), time(8, 0), time(8, 20), "B2B-03"]
    assert late[:5] == [datetime(2023, 5, 18), time(8, 20), time(8, 40), "B2B-02", "Khu A"]
    # Who was picked for a side, or every representative when nobody was.
    assert late[5:9] == [
        "Công ty TNHH Nông Sản Số", "Nguyễn Văn Tâm", "Quỹ Đầu tư Mekong",
        "Lê Thị Mai; Võ Minh Khoa",
    ]  # fmt: skip
    assert late[9:12] == ["Quỹ Đầu tư Mekong", "Có", "d1-am-02"]
    day, start, end = sheet["A2"], sheet["B2"], sheet["C2"]
    assert (day.is_date, day.number_format) == (True, "dd/mm/yyyy")
    assert (start.is_date, start.number_format, end.number_format) == (True, "hh:mm", "hh:mm")
    # A representative's name that looks like a formula stays text.
    hostile = sheet["I2"]
    assert (hostile.value, hostile.data_type) == (HOSTILE_NAME, "s")


def test_exports_xlsx_participants_show_labels_not_codes(db: Session) -> None:
    event = _arrange(db)

    rows = _rows(_sheet(db, event, "participants"))

    assert rows[0] == [
        "Tổ chức", "Loại hình", "Lĩnh vực", "Tỉnh/thành", "Giai đoạn", "Trang web", "Mô tả",
        "Cung cấp", "Đang tìm", "Họ tên", "Chức danh", "Email", "Điện thoại", "Ngôn ngữ",
    ]  # fmt: skip
    tam = rows[1]
    assert tam[:5] == [
        "Công ty TNHH Nông Sản Số", "Doanh nghiệp khởi nghiệp", "Nông nghiệp công nghệ cao",
        None, "Hạt giống (seed)",
    ]  # fmt: skip
    assert tam[8] == "vốn đầu tư giai đoạn hạt giống"
    assert rows[3][1] == "Nhà đầu tư"


def test_exports_xlsx_in_english_for_an_english_reader(db: Session) -> None:
    event = _arrange(db)

    requests = _sheet(db, event, "requests", "en")
    meetings = _rows(_sheet(db, event, "meetings", "en"))
    participants = _rows(_sheet(db, event, "participants", "en"))

    assert _rows(requests)[0][:5] == ["Request no.", "Requested by", "Requested of",
                                      "Priority", "Status"]  # fmt: skip
    assert _rows(requests)[1][3:5] == ["Must meet", "Accepted"]
    assert requests["G2"].number_format == "d mmm yyyy, hh:mm"
    assert meetings[0][:4] == ["Meeting no.", "Organisation A", "Organisation B", "Status"]
    assert [row[3] for row in meetings[1:]] == ["Scheduled", "Scheduled", "Cancelled"]
    assert meetings[1][9] == "Yes"
    assert participants[0][:3] == ["Organisation", "Kind", "Sectors"]
    assert participants[1][1:5] == ["Startup", "Agriculture & agritech", None, "Seed"]


def test_exports_xlsx_header_is_bold_frozen_and_filters_the_data(db: Session) -> None:
    event = _arrange(db)

    data = {"participants": "A1:N6", "requests": "A1:H2", "meetings": "A1:K4", "schedule": "A1:M3"}
    for kind, cells in data.items():
        sheet = _sheet(db, event, kind)

        assert sheet.freeze_panes == "A2", kind
        assert sheet.auto_filter.ref == cells, kind
        assert all(c.font.bold for c in sheet[1]), kind
        assert not any(c.font.bold for c in sheet[2]), kind
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert all(8 <= w <= 60 for w in widths), kind
    assert _sheet(db, event, "schedule").title == "Lịch gặp"


def test_exports_csv_keep_codes_and_iso_dates(db: Session) -> None:
    event = _arrange(db)

    meetings = _csv(db, event, "meetings")
    schedule = _csv(db, event, "schedule")
    requests = _csv(db, event, "requests")

    assert meetings[0] == ["id", "organisation_a", "organisation_b", "status", "weight",
                           "priority", "request", "start", "table", "locked", "reason"]  # fmt: skip
    assert meetings[1][3:6] == ["scheduled", "2", "must"]
    assert (meetings[1][7], meetings[1][9]) == ("2023-05-18 08:20", "yes")
    assert meetings[3][3] == "cancelled"
    assert schedule[0][:6] == ["day", "start", "end", "table", "zone", "organisation_a"]
    assert schedule[1][:3] == ["2023-05-18", "08:00", "08:20"]
    assert schedule[1][8] == "'" + HOSTILE_NAME  # still inert in CSV
    assert requests[1][3:5] == ["must", "accepted"]
    assert requests[1][6:] == ["2023-05-10 10:00", "2023-05-11 21:30"]


def test_exports_follow_the_organisers_interface_language(client: TestClient, db: Session) -> None:
    _arrange(db)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)

    def header(kind: str) -> list[Any]:
        body = export(client, kind, "xlsx").content
        return [c.value for c in load_workbook(io.BytesIO(body)).worksheets[0][1]]

    page = client.get("/organiser/export")
    vi = header("schedule")
    client.cookies.set(LANG_COOKIE, "en")
    en = header("schedule")
    csv_header = export(client, "schedule", "csv").text.lstrip("\ufeff").split(",")[0]

    assert page.status_code == 200 and "Tệp Excel để xem và sắp xếp" in page.text
    assert vi[:3] == ["Ngày", "Bắt đầu", "Kết thúc"]
    assert en[:3] == ["Day", "Start", "End"]
    assert csv_header == "day"
