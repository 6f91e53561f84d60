"""Exports for organisers: participants, requests, meetings and the schedule, as
CSV (UTF-8 with BOM, so spreadsheet programs read Vietnamese) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from matchmaker import reasons
from matchmaker.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingTable,
    Organisation,
    Participant,
    Slot,
)

Table = tuple[list[str], list[list[str]]]
KINDS = ("participants", "requests", "meetings", "schedule")


def _orgs(session: Session, event: Event) -> dict[int | None, Organisation]:
    return {
        o.id: o for o in session.exec(select(Organisation).where(Organisation.event_id == event.id))
    }


def _local(value: datetime | None, event: Event) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(event.timezone)).strftime("%Y-%m-%d %H:%M")


def participants_table(session: Session, event: Event) -> Table:
    """Columns named as the importer expects, so an export imports back unchanged."""
    orgs = _orgs(session, event)
    header = [
        "organisation",
        "kind",
        "sectors",
        "province",
        "stage",
        "website",
        "description",
        "offers",
        "seeks",
        "name",
        "title",
        "email",
        "phone",
        "languages",
    ]
    rows = []
    people = session.exec(
        select(Participant)
        .where(col(Participant.organisation_id).in_([k for k in orgs if k is not None]))
        .order_by(col(Participant.organisation_id), col(Participant.id))
    )
    for p in people:
        o = orgs[p.organisation_id]
        rows.append(
            [
                o.name,
                o.kind.value,
                "; ".join(o.sectors),
                o.province,
                o.stage,
                o.website,
                o.description,
                "; ".join(o.offers),
                "; ".join(o.seeks),
                p.full_name,
                p.title,
                p.email,
                p.phone,
                "; ".join(p.languages),
            ]
        )
    return header, rows


def requests_table(session: Session, event: Event) -> Table:
    orgs = _orgs(session, event)
    header = ["id", "from", "to", "priority", "status", "message", "created", "answered"]
    rows = [
        [
            str(r.id),
            orgs[r.from_org_id].name,
            orgs[r.to_org_id].name,
            r.priority.value,
            r.status.value,
            r.message,
            _local(r.created_at, event),
            _local(r.answered_at, event),
        ]
        for r in session.exec(
            select(MeetingRequest)
            .where(MeetingRequest.event_id == event.id)
            .order_by(col(MeetingRequest.id))
        )
    ]
    return header, rows


def _meeting_rows(session: Session, event: Event, *, placed_only: bool, locale: str) -> Table:
    orgs = _orgs(session, event)
    names = reasons.Names.load(session, event)
    slots = {s.id: s for s in session.exec(select(Slot))}
    tables = {
        t.id: t for t in session.exec(select(MeetingTable).where(MeetingTable.event_id == event.id))
    }
    header = ["id", "organisation_a", "organisation_b", "weight", "status", "start", "end",
              "slot", "table", "locked", "reason"]  # fmt: skip
    meetings = session.exec(
        select(Meeting).where(Meeting.event_id == event.id).order_by(col(Meeting.id))
    ).all()
    if placed_only:
        meetings = [m for m in meetings if m.slot_id]
        meetings.sort(key=lambda m: (slots[m.slot_id].position, m.id or 0))  # type: ignore[index]
    rows = []
    for m in meetings:
        slot = slots.get(m.slot_id) if m.slot_id else None
        table = tables.get(m.table_id) if m.table_id else None
        rows.append(
            [
                str(m.id),
                orgs[m.org_a_id].name,
                orgs[m.org_b_id].name,
                str(m.weight),
                m.status.value,
                _local(slot.start if slot else None, event),
                _local(slot.end if slot else None, event),
                slot.code if slot else "",
                table.name if table else "",
                "yes" if m.locked else "",
                reasons.meeting_reason(m, names, locale),
            ]
        )
    return header, rows


def meetings_table(session: Session, event: Event, locale: str = "vi") -> Table:
    """Every meeting; ``reason`` says in ``locale`` why one has no slot."""
    return _meeting_rows(session, event, placed_only=False, locale=locale)


def schedule_table(session: Session, event: Event, locale: str = "vi") -> Table:
    return _meeting_rows(session, event, placed_only=True, locale=locale)


def _without_locale(
    build: Callable[[Session, Event], Table],
) -> Callable[[Session, Event, str], Table]:
    return lambda session, event, locale: build(session, event)


# kind -> build(session, event, locale)
BUILDERS: dict[str, Callable[[Session, Event, str], Table]] = {
    "participants": _without_locale(participants_table),
    "requests": _without_locale(requests_table),
    "meetings": meetings_table,
    "schedule": schedule_table,
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


def to_xlsx(table: Table, title: str) -> bytes:
    header, rows = table
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # openpyxl reads any text starting with "=" as a formula
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max((len(str(c.value or "")) for c in list(column)[:200]), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
