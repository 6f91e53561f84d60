"""The organiser's rules: defaults, lenient parsing and who may request whom."""

from __future__ import annotations

from datetime import date

import pytest

from matchmaker.models import Event, Organisation, OrgKind
from matchmaker.rules import (
    DEFAULT_MAX_MEETINGS,
    DEFAULT_MAX_OPEN_REQUESTS,
    DEFAULT_REQUEST_EXPIRY_HOURS,
    EventRules,
    may_request,
    parse_rules,
    rules_of,
)


def event(**rules: object) -> Event:
    return Event(
        id=1,
        slug="hau-giang",
        name_vi="Tuần lễ",
        name_en="Week",
        start_date=date(2023, 5, 18),
        end_date=date(2023, 5, 20),
        rules=rules,
    )


def org(org_id: int, kind: OrgKind, *, event_id: int = 1, approved: bool = True) -> Organisation:
    return Organisation(
        id=org_id, event_id=event_id, name=f"Org {org_id}", kind=kind, approved=approved
    )


def test_parse_rules_empty_gives_defaults() -> None:
    rules = parse_rules({})
    assert rules == EventRules()
    assert rules.max_open_requests == DEFAULT_MAX_OPEN_REQUESTS == 20
    assert rules.max_meetings == DEFAULT_MAX_MEETINGS == 16
    assert rules.request_expiry_hours == DEFAULT_REQUEST_EXPIRY_HOURS == 72
    assert rules.message_required is True
    assert all(rules.may_request_kind(a, b) for a in OrgKind for b in OrgKind)


def test_parse_rules_none_or_not_a_mapping_gives_defaults() -> None:
    assert parse_rules(None) == EventRules()
    assert parse_rules(["max_meetings", 3]) == EventRules()  # type: ignore[arg-type]


def test_parse_rules_reads_the_demo_keys() -> None:
    rules = parse_rules(
        {
            "allowed_pairs": {"startup": ["investor", "agency"], "investor": ["startup"]},
            "max_open_requests": 5,
            "max_meetings": 12,
            "max_per_day": 6,
            "max_consecutive": 3,
            "request_expiry_hours": 48,
        }
    )
    assert rules.allowed_pairs[OrgKind.startup] == frozenset({OrgKind.investor, OrgKind.agency})
    assert rules.allowed_pairs[OrgKind.ocop] == frozenset()
    assert (rules.max_open_requests, rules.max_meetings) == (5, 12)
    assert (rules.max_per_day, rules.max_consecutive, rules.request_expiry_hours) == (6, 3, 48)


def test_parse_rules_bad_values_fall_back_to_defaults() -> None:
    rules = parse_rules(
        {
            "max_open_requests": "many",
            "max_meetings": -4,
            "max_per_day": True,
            "request_expiry_hours": [1],
            "message_required": "yes",
            "allowed_pairs": {"startup": "investor", "nobody": ["investor"], "investor": ["x"]},
        }
    )
    assert rules.max_open_requests == DEFAULT_MAX_OPEN_REQUESTS
    assert rules.max_meetings == DEFAULT_MAX_MEETINGS
    assert rules.max_per_day == 8
    assert rules.request_expiry_hours == DEFAULT_REQUEST_EXPIRY_HOURS
    assert rules.message_required is True
    assert rules.allowed_pairs[OrgKind.startup] == frozenset()
    assert rules.allowed_pairs[OrgKind.investor] == frozenset()


def test_parse_rules_null_limits_mean_no_limit_and_zero_expiry_never() -> None:
    rules = parse_rules(
        {"max_open_requests": None, "max_meetings": None, "request_expiry_hours": 0}
    )
    assert rules.max_open_requests is None
    assert rules.meeting_limit(3) is None
    assert rules.request_expiry_hours is None


def test_parse_rules_string_numbers_are_read() -> None:
    assert parse_rules({"max_meetings": "7"}).max_meetings == 7


@pytest.mark.parametrize(("representatives", "limit"), [(0, 10), (1, 10), (2, 20), (3, 30)])
def test_meeting_limit_is_per_representative(representatives: int, limit: int) -> None:
    assert parse_rules({"max_meetings": 10}).meeting_limit(representatives) == limit


def test_as_dict_round_trips() -> None:
    rules = parse_rules({"allowed_pairs": {"startup": ["investor"]}, "max_meetings": 9})
    assert parse_rules(rules.as_dict()) == rules
    assert rules.as_dict()["allowed_pairs"]["startup"] == ["investor"]


def test_rules_of_reads_event_rules() -> None:
    assert rules_of(event(max_open_requests=3)).max_open_requests == 3


def test_may_request_follows_allowed_pairs() -> None:
    ev = event(allowed_pairs={"startup": ["investor"]})
    startup, investor = org(1, OrgKind.startup), org(2, OrgKind.investor)
    assert may_request(ev, startup, investor) is True
    assert may_request(ev, investor, startup) is False
    assert may_request(ev, startup, org(3, OrgKind.startup)) is False


def test_may_request_without_allowed_pairs_lets_every_kind_ask() -> None:
    ev = event()
    assert may_request(ev, org(1, OrgKind.ocop), org(2, OrgKind.agency)) is True


def test_may_request_refuses_oneself_other_events_and_unapproved() -> None:
    ev = event()
    me = org(1, OrgKind.startup)
    assert may_request(ev, me, me) is False
    assert may_request(ev, me, org(2, OrgKind.investor, event_id=2)) is False
    assert may_request(ev, me, org(3, OrgKind.investor, approved=False)) is False
    assert (
        may_request(ev, org(4, OrgKind.startup, approved=False), org(5, OrgKind.investor)) is False
    )
