"""Where the reader's organisation stands with others (matchmaker/standing.py): one
relation per card, and "may request" exactly when the request form would accept."""

from __future__ import annotations

from sqlmodel import Session

from matchmaker import requests as svc
from matchmaker.errors import DomainError
from matchmaker.models import (
    Event,
    MeetingRequest,
    MeetingStatus,
    Organisation,
    OrgKind,
    RequestStatus,
)
from matchmaker.standing import Relation, standing, standings
from tests.factories import make_event, make_meeting, make_org, make_participant


def _request(db: Session, event: Event, frm: Organisation, to: Organisation,
             status: RequestStatus) -> MeetingRequest:  # fmt: skip
    row = MeetingRequest(
        event_id=event.id or 0, from_org_id=frm.id or 0, to_org_id=to.id or 0, status=status
    )
    db.add(row)
    db.flush()
    return row


def _world(db: Session, **rules: object) -> tuple[Event, dict[str, Organisation]]:
    event = make_event(db)
    event.rules = rules
    db.add(event)
    names = {
        "me": ("Công ty Khởi nghiệp Mekong", OrgKind.startup),
        "free": ("Quỹ Tự Do", OrgKind.investor),
        "asked": ("Quỹ Đã Hỏi", OrgKind.investor),
        "asker": ("Quỹ Hỏi Tôi", OrgKind.investor),
        "refused": ("Quỹ Từ Chối", OrgKind.investor),
        "agreed": ("Quỹ Đã Hẹn", OrgKind.investor),
        "scheduled": ("Quỹ Có Lịch", OrgKind.investor),
        "cancelled": ("Quỹ Đã Huỷ", OrgKind.investor),
        "peer": ("Startup Bạn", OrgKind.startup),
        "busy": ("Quỹ Kín Lịch", OrgKind.investor),
    }
    orgs = {key: make_org(db, event, name, kind) for key, (name, kind) in names.items()}
    for org in orgs.values():
        make_participant(db, org, f"Người của {org.name}")
    _request(db, event, orgs["me"], orgs["asked"], RequestStatus.pending)
    _request(db, event, orgs["asker"], orgs["me"], RequestStatus.pending)
    _request(db, event, orgs["me"], orgs["refused"], RequestStatus.declined)
    make_meeting(db, event, orgs["me"], orgs["agreed"])
    make_meeting(db, event, orgs["me"], orgs["scheduled"], status=MeetingStatus.scheduled)
    make_meeting(db, event, orgs["me"], orgs["cancelled"], status=MeetingStatus.cancelled)
    make_meeting(db, event, orgs["busy"], orgs["peer"])
    db.commit()
    return event, orgs


def _form_answer(db: Session, event: Event, me: Organisation, target: Organisation) -> str:
    """What the request form says: '' when it would accept, else its message."""
    try:
        svc.check_request(db, event, me, target)
    except DomainError as exc:
        return exc.message
    return ""


def test_each_card_gets_its_relation(db: Session) -> None:
    event, orgs = _world(db, allowed_pairs={"startup": ["investor"]})
    found = standings(db, event, orgs["me"], orgs.values())
    relations = {key: found[org.id or 0].relation for key, org in orgs.items()}
    assert relations == {
        "me": Relation.own,
        "free": Relation.open,
        "asked": Relation.requested,
        "asker": Relation.asked_you,
        "refused": Relation.declined,
        "agreed": Relation.agreed,
        "scheduled": Relation.scheduled,
        "cancelled": Relation.open,
        "peer": Relation.not_allowed,
        "busy": Relation.open,
    }
    assert found[orgs["asked"].id or 0].request_id is not None
    assert found[orgs["asker"].id or 0].request_id is not None


def test_may_request_exactly_when_the_form_accepts(db: Session) -> None:
    for rules in (
        {"allowed_pairs": {"startup": ["investor"]}},
        {"max_meetings": 1},  # "busy" holds its one meeting; so do we (three of them)
        {"max_open_requests": 1},  # our one pending request fills it; a mutual one is exempt
        {},
    ):
        event, orgs = _world(db, **rules)
        found = standings(db, event, orgs["me"], orgs.values())
        for key, org in orgs.items():
            answer = _form_answer(db, event, orgs["me"], org)
            got = found[org.id or 0]
            assert (got.may_request, got.reason) == (not answer, answer), (rules, key)


def test_a_limit_names_the_full_organisation(db: Session) -> None:
    event, orgs = _world(db, max_meetings=1)
    me = make_org(db, event, "Startup Mới", OrgKind.startup)
    make_participant(db, me, "Người Mới")
    db.commit()
    got = standing(db, event, me, orgs["busy"])
    assert got is not None
    assert (got.relation, got.may_request) == (Relation.limit, False)
    assert got.params == {"org": "Quỹ Kín Lịch", "limit": 1}
    assert standing(db, event, None, orgs["busy"]) is None


def test_an_unapproved_organisation_may_not_request_yet(db: Session) -> None:
    event, orgs = _world(db)
    newcomer = make_org(db, event, "Startup Chờ Duyệt", OrgKind.startup, approved=False)
    db.commit()
    got = standing(db, event, newcomer, orgs["free"])
    assert got is not None
    assert (got.relation, got.may_request) == (Relation.unapproved, False)
