"""Event setup: days, sessions, slots, tables and rules — parsed, validated, previewed
and applied. Slot and session codes stay stable across edits so meetings keep their
places when nothing about their slot changed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker import audit
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Day,
    Event,
    EventSession,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    OrgKind,
    Slot,
)
from matchmaker.rules import EventRules, rules_of
from matchmaker.text import fold

MAX_SESSIONS = 30
MAX_TABLES = 2000
MAX_DAYS = 14
_TIME = re.compile(r"^(\d{1,2})[:h.](\d{2})$")


@dataclass
class FieldError:
    message: str
    params: dict[str, Any] = field(default_factory=dict)


Errors = dict[str, FieldError]


@dataclass
class SessionSpec:
    day: int
    name_vi: str
    name_en: str
    start: time
    end: time
    slot_minutes: int
    changeover_minutes: int
    breaks: list[tuple[time, time]]
    code: str = ""
    online: bool = False


@dataclass
class TableSpec:
    name: str
    zone: str = ""
    host_org_id: int | None = None
    online: bool = False


@dataclass
class SetupSpec:
    start_date: date
    end_date: date
    sessions: list[SessionSpec]
    tables: list[TableSpec]
    rules: EventRules


@dataclass(frozen=True)
class SlotSpec:
    code: str
    session_code: str
    day: int
    start: time
    end: time


# ---------------------------------------------------------------- reading forms


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def parse_time(value: str) -> time | None:
    match = _TIME.match(value.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _int(
    data: Mapping[str, Any], name: str, errors: Errors, *, low: int, high: int, optional: bool
) -> int | None:
    raw = _text(data, name)
    if raw == "":
        if optional:
            return None
        errors[name] = FieldError(N_("Enter a number."))
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = FieldError(N_("Enter a whole number."))
        return None
    if not low <= value <= high:
        errors[name] = FieldError(
            N_("Enter a number from %(low)s to %(high)s."), {"low": low, "high": high}
        )
        return None
    return value


def _date(data: Mapping[str, Any], name: str, errors: Errors) -> date | None:
    try:
        return date.fromisoformat(_text(data, name))
    except ValueError:
        errors[name] = FieldError(N_("Enter a date such as 2023-05-18."))
        return None


def parse_breaks(raw: str) -> list[tuple[time, time]] | None:
    """'10:00-10:20, 15:00-15:15' -> pairs; None when unreadable."""
    result: list[tuple[time, time]] = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;\n]", raw))):
        bits = [b.strip() for b in re.split(r"[-–]", part)]
        if len(bits) != 2:
            return None
        start, end = parse_time(bits[0]), parse_time(bits[1])
        if start is None or end is None:
            return None
        result.append((start, end))
    return result


def format_breaks(breaks: Sequence[Any]) -> str:
    return ", ".join(f"{b['start']}-{b['end']}" for b in breaks if isinstance(b, Mapping))


def session_rows(data: Mapping[str, Any]) -> list[int]:
    """Row indexes present in a submitted form (fields named session-<i>-...)."""
    found = {int(m.group(1)) for key in data if (m := re.match(r"^session-(\d+)-", key))}
    return sorted(found)[:MAX_SESSIONS]


def table_rows(data: Mapping[str, Any]) -> list[int]:
    found = {int(m.group(1)) for key in data if (m := re.match(r"^table-(\d+)-", key))}
    return sorted(found)[:MAX_TABLES]


def parse_setup(data: Mapping[str, Any], valid_hosts: set[int]) -> tuple[SetupSpec | None, Errors]:
    """The submitted setup form as a spec, or the errors keyed by form field name."""
    errors: Errors = {}
    start_date, end_date, days = _parse_dates(data, errors)
    sessions: list[SessionSpec] = []
    for i in session_rows(data):
        prefix = f"session-{i}-"
        spec = _parse_session(data, prefix, days, errors)
        if spec is not None:
            sessions.append(spec)
            _check_session(spec, prefix, errors)
    if not sessions and not any(k.startswith("session-") for k in errors):
        errors["sessions"] = FieldError(N_("Add at least one session."))
    _check_overlaps(sessions, errors, data)
    tables = [
        table
        for i in table_rows(data)
        if (table := _parse_table(data, f"table-{i}-", valid_hosts, errors)) is not None
    ]
    _check_tables(tables, errors, data)
    rules = _parse_rules(data, errors)
    if errors or start_date is None or end_date is None or rules is None:
        return None, errors
    return SetupSpec(start_date, end_date, sessions, tables, rules), errors


def _parse_dates(
    data: Mapping[str, Any], errors: Errors
) -> tuple[date | None, date | None, int]:
    """The first and last day, and how many days the event lasts (0 when unknown)."""
    start_date = _date(data, "start_date", errors)
    end_date = _date(data, "end_date", errors)
    days = 0
    if start_date and end_date:
        days = (end_date - start_date).days + 1
        if days < 1:
            errors["end_date"] = FieldError(N_("The last day cannot be before the first day."))
        elif days > MAX_DAYS:
            errors["end_date"] = FieldError(
                N_("An event can last at most %(n)s days."), {"n": MAX_DAYS}
            )
    return start_date, end_date, days


def _parse_session(
    data: Mapping[str, Any], prefix: str, days: int, errors: Errors
) -> SessionSpec | None:
    """One session row; None for a deleted or empty row, or one with errors."""
    if _text(data, prefix + "delete") or not (
        _text(data, prefix + "start") or _text(data, prefix + "end")
    ):
        return None  # deleted row, or an empty spare row
    day = _int(data, prefix + "day", errors, low=1, high=max(days, 1), optional=False)
    start = parse_time(_text(data, prefix + "start"))
    end = parse_time(_text(data, prefix + "end"))
    if start is None:
        errors[prefix + "start"] = FieldError(N_("Enter a time such as 08:00."))
    if end is None:
        errors[prefix + "end"] = FieldError(N_("Enter a time such as 11:00."))
    slot_minutes = _int(data, prefix + "slot_minutes", errors, low=5, high=240, optional=False)
    changeover = _int(data, prefix + "changeover_minutes", errors, low=0, high=60, optional=True)
    breaks = parse_breaks(_text(data, prefix + "breaks"))
    if breaks is None:
        errors[prefix + "breaks"] = FieldError(
            N_("Write breaks as 10:00-10:20, separated by commas.")
        )
    if day is None or start is None or end is None or slot_minutes is None or breaks is None:
        return None
    return SessionSpec(
        day=day,
        name_vi=_text(data, prefix + "name_vi")[:120] or "Phiên",
        name_en=_text(data, prefix + "name_en")[:120] or "Session",
        start=start,
        end=end,
        slot_minutes=slot_minutes,
        changeover_minutes=changeover or 0,
        breaks=breaks,
        code=_text(data, prefix + "code")[:40],
        online=bool(_text(data, prefix + "online")),
    )


def _parse_table(
    data: Mapping[str, Any], prefix: str, valid_hosts: set[int], errors: Errors
) -> TableSpec | None:
    """One table row; None for a deleted or unnamed row."""
    name = _text(data, prefix + "name")[:60]
    if _text(data, prefix + "delete") or not name:
        return None
    host_raw = _text(data, prefix + "host")
    host: int | None = None
    if host_raw:
        if not host_raw.isdigit() or int(host_raw) not in valid_hosts:
            errors[prefix + "host"] = FieldError(N_("Choose from the list."))
        else:
            host = int(host_raw)
    return TableSpec(
        name=name,
        zone=_text(data, prefix + "zone")[:60],
        host_org_id=host,
        online=bool(_text(data, prefix + "online")),
    )


def _row_of(spec: SessionSpec, data: Mapping[str, Any]) -> str:
    for i in session_rows(data):
        prefix = f"session-{i}-"
        if parse_time(_text(data, prefix + "start")) == spec.start and _text(
            data, prefix + "day"
        ) == str(spec.day):
            return prefix
    return "sessions"


def _check_session(spec: SessionSpec, prefix: str, errors: Errors) -> None:
    minutes = _minutes(spec.end) - _minutes(spec.start)
    if minutes <= 0:
        errors[prefix + "end"] = FieldError(N_("The session must end after it starts."))
    elif minutes < spec.slot_minutes:
        errors[prefix + "end"] = FieldError(
            N_("The session is shorter than one slot (%(n)s minutes)."), {"n": spec.slot_minutes}
        )
    for start, end in spec.breaks:
        if not (spec.start <= start < end <= spec.end):
            errors[prefix + "breaks"] = FieldError(
                N_("Each break must lie inside the session and end after it starts.")
            )
            break


def _check_overlaps(sessions: list[SessionSpec], errors: Errors, data: Mapping[str, Any]) -> None:
    by_day: dict[int, list[SessionSpec]] = {}
    for spec in sessions:
        by_day.setdefault(spec.day, []).append(spec)
    for specs in by_day.values():
        specs.sort(key=lambda s: s.start)
        for before, after in pairwise(specs):
            if after.start < before.end:
                errors[_row_of(after, data) + "start"] = FieldError(
                    N_("This session overlaps another session of the same day.")
                )


def _check_tables(tables: list[TableSpec], errors: Errors, data: Mapping[str, Any]) -> None:
    if not tables:
        errors["tables"] = FieldError(N_("Add at least one table."))
        return
    seen: set[str] = set()
    hosts: set[int] = set()
    for i in table_rows(data):
        name = _text(data, f"table-{i}-name")
        if not name or _text(data, f"table-{i}-delete"):
            continue
        if name.lower() in seen:
            errors[f"table-{i}-name"] = FieldError(N_("Two tables have this name."))
        seen.add(name.lower())
        host = _text(data, f"table-{i}-host")
        if host and host in {str(h) for h in hosts}:
            errors[f"table-{i}-host"] = FieldError(N_("This host already has a home table."))
        if host.isdigit():
            hosts.add(int(host))
    if len(hosts) >= len(tables) and len(tables) > 0 and hosts:
        errors["tables"] = FieldError(
            N_("Every table is a home table: keep at least one table for everyone else.")
        )


def _parse_rules(data: Mapping[str, Any], errors: Errors) -> EventRules | None:
    allowed: dict[OrgKind, frozenset[OrgKind]] = {}
    for requester in OrgKind:
        raw = data.get(f"allow-{requester.value}", [])
        values = raw if isinstance(raw, list) else [raw]
        allowed[requester] = frozenset(OrgKind(v) for v in values if v in OrgKind.__members__)
    limits = {}
    for name, high in (
        ("max_open_requests", 500),
        ("max_meetings", 500),
        ("max_per_day", 100),
        ("max_consecutive", 100),
        ("request_expiry_hours", 24 * 60),
        ("reminder_minutes", 24 * 60),
    ):
        limits[name] = _int(data, name, errors, low=1, high=high, optional=True)
    if any(name in errors for name in limits):
        return None
    return EventRules(
        allowed_pairs=allowed,
        max_open_requests=limits["max_open_requests"],
        max_meetings=limits["max_meetings"],
        max_per_day=limits["max_per_day"],
        max_consecutive=limits["max_consecutive"],
        request_expiry_hours=limits["request_expiry_hours"],
        message_required=bool(_text(data, "message_required")),
        reminder_minutes=limits["reminder_minutes"],
    )


# ---------------------------------------------------------------- the slot grid


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _at(value: int) -> time:
    return time(value // 60, value % 60)


def session_code(spec: SessionSpec, taken: set[str]) -> str:
    if spec.code and spec.code not in taken:
        return spec.code
    base = f"d{spec.day}-{'am' if spec.start < time(12, 0) else 'pm'}"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}{n}", n + 1
    return code


def plan_slots(sessions: list[SessionSpec]) -> list[SlotSpec]:
    """Slots of each session: back to back with the changeover between them,
    skipping breaks; a slot never runs past the session's end."""
    slots: list[SlotSpec] = []
    taken: set[str] = set()
    for spec in sorted(sessions, key=lambda s: (s.day, s.start)):
        code = session_code(spec, taken)
        taken.add(code)
        spec.code = code
        cursor, end = _minutes(spec.start), _minutes(spec.end)
        breaks = sorted((_minutes(a), _minutes(b)) for a, b in spec.breaks)
        number = 0
        while cursor + spec.slot_minutes <= end:
            clash = next(
                (b for b in breaks if cursor < b[1] and b[0] < cursor + spec.slot_minutes), None
            )
            if clash is not None:
                cursor = clash[1]
                continue
            number += 1
            slots.append(
                SlotSpec(
                    code=f"{code}-{number:02d}",
                    session_code=code,
                    day=spec.day,
                    start=_at(cursor),
                    end=_at(cursor + spec.slot_minutes),
                )
            )
            cursor += spec.slot_minutes + spec.changeover_minutes
    return slots


# ---------------------------------------------------------------- current state


def current_sessions(session: Session, event: Event) -> list[tuple[Day, EventSession]]:
    return list(
        session.exec(
            select(Day, EventSession)
            .join(EventSession, col(EventSession.day_id) == col(Day.id))
            .where(Day.event_id == event.id)
            .order_by(col(Day.number), col(EventSession.start))
        ).all()
    )


def current_tables(session: Session, event: Event) -> list[MeetingTable]:
    return list(
        session.exec(
            select(MeetingTable)
            .where(MeetingTable.event_id == event.id)
            .order_by(col(MeetingTable.id))
        )
    )


def host_choices(session: Session, event: Event) -> list[Organisation]:
    """Organisations that may have a home table: everyone but startups."""
    return list(
        session.exec(
            select(Organisation)
            .where(Organisation.event_id == event.id, Organisation.kind != OrgKind.startup)
            .order_by(col(Organisation.name_folded))
        )
    )


def host_labels(hosts: Sequence[Organisation]) -> dict[int, str]:
    """What the setup form's "home table of" field shows for each possible host: its
    name, with its number when another host has the same name."""
    folded = Counter(fold(o.name) for o in hosts)
    return {
        o.id: o.name if folded[fold(o.name)] == 1 else f"{o.name} (#{o.id})"
        for o in hosts
        if o.id is not None
    }


def resolve_hosts(data: Mapping[str, Any], labels: Mapping[int, str]) -> dict[str, Any]:
    """`data` with each table's host written as a host's id: the form's field takes a
    host's label (a name picked from a list, typed without diacritics or not) or an id.
    An unknown label stays as typed, and :func:`parse_setup` refuses it."""
    by_label = {fold(label): host_id for host_id, label in labels.items()}
    resolved = dict(data)
    for i in table_rows(data):
        key = f"table-{i}-host"
        raw = _text(data, key)
        if raw and not (raw.isdigit() and int(raw) in labels):
            found = by_label.get(fold(raw))
            resolved[key] = str(found) if found is not None else raw
    return resolved


@dataclass
class Impact:
    """What applying a setup would invalidate in an existing schedule."""

    unplaced: list[Meeting] = field(default_factory=list)  # their slot disappears or moves
    table_cleared: list[Meeting] = field(default_factory=list)  # their table disappears

    @property
    def any(self) -> bool:
        return bool(self.unplaced or self.table_cleared)


def impact_of(session: Session, event: Event, spec: SetupSpec) -> Impact:
    zone = ZoneInfo(event.timezone)
    planned = {s.code: _slot_times(s, spec.start_date, zone) for s in plan_slots(spec.sessions)}
    existing = {
        s.id: s
        for s in session.exec(
            select(Slot)
            .join(EventSession, col(Slot.session_id) == col(EventSession.id))
            .join(Day, col(EventSession.day_id) == col(Day.id))
            .where(Day.event_id == event.id)
        )
    }
    tables = {t.id: t.name.lower() for t in current_tables(session, event)}
    keep_tables = {t.name.lower() for t in spec.tables}
    impact = Impact()
    for meeting in session.exec(
        select(Meeting).where(
            Meeting.event_id == event.id, Meeting.status != MeetingStatus.cancelled
        )
    ):
        slot = existing.get(meeting.slot_id) if meeting.slot_id else None
        if slot is not None and planned.get(slot.code) != (slot.start, slot.end):
            impact.unplaced.append(meeting)
        elif meeting.table_id and tables.get(meeting.table_id) not in keep_tables:
            impact.table_cleared.append(meeting)
    return impact


def _slot_times(slot: SlotSpec, first_day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    day = first_day + timedelta(days=slot.day - 1)
    start = datetime.combine(day, slot.start, zone).astimezone(UTC)
    end = datetime.combine(day, slot.end, zone).astimezone(UTC)
    return start, end


# ---------------------------------------------------------------- applying


def apply_setup(session: Session, event: Event, spec: SetupSpec, by: Account | None) -> Impact:
    """Make the event's days, sessions, slots, tables and rules match `spec`.
    Meetings whose slot changed lose their slot (and go back to "awaiting a
    slot"); meetings whose table disappeared lose their table."""
    impact = impact_of(session, event, spec)
    event.start_date, event.end_date = spec.start_date, spec.end_date
    event.rules = {**(event.rules or {}), **spec.rules.as_dict()}
    session.add(event)
    days = _apply_days(session, event, spec)
    _release_meetings(session, impact)
    n_slots = _apply_sessions(session, event, spec, days)
    n_days = (spec.end_date - spec.start_date).days + 1
    for number, day in days.items():
        if number > n_days:
            session.delete(day)
    _apply_tables(session, event, spec)
    audit.record(
        session,
        "setup.change",
        event=event,
        account=by,
        sessions=len(spec.sessions),
        slots=n_slots,
        tables=len(spec.tables),
        meetings_unplaced=len(impact.unplaced),
        tables_cleared=len(impact.table_cleared),
    )
    return impact


def _apply_days(session: Session, event: Event, spec: SetupSpec) -> dict[int, Day]:
    """Every day of the event by number, new ones added; days past the end are kept."""
    days = {d.number: d for d in session.exec(select(Day).where(Day.event_id == event.id))}
    for number in range(1, (spec.end_date - spec.start_date).days + 2):
        on = spec.start_date + timedelta(days=number - 1)
        day = days.get(number) or Day(event_id=event.id or 0, number=number, on_date=on)
        day.on_date = on
        session.add(day)
        days[number] = day
    session.flush()
    return days


def _release_meetings(session: Session, impact: Impact) -> None:
    """Unplace the meetings whose slot goes; clear the table of those whose table goes."""
    for meeting in impact.unplaced:
        meeting.slot_id = meeting.table_id = None
        meeting.status = MeetingStatus.accepted
        meeting.locked = False
        meeting.sequence += 1
        session.add(meeting)
    for meeting in impact.table_cleared:
        meeting.table_id = None
        meeting.sequence += 1
        session.add(meeting)
    session.flush()


def _apply_sessions(
    session: Session, event: Event, spec: SetupSpec, days: dict[int, Day]
) -> int:
    """Sessions and slots as planned, matched to the old ones by code; returns the slots."""
    zone = ZoneInfo(event.timezone)
    old_sessions = {s.code: s for _, s in current_sessions(session, event)}
    old_slots = {
        s.code: s
        for s in session.exec(
            select(Slot).where(col(Slot.session_id).in_([s.id for s in old_sessions.values()]))
        )
    }
    planned = plan_slots(spec.sessions)  # also fixes each spec's code
    kept_sessions: dict[str, EventSession] = {}
    for s in spec.sessions:
        row = old_sessions.get(s.code) or EventSession(
            day_id=0, code=s.code, name_vi="", name_en="", start=s.start, end=s.end
        )
        row.day_id = days[s.day].id or 0
        row.name_vi, row.name_en = s.name_vi, s.name_en
        row.start, row.end = s.start, s.end
        row.slot_minutes, row.changeover_minutes = s.slot_minutes, s.changeover_minutes
        row.online = s.online
        row.breaks = [
            {"start": a.strftime("%H:%M"), "end": b.strftime("%H:%M")} for a, b in s.breaks
        ]
        session.add(row)
        kept_sessions[s.code] = row
    session.flush()
    for position, slot in enumerate(planned):
        start, end = _slot_times(slot, spec.start_date, zone)
        slot_row = old_slots.pop(slot.code, None) or Slot(
            session_id=0, code=slot.code, start=start, end=end, position=position
        )
        slot_row.session_id = kept_sessions[slot.session_code].id or 0
        slot_row.start, slot_row.end, slot_row.position = start, end, position
        session.add(slot_row)
    session.flush()
    for gone in old_slots.values():
        session.delete(gone)
    for code, gone_session in old_sessions.items():
        if code not in kept_sessions:
            session.delete(gone_session)
    session.flush()
    return len(planned)


def _apply_tables(session: Session, event: Event, spec: SetupSpec) -> None:
    """Tables as in ``spec``, matched to the old ones by name (case ignored)."""
    tables = {t.name.lower(): t for t in current_tables(session, event)}
    for t in spec.tables:
        table_row = tables.pop(t.name.lower(), None) or MeetingTable(
            event_id=event.id or 0, name=t.name
        )
        table_row.name, table_row.zone, table_row.host_org_id = t.name, t.zone, t.host_org_id
        table_row.online = t.online
        session.add(table_row)
    for gone_table in tables.values():
        session.delete(gone_table)
    session.flush()


def form_from_event(session: Session, event: Event) -> dict[str, Any]:
    """The setup form's values for the event as it is now."""
    data: dict[str, Any] = {
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
    }
    for i, (day, s) in enumerate(current_sessions(session, event)):
        prefix = f"session-{i}-"
        data |= {
            prefix + "day": str(day.number),
            prefix + "code": s.code,
            prefix + "name_vi": s.name_vi,
            prefix + "name_en": s.name_en,
            prefix + "start": s.start.strftime("%H:%M"),
            prefix + "end": s.end.strftime("%H:%M"),
            prefix + "slot_minutes": str(s.slot_minutes),
            prefix + "changeover_minutes": str(s.changeover_minutes),
            prefix + "breaks": format_breaks(s.breaks),
            prefix + "online": "1" if s.online else "",
        }
    for i, t in enumerate(current_tables(session, event)):
        prefix = f"table-{i}-"
        data |= {
            prefix + "name": t.name,
            prefix + "zone": t.zone,
            prefix + "host": str(t.host_org_id or ""),
            prefix + "online": "1" if t.online else "",
        }
    rules = rules_of(event)
    for requester, hosts in rules.allowed_pairs.items():
        data[f"allow-{requester.value}"] = sorted(h.value for h in hosts)
    for name in (
        "max_open_requests",
        "max_meetings",
        "max_per_day",
        "max_consecutive",
        "request_expiry_hours",
        "reminder_minutes",
    ):
        value = getattr(rules, name)
        data[name] = "" if value is None else str(value)
    data["message_required"] = "1" if rules.message_required else ""
    return data
