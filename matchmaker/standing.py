"""Where the reader's organisation stands with other organisations: its own, a
meeting agreed or scheduled, a request waiting either way, declined, not allowed by
the organisers' rules, a limit reached, or free to ask.

The directory's cards and an organisation's page show it, and offer "Request a
meeting" only when `Standing.may_request` is true. That answer is the one
`matchmaker.requests.check_request` gives for the pair (same rules, same order), but
for a whole page of organisations in a handful of queries instead of a handful per
card; `tests/integration/test_standing.py` holds the two to agreement.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func, or_
from sqlmodel import Session, col, select

from matchmaker.i18n import N_
from matchmaker.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Organisation,
    OrgKind,
    Participant,
    RequestStatus,
)
from matchmaker.rules import rules_of


class Relation(enum.StrEnum):
    own = "own"
    scheduled = "scheduled"  # a meeting with a slot
    agreed = "agreed"  # a meeting awaiting its slot
    requested = "requested"  # our request waits for their answer
    asked_you = "asked_you"  # their request waits for our answer
    declined = "declined"  # they declined our request
    not_allowed = "not_allowed"  # the rules on kinds forbid asking
    unapproved = "unapproved"  # our organisation waits for the organisers' approval
    limit = "limit"  # a limit on requests or meetings stops a request now
    open = "open"  # nothing between us yet


# The badge on a card; `open` shows none.
LABELS: dict[Relation, str] = {
    Relation.own: N_("Your organisation"),
    Relation.scheduled: N_("Meeting scheduled"),
    Relation.agreed: N_("Meeting agreed"),
    Relation.requested: N_("Request sent, awaiting an answer"),
    Relation.asked_you: N_("They asked to meet you"),
    Relation.declined: N_("Your request was declined"),
    Relation.not_allowed: N_("Not allowed by the organisers' rules"),
    Relation.unapproved: N_("Awaiting the organisers' approval"),
    Relation.limit: N_("Limit reached"),
    Relation.open: "",
}


@dataclass(frozen=True)
class Standing:
    relation: Relation
    may_request: bool
    # Why a request is not possible: an untranslated msgid and its parameters, the
    # same message the request form would give.
    reason: str = ""
    params: dict[str, object] = field(default_factory=dict)
    # The waiting request between us (either way), to link to it.
    request_id: int | None = None

    @property
    def label(self) -> str:
        return LABELS[self.relation]


def standings(
    session: Session, event: Event, viewer: Organisation | None, targets: Iterable[Organisation]
) -> dict[int, Standing]:
    """Each target's standing with `viewer` (an organiser has no organisation: {})."""
    shown = [t for t in targets if t.id is not None]
    if viewer is None or viewer.id is None or not shown:
        return {}
    me = viewer.id
    ids = [t.id for t in shown if t.id is not None and t.id != me]
    rules = rules_of(event)
    meetings: dict[int, MeetingStatus] = {}
    for a, b, status in session.exec(
        select(Meeting.org_a_id, Meeting.org_b_id, Meeting.status).where(
            Meeting.event_id == event.id,
            or_(
                (col(Meeting.org_a_id) == me) & col(Meeting.org_b_id).in_(ids),
                (col(Meeting.org_b_id) == me) & col(Meeting.org_a_id).in_(ids),
            ),
        )
    ):
        meetings[b if a == me else a] = MeetingStatus(status)
    sent: dict[int, dict[RequestStatus, int]] = {}
    received: dict[int, int] = {}
    for rid, source, dest, status in session.exec(
        select(
            MeetingRequest.id,
            MeetingRequest.from_org_id,
            MeetingRequest.to_org_id,
            MeetingRequest.status,
        )
        .where(
            MeetingRequest.event_id == event.id,
            col(MeetingRequest.status).in_([RequestStatus.pending, RequestStatus.declined]),
            or_(
                (col(MeetingRequest.from_org_id) == me) & col(MeetingRequest.to_org_id).in_(ids),
                (col(MeetingRequest.to_org_id) == me) & col(MeetingRequest.from_org_id).in_(ids),
            ),
        )
        .order_by(col(MeetingRequest.id))
    ):
        if source == me:
            sent.setdefault(dest, {})[RequestStatus(status)] = rid or 0
        elif status == RequestStatus.pending:
            received[source] = rid or 0
    limits = _limits(session, event, viewer, ids)
    mine = OrgKind(viewer.kind)
    result: dict[int, Standing] = {}
    for target in shown:
        assert target.id is not None
        if target.id == me:
            result[target.id] = Standing(
                Relation.own,
                False,
                N_("You cannot request a meeting with your own organisation."),
            )
            continue
        meeting = meetings.get(target.id)
        if meeting is MeetingStatus.cancelled:
            meeting = None
        asked_me = received.get(target.id)
        ours = sent.get(target.id, {})
        relation = _relation(meeting, asked_me, ours)
        reason, params = _blocker(
            viewer, target, rules.may_request_kind(mine, OrgKind(target.kind)), meeting, ours,
            asked_me is not None, limits,
        )  # fmt: skip
        if reason and relation is Relation.open:
            relation = _blocked_relation(reason)
        result[target.id] = Standing(
            relation,
            not reason,
            reason,
            params,
            request_id=ours.get(RequestStatus.pending) or asked_me,
        )
    return result


def standing(session: Session, event: Event, viewer: Organisation | None,
             target: Organisation) -> Standing | None:  # fmt: skip
    """One target's standing (None for an organiser)."""
    return standings(session, event, viewer, [target]).get(target.id or 0)


def _relation(
    meeting: MeetingStatus | None, asked_me: int | None, ours: dict[RequestStatus, int]
) -> Relation:
    if meeting is MeetingStatus.scheduled:
        return Relation.scheduled
    if meeting is not None:
        return Relation.agreed
    if RequestStatus.pending in ours:
        return Relation.requested
    if asked_me is not None:
        return Relation.asked_you
    if RequestStatus.declined in ours:
        return Relation.declined
    return Relation.open


_NOT_ALLOWED = N_(
    "The organisers' rules do not allow your organisation to request a meeting "
    "with this kind of organisation."
)
_UNAPPROVED = N_(
    "Your organisation is waiting for the organisers' approval; you can request "
    "meetings once it is approved."
)


def _blocked_relation(reason: str) -> Relation:
    if reason == _NOT_ALLOWED:
        return Relation.not_allowed
    if reason == _UNAPPROVED:
        return Relation.unapproved
    return Relation.limit


@dataclass(frozen=True)
class _Limits:
    open_full: int | None  # our open-request limit, when reached
    ours_full: int | None  # our meeting limit, when reached
    theirs_full: dict[int, int]  # their meeting limit, for those that reached it


def _limits(session: Session, event: Event, viewer: Organisation, ids: list[int]) -> _Limits:
    """The limits that stop a request now, counted as `check_request` counts them
    (matchmaker.requests: open_request_count, representatives, meeting_count), in one
    query for the viewer and one for the targets."""
    rules = rules_of(event)
    me = viewer.id or 0
    open_requests, people, held = session.exec(
        select(_open_requests(col(MeetingRequest.from_org_id) == me),
               _people(col(Participant.organisation_id) == me), _held(me))
    ).one()  # fmt: skip
    open_full = None
    if rules.max_open_requests is not None and int(open_requests) >= rules.max_open_requests:
        open_full = rules.max_open_requests
    ours = rules.meeting_limit(int(people))
    ours_full = ours if ours is not None and int(held) >= ours else None
    theirs: dict[int, int] = {}
    if rules.max_meetings is not None and ids:
        counted = session.exec(
            select(
                col(Organisation.id),
                _people(col(Participant.organisation_id) == col(Organisation.id)),
                _held_by(col(Meeting.org_a_id)),
                _held_by(col(Meeting.org_b_id)),
            ).where(col(Organisation.id).in_(ids))
        ).all()
        for org_id, their_people, as_a, as_b in counted:
            limit = rules.meeting_limit(int(their_people))
            if limit is not None and int(as_a) + int(as_b) >= limit:
                theirs[org_id or 0] = limit
    return _Limits(open_full, ours_full, theirs)


def _open_requests(condition: ColumnElement[bool]) -> ScalarSelect[int]:
    return (
        select(func.count())
        .select_from(MeetingRequest)
        .where(condition, MeetingRequest.status == RequestStatus.pending)
        .scalar_subquery()
    )


def _people(condition: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).select_from(Participant).where(condition).scalar_subquery()


def _held(org_id: int) -> ScalarSelect[int]:
    """Agreed meetings (not cancelled) the organisation takes part in."""
    return (
        select(func.count())
        .select_from(Meeting)
        .where(
            or_(col(Meeting.org_a_id) == org_id, col(Meeting.org_b_id) == org_id),
            Meeting.status != MeetingStatus.cancelled,
        )
        .scalar_subquery()
    )


def _held_by(side: Any) -> ScalarSelect[int]:
    """Each listed organisation's meetings (not cancelled) on one side of the pair."""
    return (
        select(func.count())
        .select_from(Meeting)
        .where(side == col(Organisation.id), Meeting.status != MeetingStatus.cancelled)
        .correlate(Organisation)
        .scalar_subquery()
    )


def _blocker(
    viewer: Organisation,
    target: Organisation,
    kind_allowed: bool,
    meeting: MeetingStatus | None,
    ours: dict[RequestStatus, int],
    mutual: bool,
    limits: _Limits,
) -> tuple[str, dict[str, object]]:
    """The first rule that forbids the request, in `check_request`'s order."""
    if not viewer.approved:
        return _UNAPPROVED, {}
    if not kind_allowed:
        return _NOT_ALLOWED, {}
    if meeting is not None:
        return N_("You already have a meeting with this organisation."), {}
    if RequestStatus.pending in ours:
        return (
            N_(
                "You have already requested a meeting with this organisation; "
                "it has not answered yet."
            ),
            {},
        )
    if RequestStatus.declined in ours:
        return N_("This organisation has declined your earlier request; you cannot ask again."), {}
    if not mutual and limits.open_full is not None:
        return (
            N_(
                "You have %(limit)s requests waiting for an answer, the most the organisers "
                "allow; withdraw one or wait for answers."
            ),
            {"limit": limits.open_full},
        )
    if limits.ours_full is not None:
        return (
            N_("Your organisation has reached its limit of %(limit)s meetings."),
            {"limit": limits.ours_full},
        )
    if target.id in limits.theirs_full:
        return (
            N_("%(org)s has reached its limit of %(limit)s meetings."),
            {"org": target.name, "limit": limits.theirs_full[target.id or 0]},
        )
    return "", {}
