"""The audit log: every organiser action, with who and when, and each entry in words.

`record` stores a short dotted action code and its parameters (ids and counts, so the
log stays small and never goes stale); `describe` turns an entry into a sentence in the
reader's language with the ids resolved to names ("Moved the meeting Startup A – Quỹ B
from Thu 18 May, 08:00, table B2B-03 to Thu 18 May, 09:00, table B2B-05"), from the
names `AuditNames.load` fetches for a page of entries in a few queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from matchmaker import formats, i18n
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    AuditLog,
    Event,
    Meeting,
    MeetingTable,
    Organisation,
    Participant,
    Slot,
)


def record(
    session: Session,
    action: str,
    *,
    event: Event | None = None,
    account: Account | None = None,
    **detail: Any,
) -> AuditLog:
    """Log `action` (a short dotted name such as "setup.change" or "meeting.move")."""
    entry = AuditLog(
        event_id=event.id if event else None,
        account_id=account.id if account else None,
        action=action,
        detail=detail,
    )
    session.add(entry)
    return entry


def recent(session: Session, event: Event, *, limit: int = 200, offset: int = 0) -> list[AuditLog]:
    return list(
        session.exec(
            select(AuditLog)
            .where(AuditLog.event_id == event.id)
            .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
            .offset(offset)
            .limit(limit)
        )
    )


# --- in words ----------------------------------------------------------------------------


@dataclass
class AuditNames:
    """What the entries of one page refer to, by id."""

    timezone: str = formats.DEFAULT_ZONE
    accounts: dict[int, str] = field(default_factory=dict)
    orgs: dict[int, str] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)
    meetings: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> org ids
    slots: dict[int, datetime] = field(default_factory=dict)  # id -> start
    tables: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, event: Event, entries: Iterable[AuditLog]) -> AuditNames:
        entries = list(entries)
        ids = _referenced(entries)
        names = cls(timezone=event.timezone)
        account_ids = {e.account_id for e in entries if e.account_id}
        for a in session.exec(select(Account).where(col(Account.id).in_(account_ids))):
            names.accounts[a.id or 0] = a.display_name or a.email
        for m in session.exec(select(Meeting).where(col(Meeting.id).in_(ids["meeting"]))):
            names.meetings[m.id or 0] = (m.org_a_id, m.org_b_id)
            ids["org"] |= {m.org_a_id, m.org_b_id}
        names.orgs = _by_id(session, Organisation.id, Organisation.name, ids["org"])
        names.people = _by_id(session, Participant.id, Participant.full_name, ids["person"])
        names.slots = _by_id(session, Slot.id, Slot.start, ids["slot"])
        names.tables = _by_id(session, MeetingTable.id, MeetingTable.name, ids["table"])
        return names


# Which parameters of an entry name which kind of row.
_ID_KEYS = {
    "organisation_id": "org",
    "organisation": "org",
    "absent": "org",
    "reported_by_org": "org",
    "participant": "person",
    "participant_id": "person",
    "meeting": "meeting",
    "slot": "slot",
    "slot_from": "slot",
    "table": "table",
    "table_from": "table",
}


def _referenced(entries: list[AuditLog]) -> dict[str, set[int]]:
    ids: dict[str, set[int]] = {kind: set() for kind in set(_ID_KEYS.values())}
    for entry in entries:
        for key, kind in _ID_KEYS.items():
            value = (entry.detail or {}).get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                ids[kind].add(value)
    return ids


def _by_id(session: Session, id_column: Any, value_column: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    rows = session.exec(select(id_column, value_column).where(col(id_column).in_(ids)))
    return {row_id: value for row_id, value in rows}


class _Words:
    def __init__(self, names: AuditNames, locale: str, detail: dict[str, Any]) -> None:
        self.names, self.locale, self.detail = names, locale, detail
        self.catalog = i18n.translations(locale)

    def say(self, msgid: str, **values: Any) -> str:
        return self.catalog.gettext(msgid) % values

    def text(self, msgid: str) -> str:
        return self.catalog.gettext(msgid)

    def get(self, key: str, default: Any = "") -> Any:
        value = self.detail.get(key)
        return default if value is None else value

    def org(self, key: str = "organisation_id") -> str:
        org_id = self.detail.get(key)
        return self.names.orgs.get(org_id, f"#{org_id}") if isinstance(org_id, int) else "?"

    def person(self, key: str) -> str:
        pid = self.detail.get(key)
        if isinstance(pid, int) and pid in self.names.people:
            return self.names.people[pid]
        return str(self.detail.get("name") or (f"#{pid}" if pid is not None else "?"))

    def meeting(self) -> str:
        mid = self.detail.get("meeting")
        pair = self.names.meetings.get(mid) if isinstance(mid, int) else None
        if pair is None:
            return f"#{mid}"
        a, b = (self.names.orgs.get(o, f"#{o}") for o in pair)
        return f"{a} – {b}"

    def place(self, slot_key: str, table_key: str) -> str:
        slot_id, table_id = self.detail.get(slot_key), self.detail.get(table_key)
        start = self.names.slots.get(slot_id) if isinstance(slot_id, int) else None
        if start is None:
            return self.text(N_("no slot"))
        when = formats.format_day_time(start, self.locale, self.names.timezone)
        table = self.names.tables.get(table_id) if isinstance(table_id, int) else None
        if not table:
            return when
        return self.say(N_("%(when)s at table %(table)s"), when=when, table=table)

    def deadline(self) -> str:
        raw = self.detail.get("deadline")
        try:
            when = datetime.fromisoformat(str(raw))
        except ValueError:
            return str(raw or "?")
        return formats.format_datetime(when, self.locale, self.names.timezone)


def _solve_start(w: _Words) -> str:
    return w.say(
        N_("Started solve run %(run)s (time limit %(seconds)s s)."),
        run=w.get("run_id", "?"),
        seconds=w.get("time_limit", "?"),
    )


def _link(w: _Words) -> str:
    if w.get("emailed", False):
        return w.say(
            N_("Made a new personal sign-in link for %(person)s and put it in the outbox."),
            person=w.person("participant"),
        )
    return w.say(
        N_("Made a new personal sign-in link for %(person)s."), person=w.person("participant")
    )


def _setup(w: _Words) -> str:
    text = w.say(
        N_("Changed the event setup: %(sessions)s sessions, %(slots)s slots, %(tables)s tables."),
        sessions=w.get("sessions", "?"),
        slots=w.get("slots", "?"),
        tables=w.get("tables", "?"),
    )
    if w.get("meetings_unplaced", 0) or w.get("tables_cleared", 0):
        text += " " + w.say(
            N_("%(unplaced)s meetings lost their slot and %(cleared)s their table."),
            unplaced=w.get("meetings_unplaced", 0),
            cleared=w.get("tables_cleared", 0),
        )
    return text


def _publish(w: _Words) -> str:
    if w.get("draft", None) is not None and not w.get("run_id", None):
        text = w.say(
            N_("Published the final schedule as version %(version)s, from draft %(draft)s."),
            version=w.get("version", "?"),
            draft=w.get("draft"),
        )
    elif w.get("run_id", None):
        text = w.say(
            N_("Published solve run %(run)s as version %(version)s."),
            run=w.get("run_id"),
            version=w.get("version", "?"),
        )
    else:
        text = w.say(N_("Published version %(version)s."), version=w.get("version", "?"))
    return (
        text
        + " "
        + w.say(
            N_(
                "Meetings moved: %(moved)s, added: %(added)s, removed: %(removed)s; "
                "organisations notified: %(notified)s."
            ),
            moved=w.get("moved", 0),
            added=w.get("added", 0),
            removed=w.get("removed", 0),
            notified=w.get("notified_organisations", 0),
        )
    )


def _representative_added(w: _Words) -> str:
    if w.get("organisation_id", None) is None:  # entries from before it was recorded
        return w.say(N_("Added %(person)s as a representative."), person=w.person("participant_id"))
    return w.say(
        N_("Added %(person)s as a representative of %(org)s."),
        person=w.person("participant_id"),
        org=w.org(),
    )


def _representative_removed(w: _Words) -> str:
    if w.get("organisation_id", None) is None:
        return w.say(
            N_("Removed the representative %(person)s."), person=w.person("participant_id")
        )
    # The name recorded at removal: the person's row is gone (and its id may be reused).
    return w.say(
        N_("Removed %(person)s as a representative of %(org)s."),
        person=w.get("name") or w.person("participant_id"),
        org=w.org(),
    )


Describe = Callable[[_Words], str]

DESCRIBE: dict[str, Describe] = {
    "solve.start": _solve_start,
    "solve.stop": lambda w: w.say(N_("Stopped solve run %(run)s."), run=w.get("run_id", "?")),
    "participant.link": _link,
    "setup.change": _setup,
    "setup.require_approval": lambda w: w.text(
        N_("Turned on the approval of new registrations.")
        if w.get("required", False)
        else N_("Turned off the approval of new registrations.")
    ),
    "participants.import": lambda w: w.say(
        N_(
            "Imported participants from %(file)s: %(new)s new people, %(updated)s updated, "
            "%(organisations)s new organisations."
        ),
        file=w.get("file", "?"),
        new=w.get("new", 0),
        updated=w.get("updated", 0),
        organisations=w.get("organisations", 0),
    ),
    "organisation.register": lambda w: w.say(N_("%(org)s registered."), org=w.org()),
    "organisation.confirm": lambda w: w.say(N_("%(org)s confirmed its registration."), org=w.org()),
    "organisation.approve": lambda w: w.say(N_("Approved %(org)s."), org=w.org()),
    "representative.add": _representative_added,
    "representative.remove": _representative_removed,
    "meeting.move": lambda w: w.say(
        N_("Moved the meeting %(meeting)s from %(before)s to %(after)s."),
        meeting=w.meeting(),
        before=w.place("slot_from", "table_from"),
        after=w.place("slot", "table"),
    ),
    "meeting.lock": lambda w: w.say(N_("Locked the meeting %(meeting)s."), meeting=w.meeting()),
    "meeting.unlock": lambda w: w.say(N_("Unlocked the meeting %(meeting)s."), meeting=w.meeting()),
    "meeting.cancel": lambda w: (
        w.say(
            N_("Cancelled the meeting %(meeting)s (reason: %(reason)s)."),
            meeting=w.meeting(),
            reason=w.get("reason"),
        )
        if w.get("reason")
        else w.say(N_("Cancelled the meeting %(meeting)s."), meeting=w.meeting())
    ),
    "schedule.publish": _publish,
    "schedule.draft": lambda w: w.say(
        N_(
            "Released solve run %(run)s as draft %(draft)s: %(hosts)s hosts are asked to "
            "confirm %(pending)s slots (%(kept)s unchanged slots stay accepted) by %(deadline)s."
        ),
        run=w.get("run_id", "?"),
        draft=w.get("draft", "?"),
        hosts=w.get("hosts", 0),
        pending=w.get("pending", 0),
        kept=w.get("kept", 0),
        deadline=w.deadline(),
    ),
    "organisation.edit": lambda w: w.say(N_("Edited the profile of %(org)s."), org=w.org()),
    "representative.edit": lambda w: w.say(
        N_("Edited the representative %(person)s."), person=w.person("participant_id")
    ),
    "confirmation.accept_all": lambda w: w.say(
        N_("%(org)s accepted all %(count)s proposed slots."),
        org=w.org("organisation"),
        count=len(w.get("meetings", [])),
    ),
    "checkin": lambda w: w.say(
        N_("Checked in %(person)s on day %(day)s."),
        person=w.person("participant"),
        day=w.get("day"),
    ),
    "checkin.undo": lambda w: w.say(
        N_("Took back the check-in of %(person)s on day %(day)s."),
        person=w.person("participant"),
        day=w.get("day"),
    ),
    "meeting.no_show": lambda w: w.say(
        N_("%(reporter)s reported that %(absent)s did not come to the meeting %(meeting)s."),
        reporter=w.org("reported_by_org"),
        absent=w.org("absent"),
        meeting=w.meeting(),
    ),
    "meeting.no_show.clear": lambda w: w.say(
        N_("Took back the no-show of the meeting %(meeting)s."), meeting=w.meeting()
    ),
    "table.running_late": lambda w: w.say(
        N_("Marked table %(table)s as running late (%(note)s)."),
        table=w.names.tables.get(w.get("table"), "?"),
        note=w.get("note") or "–",
    ),
    "table.running_late.clear": lambda w: w.say(
        N_("Table %(table)s is on time again."), table=w.names.tables.get(w.get("table"), "?")
    ),
    "board.new_links": lambda w: w.text(
        N_("Made new links for the table boards (the old ones stop working).")
    ),
    "report.public": lambda w: w.text(N_("Made the report's summary public.")),
    "report.private": lambda w: w.text(N_("Stopped showing the report's summary publicly.")),
    "outbox.resend": lambda w: w.say(
        N_("Put %(count)s failed e-mails back in the outbox to be sent again."),
        count=w.get("count", 0),
    ),
}


def describe(entry: AuditLog, names: AuditNames, locale: str) -> str:
    """The entry as a sentence in `locale`; an action without one shows its code and
    parameters (so nothing recorded is ever hidden)."""
    detail = dict(entry.detail or {})
    words = _Words(names, locale, detail)
    how = DESCRIBE.get(entry.action)
    if how is not None:
        try:
            return how(words)
        except (KeyError, TypeError, ValueError):  # an entry older than its wording
            pass
    return f"{entry.action} " + " · ".join(f"{k}: {v}" for k, v in detail.items())
