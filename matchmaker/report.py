"""The organiser's report for the provincial report: what was asked, agreed, scheduled
and held, by kind, sector and day; no-shows; satisfaction and follow-ups.

Definitions (the report page says them in words):

- *requested*: meeting requests sent (withdrawn ones excluded);
- *agreed*: meetings both sides agreed to (not cancelled);
- *scheduled*: agreed meetings with a slot and a table;
- *held*: scheduled meetings whose slot has ended and that nobody marked as a no-show;
- *no-show*: a scheduled meeting one side reported the other did not come to
  (``matchmaker.noshows``); it keeps its slot and table, so it still counts as scheduled.

A meeting between a startup and an investor counts once in the totals and once under each
side's kind (or sector) in the breakdowns, so a breakdown's rows can add up to more than the
total; a pair of the same kind counts once under it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker import i18n
from matchmaker.clock import as_utc, utcnow
from matchmaker.exporting import Column, Export, Value
from matchmaker.feedback import OUTCOMES
from matchmaker.i18n import N_
from matchmaker.matching import kind_label
from matchmaker.models import (
    CheckIn,
    Event,
    Feedback,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Organisation,
    OrgKind,
    Participant,
    RequestStatus,
    Slot,
)
from matchmaker.vocabulary import sector_label

TOP_SECTORS = 8


@dataclass
class Counts:
    requested: int = 0
    agreed: int = 0
    scheduled: int = 0
    held: int = 0
    no_show: int = 0

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among the meetings whose time has come (held or not)."""
        due = self.held + self.no_show
        return self.no_show / due if due else None


@dataclass(frozen=True)
class Row:
    key: str | date  # a kind or sector code, or a day
    counts: Counts


@dataclass
class Satisfaction:
    # ratings[0] is the number of 1-star answers ... ratings[4] of 5-star ones
    ratings: list[int] = field(default_factory=lambda: [0] * 5)
    follow_ups: int = 0
    # The second round, a week later (matchmaker.feedback.OUTCOMES): answers per outcome.
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def answers(self) -> int:
        return sum(self.ratings)

    @property
    def outcome_counts(self) -> list[tuple[str, int]]:
        """(msgid of the answer, how many gave it), in the question's order."""
        return [(label, self.outcomes.get(code, 0)) for code, label in OUTCOMES.items()]

    @property
    def mean(self) -> float | None:
        total = sum((stars + 1) * n for stars, n in enumerate(self.ratings))
        return total / self.answers if self.answers else None


@dataclass
class Report:
    event: Event
    at: datetime
    organisations: int
    people: int
    checked_in: int
    totals: Counts
    by_kind: list[Row]
    by_sector: list[Row]
    by_day: list[Row]
    satisfaction: Satisfaction

    @property
    def top_sectors(self) -> list[Row]:
        ranked = sorted(
            self.by_sector, key=lambda r: (-r.counts.held, -r.counts.scheduled, str(r.key))
        )
        return [r for r in ranked if r.counts.scheduled][:TOP_SECTORS]


class _Tally:
    """Counts kept per kind, per sector and per day at once."""

    def __init__(self) -> None:
        self.totals = Counts()
        self.kinds: dict[str, Counts] = {k.value: Counts() for k in OrgKind}
        self.sectors: dict[str, Counts] = {}
        self.days: dict[date, Counts] = {}

    def add(self, measure: str, orgs: Iterable[Organisation], day: date | None = None) -> None:
        buckets = [self.totals]
        pair = list(orgs)
        buckets += [self.kinds[k] for k in {o.kind.value for o in pair}]
        buckets += [
            self.sectors.setdefault(s, Counts()) for s in {s for o in pair for s in o.sectors}
        ]
        if day is not None:
            buckets.append(self.days.setdefault(day, Counts()))
        for counts in buckets:
            setattr(counts, measure, getattr(counts, measure) + 1)


def build_report(session: Session, event: Event, now: datetime | None = None) -> Report:
    now = now or utcnow()
    zone = ZoneInfo(event.timezone)
    orgs = {
        o.id: o for o in session.exec(select(Organisation).where(Organisation.event_id == event.id))
    }
    tally = _Tally()
    for from_id, to_id in session.exec(
        select(MeetingRequest.from_org_id, MeetingRequest.to_org_id).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status != RequestStatus.withdrawn,
        )
    ):
        tally.add("requested", (orgs[from_id], orgs[to_id]))

    meetings = session.exec(
        select(Meeting).where(
            Meeting.event_id == event.id, Meeting.status != MeetingStatus.cancelled
        )
    ).all()
    slots = {
        s.id: s
        for s in session.exec(
            select(Slot).where(col(Slot.id).in_({m.slot_id for m in meetings if m.slot_id}))
        )
    }
    for meeting in meetings:
        pair = (orgs[meeting.org_a_id], orgs[meeting.org_b_id])
        tally.add("agreed", pair)
        slot = slots.get(meeting.slot_id)
        placed = meeting.status in (MeetingStatus.scheduled, MeetingStatus.no_show)
        if not placed or slot is None or meeting.table_id is None:
            continue
        start = as_utc(slot.start)
        end = as_utc(slot.end)
        assert start is not None and end is not None
        day = start.astimezone(zone).date()
        tally.add("scheduled", pair, day)
        if meeting.status == MeetingStatus.no_show:
            tally.add("no_show", pair, day)
        elif end <= now:
            tally.add("held", pair, day)

    return Report(
        event=event,
        at=now,
        organisations=len(orgs),
        people=_people(session, event),
        checked_in=_checked_in(session, event),
        totals=tally.totals,
        by_kind=[Row(k, c) for k, c in tally.kinds.items() if c.requested or c.agreed],
        by_sector=sorted((Row(s, c) for s, c in tally.sectors.items()), key=lambda r: str(r.key)),
        by_day=[Row(d, c) for d, c in sorted(tally.days.items())],
        satisfaction=_satisfaction(session, event),
    )


def _people(session: Session, event: Event) -> int:
    return len(
        session.exec(
            select(Participant.id)
            .join(Organisation, col(Organisation.id) == Participant.organisation_id)
            .where(Organisation.event_id == event.id)
        ).all()
    )


def _checked_in(session: Session, event: Event) -> int:
    """People checked in on at least one day."""
    return len(
        set(
            session.exec(
                select(CheckIn.participant_id)
                .join(Participant, col(Participant.id) == CheckIn.participant_id)
                .join(Organisation, col(Organisation.id) == Participant.organisation_id)
                .where(Organisation.event_id == event.id)
            ).all()
        )
    )


def _satisfaction(session: Session, event: Event) -> Satisfaction:
    """Answers about meetings that took place (a no-show's rating is not about a meeting)."""
    result = Satisfaction()
    rows = session.exec(
        select(Feedback.rating, Feedback.follow_up, Feedback.outcome)
        .join(Meeting, col(Meeting.id) == Feedback.meeting_id)
        .where(
            Meeting.event_id == event.id,
            Meeting.status != MeetingStatus.no_show,
            col(Feedback.took_place).is_(True),
        )
    ).all()
    outcomes: Counter[str] = Counter()
    for rating, follow_up, outcome in rows:
        if 1 <= rating <= 5:
            result.ratings[rating - 1] += 1
        result.follow_ups += bool(follow_up)
        if outcome:
            outcomes[outcome] += 1
    result.outcomes = dict(outcomes)
    return result


COUNT_COLUMNS = [
    Column("requested", N_("Requested")),
    Column("agreed", N_("Agreed")),
    Column("scheduled", N_("Scheduled")),
    Column("held", N_("Held")),
    Column("no_show", N_("No-shows")),
]


def _counts(counts: Counts) -> list[Value]:
    return [counts.requested, counts.agreed, counts.scheduled, counts.held, counts.no_show]


def report_exports(report: Report, locale: str) -> list[Export]:
    """The report's sheets for the provincial report: a summary and each breakdown, as
    numbers a spreadsheet can sum."""
    text = i18n.translations(locale).gettext
    totals, satisfaction = report.totals, report.satisfaction
    summary: list[tuple[str, Value]] = [
        (N_("Organisations"), report.organisations),
        (N_("People registered"), report.people),
        (N_("People checked in"), report.checked_in),
        (N_("Meetings requested"), totals.requested),
        (N_("Meetings agreed"), totals.agreed),
        (N_("Meetings scheduled"), totals.scheduled),
        (N_("Meetings held"), totals.held),
        (N_("No-shows"), totals.no_show),
        (N_("No-show rate (%)"), _percent(totals.no_show_rate)),
        (N_("Feedback answers"), satisfaction.answers),
        (N_("Average rating (1–5)"), _rounded(satisfaction.mean)),
        (N_("Follow-ups planned"), satisfaction.follow_ups),
        *satisfaction.outcome_counts,
    ]
    return [
        Export(
            N_("Summary"),
            [Column("measure", N_("Measure")), Column("value", N_("Value"))],
            [[text(label), value] for label, value in summary],
            locale,
        ),
        Export(
            N_("By kind"),
            [Column("kind", N_("Kind")), *COUNT_COLUMNS],
            [[kind_label(str(r.key), locale), *_counts(r.counts)] for r in report.by_kind],
            locale,
        ),
        Export(
            N_("By sector"),
            [Column("sector", N_("Sector")), *COUNT_COLUMNS],
            [[sector_label(str(r.key), locale), *_counts(r.counts)] for r in report.by_sector],
            locale,
        ),
        Export(
            N_("By day"),
            [Column("day", N_("Day")), *COUNT_COLUMNS[2:]],
            [[r.key, *_counts(r.counts)[2:]] for r in report.by_day],
            locale,
        ),
        Export(
            N_("Ratings"),
            [Column("stars", N_("Stars")), Column("answers", N_("Answers"))],
            [[stars + 1, n] for stars, n in enumerate(satisfaction.ratings)],
            locale,
        ),
    ]


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
