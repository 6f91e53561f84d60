"""Personal agendas: a representative's meetings (or their whole organisation's, with who
attends each), as a page, an iCalendar file and a PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import groupby
from zoneinfo import ZoneInfo

import icalendar
from sqlmodel import Session

from matchmaker import availability, formats, reasons, video
from matchmaker.clock import utcnow
from matchmaker.db import Latest, loaded_by_id
from matchmaker.models import (
    Event,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    ScheduleVersion,
    Slot,
)
from matchmaker.publication import current_version, open_draft
from matchmaker.video import DEFAULT_VIDEO_BASE_URL


@dataclass(frozen=True)
class AgendaItem:
    meeting: Meeting
    counterpart: Organisation
    # Who the other side sends: the one person attending, or (not yet known) all of them.
    counterpart_people: list[Participant]
    slot: Slot | None
    table: MeetingTable | None
    attendee: Participant | None = None  # who attends for the agenda's own organisation
    video_url: str = ""  # the video link of an online meeting ("" in person)

    @property
    def cancelled(self) -> bool:
        return self.meeting.status is MeetingStatus.cancelled


@dataclass
class AgendaDay:
    day: date
    items: list[AgendaItem]


@dataclass
class Agenda:
    event: Event
    organisation: Organisation
    published: bool
    version: ScheduleVersion | None
    # Whose agenda: one representative's meetings, or None for the whole organisation's.
    person: Participant | None = None
    team: list[Participant] = field(default_factory=list)  # the organisation's people
    days: list[AgendaDay] = field(default_factory=list)
    awaiting: list[AgendaItem] = field(default_factory=list)  # agreed, no slot yet
    unscheduled: list[AgendaItem] = field(default_factory=list)  # the solver could not place
    cancelled: list[AgendaItem] = field(default_factory=list)
    # A draft the hosts are confirming (newer than ``version``): the page shows its times
    # with the host's answer, while calendars keep the final times (``calendar_items``).
    draft: ScheduleVersion | None = None
    calendar_items: list[AgendaItem] | None = None
    reason_names: reasons.Names | None = None  # to say why ``unscheduled`` have no slot

    @property
    def scheduled_count(self) -> int:
        return sum(len(day.items) for day in self.days)


def _own_person(meeting: Meeting, org: Organisation) -> int | None:
    return meeting.person_a_id if meeting.org_a_id == org.id else meeting.person_b_id


def _other_person(meeting: Meeting, org: Organisation) -> int | None:
    return meeting.person_b_id if meeting.org_a_id == org.id else meeting.person_a_id


def build_agenda(
    session: Session,
    event: Event,
    org: Organisation,
    person: Participant | None = None,
    *,
    video_base: str = DEFAULT_VIDEO_BASE_URL,
) -> Agenda:
    """``person``: that representative's agenda (the meetings they attend, and those
    nobody of the organisation is named for yet); None: the whole organisation's.
    Online meetings carry their video link on ``video_base``."""
    version = current_version(session, event)
    agenda = Agenda(
        event=event, organisation=org, published=version is not None, version=version,
        person=person,
    )  # fmt: skip
    agenda.draft = open_draft(session, event)
    final = dict(version.assignments or {}) if agenda.draft and version else {}
    shown = agenda.published or agenda.draft is not None
    agenda.team = availability.teams(session, [org.id or 0]).get(org.id or 0, [])
    meetings: Sequence[Meeting] = availability.org_meetings(session, event, org.id or 0)
    if person is not None:
        meetings = [m for m in meetings if _own_person(m, org) in (None, person.id)]
    if not meetings:
        return agenda
    other_ids = {m.org_b_id if m.org_a_id == org.id else m.org_a_id for m in meetings}
    orgs = loaded_by_id(session, Organisation, other_ids)
    people = availability.teams(session, other_ids)
    by_id: dict[int | None, Participant] = {rep.id: rep for reps in people.values() for rep in reps}
    by_id.update((rep.id, rep) for rep in agenda.team)
    slot_ids = {m.slot_id for m in meetings if m.slot_id}
    table_ids = {m.table_id for m in meetings if m.table_id}
    own = {str(m.id) for m in meetings}
    final = {key: place for key, place in final.items() if key in own}
    slot_ids |= {p["slot"] for p in final.values() if p.get("slot")}
    table_ids |= {p["table"] for p in final.values() if p.get("table")}
    slots: dict[int | None, Slot] = dict(loaded_by_id(session, Slot, slot_ids).items())
    tables: dict[int | None, MeetingTable] = dict(
        loaded_by_id(session, MeetingTable, table_ids).items()
    )
    zone = ZoneInfo(event.timezone)
    online_slots = video.online_sessions(session, slot_ids)
    placed: list[AgendaItem] = []
    for meeting in meetings:
        other = meeting.org_b_id if meeting.org_a_id == org.id else meeting.org_a_id
        theirs = by_id.get(_other_person(meeting, org))
        table = tables.get(meeting.table_id) if meeting.table_id else None
        online = video.is_online(meeting, table, online_slots)
        item = AgendaItem(
            meeting=meeting,
            counterpart=orgs[other],
            counterpart_people=[theirs] if theirs else people.get(other, []),
            slot=slots.get(meeting.slot_id) if meeting.slot_id else None,
            table=table,
            attendee=by_id.get(_own_person(meeting, org)),
            video_url=video.video_url(meeting, video_base) if online else "",
        )
        if item.cancelled:
            agenda.cancelled.append(item)
        elif shown and item.slot is not None:
            placed.append(item)
        elif shown and meeting.status is MeetingStatus.unscheduled:
            agenda.unscheduled.append(item)
        else:
            agenda.awaiting.append(item)
    placed.sort(key=lambda i: (i.slot.start if i.slot else utcnow(), i.meeting.id or 0))
    for day, items in groupby(placed, key=lambda i: i.slot.start.astimezone(zone).date()):  # type: ignore[union-attr]
        agenda.days.append(AgendaDay(day=day, items=list(items)))
    agenda.awaiting.sort(key=lambda i: i.counterpart.name)
    if agenda.unscheduled:
        agenda.reason_names = reasons.Names.load(session, event)
    if agenda.draft is not None:
        agenda.calendar_items = [
            replace(item, slot=slots.get(place.get("slot")), table=tables.get(place.get("table")))
            for item in placed + agenda.unscheduled + agenda.awaiting
            if (place := final.get(str(item.meeting.id))) and slots.get(place.get("slot"))
        ]
    return agenda


def _uid(meeting: Meeting, domain: str) -> str:
    return f"matchmaker-meeting-{meeting.id}@{domain}"


def to_ics(agenda: Agenda, *, domain: str, title: str, locale: str = "vi") -> bytes:
    """The agenda as iCalendar: stable UIDs, TZID of the event, SEQUENCE raised on
    every change, cancelled meetings kept with STATUS:CANCELLED so calendars drop them.
    Each description starts with the meeting's day and time in event time, written as
    the pages write them (`locale`), so it reads the same in any calendar's zone."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Matchmaker//Hau Giang Startup Week//VI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    calendar.add("x-wr-timezone", agenda.event.timezone)
    items = [item for day in agenda.days for item in day.items]
    if agenda.calendar_items is not None:  # a draft is open: calendars keep the final times
        items = list(agenda.calendar_items)
    items += [item for item in agenda.cancelled if item.slot is not None]
    stamp_line = b"\r\nDTSTAMP:" + icalendar.vDatetime(utcnow()).to_ical() + b"\r\n"
    events = [_vevent(_vevent_inputs(agenda, item, domain, locale)) for item in items]
    tzids: set[str] = set().union(*(tzids for _, tzids in events))
    for tzid in sorted(tzids):
        vtimezone = _vtimezone(tzid)
        if vtimezone is not None:
            calendar.add_component(vtimezone)
    # What the calendar with its events would write: its lines, each event's, its end.
    head = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    body = b"".join(lines.replace(_STAMP_PLACEHOLDER, stamp_line, 1) for lines, _ in events)
    return head[: -len(end)] + body + end


@dataclass(frozen=True)
class _VeventInputs:
    """Everything one VEVENT is written from (its DTSTAMP aside): the key its text is
    kept under, so a kept text is the one these values give, whichever process wrote it."""

    uid: str
    start: str  # repr of the datetimes: the instant and its zone, as written
    end: str
    zone: str
    summary: str
    venue: str
    table: tuple[str, str] | None
    video_url: str
    contacts: tuple[tuple[str, str, str, str], ...]
    counterpart: str
    locale: str
    timezone: str
    sequence: int
    cancelled: bool
    modified: str
    values: tuple[object, ...] = field(compare=False, hash=False, repr=False)


def _vevent_inputs(agenda: Agenda, item: AgendaItem, domain: str, locale: str) -> _VeventInputs:
    assert item.slot is not None
    slot, meeting = item.slot, item.meeting
    table = (item.table.name, item.table.zone) if item.table is not None else None
    contacts = tuple((p.full_name, p.title, p.email, p.phone) for p in item.counterpart_people)
    return _VeventInputs(
        uid=_uid(meeting, domain), start=repr(slot.start), end=repr(slot.end),
        zone=agenda.event.timezone, summary=f"B2B: {item.counterpart.name}",
        venue=agenda.event.venue, table=table, video_url=item.video_url, contacts=contacts,
        counterpart=item.counterpart.name, locale=locale, timezone=agenda.event.timezone,
        sequence=meeting.sequence, cancelled=item.cancelled, modified=repr(meeting.updated_at),
        values=(slot.start, slot.end, meeting.updated_at),
    )  # fmt: skip


# The DTSTAMP (the time of writing) of a kept event text, replaced on every writing.
_STAMP_PLACEHOLDER = b"\r\nDTSTAMP:19700101T000000Z\r\n"
_STAMP_TIME = datetime(1970, 1, 1, tzinfo=UTC)
_vevents: Latest[_VeventInputs, tuple[bytes, frozenset[str]]] = Latest(4096)


def _vevent(inputs: _VeventInputs) -> tuple[bytes, frozenset[str]]:
    """One meeting's VEVENT text (a placeholder DTSTAMP) and the zones it names, written
    once per process for the same values: icalendar took half an agenda file's time."""
    return _vevents.get(inputs, lambda: _write_vevent(inputs))


def _write_vevent(inputs: _VeventInputs) -> tuple[bytes, frozenset[str]]:
    start, end, modified = inputs.values
    assert isinstance(start, datetime) and isinstance(end, datetime)
    zone = ZoneInfo(inputs.zone)
    vevent = icalendar.Event()
    vevent.add("uid", inputs.uid)
    vevent.add("dtstamp", _STAMP_TIME)
    vevent.add("dtstart", start.astimezone(zone))
    vevent.add("dtend", end.astimezone(zone))
    vevent.add("summary", inputs.summary)
    where = inputs.venue
    if inputs.table is not None:
        # the zone tells people which hall or floor to walk to before the table
        name, table_zone = inputs.table
        table = f"{name} ({table_zone})" if table_zone else name
        where = f"{table} – {where}" if where else table
    if inputs.video_url:  # an online meeting takes place at its link
        where = inputs.video_url
        vevent.add("url", inputs.video_url)
    vevent.add("location", where)
    contacts = "\n".join(" · ".join(x for x in person if x) for person in inputs.contacts)
    when = (
        f"{formats.format_date(start, inputs.locale, inputs.timezone)} "
        f"{formats.format_time_range(start, end, inputs.locale, zone.key)}"
        f" ({zone.key})"
    )
    text = f"{when}\n{inputs.counterpart}\n{contacts}".strip()
    vevent.add("description", f"{text}\n{inputs.video_url}" if inputs.video_url else text)
    vevent.add("sequence", inputs.sequence)
    vevent.add("status", "CANCELLED" if inputs.cancelled else "CONFIRMED")
    vevent.add("last-modified", modified)
    alone = icalendar.Calendar()
    alone.add_component(vevent)
    lines = vevent.to_ical()
    assert lines.count(_STAMP_PLACEHOLDER) == 1
    return lines, frozenset(alone.get_missing_tzids())


@lru_cache(maxsize=16)
def _vtimezone(tzid: str) -> icalendar.Timezone | None:
    """The VTIMEZONE of a time zone (as Calendar.add_missing_timezones makes it), made
    once: working out its transitions took most of an agenda download's time."""
    try:
        return icalendar.Timezone.from_tzid(tzid)
    except ValueError:
        return None
