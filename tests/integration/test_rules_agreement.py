"""One reading of ``Event.rules``: the solver instance and the request checks apply the
same limits, also when the organiser has stored only some of the keys."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from matchmaker import requests, scheduling
from matchmaker.errors import DomainError
from matchmaker.models import OrgKind
from matchmaker.rules import DEFAULT_MAX_CONSECUTIVE, DEFAULT_MAX_PER_DAY, rules_of
from tests.factories import make_event, make_meeting, make_org, make_participant

pytestmark = pytest.mark.integration


def test_partial_rules_give_the_same_limits_to_solver_and_request_checks(db: Session) -> None:
    event = make_event(db)
    # Only two keys stored: every other rule takes the one default of matchmaker.rules.
    event.rules = {"max_meetings": 1, "allowed_pairs": {"startup": ["investor", "startup"]}}
    startup = make_org(db, event, "Nông Sản Số", OrgKind.startup)
    investor = make_org(db, event, "Quỹ Mekong", OrgKind.investor)
    other = make_org(db, event, "Cà Phê Xanh", OrgKind.startup)
    _, account = make_participant(db, startup, "Trần Minh Khoa")
    for org in (investor, other):
        make_participant(db, org, f"Đại diện {org.name}")
    make_meeting(db, event, startup, investor)
    db.commit()
    rules = rules_of(event)

    instance, maps = scheduling.build_instance(db, event)

    # Representatives are the solver's people: the limits hold per person.
    by_org = {maps.org_id[p.id]: (p.people or [])[0] for p in instance.participants}
    assert rules.max_per_day == DEFAULT_MAX_PER_DAY
    assert rules.max_consecutive == DEFAULT_MAX_CONSECUTIVE
    assert by_org[startup.id].max_per_day == DEFAULT_MAX_PER_DAY
    assert by_org[startup.id].max_consecutive == DEFAULT_MAX_CONSECUTIVE
    assert by_org[investor.id].max_per_day == DEFAULT_MAX_PER_DAY
    # The same rules object refuses a second meeting (max_meetings 1 per representative)
    # and a kind the allowed pairs leave out.
    with pytest.raises(DomainError) as limit:
        requests.create_request(db, event, startup, other.id, "Xin gặp", "normal", account)
    assert limit.value.params == {"limit": 1}


def test_rules_without_a_limit_leave_it_off_in_the_instance(db: Session) -> None:
    event = make_event(db)
    event.rules = {"max_per_day": None, "max_consecutive": None}
    a = make_org(db, event, "Sở TT&TT Hậu Giang", OrgKind.agency)
    b = make_org(db, event, "FPT Cần Thơ", OrgKind.tech_firm)
    for org in (a, b):
        make_participant(db, org, f"Đại diện {org.name}")
    make_meeting(db, event, a, b)
    db.commit()

    instance, _ = scheduling.build_instance(db, event)

    people = [q for p in instance.participants for q in p.people or []]
    assert len(people) == 2
    assert [q.max_per_day for q in people] == [None, None]
    assert [q.max_consecutive for q in people] == [None, None]
