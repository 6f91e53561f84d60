"""Why a meeting has no slot, or a solve no schedule, in the reader's language.

The solver gives each reason as a code with parameters (``solver.solution.Reason``); a
run keeps them in database ids (``RunReason`` in ``SolveRun.result``, and
``Meeting.unscheduled_code``/``unscheduled_params`` once published). ``describe`` turns
one into a sentence with organisation names and local dates and times in the event's
time zone ("FPT Cần Thơ và Sở NN&PTNT chỉ cùng rảnh vào sáng 19/5: tất cả các bàn đều
đã kín vào thời gian đó."). Reasons stored before codes existed keep their English text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker import formats, i18n
from matchmaker.i18n import N_
from matchmaker.models import (
    Day,
    Event,
    EventSession,
    Meeting,
    MeetingStatus,
    Organisation,
    Participant,
    RunReason,
    Slot,
)

__all__ = ["Names", "describe", "meeting_reason"]

MSG_AND = N_("%(items)s and %(last)s")
MAX_SESSIONS = 4  # sessions named one by one in a list of slots; the rest are counted

_PART_OF_DAY = (  # (local hour before which, phrase)
    (12, N_("the morning of %(date)s")),
    (18, N_("the afternoon of %(date)s")),
    (24, N_("the evening of %(date)s")),
)


@dataclass(frozen=True)
class SlotTime:
    start: datetime  # aware
    session: int  # EventSession id


@dataclass
class Names:
    """What rendering needs to know of an event: organisation names and slot times."""

    orgs: Mapping[int, str] = field(default_factory=dict)
    slots: Mapping[int, SlotTime] = field(default_factory=dict)
    people: Mapping[int, str] = field(default_factory=dict)  # representatives' names
    timezone: str = "Asia/Ho_Chi_Minh"

    def __post_init__(self) -> None:
        self.session_size = Counter(s.session for s in self.slots.values())

    @classmethod
    def load(cls, session: Session, event: Event) -> Names:
        orgs = session.exec(
            select(Organisation.id, Organisation.name).where(Organisation.event_id == event.id)
        ).all()
        people = session.exec(
            select(Participant.id, Participant.full_name)
            .join(Organisation, col(Participant.organisation_id) == col(Organisation.id))
            .where(Organisation.event_id == event.id)
        ).all()
        slots = session.exec(
            select(Slot.id, Slot.start, Slot.session_id)
            .join(EventSession, col(Slot.session_id) == col(EventSession.id))
            .join(Day, col(EventSession.day_id) == col(Day.id))
            .where(Day.event_id == event.id)
        ).all()
        return cls(
            orgs={int(i or 0): name for i, name in orgs},
            slots={
                int(i or 0): SlotTime(start if start.tzinfo else start.replace(tzinfo=UTC), sid)
                for i, start, sid in slots
            },
            timezone=event.timezone,
            people={int(i or 0): name for i, name in people},
        )


class _Writer:
    """One reason in one language: names, times and lists as its sentences need them."""

    def __init__(self, names: Names, locale: str) -> None:
        self.names, self.locale = names, locale
        self.gettext: Callable[[str], str] = i18n.translations(locale).gettext

    def say(self, msgid: str, **values: Any) -> str:
        return self.gettext(msgid) % values

    def org(self, org_id: Any) -> str:
        return self.names.orgs.get(org_id, f"#{org_id}") if isinstance(org_id, int) else "?"

    def both(self, items: list[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return self.say(MSG_AND, items=", ".join(items[:-1]), last=items[-1])

    def _local(self, slot_id: Any) -> datetime | None:
        slot = self.names.slots.get(slot_id) if isinstance(slot_id, int) else None
        return slot.start.astimezone(ZoneInfo(self.names.timezone)) if slot else None

    def date(self, when: datetime) -> str:
        return formats.format_day(when, self.locale, self.names.timezone)

    def clock(self, when: datetime) -> str:
        return formats.format_time(when, self.locale, self.names.timezone)

    def at(self, slot_id: Any) -> str:
        """A slot as "08:00 on Fri 19 May" / "08:00 ngày Thứ Sáu 19/05"."""
        when = self._local(slot_id)
        if when is None:
            return "?"
        return self.say(
            N_("%(time)s on %(date)s"), time=self.clock(when), date=self.date(when)
        )

    def part_of_day(self, when: datetime) -> str:
        phrase = next(p for hour, p in _PART_OF_DAY if when.hour < hour)
        return self.say(phrase, date=self.date(when))

    def where(self, slot_ids: list[Any]) -> str:
        """Slots by session: "on the morning of 19 May", "at 08:00 and 08:20 on 20 May",
        "in 5 slots of the afternoon of 20 May"."""
        groups: dict[int, list[datetime]] = {}
        for slot_id in slot_ids:
            when = self._local(slot_id)
            if when is not None:
                groups.setdefault(self.names.slots[slot_id].session, []).append(when)
        phrases = []
        for session_id, times in sorted(groups.items(), key=lambda kv: min(kv[1])):
            times.sort()
            part = self.part_of_day(times[0])
            if len(times) == self.names.session_size[session_id]:
                phrases.append(self.say(N_("on %(part)s"), part=part))
            elif len(times) <= 2:
                clock = self.both([self.clock(t) for t in times])
                phrases.append(
                    self.say(N_("at %(times)s on %(date)s"), times=clock, date=self.date(times[0]))
                )
            else:
                phrases.append(
                    self.say(N_("in %(num)s slots of %(part)s"), num=len(times), part=part)
                )
        if len(phrases) > MAX_SESSIONS:
            rest = len(phrases) - MAX_SESSIONS
            phrases = [*phrases[:MAX_SESSIONS], self.say(N_("in %(num)s other sessions"), num=rest)]
        return self.both(phrases)


def _causes(w: _Writer, params: Mapping[str, Any]) -> str:
    """What rules out each slot where the pair could meet, in the solver's order."""
    total = len(params.get("slots") or [])
    pair = params.get("participants") or []
    causes = []
    for org_id, n in zip(pair, params.get("booked") or [], strict=False):
        if n:
            causes.append(
                w.say(N_("%(org)s is already booked then"), org=w.org(org_id))
                if n == total
                else w.say(
                    N_("%(org)s is already booked in %(num)s of these slots"),
                    org=w.org(org_id),
                    num=n,
                )
            )
    for key, every, some in (
        (
            "tables_full",
            N_("every table is taken then"),
            N_("every table is taken in %(num)s of these slots"),
        ),
        (
            "daily_limit",
            N_("a daily meeting limit is reached then"),
            N_("a daily meeting limit is reached in %(num)s of these slots"),
        ),
        (
            "other",
            N_(
                "placing it there would exceed a limit of meetings in a row, break a required "
                "order or push out meetings of higher priority"
            ),
            N_(
                "in %(num)s of these slots, placing it would exceed a limit of meetings in a "
                "row, break a required order or push out meetings of higher priority"
            ),
        ),
    ):
        n = int(params.get(key) or 0)
        if n:
            causes.append(w.say(every) if n == total else w.say(some, num=n))
    return "; ".join(causes)


def _taken(w: _Writer, params: Mapping[str, Any]) -> str:
    pair = params.get("participants") or [None, None]
    a, b = w.org(pair[0]), w.org(pair[-1])
    slots = params.get("slots") or []
    if len(slots) == len(w.names.slots) and slots:
        lead = w.say(N_("%(a)s and %(b)s are both free in every slot"), a=a, b=b)
    else:
        lead = w.say(
            N_("%(a)s and %(b)s are both free only %(where)s"), a=a, b=b, where=w.where(slots)
        )
    return w.say(N_("%(lead)s: %(causes)s."), lead=lead, causes=_causes(w, params))


def _pair(w: _Writer, params: Mapping[str, Any]) -> dict[str, str]:
    pair = params.get("participants") or [None, None]
    return {"a": w.org(pair[0]), "b": w.org(pair[-1])}


def _no_common_slot(w: _Writer, params: Mapping[str, Any]) -> str:
    if params.get("within_allowed"):
        msgid = N_(
            "%(a)s and %(b)s are never available at the same time in the slots allowed for "
            "this meeting."
        )
        return w.say(msgid, **_pair(w, params))
    return w.say(N_("%(a)s and %(b)s are never available at the same time."), **_pair(w, params))


def _fixed_unavailable(w: _Writer, params: Mapping[str, Any]) -> str:
    away = w.both([w.org(o) for o in params.get("unavailable") or []])
    msgid = N_("This meeting is locked at %(time)s, but %(orgs)s is not available then.")
    return w.say(msgid, time=w.at(params.get("slot")), orgs=away)


def _seconds(value: Any) -> str:
    number = float(value or 0)
    return str(int(number)) if number.is_integer() else f"{number:g}"


_RENDER: dict[str, Callable[[_Writer, Mapping[str, Any]], str]] = {
    "participant_booked": _taken,
    "tables_full": _taken,
    "daily_limit": _taken,
    "order_or_consecutive": _taken,
    "no_common_slot": _no_common_slot,
    "required_person_away": lambda w, p: w.say(
        N_(
            "%(person)s, who must attend for %(org)s, is never available when this meeting "
            "could take place."
        ),
        person=w.names.people.get(p.get("person") or 0, "?"),
        org=w.org(p.get("participant")),
    ),
    "no_allowed_slot": lambda w, p: w.say(N_("No slot is allowed for this meeting.")),
    "no_slot": lambda w, p: w.say(N_("No slot is possible for this meeting.")),
    "fixed_unavailable": _fixed_unavailable,
    "fixed_not_allowed": lambda w, p: w.say(
        N_("This meeting is locked at %(time)s, but that slot is not allowed for it."),
        time=w.at(p.get("slot")),
    ),
    "blocked_by_fixed": lambda w, p: w.say(
        N_("Every slot where %(a)s and %(b)s are both free is taken by a locked meeting."),
        **_pair(w, p),
    ),
    "order_window": lambda w, p: w.say(
        N_("No slot fits between the meetings that must take place before and after it.")
    ),
    "fixed_conflict": lambda w, p: w.say(
        N_("%(org)s has %(num)s locked meetings at %(time)s but can hold %(capacity)s at once."),
        org=w.org(p.get("participant")),
        num=p.get("meetings"),
        time=w.at(p.get("slot")),
        capacity=p.get("capacity"),
    ),
    "fixed_tables": lambda w, p: w.say(
        N_("%(num)s meetings are locked at %(time)s but there are only %(tables)s tables."),
        num=p.get("meetings"),
        time=w.at(p.get("slot")),
        tables=p.get("tables"),
    ),
    "fixed_order": lambda w, p: w.say(
        N_("A meeting locked at %(before)s must take place before one locked at %(time)s."),
        before=w.at(p.get("before_slot")),
        time=w.at(p.get("slot")),
    ),
    "precedence_cycle": lambda w, p: w.say(
        N_("%(num)s meetings must each take place before the next, in a closed circle."),
        num=max(1, len(p.get("cycle") or []) - 1),
    ),
    "too_many_meetings": lambda w, p: w.say(
        N_(
            "%(org)s has %(num)s meetings, but at most %(fit)s fit in the slots where they "
            "can take place."
        ),
        org=w.org(p.get("participant")),
        num=p.get("meetings"),
        fit=p.get("fit"),
    ),
    "too_few_table_slots": lambda w, p: w.say(
        N_("There are %(num)s meetings but only %(capacity)s places (%(tables)s tables a slot)."),
        num=p.get("meetings"),
        capacity=p.get("table_slots"),
        tables=p.get("tables"),
    ),
    "no_feasible_schedule": lambda w, p: w.say(
        N_("No schedule keeps every rule and places every meeting.")
        if p.get("require_all")
        else N_("No schedule keeps every rule.")
    ),
    "invalid": lambda w, p: w.say(
        N_("The scheduling data is invalid: %(field)s: %(message)s"),
        field=p.get("field"),
        message=p.get("message"),
    ),
    "time_limit": lambda w, p: w.say(
        N_("No schedule was found within %(seconds)s seconds."), seconds=_seconds(p.get("seconds"))
    ),
}


# reasons about one meeting that do not name its organisations
_UNNAMED = {"no_allowed_slot", "no_slot", "fixed_unavailable", "fixed_not_allowed", "order_window"}


def describe(reason: RunReason, names: Names, locale: str = "vi") -> str:
    """The reason as a sentence in ``locale``; a reason without a known code (stored
    before codes existed) is its stored text."""
    render = _RENDER.get(reason.code)
    if render is None:
        return reason.text
    w = _Writer(names, locale)
    text = render(w, reason.params)
    if "meeting" in reason.params and "participants" in reason.params and reason.code in _UNNAMED:
        # a reason of a whole answer about one meeting that does not name it: say which
        return w.say(
            N_("Meeting of %(a)s and %(b)s: %(reason)s"), reason=text, **_pair(w, reason.params)
        )
    return text


def meeting_reason(meeting: Meeting, names: Names, locale: str = "vi") -> str:
    """Why a meeting has no slot: the organiser's words for a cancelled one, else the
    last solve's reason."""
    if meeting.status == MeetingStatus.scheduled:
        return ""
    if meeting.status == MeetingStatus.cancelled or not meeting.unscheduled_code:
        return meeting.unscheduled_reason
    reason = RunReason(
        code=meeting.unscheduled_code,
        params=dict(meeting.unscheduled_params or {}),
        text=meeting.unscheduled_reason,
    )
    return describe(reason, names, locale)
