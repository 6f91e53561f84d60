"""Feedback on meetings: once a meeting has ended, each side rates it (1-5), ticks
"follow-up planned" and may comment; a week after it, a second round asks whether
anything came of it (``matchmaker.reminders`` sends the notice with the link).

One row per side (organisation) and meeting, enforced by the database
(``Feedback(meeting_id, organisation_id)`` is unique): any representative of the side may
give it, and giving it again changes it (the last one to do so is kept as
``participant_id``). Two representatives saving at the same moment do not make two rows:
the second insert fails on the unique key and becomes an update. Only the sides of a
meeting see or change its feedback; anyone else's meeting is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from matchmaker.clock import as_utc, utcnow
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Feedback,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    Slot,
)

COMMENT_MAX = 2000
SECOND_ROUND_AFTER = timedelta(days=7)
OUTCOMES = {
    "agreement": N_("Yes: an agreement, an order or a partnership"),
    "talks": N_("We are still talking"),
    "nothing": N_("Nothing came of it"),
}
RATING_LABELS = {
    1: N_("Poor"),
    2: N_("Fair"),
    3: N_("Good"),
    4: N_("Very good"),
    5: N_("Excellent"),
}


@dataclass(frozen=True)
class FeedbackView:
    meeting: Meeting
    organisation: Organisation  # the asking side
    counterpart: Organisation
    slot: Slot
    table: MeetingTable | None
    feedback: Feedback | None  # the side's feedback so far
    second_round: bool  # a week has passed: "did anything come of it?" is asked


def _ended(slot: Slot | None, now: datetime) -> bool:
    end = as_utc(slot.end) if slot is not None else None
    return end is not None and end <= now


def _own(
    session: Session, account: Account, meeting_id: int
) -> tuple[Meeting, Participant, Organisation]:
    person = session.get(Participant, account.participant_id) if account.participant_id else None
    org = session.get(Organisation, person.organisation_id) if person else None
    meeting = session.get(Meeting, meeting_id)
    if (
        person is None
        or org is None
        or meeting is None
        or org.id not in (meeting.org_a_id, meeting.org_b_id)
    ):
        raise NotFound(N_("No such meeting."))
    return meeting, person, org


def _existing(session: Session, meeting_id: int, org_id: int) -> Feedback | None:
    return session.exec(
        select(Feedback).where(
            Feedback.meeting_id == meeting_id, Feedback.organisation_id == org_id
        )
    ).first()


def view(
    session: Session, account: Account, meeting_id: int, *, now: datetime | None = None
) -> FeedbackView:
    """The meeting as its side sees it on the feedback page; refused before it ends."""
    now = now or utcnow()
    meeting, _, org = _own(session, account, meeting_id)
    slot = session.get(Slot, meeting.slot_id) if meeting.slot_id else None
    if meeting.status is not MeetingStatus.scheduled or slot is None:
        raise Conflict(N_("Only a meeting that took place in the schedule can be rated."))
    if not _ended(slot, now):
        raise Conflict(N_("You can give feedback once the meeting has ended."))
    other = session.get(
        Organisation, meeting.org_b_id if meeting.org_a_id == org.id else meeting.org_a_id
    )
    assert other is not None and org.id is not None
    end = as_utc(slot.end)
    return FeedbackView(
        meeting=meeting,
        organisation=org,
        counterpart=other,
        slot=slot,
        table=session.get(MeetingTable, meeting.table_id) if meeting.table_id else None,
        feedback=_existing(session, meeting_id, org.id),
        second_round=end is not None and now >= end + SECOND_ROUND_AFTER,
    )


def _rating(value: object) -> int:
    try:
        rating = int(str(value))
    except ValueError:
        rating = 0
    if rating not in RATING_LABELS:
        raise DomainError(N_("Choose a rating from 1 to 5."), field="rating")
    return rating


def _comment(value: str, field: str) -> str:
    text = (value or "").strip()
    if len(text) > COMMENT_MAX:
        raise DomainError(
            N_("The comment can be at most %(max)s characters."), field=field, max=COMMENT_MAX
        )
    return text


def give(
    session: Session,
    account: Account,
    meeting_id: int,
    *,
    rating: object,
    follow_up: bool,
    comment: str = "",
    outcome: str = "",
    outcome_comment: str = "",
    now: datetime | None = None,
) -> Feedback:
    """Save the side's feedback (new, or changed). ``outcome`` answers the second round
    and is taken only once a week has passed."""
    now = now or utcnow()
    page = view(session, account, meeting_id, now=now)
    _, person, org = _own(session, account, meeting_id)
    values: dict[str, Any] = {
        "rating": _rating(rating),
        "follow_up": bool(follow_up),
        "comment": _comment(comment, "comment"),
        "participant_id": person.id,
        "updated_at": now,
    }
    if outcome:
        if outcome not in OUTCOMES:
            raise DomainError(N_("Choose one of the answers."), field="outcome")
        if not page.second_round:
            raise DomainError(
                N_("This question is asked a week after the meeting."), field="outcome"
            )
        values |= {
            "outcome": outcome,
            "outcome_comment": _comment(outcome_comment, "outcome_comment"),
            "outcome_at": now,
        }
    assert org.id is not None
    row = page.feedback
    if row is None:
        row = Feedback(meeting_id=meeting_id, organisation_id=org.id, created_at=now, **values)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return row
        except IntegrityError:  # a colleague saved it a moment ago: change theirs
            row = _existing(session, meeting_id, org.id)
            if row is None:
                raise
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return row


def rated_by(session: Session, organisation_id: int, meeting_ids: list[int]) -> set[int]:
    """Which of the meetings the organisation has given feedback on."""
    if not meeting_ids:
        return set()
    return {
        f.meeting_id
        for f in session.exec(
            select(Feedback).where(
                Feedback.organisation_id == organisation_id,
                Feedback.meeting_id.in_(meeting_ids),  # type: ignore[attr-defined]
            )
        )
    }
