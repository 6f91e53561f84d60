"""On-site booking during the event: find someone with a common free slot and a free
table, ask them for that slot, and on acceptance the meeting is booked there at once,
without a solve.

A slot is *free for a pair of people* when less than half of it has passed (see
"Decisions"), both attend its session
(``available_sessions``, ``unavailable_slots``), neither attends another live meeting in
it, one more meeting keeps both within their meetings per day and consecutive meetings
(a representative's own limit wins over the event's rule, as in the solver), and a table
the pair may use is free: a home table of either side if one has one (a host with a home
table meets there), else a shared table, in-person tables before online ones.

Decisions:

* The request is an ordinary ``MeetingRequest`` with ``slot_id``, ``table_id`` and
  ``from_participant_id`` set, so the organisers' rules, limits and the pair's history
  are checked by ``matchmaker.requests`` exactly as for any request. It expires at its
  slot's midpoint at the latest. Asking someone whose organisation has a request to
  yours waiting is refused: answer that one first (it would otherwise become a mutual
  meeting without a time).
* Acceptance takes the event's write lock (``changes.lock_event``: a row lock on
  PostgreSQL, the database write lock on SQLite) before it reads anything, then checks
  the slot again and books. So of two acceptances for the same table or person at the
  same time, the second sees the first's meeting and is refused with a message;
  ``ux_meeting_slot_table`` (one live meeting a table and slot) refuses a double booking
  of a table by any writer in any case. When the offered table was taken meanwhile,
  another free table the pair may use is taken instead; the request stays pending when
  none is left (it expires at the slot's midpoint).
* A slot is bookable until its midpoint (08:00-08:20 until 08:10), not only until it
  starts: a slot freed by a no-show (``matchmaker.noshows``) is freed once the meeting
  has begun, and two people standing at the desk can still use the rest of it. Past
  the midpoint there is too little left to be worth a meeting.
* The booked meeting is ``scheduled`` and ``locked``: agendas, calendars and the board
  read it from the Meeting rows at once, and a later solve or publication keeps it where
  it is (``scheduling.apply_run`` leaves locked meetings; ``build_instance`` fixes them).
  No schedule version is stored for it: the next publication records it.

Services never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from matchmaker import audit, requests
from matchmaker.changes import lock_event
from matchmaker.clock import as_utc, utcnow
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Day,
    Event,
    EventSession,
    HostConfirmation,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    Priority,
    RequestStatus,
    Slot,
)
from matchmaker.notifications import notify_organisation
from matchmaker.publication import current_version
from matchmaker.rules import EventRules, may_request, rules_of
from matchmaker.text import fold

MAX_FOUND = 20  # people listed for one search
SLOTS_SHOWN = 8  # common free slots offered per person

TAKEN = N_(
    "Someone has just booked that time: there is no free table left for you then. "
    "Choose another time."
)


@dataclass(frozen=True)
class GridSlot:
    slot: Slot
    session: EventSession
    day: Day


@dataclass(frozen=True)
class FreeSlot:
    slot: Slot
    table: MeetingTable  # the table offered


@dataclass
class Diary:
    """One person's commitments: the slots they meet in, and their limits."""

    person: Participant
    busy: set[int] = field(default_factory=set)  # slot ids
    per_day: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # day id
    max_per_day: int | None = None
    max_consecutive: int | None = None

    def attends(self, grid: GridSlot) -> bool:
        sessions = set(self.person.available_sessions or [])
        if sessions and grid.session.code not in sessions:
            return False
        return grid.slot.code not in set(self.person.unavailable_slots or [])


@dataclass
class Grid:
    """The event's slots, in time order, and which tables hold a live meeting when."""

    slots: list[GridSlot]
    tables: list[MeetingTable]
    taken: dict[int, set[int]]  # slot id -> table ids with a live meeting

    def by_id(self, slot_id: int) -> GridSlot | None:
        return next((g for g in self.slots if g.slot.id == slot_id), None)

    def session_run(self, grid: GridSlot) -> list[GridSlot]:
        return [g for g in self.slots if g.session.id == grid.session.id]


# --- when booking is open ----------------------------------------------------------


def booking_open(event: Event, now: datetime | None = None) -> bool:
    """During the event: its days, in the event's time zone."""
    today = (now or utcnow()).astimezone(ZoneInfo(event.timezone)).date()
    return event.start_date <= today <= event.end_date


def _check_open(session: Session, event: Event, now: datetime) -> None:
    if not booking_open(event, now):
        raise Conflict(N_("On-site booking is open during the event only."))
    if current_version(session, event) is None:
        raise Conflict(N_("On-site booking opens once the schedule is published."))


# --- the grid and the diaries --------------------------------------------------------


def load_grid(session: Session, event: Event) -> Grid:
    rows = session.exec(
        select(Slot, EventSession, Day)
        .join(EventSession, col(Slot.session_id) == col(EventSession.id))
        .join(Day, col(EventSession.day_id) == col(Day.id))
        .where(Day.event_id == event.id)
        .order_by(col(Slot.start), col(Slot.position), col(Slot.id))
    ).all()
    tables = list(
        session.exec(
            select(MeetingTable)
            .where(MeetingTable.event_id == event.id)
            .order_by(col(MeetingTable.name), col(MeetingTable.id))
        )
    )
    taken: dict[int, set[int]] = defaultdict(set)
    for slot_id, table_id in session.exec(
        select(Meeting.slot_id, Meeting.table_id).where(
            Meeting.event_id == event.id,
            Meeting.status == MeetingStatus.scheduled,
            col(Meeting.slot_id).is_not(None),
            col(Meeting.table_id).is_not(None),
        )
    ).all():
        if slot_id is not None and table_id is not None:
            taken[slot_id].add(table_id)
    return Grid([GridSlot(s, es, d) for s, es, d in rows], tables, taken)


def _limit(own: int | None, rule: int | None) -> int | None:
    limit = own if own is not None else rule
    return limit if limit is not None and limit >= 1 else None


def diary_of(session: Session, grid: Grid, person: Participant, rules: EventRules) -> Diary:
    """Where the person meets: the live meetings naming them, and their organisation's
    live meetings that name nobody for its side (anyone of the team may be the one)."""
    diary = Diary(
        person=person,
        max_per_day=_limit(person.max_per_day, rules.max_per_day),
        max_consecutive=_limit(person.max_consecutive, rules.max_consecutive),
    )
    org = person.organisation_id
    meetings = session.exec(
        select(Meeting).where(
            or_(col(Meeting.org_a_id) == org, col(Meeting.org_b_id) == org),
            Meeting.status == MeetingStatus.scheduled,
            col(Meeting.slot_id).is_not(None),
        )
    ).all()
    day_of = {g.slot.id: g.day.id for g in grid.slots}
    for m in meetings:
        side = m.person_a_id if m.org_a_id == org else m.person_b_id
        if side not in (None, person.id) or m.slot_id is None or m.slot_id in diary.busy:
            continue
        diary.busy.add(m.slot_id)
        day = day_of.get(m.slot_id)
        if day is not None:
            diary.per_day[day] += 1
    return diary


def _longest_streak(run: list[GridSlot], busy: set[int]) -> int:
    best = streak = 0
    for g in run:
        streak = streak + 1 if g.slot.id in busy else 0
        best = max(best, streak)
    return best


def bookable_until(slot: Slot) -> datetime | None:
    """The slot's midpoint: on-site booking takes it until then (see "Decisions")."""
    start, end = as_utc(slot.start), as_utc(slot.end)
    if start is None or end is None:
        return None
    return start + (end - start) / 2


def why_not(grid: Grid, diary: Diary, at: GridSlot, now: datetime) -> str:
    """The first reason the person cannot meet at that slot (a msgid), "" when they can."""
    until = bookable_until(at.slot)
    if until is None or until <= now:
        return N_("That time is more than half over.")
    if not diary.attends(at):
        return N_("%(person)s does not attend at that time.")
    if at.slot.id in diary.busy:
        return N_("%(person)s already has a meeting at that time.")
    if diary.max_per_day is not None and diary.per_day.get(at.day.id or 0, 0) >= diary.max_per_day:
        return N_("%(person)s already has the most meetings allowed that day.")
    if diary.max_consecutive is not None:
        busy = diary.busy | {at.slot.id or 0}
        if _longest_streak(grid.session_run(at), busy) > diary.max_consecutive:
            return N_("%(person)s would have too many meetings in a row.")
    return ""


def tables_for(grid: Grid, org_ids: Sequence[int], at: GridSlot) -> list[MeetingTable]:
    """The free tables the pair may use at that slot, best first."""
    homes = [t for t in grid.tables if t.host_org_id in org_ids]
    usable = homes or [t for t in grid.tables if t.host_org_id is None]
    free = [t for t in usable if t.id not in grid.taken.get(at.slot.id or 0, set())]
    return sorted(free, key=lambda t: t.online)  # in person first; stable otherwise


def common_free_slots(
    session: Session,
    event: Event,
    me: Participant,
    other: Participant,
    *,
    now: datetime | None = None,
    grid: Grid | None = None,
    limit: int | None = SLOTS_SHOWN,
) -> list[FreeSlot]:
    """The slots both people could meet in, soonest first, each with a free table."""
    now = now or utcnow()
    grid = grid or load_grid(session, event)
    rules = rules_of(event)
    mine, theirs = diary_of(session, grid, me, rules), diary_of(session, grid, other, rules)
    found: list[FreeSlot] = []
    for at in grid.slots:
        if why_not(grid, mine, at, now) or why_not(grid, theirs, at, now):
            continue
        tables = tables_for(grid, (me.organisation_id, other.organisation_id), at)
        if tables:
            found.append(FreeSlot(at.slot, tables[0]))
            if limit is not None and len(found) >= limit:
                break
    return found


# --- who can be asked --------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    person: Participant
    organisation: Organisation
    free: list[FreeSlot]


def own_person(session: Session, account: Account) -> tuple[Participant, Organisation]:
    """The representative the account is, and their organisation."""
    person = session.get(Participant, account.participant_id) if account.participant_id else None
    organisation = session.get(Organisation, person.organisation_id) if person else None
    if person is None or organisation is None:
        raise NotFound(N_("No participant profile for this account."))
    return person, organisation


def find_people(
    session: Session,
    event: Event,
    account: Account,
    query: str = "",
    *,
    org_id: int | None = None,
    now: datetime | None = None,
) -> list[Candidate]:
    """People of other listed organisations the account's organisation may ask, found by
    their name or their organisation's (diacritics ignored) or by organisation, with the
    slots both could meet in (people without one are left out)."""
    now = now or utcnow()
    me, mine = own_person(session, account)
    folded = fold(query or "").strip()
    if not folded and org_id is None:
        return []
    statement = (
        select(Participant, Organisation)
        .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
        .where(
            Organisation.event_id == event.id,
            col(Organisation.approved).is_(True),
            Organisation.id != mine.id,
        )
    )
    if org_id is not None:
        statement = statement.where(Organisation.id == org_id)
    if folded:
        like = f"%{folded}%"
        statement = statement.where(
            or_(col(Participant.name_folded).like(like), col(Organisation.name_folded).like(like))
        )
    rows = session.exec(
        statement.order_by(col(Organisation.name), col(Participant.id)).limit(200)
    ).all()
    grid = load_grid(session, event)
    found = []
    for person, organisation in rows:
        if not may_request(event, mine, organisation):
            continue
        free = common_free_slots(session, event, me, person, now=now, grid=grid)
        if free:
            found.append(Candidate(person, organisation, free))
            if len(found) >= MAX_FOUND:
                break
    return found


# --- asking ------------------------------------------------------------------------


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def find_target(
    session: Session, event: Event, person_id: object
) -> tuple[Participant, Organisation]:
    person = session.get(Participant, _int(person_id) or 0)
    organisation = session.get(Organisation, person.organisation_id) if person else None
    if person is None or organisation is None or organisation.event_id != event.id:
        raise NotFound(N_("No such person."), field="person")
    if not organisation.approved:
        raise NotFound(N_("No such person."), field="person")
    return person, organisation


def _place(
    session: Session,
    event: Event,
    me: Participant,
    other: Participant,
    slot_id: object,
    now: datetime,
    preferred: int | None = None,
) -> tuple[Slot, MeetingTable]:
    """The slot and the table for the two people, or the reason why not (DomainError)."""
    grid = load_grid(session, event)
    at = grid.by_id(_int(slot_id))
    if at is None:
        raise DomainError(N_("Choose one of the times offered."), field="slot")
    rules = rules_of(event)
    for person in (me, other):
        reason = why_not(grid, diary_of(session, grid, person, rules), at, now)
        if reason:
            raise Conflict(reason, field="slot", person=person.full_name)
    tables = tables_for(grid, (me.organisation_id, other.organisation_id), at)
    if not tables:
        raise Conflict(TAKEN, field="slot")
    table = next((t for t in tables if t.id == preferred), tables[0])
    return at.slot, table


def request_slot(
    session: Session,
    event: Event,
    by_account: Account,
    person_id: object,
    slot_id: object,
    message: str,
    *,
    now: datetime | None = None,
) -> MeetingRequest:
    """Ask a person for a meeting at a common free slot (pending until they answer, or
    until the slot's midpoint)."""
    now = now or utcnow()
    _check_open(session, event, now)
    me, mine = own_person(session, by_account)
    other, theirs = find_target(session, event, person_id)
    reverse = requests.check_request(session, event, mine, theirs)
    if reverse is not None:
        raise Conflict(
            N_("%(org)s has already asked to meet you: answer their request first."),
            field="person",
            org=theirs.name,
        )
    text = requests.clean_message(message, required=False)
    slot, table = _place(session, event, me, other, slot_id, now)
    assert mine.id is not None and theirs.id is not None
    hours = rules_of(event).request_expiry_hours
    expires = bookable_until(slot)
    if hours and expires is not None:
        expires = min(expires, now + timedelta(hours=hours))
    request = MeetingRequest(
        event_id=event.id or 0,
        from_org_id=mine.id,
        to_org_id=theirs.id,
        message=text,
        priority=Priority.would_like,
        status=RequestStatus.pending,
        to_participant_id=other.id,
        from_participant_id=me.id,
        slot_id=slot.id,
        table_id=table.id,
        created_at=now,
        expires_at=expires,
    )
    session.add(request)
    session.flush()
    notify_organisation(
        session,
        theirs.id,
        N_("%(person)s of %(org)s asks to meet you on site at %(when)s"),
        N_(
            "%(person)s of %(org)s would like to meet %(whom)s at %(when)s, table %(table)s "
            "(a free slot for both of you).\n\n%(message)s\n\n"
            "Accept the request and the meeting is booked at once."
        ),
        {
            "person": me.full_name,
            "org": mine.name,
            "whom": other.full_name,
            "when": slot.start,
            "table": table.name,
            "message": text,
        },
        requests.request_link(request),
    )
    return request


# --- accepting ---------------------------------------------------------------------


def accept(
    session: Session, request_id: int, by_account: Account, *, now: datetime | None = None
) -> Meeting:
    """Accept a request: an on-site one is booked into its slot at once, any other is
    an agreed meeting awaiting the schedule (``requests.accept``)."""
    now = now or utcnow()
    request = requests.get_visible(session, by_account, request_id)
    if request.slot_id is None:
        return requests.accept(session, request_id, by_account, now=now)
    host = requests.organisation_of(session, by_account)
    if request.to_org_id != host.id:
        raise NotFound(N_("No such request."))
    event = session.get(Event, request.event_id)
    assert event is not None
    # Everything below reads what the bookings before this one wrote.
    lock_event(session, event)
    session.refresh(request)
    if request.status is not RequestStatus.pending:
        raise Conflict(requests.NOT_PENDING[request.status])
    _check_open(session, event, now)
    me = session.get(Participant, request.from_participant_id or 0)
    other = session.get(Participant, request.to_participant_id or 0)
    if me is None or other is None:
        raise Conflict(N_("The person asked for has left; the request cannot be booked."))
    slot, table = _place(session, event, me, other, request.slot_id, now, request.table_id)
    meeting = requests.accept(session, request_id, by_account, now=now, notice=False)
    _book(session, meeting, slot, table, (me, other), now)
    audit.record(
        session, "meeting.book_on_site", event=event, account=by_account, meeting=meeting.id,
        request=request.id, slot=slot.id, table=table.id,
    )  # fmt: skip
    requester = session.get(Organisation, request.from_org_id)
    _announce(session, request.from_org_id, host.name, slot, table)
    _announce(session, host.id or 0, requester.name if requester else "", slot, table)
    return meeting


def _book(
    session: Session,
    meeting: Meeting,
    slot: Slot,
    table: MeetingTable,
    people: tuple[Participant, Participant],
    now: datetime,
) -> None:
    """Put the agreed meeting at its slot and table, with who attends, locked."""
    person_of = {p.organisation_id: p.id for p in people}
    meeting.slot_id, meeting.table_id = slot.id, table.id
    meeting.person_a_id = person_of.get(meeting.org_a_id)
    meeting.person_b_id = person_of.get(meeting.org_b_id)
    meeting.status = MeetingStatus.scheduled
    meeting.locked = True  # a later solve or publication keeps it where it is
    meeting.host_confirmation = HostConfirmation.accepted
    meeting.unscheduled_reason = meeting.unscheduled_code = ""
    meeting.unscheduled_params = {}
    meeting.updated_at = now
    session.add(meeting)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the table was taken by a writer that did not lock the event
        raise Conflict(TAKEN) from None


def _announce(
    session: Session, org_id: int, counterpart: str, slot: Slot, table: MeetingTable
) -> None:
    notify_organisation(
        session,
        org_id,
        N_("Meeting with %(org)s booked at %(when)s"),
        N_("Your meeting with %(org)s is booked: %(when)s, table %(table)s. It is in your agenda."),
        {"org": counterpart, "when": slot.start, "table": table.name},
        "/me/agenda",
    )
