"""The organiser's rules for an event, read from ``Event.rules`` (a JSON object).

Keys (all optional; a missing or unreadable value falls back to the default):

``allowed_pairs``
    ``{requester kind: [kinds it may request]}``, e.g. ``{"startup": ["investor"]}``.
    Missing altogether: every kind may request every kind. When present, a kind
    that is not listed may request nobody.
``max_open_requests``
    Pending (unanswered) requests an organisation may have out at once.
``max_meetings``
    Agreed meetings per representative; an organisation with two
    representatives may hold twice as many. ``null`` means no limit.
``max_per_day`` / ``max_consecutive``
    Per-representative limits the scheduler respects.
``request_expiry_hours``
    Hours after which an unanswered request expires; ``null`` or 0: never.
``message_required``
    Whether a request must carry a message (default true).
``reminder_minutes``
    Minutes before each meeting its reminder goes out; ``null``: the server's
    MATCHMAKER_REMINDER_MINUTES (15 unless set).

Everything here is pure: no database access, so the recommender, the
directory and the organiser console can ask the same questions cheaply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from matchmaker.models import Event, Organisation, OrgKind

DEFAULT_MAX_OPEN_REQUESTS = 20
DEFAULT_MAX_MEETINGS = 16
DEFAULT_MAX_PER_DAY = 8
DEFAULT_MAX_CONSECUTIVE = 4
DEFAULT_REQUEST_EXPIRY_HOURS = 72
MESSAGE_MAX_LENGTH = 1000


def _all_pairs() -> dict[OrgKind, frozenset[OrgKind]]:
    return {kind: frozenset(OrgKind) for kind in OrgKind}


@dataclass(frozen=True)
class EventRules:
    """The typed view of ``Event.rules``. ``None`` for a limit means "no limit"."""

    allowed_pairs: dict[OrgKind, frozenset[OrgKind]] = field(default_factory=_all_pairs)
    max_open_requests: int | None = DEFAULT_MAX_OPEN_REQUESTS
    max_meetings: int | None = DEFAULT_MAX_MEETINGS
    max_per_day: int | None = DEFAULT_MAX_PER_DAY
    max_consecutive: int | None = DEFAULT_MAX_CONSECUTIVE
    request_expiry_hours: int | None = DEFAULT_REQUEST_EXPIRY_HOURS
    message_required: bool = True
    reminder_minutes: int | None = None

    def may_request_kind(self, requester: OrgKind, host: OrgKind) -> bool:
        return host in self.allowed_pairs.get(requester, frozenset())

    def meeting_limit(self, representatives: int) -> int | None:
        """Agreed meetings an organisation with this many representatives may hold."""
        if self.max_meetings is None:
            return None
        return self.max_meetings * max(1, representatives)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form stored in ``Event.rules`` (round-trips through `parse_rules`)."""
        return {
            "allowed_pairs": {
                kind.value: sorted(k.value for k in hosts)
                for kind, hosts in self.allowed_pairs.items()
            },
            "max_open_requests": self.max_open_requests,
            "max_meetings": self.max_meetings,
            "max_per_day": self.max_per_day,
            "max_consecutive": self.max_consecutive,
            "request_expiry_hours": self.request_expiry_hours,
            "message_required": self.message_required,
            "reminder_minutes": self.reminder_minutes,
        }


def _limit(raw: Mapping[str, Any], key: str, default: int | None) -> int | None:
    if key not in raw:
        return default
    value = raw[key]
    if value is None:
        return None
    if isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 0 else default


def _kind(value: Any) -> OrgKind | None:
    try:
        return OrgKind(str(value))
    except ValueError:
        return None


def _pairs(raw: Any) -> dict[OrgKind, frozenset[OrgKind]]:
    if not isinstance(raw, Mapping):
        return _all_pairs()
    pairs: dict[OrgKind, frozenset[OrgKind]] = {kind: frozenset() for kind in OrgKind}
    for requester, hosts in raw.items():
        kind = _kind(requester)
        if kind is None or not isinstance(hosts, list | tuple | set | frozenset):
            continue
        pairs[kind] = frozenset(k for k in (_kind(h) for h in hosts) if k is not None)
    return pairs


def parse_rules(raw: Mapping[str, Any] | None) -> EventRules:
    """Read a rules object leniently: unknown keys are ignored, bad values use defaults."""
    raw = raw if isinstance(raw, Mapping) else {}
    expiry = _limit(raw, "request_expiry_hours", DEFAULT_REQUEST_EXPIRY_HOURS)
    required = raw.get("message_required", True)
    return EventRules(
        allowed_pairs=_pairs(raw["allowed_pairs"]) if "allowed_pairs" in raw else _all_pairs(),
        max_open_requests=_limit(raw, "max_open_requests", DEFAULT_MAX_OPEN_REQUESTS),
        max_meetings=_limit(raw, "max_meetings", DEFAULT_MAX_MEETINGS),
        max_per_day=_limit(raw, "max_per_day", DEFAULT_MAX_PER_DAY),
        max_consecutive=_limit(raw, "max_consecutive", DEFAULT_MAX_CONSECUTIVE),
        request_expiry_hours=expiry or None,
        message_required=required if isinstance(required, bool) else True,
        reminder_minutes=_limit(raw, "reminder_minutes", None) or None,
    )


def rules_of(event: Event) -> EventRules:
    """The event's rules (frozen; remembered per stored value: most pages read them,
    some several times)."""
    try:
        key = json.dumps(event.rules, sort_keys=True)
    except (TypeError, ValueError):  # not JSON-like: read it as it is
        return parse_rules(event.rules)
    return _parsed(key)


@lru_cache(maxsize=64)
def _parsed(stored: str) -> EventRules:
    return parse_rules(json.loads(stored))


def may_request(event: Event, from_org: Organisation, to_org: Organisation) -> bool:
    """Whether the organiser's rules let `from_org` ask `to_org` for a meeting:
    two different, approved organisations of this event whose kinds are an
    allowed pair. Limits (open requests, meetings) are checked by
    `matchmaker.requests.create_request`, which needs the database."""
    if from_org.id is None or from_org.id == to_org.id:
        return False
    if from_org.event_id != event.id or to_org.event_id != event.id:
        return False
    if not (from_org.approved and to_org.approved):
        return False
    return rules_of(event).may_request_kind(OrgKind(from_org.kind), OrgKind(to_org.kind))
