"""Import files are read within bounds: a workbook's declared size is not trusted, a
zip bomb is refused before it is unpacked, a file beyond the row, column or size limits
is refused by name, and reading a workbook does not hold up other requests."""

from __future__ import annotations

import csv
import io
import threading
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import Workbook
from sqlmodel import Session

from matchmaker import importing
from matchmaker.models import Account
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_event, make_organiser
from tests.sessions import sqlite_only

pytestmark = sqlite_only  # reading files does not touch the database

HEADER = ["Tên đơn vị", "Loại", "Lĩnh vực", "Tỉnh", "Họ tên", "Chức vụ", "Email", "Điện thoại"]
SHEET = "xl/worksheets/sheet1.xml"
MB = 1_000_000


@pytest.fixture
def organiser(db: Session) -> Account:
    make_event(db)
    account = make_organiser(db)
    db.commit()
    return account


@pytest.fixture
def organiser_client(client: TestClient, db: Session, organiser: Account) -> TestClient:
    sign_in_as(client, organiser, db)
    return client


def _person(n: int) -> list[str]:
    return [f"Công ty Số {n}", "startup", "agritech", "Hậu Giang", f"Người Thứ {n}", "CEO",
            f"nguoi{n}@example.vn", "0909 111 222"]  # fmt: skip


def _inline(row: int, column: str, value: str) -> str:
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{value}</t></is></c>'


def _row_xml(row: int, values: list[str]) -> str:
    columns = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    cells = "".join(_inline(row, columns[i], v) for i, v in enumerate(values))
    return f'<row r="{row}">{cells}</row>'


def _xlsx(sheet_data: Iterator[str] | list[str], dimension: str) -> bytes:
    """A workbook whose first sheet is exactly the given <row> elements under the given
    <dimension>: what a hand-made (or malicious) file can say, whatever its cells are."""
    book = Workbook()
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info))
                continue
            with target.open(SHEET, "w") as sheet:
                sheet.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    + f'<dimension ref="{dimension}"/><sheetData>'.encode()
                )
                for row in sheet_data:
                    sheet.write(row.encode())
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _post_upload(client: TestClient, name: str, content: bytes) -> Any:
    return client.post(
        "/organiser/import",
        files={"file": (name, content, "application/octet-stream")},
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def _peak_bytes(action: Callable[[], Any]) -> tuple[Any, int]:
    """What `action` returns, and the most memory Python held meanwhile above what it
    held before (every thread counts: the upload is read in a worker thread)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        result = action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak - before


def _error(response: Any) -> str:
    text = str(response.text)
    start = text.index('id="file-error" role="alert">') + len('id="file-error" role="alert">')
    return text[start : text.index("</p>", start)]


# A declared size is not trusted


def test_import_of_a_workbook_declaring_a_huge_range_reads_only_its_cells(
    organiser_client: TestClient,
) -> None:
    # 1,500 people under <dimension ref="A1:XFD15000"/>: read-only openpyxl padded each
    # row to 16,384 cells (200 MB for this file, 24 s and GBs for 15,000 rows).
    people = [_row_xml(1, HEADER)] + [_row_xml(n + 1, _person(n)) for n in range(1, 1501)]
    content = _xlsx(people, "A1:XFD15000")
    assert len(content) < 100_000

    response, peak = _peak_bytes(lambda: _post_upload(organiser_client, "people.xlsx", content))

    assert response.status_code == 303, response.text
    mapping = organiser_client.get(response.headers["location"])
    assert "people.xlsx · 1500 dòng" in mapping.text
    assert f'<option value="{len(HEADER)}"' not in mapping.text  # 8 columns, not 16,384
    assert peak < 30 * MB


def test_import_of_the_4_9_kb_bomb_is_refused_for_its_rows_without_reading_them_all(
    organiser_client: TestClient,
) -> None:
    # The file from the issue: 15,000 one-cell rows declared as A1:XFD15000.
    rows = (f'<row r="{n}">{_inline(n, "A", "x")}</row>' for n in range(1, 15_001))
    content = _xlsx(rows, "A1:XFD15000")
    assert len(content) < 100_000

    response, peak = _peak_bytes(lambda: _post_upload(organiser_client, "bomb.xlsx", content))

    assert response.status_code == 400
    assert _error(response) == "Tệp có hơn 5000 dòng."
    assert peak < 30 * MB


def test_import_of_a_workbook_with_rows_missing_or_numbered_far_apart_reads_its_cells(
    organiser_client: TestClient, organiser: Account
) -> None:
    # A claimed range smaller than the cells (openpyxl stopped at its last row), a far
    # cell beyond the columns an import takes (not read), and rows numbered with gaps.
    rows = [
        _row_xml(1, HEADER),
        _row_xml(2, _person(1)).replace("</row>", _inline(2, "XFD", "far away") + "</row>"),
        _row_xml(900_000, _person(2)),
    ]
    content = _xlsx(rows, "A1:B2")

    response = _post_upload(organiser_client, "people.xlsx", content)

    assert response.status_code == 303, response.text
    token = response.headers["location"].rsplit("/", 1)[1]
    var_dir = organiser_client.app.state.settings.var_dir
    upload = importing.load_upload(var_dir, token, organiser)
    assert upload.headers == HEADER
    assert upload.rows == [_person(1), _person(2)]


def test_import_of_a_workbook_with_a_row_beyond_excels_last_is_refused(
    organiser_client: TestClient,
) -> None:
    # openpyxl fills in every missing row up to the number a row claims
    rows = [_row_xml(1, HEADER), _row_xml(10**12, _person(1))]

    response = _post_upload(organiser_client, "people.xlsx", _xlsx(rows, "A1:H1"))

    assert response.status_code == 400
    assert _error(response) == "Không đọc được tệp .xlsx này."


# Zip bombs


def test_import_of_a_zip_bomb_is_refused_by_name_before_it_is_unpacked(
    organiser_client: TestClient,
) -> None:
    # A real header and row, then 60 MB of blanks inside the sheet, zipped to ~60 KB.
    def rows() -> Iterator[str]:
        yield _row_xml(1, HEADER)
        yield _row_xml(2, _person(1))
        for _ in range(60):
            yield " " * MB

    content = _xlsx(rows(), "A1:H2")
    assert len(content) < 200_000

    response, peak = _peak_bytes(lambda: _post_upload(organiser_client, "bomb.xlsx", content))

    assert response.status_code == 400
    assert _error(response) == (
        "Tệp Excel khi giải nén lớn hơn 50 MB, vượt xa mức cần cho một danh sách đại biểu."
    )
    assert peak < 10 * MB


# Rows, columns and size


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def test_import_takes_5000_rows_and_refuses_one_more(organiser_client: TestClient) -> None:
    people = [_person(n) for n in range(1, 5001)]

    taken = _post_upload(organiser_client, "people.csv", _csv([HEADER, *people]))
    refused = _post_upload(organiser_client, "people.csv", _csv([HEADER, *people, _person(0)]))

    assert taken.status_code == 303
    assert refused.status_code == 400
    assert _error(refused) == "Tệp có hơn 5000 dòng."


def test_import_refuses_data_beyond_50_columns_and_blank_columns_do_not_count(
    organiser_client: TestClient,
) -> None:
    blank_after = [[*HEADER, *[""] * 100], [*_person(1), *[""] * 100]]
    wide = [HEADER, _person(1), [*_person(2), *[""] * 42, "column 51"]]
    wide_book = [
        _row_xml(1, HEADER),
        _row_xml(2, _person(1)).replace("</row>", _inline(2, "AY", "column 51") + "</row>"),
    ]

    taken = _post_upload(organiser_client, "people.csv", _csv(blank_after))
    refused = _post_upload(organiser_client, "people.csv", _csv(wide))
    refused_book = _post_upload(organiser_client, "people.xlsx", _xlsx(wide_book, "A1:AY2"))

    assert taken.status_code == 303
    assert (refused.status_code, _error(refused)) == (400, "Tệp có hơn 50 cột.")
    assert (refused_book.status_code, _error(refused_book)) == (400, "Tệp có hơn 50 cột.")


def test_import_of_a_csv_cell_longer_than_the_csv_module_takes_is_refused(
    organiser_client: TestClient,
) -> None:
    content = _csv([HEADER, [*_person(1)[:7], "9" * 200_000]])

    response = _post_upload(organiser_client, "people.csv", content)

    assert response.status_code == 400
    assert _error(response) == "Không đọc được bảng CSV trong tệp này."


def test_import_takes_a_file_larger_than_other_forms_and_refuses_one_over_10_mb(
    organiser_client: TestClient,
) -> None:
    # Other forms stop at 2 MB; 4,000 people with long descriptions are more than that.
    header = [*HEADER, "Mô tả"]
    people = [[*_person(n), "Mô tả " * 120] for n in range(1, 4001)]
    content = _csv([header, *people])
    assert 2 * MB < len(content) < importing.MAX_UPLOAD_BYTES

    taken = _post_upload(organiser_client, "people.csv", content)
    too_large = _post_upload(organiser_client, "people.csv", b"x" * importing.MAX_UPLOAD_BYTES)

    assert taken.status_code == 303
    assert too_large.status_code == 413
    form = organiser_client.get("/organiser/import")
    assert "Tối đa 5000 dòng, 50 cột và 10 MB." in form.text


# Other requests are answered while a workbook is read


def test_import_reading_a_workbook_does_not_hold_up_other_requests(
    organiser_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook reader waits, inside openpyxl's load_workbook, until another request
    has been answered. On the event loop that request could not be answered until the
    reading ended, so the wait runs out (no timing decides the outcome: only whether the
    other request is answered while the reading is under way)."""
    real_load_workbook = importing.load_workbook
    reading = threading.Event()
    other_answered = threading.Event()
    answered_while_reading: list[bool] = []

    def load_workbook_waiting_for_the_other_request(*args: Any, **kwargs: Any) -> Any:
        reading.set()
        answered_while_reading.append(other_answered.wait(timeout=20))
        return real_load_workbook(*args, **kwargs)

    monkeypatch.setattr(importing, "load_workbook", load_workbook_waiting_for_the_other_request)
    people = [_row_xml(1, HEADER)] + [_row_xml(n + 1, _person(n)) for n in range(1, 101)]
    content = _xlsx(people, "A1:H101")
    token = csrf_token(organiser_client)
    uploaded: list[Any] = []

    def upload() -> None:
        uploaded.append(
            organiser_client.post(
                "/organiser/import",
                files={"file": ("people.xlsx", content, "application/octet-stream")},
                data={"_csrf_token": token},
                follow_redirects=False,
            )
        )

    uploader = threading.Thread(target=upload)
    uploader.start()
    assert reading.wait(timeout=20)
    other = organiser_client.get("/organiser/import")
    other_answered.set()
    uploader.join(timeout=60)

    assert other.status_code == 200
    assert answered_while_reading == [True]
    assert uploaded[0].status_code == 303
