"""Meeting requests: ask for a meeting, accept, decline, withdraw, expire.

Services take the acting account and check that it represents the right
organisation; a request that is not the caller's to see or change is
"not found" (404), never "forbidden", so ids cannot be probed.

Meeting weights (what the scheduler maximises; the same as the demo event):

* ``MUTUAL_WEIGHT = 3`` — both organisations asked to meet each other;
* ``MUST_WEIGHT = 2`` — the requester marked the request "must meet";
* ``WOULD_LIKE_WEIGHT = 1`` — otherwise.

Decisions:

* Only a pending request can be withdrawn. Once accepted, the meeting is an
  agreement between two organisations (and may already be scheduled and
  published), so cancelling it is a separate action of the agenda / organiser,
  not a withdrawal; ``withdraw`` answers 409 for an accepted request.
* A requester may ask the same organisation again after withdrawing or after
  expiry, but not after being declined (the host has answered).
* Asking an organisation that already has a pending request to you is a mutual
  request: both requests are accepted at once and one meeting of weight 3 is
  created; its host is the organisation that received the first request. The
  same happens when a host accepts a request while its own request to the
  requester is still pending.
* A meeting the organisers cancelled is re-activated (same row, new request,
  SEQUENCE raised) when the pair agrees again, because a pair meets at most
  once per event (unique ``Meeting(event_id, org_a_id, org_b_id)``).

Concurrency: every status change is a conditional UPDATE (``... WHERE id = :id
AND status = 'pending'``) whose row count is checked, and a new meeting relies
on the unique constraint of the pair (``IntegrityError`` becomes ``Conflict``).
So two accepts of one request, or accept racing withdraw, never make two
meetings. Limits (open requests, meetings) are checked before the change and
are not serialised: two simultaneous accepts may exceed a meeting limit by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matchmaker.clock import utcnow
from matchmaker.errors import Conflict, DomainError, Forbidden, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    Organisation,
    OrgKind,
    Participant,
    Priority,
    RequestStatus,
    Slot,
)
from matchmaker.notifications import Msg, notify_organisation
from matchmaker.rules import MESSAGE_MAX_LENGTH, EventRules, rules_of

MUTUAL_WEIGHT = 3
MUST_WEIGHT = 2
WOULD_LIKE_WEIGHT = 1
REASON_MAX_LENGTH = 500

PRIORITY_LABELS = {
    Priority.must: N_("Must meet"),
    Priority.would_like: N_("Would like to meet"),
}
PRIORITY_HELP = {
    Priority.must: N_("When slots run short, it counts twice as much as 'would like'."),
    Priority.would_like: N_(
        "Scheduled whenever there is room; counts half as much as 'must meet'."
    ),
}
STATUS_LABELS = {
    RequestStatus.pending: N_("Pending"),
    RequestStatus.accepted: N_("Accepted"),
    RequestStatus.declined: N_("Declined"),
    RequestStatus.withdrawn: N_("Withdrawn"),
    RequestStatus.expired: N_("Expired"),
}
NOT_PENDING = {
    RequestStatus.accepted: N_("This request has already been accepted."),
    RequestStatus.declined: N_("This request has already been declined."),
    RequestStatus.withdrawn: N_("This request has been withdrawn."),
    RequestStatus.expired: N_("This request has expired."),
}


def request_link(request: MeetingRequest) -> str:
    """Where a notification about the request leads (its page, with the actions)."""
    return f"/requests/{request.id}"


def meeting_weight(priority: Priority, *, mutual: bool) -> int:
    if mutual:
        return MUTUAL_WEIGHT
    return MUST_WEIGHT if priority is Priority.must else WOULD_LIKE_WEIGHT


# --- who is asking -----------------------------------------------------------------


def organisation_of(session: Session, account: Account) -> Organisation:
    """The organisation the account represents; organisers and orphans have none."""
    participant = (
        session.get(Participant, account.participant_id) if account.participant_id else None
    )
    organisation = session.get(Organisation, participant.organisation_id) if participant else None
    if organisation is None:
        raise NotFound(N_("No participant profile for this account."))
    return organisation


def _own_request(
    session: Session, account: Account, request_id: int, *, as_host: bool
) -> tuple[MeetingRequest, Organisation]:
    organisation = organisation_of(session, account)
    request = session.get(MeetingRequest, request_id)
    owner = None if request is None else (request.to_org_id if as_host else request.from_org_id)
    if request is None or owner != organisation.id:
        raise NotFound(N_("No such request."))
    return request, organisation


def get_visible(session: Session, account: Account, request_id: int) -> MeetingRequest:
    """A request the account's organisation sent or received; others are not found."""
    organisation = organisation_of(session, account)
    request = session.get(MeetingRequest, request_id)
    if request is None or organisation.id not in (request.from_org_id, request.to_org_id):
        raise NotFound(N_("No such request."))
    return request


# --- counting ----------------------------------------------------------------------


def representatives(session: Session, organisation_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Participant)
            .where(Participant.organisation_id == organisation_id)
        ).one()
    )


def meeting_count(session: Session, organisation_id: int) -> int:
    """Agreed meetings (not cancelled) the organisation takes part in."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Meeting)
            .where(
                or_(
                    col(Meeting.org_a_id) == organisation_id,
                    col(Meeting.org_b_id) == organisation_id,
                ),
                Meeting.status != MeetingStatus.cancelled,
            )
        ).one()
    )


def _pending_count(session: Session, column: Any, organisation_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(MeetingRequest)
            .where(column == organisation_id, MeetingRequest.status == RequestStatus.pending)
        ).one()
    )


def open_request_count(session: Session, organisation_id: int) -> int:
    """Requests the organisation has out and unanswered."""
    return _pending_count(session, col(MeetingRequest.from_org_id), organisation_id)


def _meeting_limit_reached(session: Session, rules: EventRules, organisation_id: int) -> int | None:
    """The limit when the organisation is at or over it, else None."""
    limit = rules.meeting_limit(representatives(session, organisation_id))
    if limit is not None and meeting_count(session, organisation_id) >= limit:
        return limit
    return None


def _pair_meeting(session: Session, event_id: int, one: int, other: int) -> Meeting | None:
    a, b = sorted((one, other))
    return session.exec(
        select(Meeting).where(
            Meeting.event_id == event_id, Meeting.org_a_id == a, Meeting.org_b_id == b
        )
    ).first()


def _latest(
    session: Session, from_id: int, to_id: int, status: RequestStatus
) -> MeetingRequest | None:
    return session.exec(
        select(MeetingRequest)
        .where(
            MeetingRequest.from_org_id == from_id,
            MeetingRequest.to_org_id == to_id,
            MeetingRequest.status == status,
        )
        .order_by(col(MeetingRequest.id).desc())
    ).first()


# --- rules -------------------------------------------------------------------------


def find_target(session: Session, event: Event, to_org_id: object) -> Organisation:
    """The organisation asked for, if it is a listed organisation of this event."""
    try:
        org_id = int(str(to_org_id))
    except ValueError:
        org_id = 0
    target = session.get(Organisation, org_id) if org_id > 0 else None
    if target is None or target.event_id != event.id or not target.approved:
        raise NotFound(N_("No such organisation."), field="to")
    return target


def check_request(
    session: Session, event: Event, from_org: Organisation, to_org: Organisation
) -> MeetingRequest | None:
    """Raise the first rule that forbids `from_org` to ask `to_org` for a meeting.

    Returns the pending request in the other direction, if any (then asking is a
    mutual request and the open-request limit does not apply).
    """
    assert from_org.id is not None and to_org.id is not None
    if from_org.id == to_org.id:
        raise DomainError(
            N_("You cannot request a meeting with your own organisation."), field="to"
        )
    if from_org.event_id != event.id or to_org.event_id != event.id or not to_org.approved:
        raise NotFound(N_("No such organisation."), field="to")
    if not from_org.approved:
        raise Forbidden(
            N_(
                "Your organisation is waiting for the organisers' approval; you can request "
                "meetings once it is approved."
            )
        )
    rules = rules_of(event)
    _check_pair(session, event, rules, from_org, to_org)
    reverse = _latest(session, to_org.id, from_org.id, RequestStatus.pending)
    _check_limits(session, rules, from_org, to_org, mutual=reverse is not None)
    return reverse


def _check_pair(
    session: Session, event: Event, rules: EventRules, from_org: Organisation, to_org: Organisation
) -> None:
    """The rules and the history of the pair allow asking."""
    assert from_org.id is not None and to_org.id is not None
    if not rules.may_request_kind(OrgKind(from_org.kind), OrgKind(to_org.kind)):
        raise DomainError(
            N_(
                "The organisers' rules do not allow your organisation to request a meeting "
                "with this kind of organisation."
            ),
            field="to",
        )
    meeting = _pair_meeting(session, event.id or 0, from_org.id, to_org.id)
    if meeting is not None and meeting.status is not MeetingStatus.cancelled:
        raise Conflict(N_("You already have a meeting with this organisation."), field="to")
    if _latest(session, from_org.id, to_org.id, RequestStatus.pending) is not None:
        raise Conflict(
            N_(
                "You have already requested a meeting with this organisation; "
                "it has not answered yet."
            ),
            field="to",
        )
    if _latest(session, from_org.id, to_org.id, RequestStatus.declined) is not None:
        raise DomainError(
            N_("This organisation has declined your earlier request; you cannot ask again."),
            field="to",
        )


def _check_limits(
    session: Session,
    rules: EventRules,
    from_org: Organisation,
    to_org: Organisation,
    *,
    mutual: bool,
) -> None:
    """Neither side is at a limit (a mutual request does not count as an open one)."""
    assert from_org.id is not None and to_org.id is not None
    if (
        not mutual
        and rules.max_open_requests is not None
        and open_request_count(session, from_org.id) >= rules.max_open_requests
    ):
        raise DomainError(
            N_(
                "You have %(limit)s requests waiting for an answer, the most the organisers "
                "allow; withdraw one or wait for answers."
            ),
            field="to",
            limit=rules.max_open_requests,
        )
    limit = _meeting_limit_reached(session, rules, from_org.id)
    if limit is not None:
        raise DomainError(
            N_("Your organisation has reached its limit of %(limit)s meetings."),
            field="to",
            limit=limit,
        )
    # A host that is full could not accept anyway: say so now, not after a wait.
    limit = _meeting_limit_reached(session, rules, to_org.id)
    if limit is not None:
        raise DomainError(
            N_("%(org)s has reached its limit of %(limit)s meetings."),
            field="to",
            org=to_org.name,
            limit=limit,
        )


def clean_message(message: str, *, required: bool) -> str:
    cleaned = (message or "").strip()
    if len(cleaned) > MESSAGE_MAX_LENGTH:
        raise DomainError(
            N_("The message can be at most %(max)s characters (it has %(length)s)."),
            field="message",
            max=MESSAGE_MAX_LENGTH,
            length=len(cleaned),
        )
    if required and not cleaned:
        raise DomainError(
            N_("Write a short message: say who you are and why you want to meet."),
            field="message",
        )
    return cleaned


def clean_priority(priority: object) -> Priority:
    try:
        return Priority(str(priority.value if isinstance(priority, Priority) else priority))
    except ValueError:
        raise DomainError(N_("Choose a priority."), field="priority") from None


# --- changes -----------------------------------------------------------------------


def _set_status(
    session: Session,
    request: MeetingRequest,
    status: RequestStatus,
    now: datetime,
    **values: object,
) -> bool:
    """Move a pending request to `status`; False when it was not pending any more."""
    result = session.execute(
        update(MeetingRequest)
        .where(
            col(MeetingRequest.id) == request.id,
            col(MeetingRequest.status) == RequestStatus.pending,
        )
        .values(status=status, answered_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    changed = result.rowcount == 1  # type: ignore[attr-defined]
    session.refresh(request)
    return changed


def _by_id(request: MeetingRequest) -> int:
    return request.id or 0


def _make_meeting(
    session: Session,
    request: MeetingRequest,
    host_org_id: int,
    weight: int,
    now: datetime,
) -> Meeting:
    """The one meeting of the pair: a new row, or the cancelled one re-activated."""
    a, b = sorted((request.from_org_id, request.to_org_id))
    existing = _pair_meeting(session, request.event_id, a, b)
    if existing is not None:
        if existing.status is not MeetingStatus.cancelled:
            raise Conflict(N_("These organisations already have a meeting."))
        result = session.execute(
            update(Meeting)
            .where(
                col(Meeting.id) == existing.id,
                col(Meeting.status) == MeetingStatus.cancelled,
            )
            .values(
                status=MeetingStatus.accepted,
                request_id=request.id,
                host_org_id=host_org_id,
                weight=weight,
                slot_id=None,
                table_id=None,
                person_a_id=None,
                person_b_id=None,
                required_person_id=request.to_participant_id,
                locked=False,
                unscheduled_reason="",
                sequence=existing.sequence + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(N_("These organisations already have a meeting."))
        session.refresh(existing)
        return existing
    meeting = Meeting(
        event_id=request.event_id,
        request_id=request.id,
        org_a_id=a,
        org_b_id=b,
        host_org_id=host_org_id,
        weight=weight,
        status=MeetingStatus.accepted,
        required_person_id=request.to_participant_id,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(meeting)
    except IntegrityError:
        raise Conflict(N_("These organisations already have a meeting.")) from None
    return meeting


def create_request(
    session: Session,
    event: Event,
    from_org: Organisation,
    to_org_id: object,
    message: str,
    priority: object,
    by_account: Account,
    *,
    with_person: object = None,
    now: datetime | None = None,
) -> MeetingRequest:
    """`by_account` (a representative of `from_org`) asks `to_org_id` for a meeting,
    with one of its representatives by name (`with_person`) or with whoever attends.

    Returns the new request: pending, or already accepted when the other side
    had asked first (a mutual request; the meeting then exists, weight 3).
    """
    now = now or utcnow()
    if organisation_of(session, by_account).id != from_org.id:
        raise NotFound(N_("No such organisation."))
    expire_requests(session, now, event=event)
    to_org = find_target(session, event, to_org_id)
    reverse = check_request(session, event, from_org, to_org)
    rules = rules_of(event)
    text = clean_message(message, required=rules.message_required)
    level = clean_priority(priority)
    person = clean_person(session, to_org, with_person)
    if reverse is not None:
        return _agree_mutual(session, event, from_org, to_org, reverse, text, level, now, person)
    return _send(session, event, from_org, to_org, by_account, text, level, now, person)


def people_of(session: Session, org: Organisation) -> Sequence[Participant]:
    """The representatives a requester may ask for by name."""
    return session.exec(
        select(Participant)
        .where(Participant.organisation_id == org.id)
        .order_by(col(Participant.id))
    ).all()


def requests_left(session: Session, event: Event, org: Organisation) -> int | None:
    """How many more requests ``org`` may have open now (None: no limit)."""
    limit = rules_of(event).max_open_requests
    if limit is None or org.id is None:
        return None
    return max(0, limit - open_request_count(session, org.id))


def clean_person(session: Session, org: Organisation, value: object) -> int | None:
    """The representative of `org` a requester asked for; empty: whoever attends."""
    if value in (None, ""):
        return None
    try:
        person_id = int(str(value))
    except ValueError:
        person_id = 0
    person = session.get(Participant, person_id) if person_id > 0 else None
    if person is None or person.organisation_id != org.id:
        raise DomainError(N_("Choose one of this organisation's representatives."), field="person")
    return person_id


def _agree_mutual(
    session: Session,
    event: Event,
    from_org: Organisation,
    to_org: Organisation,
    reverse: MeetingRequest,
    text: str,
    level: Priority,
    now: datetime,
    person: int | None = None,
) -> MeetingRequest:
    """`to_org` had asked first: both requests are accepted and the meeting is agreed."""
    assert from_org.id is not None and to_org.id is not None
    if not _set_status(session, reverse, RequestStatus.accepted, now):
        raise Conflict(N_("This organisation's request to you changed meanwhile; reload the page."))
    request = MeetingRequest(
        event_id=event.id or 0,
        from_org_id=from_org.id,
        to_org_id=to_org.id,
        message=text,
        priority=level,
        status=RequestStatus.accepted,
        to_participant_id=person,
        created_at=now,
        answered_at=now,
    )
    session.add(request)
    session.flush()
    meeting = _make_meeting(
        session, reverse, host_org_id=from_org.id, weight=MUTUAL_WEIGHT, now=now
    )
    if person is not None:  # the later request asked for someone: that one must attend
        meeting.required_person_id = person
    notify_organisation(
        session,
        to_org.id,
        N_("Meeting agreed with %(org)s"),
        N_(
            "%(org)s asked to meet you too, so your request is accepted and the meeting "
            "is agreed. It gets a time and a table when the organisers publish the schedule."
        ),
        {"org": from_org.name},
        request_link(reverse),
    )
    return request


def _send(
    session: Session,
    event: Event,
    from_org: Organisation,
    to_org: Organisation,
    by_account: Account,
    text: str,
    level: Priority,
    now: datetime,
    person: int | None = None,
) -> MeetingRequest:
    """A pending request, with its answer deadline, and the host's notice."""
    assert from_org.id is not None and to_org.id is not None
    hours = rules_of(event).request_expiry_hours
    request = MeetingRequest(
        event_id=event.id or 0,
        from_org_id=from_org.id,
        to_org_id=to_org.id,
        message=text,
        priority=level,
        status=RequestStatus.pending,
        to_participant_id=person,
        created_at=now,
        expires_at=now + timedelta(hours=hours) if hours else None,
    )
    session.add(request)
    session.flush()
    body = (
        N_(
            "%(person)s of %(org)s would like to meet you (%(priority)s).\n\n%(message)s\n\n"
            "Please accept or decline the request before %(deadline)s."
        )
        if request.expires_at
        else N_(
            "%(person)s of %(org)s would like to meet you (%(priority)s).\n\n%(message)s\n\n"
            "Please accept or decline the request."
        )
    )
    notify_organisation(
        session,
        to_org.id,
        N_("New meeting request from %(org)s"),
        body,
        {
            "org": from_org.name,
            "person": by_account.display_name or by_account.email,
            "priority": Msg(PRIORITY_LABELS[level]),
            "message": text,
            "deadline": request.expires_at,
        },
        request_link(request),
    )
    return request


def accept(
    session: Session,
    request_id: int,
    by_account: Account,
    *,
    now: datetime | None = None,
    notice: bool = True,
) -> Meeting:
    """The host accepts: the request becomes accepted and the pair gets its meeting.
    ``notice=False``: the caller tells the requester itself (an on-site booking says
    where and when, ``matchmaker.onsite``)."""
    now = now or utcnow()
    request, host = _own_request(session, by_account, request_id, as_host=True)
    if request.status is not RequestStatus.pending:
        raise Conflict(NOT_PENDING[request.status])
    if request.expires_at is not None and request.expires_at <= now:
        raise Conflict(NOT_PENDING[RequestStatus.expired])
    event = session.get(Event, request.event_id)
    assert event is not None and host.id is not None
    requester = session.get(Organisation, request.from_org_id)
    assert requester is not None and requester.id is not None
    rules = rules_of(event)
    # The rules at the time of the answer: a kind changed since the request was sent
    # does not let a forbidden pair meet.
    if not rules.may_request_kind(OrgKind(requester.kind), OrgKind(host.kind)):
        raise DomainError(
            N_("The organisers' rules do not allow a meeting between these kinds of organisation.")
        )
    limit = _meeting_limit_reached(session, rules, host.id)
    if limit is not None:
        raise DomainError(
            N_("Your organisation has reached its limit of %(limit)s meetings."), limit=limit
        )
    limit = _meeting_limit_reached(session, rules, requester.id)
    if limit is not None:
        raise DomainError(
            N_("%(org)s has reached its limit of %(limit)s meetings."),
            org=requester.name,
            limit=limit,
        )
    # A pending request of the host to the requester makes this mutual. Both rows
    # are changed in id order, so two people accepting each other's request at
    # the same moment queue up instead of deadlocking.
    reverse = _latest(session, host.id, requester.id, RequestStatus.pending)
    mutual = False
    for item in sorted([request] if reverse is None else [request, reverse], key=_by_id):
        changed = _set_status(session, item, RequestStatus.accepted, now)
        if item is request and not changed:
            raise Conflict(
                NOT_PENDING.get(request.status, N_("This request was answered meanwhile."))
            )
        mutual = mutual or (item is reverse and changed)
    meeting = _make_meeting(
        session,
        request,
        host_org_id=host.id,
        weight=meeting_weight(request.priority, mutual=mutual),
        now=now,
    )
    if not notice:
        return meeting
    notify_organisation(
        session,
        requester.id,
        N_("%(org)s accepted your meeting request"),
        N_(
            "%(org)s accepted your meeting request. The meeting gets a time and a table when "
            "the organisers publish the schedule."
        ),
        {"org": host.name},
        request_link(request),
    )
    return meeting


def decline(
    session: Session,
    request_id: int,
    by_account: Account,
    reason: str = "",
    *,
    now: datetime | None = None,
) -> MeetingRequest:
    """The host declines, optionally saying why (shown to the requester)."""
    now = now or utcnow()
    request, host = _own_request(session, by_account, request_id, as_host=True)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            N_("The reason can be at most %(max)s characters."),
            field="reason",
            max=REASON_MAX_LENGTH,
        )
    if request.status is not RequestStatus.pending:
        raise Conflict(NOT_PENDING[request.status])
    if not _set_status(session, request, RequestStatus.declined, now, decline_reason=reason):
        raise Conflict(NOT_PENDING.get(request.status, N_("This request was answered meanwhile.")))
    body = (
        N_("%(org)s declined your meeting request. Their reason: %(reason)s")
        if reason
        else N_("%(org)s declined your meeting request.")
    )
    notify_organisation(
        session,
        request.from_org_id,
        N_("%(org)s declined your meeting request"),
        body,
        {"org": host.name, "reason": reason},
        request_link(request),
    )
    return request


def withdraw(
    session: Session, request_id: int, by_account: Account, *, now: datetime | None = None
) -> MeetingRequest:
    """The requester takes back a pending request (accepted ones cannot be withdrawn)."""
    now = now or utcnow()
    request, requester = _own_request(session, by_account, request_id, as_host=False)
    if request.status is not RequestStatus.pending:
        raise Conflict(
            N_("Only a request that is still waiting for an answer can be withdrawn."),
        )
    if not _set_status(session, request, RequestStatus.withdrawn, now):
        raise Conflict(N_("Only a request that is still waiting for an answer can be withdrawn."))
    notify_organisation(
        session,
        request.to_org_id,
        N_("%(org)s withdrew its meeting request"),
        N_("%(org)s withdrew its meeting request to you; there is nothing to answer any more."),
        {"org": requester.name},
        request_link(request),
    )
    return request


def expire_requests(
    session: Session, now: datetime | None = None, *, event: Event | None = None
) -> int:
    """Mark pending requests past their `expires_at` as expired and tell the
    requesters. Returns how many expired (safe to run concurrently)."""
    now = now or utcnow()
    query = select(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.pending,
        col(MeetingRequest.expires_at).is_not(None),
        col(MeetingRequest.expires_at) <= now,
    )
    if event is not None:
        query = query.where(MeetingRequest.event_id == event.id)
    expired = 0
    for request in session.exec(query.order_by(col(MeetingRequest.id))).all():
        if not _set_status(session, request, RequestStatus.expired, now):
            continue
        expired += 1
        host = session.get(Organisation, request.to_org_id)
        notify_organisation(
            session,
            request.from_org_id,
            N_("Your meeting request to %(org)s expired"),
            N_(
                "%(org)s did not answer your meeting request in time, so it has expired. "
                "You may send a new request."
            ),
            {"org": host.name if host else ""},
            request_link(request),
        )
    return expired


# --- lists -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    request: MeetingRequest
    other: Organisation  # the organisation on the other side
    incoming: bool
    # An on-site request's slot and table (``matchmaker.onsite``); None otherwise.
    slot: Slot | None = None
    table: MeetingTable | None = None


def _with_places(session: Session, rows: list[RequestRow]) -> list[RequestRow]:
    """The rows with the slot and table of their on-site requests."""
    slot_ids = {r.request.slot_id for r in rows if r.request.slot_id}
    if not slot_ids:
        return rows
    slots = {s.id: s for s in session.exec(select(Slot).where(col(Slot.id).in_(slot_ids)))}
    table_ids = {r.request.table_id for r in rows if r.request.table_id}
    tables = {
        t.id: t
        for t in session.exec(select(MeetingTable).where(col(MeetingTable.id).in_(table_ids)))
    }
    return [
        replace(r, slot=slots.get(r.request.slot_id), table=tables.get(r.request.table_id))
        if r.request.slot_id
        else r
        for r in rows
    ]


def list_requests(
    session: Session,
    organisation: Organisation,
    *,
    incoming: bool,
    status: RequestStatus | None = None,
    limit: int = 500,
) -> list[RequestRow]:
    """The organisation's incoming or outgoing requests, newest first."""
    mine = MeetingRequest.to_org_id if incoming else MeetingRequest.from_org_id
    theirs = MeetingRequest.from_org_id if incoming else MeetingRequest.to_org_id
    query = (
        select(MeetingRequest, Organisation)
        .join(Organisation, col(Organisation.id) == theirs)
        .where(mine == organisation.id)
    )
    if status is not None:
        query = query.where(MeetingRequest.status == status)
    rows = session.exec(
        query.order_by(col(MeetingRequest.created_at).desc(), col(MeetingRequest.id).desc()).limit(
            limit
        )
    ).all()
    return _with_places(session, [RequestRow(request, other, incoming) for request, other in rows])


def row_for(session: Session, account: Account, request_id: int) -> RequestRow:
    """One request as the account's organisation sees it."""
    organisation = organisation_of(session, account)
    request = get_visible(session, account, request_id)
    incoming = request.to_org_id == organisation.id
    other = session.get(Organisation, request.from_org_id if incoming else request.to_org_id)
    assert other is not None
    return _with_places(session, [RequestRow(request, other, incoming)])[0]


def status_counts(
    session: Session, organisation: Organisation, *, incoming: bool
) -> dict[RequestStatus, int]:
    """Requests per status (all statuses present, zero when none)."""
    return box_counts(session, organisation)["incoming" if incoming else "outgoing"]


def box_counts(
    session: Session, organisation: Organisation
) -> dict[str, dict[RequestStatus, int]]:
    """Requests per status received ("incoming") and sent ("outgoing"), in one query
    (all statuses present, zero when none)."""
    incoming = col(MeetingRequest.to_org_id) == organisation.id
    rows = session.exec(
        select(incoming, MeetingRequest.status, func.count())
        .where(or_(incoming, col(MeetingRequest.from_org_id) == organisation.id))
        .group_by(incoming, MeetingRequest.status)
    ).all()
    counts = {box: {status: 0 for status in RequestStatus} for box in ("incoming", "outgoing")}
    for received, status, n in rows:
        counts["incoming" if received else "outgoing"][RequestStatus(status)] += int(n)
    return counts


def event_status_counts(session: Session, event: Event) -> dict[RequestStatus, int]:
    """Requests per status across the event (for the organiser console)."""
    rows = session.exec(
        select(MeetingRequest.status, func.count())
        .where(MeetingRequest.event_id == event.id)
        .group_by(MeetingRequest.status)
    ).all()
    counts = {status: 0 for status in RequestStatus}
    for status, n in rows:
        counts[RequestStatus(status)] = int(n)
    return counts
