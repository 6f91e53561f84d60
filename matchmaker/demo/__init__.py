"""The realistic demo event: Hậu Giang Digital Transformation and Startup Week 2023.

``generate_demo(session, seed=..., scale=...)`` adds one complete event to the
session (flushing, never committing: the caller owns the transaction):

* the event, 3 days (18–20 May 2023, Asia/Ho_Chi_Minh), a morning (08:00–11:00)
  and an afternoon (13:30–16:30) session per day, 20-minute slots (54 in all);
* 30 shared meeting tables per unit of scale plus a few home tables (33 in all);
* about 300 organisations per unit of scale (startups, technology firms,
  investors, provincial and district agencies, OCOP producers, universities and
  incubators, associations) with Vietnamese names, sectors, offers and seeks;
* one representative per organisation, about 15 % with two, with partial
  availability (explicit session codes such as ``"d1-am"``);
* meeting requests with a realistic acceptance rate and a ``Meeting`` for every
  accepted pair, about 1,500 per unit of scale.

Everything is drawn from ``random.Random(seed)``: the same seed and scale give
the same event. Feasibility is kept in reach: no organisation holds more
accepted meetings than about 65 % of the slots its representatives attend, nor
more than the event's per-representative limits allow.

Event rules (``Event.rules``) apply per representative unless said otherwise:
``allowed_pairs`` (requester kind -> kinds it may request), ``max_open_requests``
(pending requests an organisation may have out), ``max_meetings`` (accepted
meetings per representative), ``max_per_day``, ``max_consecutive`` and
``request_expiry_hours``.

The steps live in small modules, called in this order by ``generate_demo``:
``calendar`` (the event, days, sessions, slots, tables), ``profiles`` (the
organisations' profiles), ``organisations`` (their representatives, capacities and
rows), ``participants``, and ``requests`` (requests and meetings, planned into
sessions by ``placement``); ``rules`` holds the demo's event rules.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from matchmaker.demo.calendar import (
    BASE_HOME_TABLES,
    BASE_TABLES,
    add_calendar,
    add_tables,
    new_event,
)
from matchmaker.demo.organisations import choose_hosts, insert_orgs, plan_reps
from matchmaker.demo.participants import insert_participants
from matchmaker.demo.placement import TABLE_LOAD, Placement
from matchmaker.demo.profiles import build_orgs
from matchmaker.demo.requests import (
    BASE_MEETINGS,
    insert_meetings,
    insert_requests,
    plan_requests,
)
from matchmaker.demo.rules import default_rules, limit
from matchmaker.models import Event, OrgKind, RequestStatus

__all__ = ["DEMO_SLUG", "DemoExistsError", "DemoSummary", "default_rules", "generate_demo"]

DEMO_SLUG = "hau-giang-2023"


class DemoExistsError(ValueError):
    """An event with the demo's slug already exists."""


@dataclass(frozen=True)
class DemoSummary:
    event_id: int
    slug: str
    organisations: int
    by_kind: dict[str, int]
    participants: int
    requests: int
    requests_by_status: dict[str, int]
    meetings: int
    mutual_meetings: int
    must_meetings: int
    days: int
    sessions: int
    slots: int
    tables: int
    home_tables: int


def generate_demo(
    session: Session, *, seed: int = 2023, scale: float = 1.0, slug: str = DEMO_SLUG
) -> DemoSummary:
    """Add the demo event to ``session`` (flushed, not committed) and summarise it."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if session.exec(select(Event.id).where(Event.slug == slug)).first() is not None:
        raise DemoExistsError(f"an event with slug {slug!r} already exists")
    # Every draw comes from this one generator, in a fixed order: keep the order of the
    # steps below, or the same seed no longer gives the same event.
    rng = random.Random(seed)
    rules = default_rules()
    event = new_event(slug, rules)
    session.add(event)
    session.flush()
    assert event.id is not None
    event_id = event.id
    calendar = add_calendar(session, event_id)

    # Organisations and their representatives (planned in memory first).
    orgs = build_orgs(rng, scale)
    n_shared = max(2, round(BASE_TABLES * scale))
    n_home = min(n_shared // 4, max(1, round(BASE_HOME_TABLES * scale)))
    hosts = choose_hosts(orgs, n_home)
    for org in orgs:
        plan_reps(rng, org, calendar, rules)
    insert_orgs(session, event_id, orgs)
    tables = add_tables(session, event_id, [host.id for host in hosts], n_shared + n_home)
    participants = insert_participants(session, rng, orgs)

    target = round(BASE_MEETINGS * scale)
    placement = Placement(
        calendar.all_codes, int(TABLE_LOAD * n_shared * calendar.slots_per_session)
    )
    plan, meets = plan_requests(rng, orgs, target, rules, placement)
    insert_requests(session, event_id, plan, timedelta(hours=limit(rules.request_expiry_hours)))
    insert_meetings(session, event_id, meets)

    by_kind = dict(Counter(org.kind.value for org in orgs))
    by_status = dict(Counter(req.status.value for req in plan))
    return DemoSummary(
        event_id=event_id,
        slug=slug,
        organisations=len(orgs),
        by_kind={kind.value: by_kind.get(kind.value, 0) for kind in OrgKind},
        participants=participants,
        requests=len(plan),
        requests_by_status={s.value: by_status.get(s.value, 0) for s in RequestStatus},
        meetings=len(meets),
        mutual_meetings=sum(1 for m in meets if m.weight == 3),
        must_meetings=sum(1 for m in meets if m.weight == 2),
        days=len(calendar.days),
        sessions=len(calendar.sessions),
        slots=len(calendar.slots),
        tables=len(tables),
        home_tables=len(hosts),
    )
