"""Exports for organisers: participants, requests, meetings and the schedule.

One export, two files. The CSV file is for machines and for importing back: stable
column codes as the header, codes for enumerated values (``investor``, ``would_like``),
ISO dates in the event's time zone, UTF-8 with BOM so spreadsheet programs still read
Vietnamese. The XLSX file is for people: headers and enumerated values in the reader's
language, dates and times as real spreadsheet dates (the event's local time), ids,
counts and weights as numbers, a bold frozen header row and an autofilter.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from matchmaker import formats, i18n, reasons, vocabulary
from matchmaker.clock import as_utc
from matchmaker.i18n import N_
from matchmaker.importing import FIELD_LABELS
from matchmaker.matching import kind_label
from matchmaker.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    Slot,
)
from matchmaker.requests import PRIORITY_LABELS, STATUS_LABELS

Table = tuple[list[str], list[list[object]]]
KINDS = ("participants", "requests", "meetings", "schedule")
TITLES = {
    "participants": N_("Participants"),
    "requests": N_("Meeting requests"),
    "meetings": N_("Meetings"),
    "schedule": N_("Schedule"),
}
MEETING_STATUS_LABELS = {
    MeetingStatus.accepted: N_("Awaiting a slot"),
    MeetingStatus.scheduled: N_("Scheduled"),
    MeetingStatus.unscheduled: N_("Unscheduled"),
    MeetingStatus.cancelled: N_("Cancelled"),
    MeetingStatus.no_show: N_("No-show"),
}
# Excel number formats of the event-local dates and times, by the reader's language.
DATETIME_FORMATS = formats.EXCEL_DATETIME
DATE_FORMATS = formats.EXCEL_DATE
TIME_FORMAT = formats.EXCEL_TIME
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Shown:
    """An enumerated value: the CSV file writes `code`, the XLSX file `label` (already in
    the reader's language)."""

    code: str
    label: str


Value = str | int | float | date | time | Shown | None


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header: a stable code that scripts and the importer read
    label: str  # msgid of the XLSX header


@dataclass
class Export:
    title: str  # msgid of the sheet's name
    columns: list[Column]
    rows: list[list[Value]]
    locale: str = "vi"

    def table(self) -> Table:
        """Header and rows as the CSV file has them: codes and ISO dates."""
        return [c.key for c in self.columns], [[_plain(v) for v in row] for row in self.rows]


def _plain(value: Value) -> object:
    if isinstance(value, Shown):
        return value.code
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return "" if value is None else value


class _Labels:
    """The reader's language for one export: headers, enumerated values, local times."""

    def __init__(self, event: Event, locale: str) -> None:
        self.locale = locale
        self.zone = ZoneInfo(event.timezone)
        self._gettext = i18n.translations(locale).gettext

    def text(self, msgid: str) -> str:
        return self._gettext(msgid)

    def enum(self, value: str, labels: Mapping[Any, str]) -> Shown:
        # `labels` is keyed by a StrEnum, whose members are equal to their codes.
        return Shown(value, self._gettext(labels[value]) if value in labels else value)

    def kind(self, value: str) -> Shown:
        return Shown(value, kind_label(value, self.locale))

    def slugs(self, values: Iterable[str], show: Callable[[str, str], str]) -> Shown:
        values = list(values)
        return Shown(
            LIST_SEPARATOR.join(values), LIST_SEPARATOR.join(show(v, self.locale) for v in values)
        )

    def yes_no(self, value: bool) -> Shown:
        return Shown("yes" if value else "", self._gettext(N_("Yes") if value else N_("No")))

    def local(self, value: datetime | None) -> datetime | None:
        """`value` in the event's time zone, without the zone: spreadsheets keep none."""
        stored = as_utc(value)
        return stored.astimezone(self.zone).replace(tzinfo=None) if stored else None


def _orgs(session: Session, event: Event) -> dict[int | None, Organisation]:
    return {
        o.id: o for o in session.exec(select(Organisation).where(Organisation.event_id == event.id))
    }


def participants_export(session: Session, event: Event, locale: str = "vi") -> Export:
    """One row a representative; the CSV columns are named as the importer expects, so a
    CSV export imports back unchanged."""
    shown = _Labels(event, locale)
    orgs = _orgs(session, event)
    columns = [Column(key, FIELD_LABELS[field]) for key, field in (
        ("organisation", "organisation"), ("kind", "kind"), ("sectors", "sectors"),
        ("province", "province"), ("stage", "stage"), ("website", "website"),
        ("description", "description"), ("offers", "offers"), ("seeks", "seeks"),
        ("name", "full_name"), ("title", "title"), ("email", "email"), ("phone", "phone"),
        ("languages", "languages"),
    )]  # fmt: skip
    people = session.exec(
        select(Participant)
        .where(col(Participant.organisation_id).in_([k for k in orgs if k is not None]))
        .order_by(col(Participant.organisation_id), col(Participant.id))
    )
    rows: list[list[Value]] = []
    for p in people:
        o = orgs[p.organisation_id]
        rows.append(
            [
                o.name,
                shown.kind(o.kind.value),
                shown.slugs(o.sectors, vocabulary.sector_label),
                o.province,
                shown.slugs([o.stage] if o.stage else [], vocabulary.stage_label),
                o.website,
                o.description,
                shown.slugs(o.offers, vocabulary.tag_label),
                shown.slugs(o.seeks, vocabulary.tag_label),
                p.full_name,
                p.title,
                p.email,
                p.phone,
                shown.slugs(p.languages, vocabulary.language_label),
            ]
        )
    return Export(TITLES["participants"], columns, rows, locale)


def requests_export(session: Session, event: Event, locale: str = "vi") -> Export:
    shown = _Labels(event, locale)
    orgs = _orgs(session, event)
    columns = [
        Column("id", N_("Request no.")),
        Column("from", N_("Requested by")),
        Column("to", N_("Requested of")),
        Column("priority", N_("Priority")),
        Column("status", N_("Status")),
        Column("message", N_("Message")),
        Column("created", N_("Sent at")),
        Column("answered", N_("Answered at")),
    ]
    rows: list[list[Value]] = [
        [
            r.id,
            orgs[r.from_org_id].name,
            orgs[r.to_org_id].name,
            shown.enum(r.priority.value, PRIORITY_LABELS),
            shown.enum(r.status.value, STATUS_LABELS),
            r.message,
            shown.local(r.created_at),
            shown.local(r.answered_at),
        ]
        for r in session.exec(
            select(MeetingRequest)
            .where(MeetingRequest.event_id == event.id)
            .order_by(col(MeetingRequest.id))
        )
    ]
    return Export(TITLES["requests"], columns, rows, locale)


def _slots(session: Session, event: Event) -> dict[int | None, Slot]:
    # Slots belong to the event through its sessions and days; every slot id a meeting of
    # the event points at is one of them, so reading all slots is enough.
    return {s.id: s for s in session.exec(select(Slot))}


def _tables(session: Session, event: Event) -> dict[int | None, MeetingTable]:
    return {
        t.id: t for t in session.exec(select(MeetingTable).where(MeetingTable.event_id == event.id))
    }


def meetings_export(session: Session, event: Event, locale: str = "vi") -> Export:
    """Every agreed meeting, in the order they were agreed: its status, weight, the
    request's priority, where and when it is (if it is), and in `locale` why it has no
    slot."""
    shown = _Labels(event, locale)
    orgs = _orgs(session, event)
    names = reasons.Names.load(session, event)
    slots, tables = _slots(session, event), _tables(session, event)
    priorities = {
        r.id: r.priority
        for r in session.exec(select(MeetingRequest).where(MeetingRequest.event_id == event.id))
    }
    columns = [
        Column("id", N_("Meeting no.")),
        Column("organisation_a", N_("Organisation A")),
        Column("organisation_b", N_("Organisation B")),
        Column("status", N_("Status")),
        Column("weight", N_("Weight")),
        Column("priority", N_("Priority")),
        Column("request", N_("Request no.")),
        Column("start", N_("Start")),
        Column("table", N_("Table")),
        Column("locked", N_("Locked in place")),
        Column("reason", N_("Why unscheduled")),
    ]
    rows: list[list[Value]] = []
    for m in session.exec(
        select(Meeting).where(Meeting.event_id == event.id).order_by(col(Meeting.id))
    ):
        slot = slots.get(m.slot_id) if m.slot_id else None
        table = tables.get(m.table_id) if m.table_id else None
        priority = priorities.get(m.request_id) if m.request_id else None
        rows.append(
            [
                m.id,
                orgs[m.org_a_id].name,
                orgs[m.org_b_id].name,
                shown.enum(m.status.value, MEETING_STATUS_LABELS),
                m.weight,
                shown.enum(priority.value, PRIORITY_LABELS) if priority else None,
                m.request_id,
                shown.local(slot.start) if slot else None,
                table.name if table else None,
                shown.yes_no(m.locked),
                reasons.meeting_reason(m, names, locale),
            ]
        )
    return Export(TITLES["meetings"], columns, rows, locale)


def schedule_export(session: Session, event: Event, locale: str = "vi") -> Export:
    """The timetable: one row a placed meeting in time order (then by table), with the
    day, start, end, table and zone, and who attends for each side."""
    shown = _Labels(event, locale)
    orgs = _orgs(session, event)
    slots, tables = _slots(session, event), _tables(session, event)
    people: dict[int, list[Participant]] = {}
    everyone: dict[int | None, Participant] = {}
    for p in session.exec(
        select(Participant)
        .where(col(Participant.organisation_id).in_([k for k in orgs if k is not None]))
        .order_by(col(Participant.id))
    ):
        people.setdefault(p.organisation_id, []).append(p)
        everyone[p.id] = p

    def attending(org_id: int, person_id: int | None) -> str:
        # No one picked (a schedule from before people were placed): every representative
        # of that side has the meeting on their agenda.
        chosen = [everyone[person_id]] if person_id in everyone else people.get(org_id, [])
        return LIST_SEPARATOR.join(p.full_name for p in chosen)

    columns = [
        Column("day", N_("Day")),
        Column("start", N_("Start")),
        Column("end", N_("End")),
        Column("table", N_("Table")),
        Column("zone", N_("Zone")),
        Column("organisation_a", N_("Organisation A")),
        Column("attending_a", N_("Attending for A")),
        Column("organisation_b", N_("Organisation B")),
        Column("attending_b", N_("Attending for B")),
        Column("host", N_("Host")),
        Column("locked", N_("Locked in place")),
        Column("slot", N_("Slot code")),
        Column("meeting", N_("Meeting no.")),
    ]
    placed = [
        m
        for m in session.exec(select(Meeting).where(Meeting.event_id == event.id))
        if m.slot_id in slots and m.status != MeetingStatus.cancelled
    ]

    def order(m: Meeting) -> tuple[int, str, int]:
        table = tables.get(m.table_id)
        return (slots[m.slot_id].position, table.name if table else "", m.id or 0)

    placed.sort(key=order)
    rows: list[list[Value]] = []
    for m in placed:
        slot = slots[m.slot_id]
        start, end = shown.local(slot.start), shown.local(slot.end)
        table = tables.get(m.table_id)
        host = orgs.get(m.host_org_id)
        rows.append(
            [
                start.date() if start else None,
                start.time() if start else None,
                end.time() if end else None,
                table.name if table else None,
                table.zone if table else None,
                orgs[m.org_a_id].name,
                attending(m.org_a_id, m.person_a_id),
                orgs[m.org_b_id].name,
                attending(m.org_b_id, m.person_b_id),
                host.name if host else None,
                shown.yes_no(m.locked),
                slot.code,
                m.id,
            ]
        )
    return Export(TITLES["schedule"], columns, rows, locale)


# kind -> build(session, event, locale)
BUILDERS: dict[str, Callable[[Session, Event, str], Export]] = {
    "participants": participants_export,
    "requests": requests_export,
    "meetings": meetings_export,
    "schedule": schedule_export,
}


# A spreadsheet runs a cell that starts with one of these as a formula: text a participant
# typed (a name "=HYPERLINK(...)", a province "+1+1") must reach the organiser as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """`value` as a spreadsheet shows it without running it: text that would start a
    formula gets a leading apostrophe (OWASP's advice for CSV files)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([inert(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _cell_value(value: Value) -> object:
    if isinstance(value, Shown):
        value = value.label
    if isinstance(value, str):
        # openpyxl refuses control characters (a pasted form feed would fail the export).
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _width(value: object) -> int:
    if isinstance(value, datetime):
        return 17
    if isinstance(value, date):
        return 11
    if isinstance(value, time):
        return 6
    return max((len(line) for line in str(value or "").splitlines()), default=0)


def to_xlsx(export: Export) -> bytes:
    """One sheet: see `to_xlsx_book`."""
    return to_xlsx_book([export])


def to_xlsx_book(exports: list[Export]) -> bytes:
    """A sheet per export: a bold frozen header row in the reader's language, an
    autofilter over the data, typed cells (numbers, event-local dates) and columns as wide
    as their text (within reason)."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for export in exports:
        _write_sheet(book, export)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_sheet(book: Workbook, export: Export) -> None:
    text = i18n.translations(export.locale).gettext
    # A sheet's name has at most 31 characters and none of []:*?/\ (ours have none).
    sheet = book.create_sheet(text(export.title)[:31])
    header = [text(c.label) for c in export.columns]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header]
    date_format = DATE_FORMATS.get(export.locale, DATE_FORMATS["en"])
    datetime_format = DATETIME_FORMATS.get(export.locale, DATETIME_FORMATS["en"])
    for row in export.rows:
        values = [_cell_value(v) for v in row]
        sheet.append(values)
        for cell, value in zip(sheet[sheet.max_row], values, strict=True):
            if cell.data_type == "f":  # openpyxl reads any text starting with "=" as a formula
                cell.data_type = "s"
            elif isinstance(value, datetime):
                cell.number_format = datetime_format
            elif isinstance(value, date):
                cell.number_format = date_format
            elif isinstance(value, time):
                cell.number_format = TIME_FORMAT
        if sheet.max_row <= 200:  # widths from the first rows: enough, and fast on big events
            widths = [max(w, _width(v)) for w, v in zip(widths, values, strict=True)]
    for cell, width in zip(sheet[1], widths, strict=True):
        sheet.column_dimensions[cell.column_letter].width = min(60, max(8, width + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
