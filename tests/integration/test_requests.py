"""Meeting requests: every rule, access control, bad input, concurrency and the
web pages (lists, form, htmx actions). Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from matchmaker import requests as svc
from matchmaker.cli import main as cli_main
from matchmaker.errors import Conflict, DomainError, Forbidden, NotFound
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Notification,
    Organisation,
    OrgKind,
    Priority,
    RequestStatus,
)
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant

NOW = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)
# Pages expire overdue requests against the real clock, so web tests ask "now".
RECENT = datetime.now(UTC)


@dataclass
class World:
    event: Event
    a: Organisation  # a startup
    b: Organisation  # an investor
    c: Organisation  # another investor, an outsider to A <-> B
    a_user: Account
    b_user: Account
    c_user: Account


def make_world(db: Session, **rules: Any) -> World:
    event = make_event(db)
    event.rules = rules
    db.add(event)
    a = make_org(db, event, "Công ty Khởi nghiệp Mekong Agritech", OrgKind.startup)
    b = make_org(db, event, "Quỹ Đầu tư Sáng tạo Cần Thơ", OrgKind.investor)
    c = make_org(db, event, "VinaCapital Ventures", OrgKind.investor)
    _, a_user = make_participant(db, a, "Nguyễn Văn An")
    _, b_user = make_participant(db, b, "Trần Thị Bình")
    _, c_user = make_participant(db, c, "Lê Văn Cường")
    db.commit()
    return World(event, a, b, c, a_user, b_user, c_user)


def ask(
    db: Session,
    w: World,
    frm: Organisation,
    to: Organisation,
    *,
    message: str = "Chúng tôi muốn trình bày dự án.",
    priority: str = "would_like",
    now: datetime = NOW,
) -> MeetingRequest:
    user = {w.a.id: w.a_user, w.b.id: w.b_user, w.c.id: w.c_user}[frm.id]
    return svc.create_request(db, w.event, frm, to.id, message, priority, user, now=now)


def count(db: Session, model: Any, *where: Any) -> int:
    return int(db.exec(select(func.count()).select_from(model).where(*where)).one())


def notes_for(db: Session, account: Account) -> list[Notification]:
    return list(
        db.exec(
            select(Notification)
            .where(Notification.account_id == account.id)
            .order_by(col(Notification.id))
        )
    )


# --- creating requests ---------------------------------------------------------------


def test_create_request_is_pending_with_expiry_and_notifies_host(db: Session) -> None:
    w = make_world(db, request_expiry_hours=48)
    created = ask(db, w, w.a, w.b, message="  Xin chào, chúng tôi cần vốn hạt giống.  ")
    db.commit()
    assert created.status is RequestStatus.pending
    assert created.message == "Xin chào, chúng tôi cần vốn hạt giống."
    assert created.expires_at == NOW + timedelta(hours=48)
    notes = notes_for(db, w.b_user)
    assert [n.subject for n in notes] == ["Yêu cầu gặp mới từ Công ty Khởi nghiệp Mekong Agritech"]
    assert notes[0].link == f"/requests/{created.id}"
    assert "Xin chào, chúng tôi cần vốn hạt giống." in notes[0].body
    assert notes_for(db, w.a_user) == []


def test_create_request_notifies_in_recipient_language(db: Session) -> None:
    w = make_world(db)
    w.b_user.locale = "en"
    db.add(w.b_user)
    db.commit()
    ask(db, w, w.a, w.b, priority="must")
    db.commit()
    [note] = notes_for(db, w.b_user)
    assert note.subject == "New meeting request from Công ty Khởi nghiệp Mekong Agritech"
    assert "(Must meet)" in note.body
    assert note.to_email == w.b_user.email


def test_create_request_without_expiry_when_rule_is_zero(db: Session) -> None:
    w = make_world(db, request_expiry_hours=0)
    assert ask(db, w, w.a, w.b).expires_at is None


def test_create_request_to_own_organisation_is_refused(db: Session) -> None:
    w = make_world(db)
    with pytest.raises(DomainError) as caught:
        ask(db, w, w.a, w.a)
    assert caught.value.message == "You cannot request a meeting with your own organisation."
    db.rollback()
    assert count(db, MeetingRequest) == 0


def test_create_request_to_unknown_organisation_is_not_found(db: Session) -> None:
    w = make_world(db)
    elsewhere = make_org(db, make_event(db), "Sở Công Thương Sóc Trăng", OrgKind.agency)
    unapproved = make_org(db, w.event, "Chưa duyệt", OrgKind.investor, approved=False)
    db.commit()
    for target in ("999999", "abc", "", "-3", str(elsewhere.id), str(unapproved.id)):
        with pytest.raises(NotFound) as caught:
            svc.create_request(db, w.event, w.a, target, "Xin chào", "must", w.a_user, now=NOW)
        assert (caught.value.message, caught.value.field) == ("No such organisation.", "to")
    db.rollback()
    assert count(db, MeetingRequest) == 0


def test_create_request_outside_allowed_pairs_is_refused(db: Session) -> None:
    w = make_world(db, allowed_pairs={"startup": ["investor"], "investor": ["tech_firm"]})
    assert ask(db, w, w.a, w.b).status is RequestStatus.pending
    with pytest.raises(DomainError) as caught:
        ask(db, w, w.c, w.a)
    assert caught.value.message.startswith("The organisers' rules do not allow")
    assert caught.value.field == "to"


def test_create_request_beyond_open_request_limit_is_refused(db: Session) -> None:
    w = make_world(db, max_open_requests=1)
    ask(db, w, w.a, w.b)
    with pytest.raises(DomainError) as caught:
        ask(db, w, w.a, w.c)
    assert caught.value.params == {"limit": 1}
    db.rollback()
    assert count(db, MeetingRequest, MeetingRequest.to_org_id == w.c.id) == 0


def test_create_request_after_withdrawing_frees_an_open_slot(db: Session) -> None:
    w = make_world(db, max_open_requests=1)
    first = ask(db, w, w.a, w.b)
    svc.withdraw(db, first.id or 0, w.a_user, now=NOW)
    assert ask(db, w, w.a, w.c).status is RequestStatus.pending


def test_create_request_at_meeting_limit_is_refused(db: Session) -> None:
    w = make_world(db, max_meetings=1)
    first = ask(db, w, w.a, w.b)
    svc.accept(db, first.id or 0, w.b_user, now=NOW)
    with pytest.raises(DomainError) as caught:
        ask(db, w, w.a, w.c)
    assert caught.value.message == "Your organisation has reached its limit of %(limit)s meetings."
    assert caught.value.params == {"limit": 1}


def test_create_request_to_a_full_host_is_refused(db: Session) -> None:
    w = make_world(db, max_meetings=1)
    svc.accept(db, ask(db, w, w.a, w.b).id or 0, w.b_user, now=NOW)
    d = make_org(db, w.event, "Khởi nghiệp Sen Vàng", OrgKind.startup)
    _, d_user = make_participant(db, d, "Võ Thị Em")
    with pytest.raises(DomainError) as caught:
        svc.create_request(db, w.event, d, w.b.id, "Xin chào", "must", d_user, now=NOW)
    assert caught.value.message == "%(org)s has reached its limit of %(limit)s meetings."
    assert caught.value.params == {"org": "Quỹ Đầu tư Sáng tạo Cần Thơ", "limit": 1}


def test_meeting_limit_grows_with_representatives(db: Session) -> None:
    w = make_world(db, max_meetings=1)
    make_participant(db, w.a, "Phạm Thị Dung")
    first = ask(db, w, w.a, w.b)
    svc.accept(db, first.id or 0, w.b_user, now=NOW)
    assert ask(db, w, w.a, w.c).status is RequestStatus.pending


def test_create_request_twice_for_the_same_pair_is_refused(db: Session) -> None:
    w = make_world(db)
    ask(db, w, w.a, w.b)
    db.commit()
    with pytest.raises(Conflict) as caught:
        ask(db, w, w.a, w.b)
    assert caught.value.message.startswith("You have already requested a meeting")
    db.rollback()
    assert count(db, MeetingRequest) == 1


def test_create_request_when_pair_already_meets_is_refused(db: Session) -> None:
    w = make_world(db)
    svc.accept(db, ask(db, w, w.a, w.b).id or 0, w.b_user, now=NOW)
    with pytest.raises(Conflict) as caught:
        ask(db, w, w.b, w.a)
    assert caught.value.message == "You already have a meeting with this organisation."


def test_create_request_after_decline_is_refused_but_after_expiry_allowed(db: Session) -> None:
    w = make_world(db, request_expiry_hours=24)
    svc.decline(db, ask(db, w, w.a, w.b).id or 0, w.b_user, now=NOW)
    with pytest.raises(DomainError) as caught:
        ask(db, w, w.a, w.b)
    assert caught.value.message.startswith("This organisation has declined")
    ask(db, w, w.a, w.c)
    assert svc.expire_requests(db, NOW + timedelta(hours=25)) == 1
    assert ask(db, w, w.a, w.c, now=NOW + timedelta(hours=26)).status is RequestStatus.pending


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "Write a short message: say who you are and why you want to meet."),
        ("   \n\t ", "Write a short message: say who you are and why you want to meet."),
        ("x" * 1001, "The message can be at most %(max)s characters (it has %(length)s)."),
    ],
)
def test_create_request_with_bad_message_is_refused(
    db: Session, message: str, expected: str
) -> None:
    w = make_world(db)
    with pytest.raises(DomainError) as caught:
        ask(db, w, w.a, w.b, message=message)
    assert caught.value.message == expected
    assert caught.value.field == "message"
    db.rollback()
    assert count(db, MeetingRequest) == 0
    assert count(db, Notification) == 0


def test_create_request_accepts_exactly_1000_characters(db: Session) -> None:
    w = make_world(db)
    assert len(ask(db, w, w.a, w.b, message="ư" * 1000).message) == 1000


def test_create_request_with_empty_message_when_organisers_allow_it(db: Session) -> None:
    w = make_world(db, message_required=False)
    assert ask(db, w, w.a, w.b, message="  ").message == ""


def test_create_request_with_unknown_priority_is_refused(db: Session) -> None:
    w = make_world(db)
    for priority in ("", "urgent", "MUST"):
        with pytest.raises(DomainError) as caught:
            ask(db, w, w.a, w.b, priority=priority)
        assert (caught.value.message, caught.value.field) == ("Choose a priority.", "priority")


def test_create_request_from_unapproved_organisation_is_forbidden(db: Session) -> None:
    w = make_world(db)
    w.a.approved = False
    db.add(w.a)
    with pytest.raises(Forbidden):
        ask(db, w, w.a, w.b)


def test_create_request_for_another_organisation_is_not_found(db: Session) -> None:
    w = make_world(db)
    with pytest.raises(NotFound):
        svc.create_request(db, w.event, w.a, w.b.id, "Xin chào", "must", w.c_user, now=NOW)


# --- mutual requests -----------------------------------------------------------------


def test_mutual_request_accepts_both_and_makes_one_heavier_meeting(db: Session) -> None:
    w = make_world(db)
    first = ask(db, w, w.a, w.b)
    second = ask(db, w, w.b, w.a, now=NOW + timedelta(hours=1))
    db.commit()
    db.refresh(first)
    assert (first.status, second.status) == (RequestStatus.accepted, RequestStatus.accepted)
    [meeting] = db.exec(select(Meeting)).all()
    assert meeting.weight == svc.MUTUAL_WEIGHT == 3
    assert (meeting.org_a_id, meeting.org_b_id) == tuple(sorted((w.a.id or 0, w.b.id or 0)))
    assert meeting.request_id == first.id
    assert meeting.host_org_id == w.b.id
    assert meeting.status is MeetingStatus.accepted
    assert [n.subject for n in notes_for(db, w.a_user)] == [
        "Đã thống nhất cuộc gặp với Quỹ Đầu tư Sáng tạo Cần Thơ"
    ]


def test_mutual_request_ignores_open_request_limit(db: Session) -> None:
    w = make_world(db, max_open_requests=1)
    ask(db, w, w.a, w.b)
    ask(db, w, w.b, w.c)
    assert ask(db, w, w.b, w.a).status is RequestStatus.accepted


def test_accept_while_own_request_pending_is_mutual(db: Session) -> None:
    w = make_world(db)
    a_to_b = MeetingRequest(
        event_id=w.event.id or 0, from_org_id=w.a.id or 0, to_org_id=w.b.id or 0
    )
    b_to_a = MeetingRequest(
        event_id=w.event.id or 0, from_org_id=w.b.id or 0, to_org_id=w.a.id or 0
    )
    db.add_all([a_to_b, b_to_a])
    db.commit()
    meeting = svc.accept(db, a_to_b.id or 0, w.b_user, now=NOW)
    db.commit()
    db.refresh(b_to_a)
    assert meeting.weight == 3
    assert b_to_a.status is RequestStatus.accepted


# --- accepting, declining, withdrawing, expiring --------------------------------------


@pytest.mark.parametrize(("priority", "weight"), [("must", 2), ("would_like", 1)])
def test_accept_creates_ordered_meeting_hosted_by_receiver(
    db: Session, priority: str, weight: int
) -> None:
    w = make_world(db, allowed_pairs={"investor": ["startup"], "startup": ["investor"]})
    request = ask(db, w, w.b, w.a, priority=priority)
    meeting = svc.accept(db, request.id or 0, w.a_user, now=NOW)
    db.commit()
    db.refresh(request)
    assert request.status is RequestStatus.accepted
    assert request.answered_at == NOW
    assert meeting.org_a_id < meeting.org_b_id
    assert {meeting.org_a_id, meeting.org_b_id} == {w.a.id, w.b.id}
    assert meeting.host_org_id == w.a.id
    assert meeting.weight == weight
    assert meeting.request_id == request.id
    assert [n.subject for n in notes_for(db, w.b_user)][-1] == (
        "Công ty Khởi nghiệp Mekong Agritech đã chấp nhận yêu cầu gặp của bạn"
    )


def test_accept_rechecks_the_rules_after_a_kind_change(db: Session) -> None:
    w = make_world(db, allowed_pairs={"startup": ["investor"], "tech_firm": ["startup"]})
    request = ask(db, w, w.a, w.b)
    db.commit()
    # The requester's kind changed since it asked: a startup may meet an investor,
    # a tech firm may not.
    w.a.kind = OrgKind.tech_firm
    db.add(w.a)
    db.commit()

    with pytest.raises(DomainError) as refused:
        svc.accept(db, request.id or 0, w.b_user, now=NOW)
    db.rollback()

    assert refused.value.message == (
        "The organisers' rules do not allow a meeting between these kinds of organisation."
    )
    db.refresh(request)
    assert request.status is RequestStatus.pending
    assert count(db, Meeting) == 0


def test_accept_twice_conflicts_and_keeps_one_meeting(db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    svc.accept(db, request.id or 0, w.b_user, now=NOW)
    db.commit()
    with pytest.raises(Conflict) as caught:
        svc.accept(db, request.id or 0, w.b_user, now=NOW)
    assert caught.value.message == "This request has already been accepted."
    db.rollback()
    assert count(db, Meeting) == 1


def test_accept_when_host_is_at_meeting_limit_is_refused(db: Session) -> None:
    w = make_world(db, max_meetings=1)
    first = ask(db, w, w.a, w.b)
    d = make_org(db, w.event, "Khởi nghiệp Sen Vàng", OrgKind.startup)
    _, d_user = make_participant(db, d, "Võ Thị Em")
    second = svc.create_request(db, w.event, d, w.b.id, "Xin chào", "must", d_user, now=NOW)
    svc.accept(db, first.id or 0, w.b_user, now=NOW)
    with pytest.raises(DomainError) as caught:
        svc.accept(db, second.id or 0, w.b_user, now=NOW)
    assert caught.value.params == {"limit": 1}
    db.rollback()


def test_accept_reactivates_a_cancelled_meeting_of_the_pair(db: Session) -> None:
    w = make_world(db)
    meeting = svc.accept(db, ask(db, w, w.a, w.b).id or 0, w.b_user, now=NOW)
    meeting.status = MeetingStatus.cancelled
    db.add(meeting)
    db.commit()
    again = ask(db, w, w.b, w.a, priority="must", now=NOW + timedelta(hours=1))
    reactivated = svc.accept(db, again.id or 0, w.a_user, now=NOW + timedelta(hours=2))
    db.commit()
    assert reactivated.id == meeting.id
    assert reactivated.status is MeetingStatus.accepted
    assert (reactivated.request_id, reactivated.weight, reactivated.sequence) == (again.id, 2, 1)
    assert reactivated.host_org_id == w.a.id


def test_decline_with_reason_tells_requester(db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    svc.decline(db, request.id or 0, w.b_user, "  Chúng tôi chỉ đầu tư vòng A.  ", now=NOW)
    db.commit()
    assert request.status is RequestStatus.declined
    assert request.decline_reason == "Chúng tôi chỉ đầu tư vòng A."
    assert count(db, Meeting) == 0
    [note] = notes_for(db, w.a_user)
    assert note.subject == "Quỹ Đầu tư Sáng tạo Cần Thơ đã từ chối yêu cầu gặp của bạn"
    assert "Chúng tôi chỉ đầu tư vòng A." in note.body


def test_decline_with_oversized_reason_changes_nothing(db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    db.commit()
    with pytest.raises(DomainError) as caught:
        svc.decline(db, request.id or 0, w.b_user, "x" * 501, now=NOW)
    assert caught.value.field == "reason"
    db.rollback()
    assert db.get(MeetingRequest, request.id).status is RequestStatus.pending  # type: ignore[union-attr]


def test_withdraw_pending_request_tells_host(db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    svc.withdraw(db, request.id or 0, w.a_user, now=NOW)
    db.commit()
    assert request.status is RequestStatus.withdrawn
    assert [n.subject for n in notes_for(db, w.b_user)][-1] == (
        "Công ty Khởi nghiệp Mekong Agritech đã rút lại yêu cầu gặp"
    )
    with pytest.raises(Conflict):
        svc.accept(db, request.id or 0, w.b_user, now=NOW)


def test_withdraw_accepted_request_is_refused_and_meeting_stays(db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    svc.accept(db, request.id or 0, w.b_user, now=NOW)
    db.commit()
    with pytest.raises(Conflict) as caught:
        svc.withdraw(db, request.id or 0, w.a_user, now=NOW)
    assert caught.value.message.startswith("Only a request that is still waiting")
    db.rollback()
    assert db.exec(select(Meeting.status)).all() == [MeetingStatus.accepted]


def test_expire_requests_marks_overdue_requests_and_tells_requester(db: Session) -> None:
    w = make_world(db, request_expiry_hours=72)
    overdue = ask(db, w, w.a, w.b)
    fresh = ask(db, w, w.a, w.c, now=NOW + timedelta(hours=10))
    db.commit()
    assert svc.expire_requests(db, NOW + timedelta(hours=71)) == 0
    assert svc.expire_requests(db, NOW + timedelta(hours=72)) == 1
    db.commit()
    assert (overdue.status, fresh.status) == (RequestStatus.expired, RequestStatus.pending)
    assert [n.subject for n in notes_for(db, w.a_user)] == [
        "Yêu cầu gặp của bạn tới Quỹ Đầu tư Sáng tạo Cần Thơ đã hết hạn"
    ]
    assert svc.expire_requests(db, NOW + timedelta(hours=100)) == 1
    assert svc.expire_requests(db, NOW + timedelta(hours=200)) == 0


def test_accept_after_expiry_time_is_refused(db: Session) -> None:
    w = make_world(db, request_expiry_hours=1)
    request = ask(db, w, w.a, w.b)
    with pytest.raises(Conflict) as caught:
        svc.accept(db, request.id or 0, w.b_user, now=NOW + timedelta(hours=2))
    assert caught.value.message == "This request has expired."


# --- who may act -----------------------------------------------------------------------


def test_outsider_cannot_accept_decline_withdraw_or_see(db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    db.commit()
    rid = request.id or 0
    for action in (
        lambda: svc.accept(db, rid, w.c_user, now=NOW),
        lambda: svc.decline(db, rid, w.c_user, now=NOW),
        lambda: svc.withdraw(db, rid, w.c_user, now=NOW),
        lambda: svc.get_visible(db, w.c_user, rid),
    ):
        with pytest.raises(NotFound):
            action()
    assert db.get(MeetingRequest, rid).status is RequestStatus.pending  # type: ignore[union-attr]


def test_requester_cannot_accept_and_host_cannot_withdraw(db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    with pytest.raises(NotFound):
        svc.accept(db, request.id or 0, w.a_user, now=NOW)
    with pytest.raises(NotFound):
        svc.decline(db, request.id or 0, w.a_user, now=NOW)
    with pytest.raises(NotFound):
        svc.withdraw(db, request.id or 0, w.b_user, now=NOW)


def test_organiser_account_has_no_organisation(db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    organiser = make_organiser(db)
    with pytest.raises(NotFound):
        svc.accept(db, request.id or 0, organiser, now=NOW)


# --- concurrency -------------------------------------------------------------------------


def run_together(engine: Engine, *actions: Any) -> list[str]:
    """Run each action(session) in its own thread and session at the same moment;
    each commits on success. Returns "ok" or the error class name per action."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def worker(i: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                actions[i](session)
                session.commit()
                outcomes[i] = "ok"
            except Exception as exc:
                session.rollback()
                outcomes[i] = type(exc).__name__

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_threads_accepting_the_same_request_make_one_meeting(
    db: Session, engine: Engine
) -> None:
    w = make_world(db)
    make_participant(db, w.b, "Đặng Văn Phúc")
    request = ask(db, w, w.a, w.b)
    db.commit()
    rid = request.id or 0
    outcomes = run_together(
        engine,
        lambda s: svc.accept(s, rid, s.get(Account, w.b_user.id), now=NOW),
        lambda s: svc.accept(s, rid, s.get(Account, w.b_user.id), now=NOW),
    )
    assert sorted(outcomes) == ["Conflict", "ok"]
    assert count(db, Meeting) == 1
    assert count(db, Notification, Notification.account_id == w.a_user.id) == 1


def test_accept_racing_withdraw_leaves_one_consistent_outcome(db: Session, engine: Engine) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    db.commit()
    rid = request.id or 0
    outcomes = run_together(
        engine,
        lambda s: svc.accept(s, rid, s.get(Account, w.b_user.id), now=NOW),
        lambda s: svc.withdraw(s, rid, s.get(Account, w.a_user.id), now=NOW),
    )
    assert sorted(outcomes) == ["Conflict", "ok"]
    db.refresh(request)
    meetings = count(db, Meeting)
    if request.status is RequestStatus.accepted:
        assert (outcomes, meetings) == (["ok", "Conflict"], 1)
    else:
        assert (request.status, outcomes, meetings) == (
            RequestStatus.withdrawn,
            ["Conflict", "ok"],
            0,
        )


def test_both_sides_accepting_crossed_requests_make_one_meeting(
    db: Session, engine: Engine
) -> None:
    w = make_world(db)
    a_to_b = MeetingRequest(
        event_id=w.event.id or 0, from_org_id=w.a.id or 0, to_org_id=w.b.id or 0
    )
    b_to_a = MeetingRequest(
        event_id=w.event.id or 0, from_org_id=w.b.id or 0, to_org_id=w.a.id or 0
    )
    db.add_all([a_to_b, b_to_a])
    db.commit()
    outcomes = run_together(
        engine,
        lambda s: svc.accept(s, a_to_b.id or 0, s.get(Account, w.b_user.id), now=NOW),
        lambda s: svc.accept(s, b_to_a.id or 0, s.get(Account, w.a_user.id), now=NOW),
    )
    assert sorted(outcomes) == ["Conflict", "ok"]
    assert db.exec(select(Meeting.weight)).all() == [3]
    assert count(db, MeetingRequest, MeetingRequest.status == RequestStatus.accepted) == 2


# --- web pages ---------------------------------------------------------------------------


def test_request_form_shows_target_and_fields(client: TestClient, db: Session) -> None:
    w = make_world(db)
    sign_in_as(client, w.a_user, db)
    response = client.get(f"/requests/new?to={w.b.id}")
    assert response.status_code == 200
    assert "Quỹ Đầu tư Sáng tạo Cần Thơ" in response.text
    assert 'name="message"' in response.text
    assert 'value="must"' in response.text


def test_request_form_for_unknown_organisation_is_404(client: TestClient, db: Session) -> None:
    w = make_world(db)
    sign_in_as(client, w.a_user, db)
    for target in ("999999", "abc", ""):
        response = client.get(f"/requests/new?to={target}")
        assert response.status_code == 404
        assert "Không tìm thấy tổ chức này." in response.text


def test_request_form_explains_rule_that_blocks_request(client: TestClient, db: Session) -> None:
    w = make_world(db, allowed_pairs={"startup": ["investor"]})
    sign_in_as(client, w.c_user, db)
    response = client.get(f"/requests/new?to={w.a.id}")
    assert response.status_code == 200
    assert "Quy định của ban tổ chức không cho phép" in response.text
    assert 'name="message"' not in response.text


def test_request_submit_creates_request_and_redirects(client: TestClient, db: Session) -> None:
    w = make_world(db)
    sign_in_as(client, w.a_user, db)
    response = post_form(
        client,
        "/requests/new",
        {"to": str(w.b.id), "message": "Xin gặp để trao đổi.", "priority": "must"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/requests?box=outgoing&done=sent"
    [row] = db.exec(select(MeetingRequest)).all()
    assert (row.from_org_id, row.to_org_id, row.priority) == (w.a.id, w.b.id, Priority.must)
    page = client.get(response.headers["location"])
    assert "Yêu cầu của bạn đã được gửi." in page.text
    assert "Quỹ Đầu tư Sáng tạo Cần Thơ" in page.text


def test_request_form_explains_the_priorities_and_the_requests_left(
    client: TestClient, db: Session
) -> None:
    w = make_world(db, max_open_requests=3)
    ask(db, w, w.a, w.c, now=RECENT)
    db.commit()
    sign_in_as(client, w.a_user, db)
    form = client.get(f"/requests/new?to={w.b.id}").text
    assert "được tính gấp đôi" in form
    assert "Bạn còn có thể gửi 2 yêu cầu nữa" in form


def test_a_request_for_a_named_representative_makes_them_required_at_the_meeting(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    wanted, _ = make_participant(db, w.b, "Phạm Minh Châu")
    db.commit()
    sign_in_as(client, w.a_user, db)
    form = client.get(f"/requests/new?to={w.b.id}").text
    assert 'name="person"' in form and "Phạm Minh Châu" in form
    response = post_form(
        client,
        "/requests/new",
        {"to": str(w.b.id), "message": "Xin gặp chị Châu.", "priority": "must",
         "person": str(wanted.id)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    [row] = db.exec(select(MeetingRequest)).all()
    assert row.to_participant_id == wanted.id
    meeting = svc.accept(db, row.id or 0, w.b_user, now=RECENT)
    db.commit()
    assert meeting.required_person_id == wanted.id


def test_a_request_for_someone_of_another_organisation_is_refused_by_the_field(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    make_participant(db, w.b, "Phạm Minh Châu")
    outsider, _ = make_participant(db, w.c, "Võ Thị Dung")
    db.commit()
    sign_in_as(client, w.a_user, db)
    for value in (str(outsider.id), "abc", "-1"):
        response = post_form(
            client,
            "/requests/new",
            {"to": str(w.b.id), "message": "Xin chào", "priority": "must", "person": value},
        )
        assert response.status_code == 400
        assert 'id="person-error"' in response.text
        assert "Hãy chọn một trong những người đại diện của tổ chức này." in response.text
    assert count(db, MeetingRequest) == 0


@pytest.mark.parametrize(
    ("message", "priority", "expected"),
    [
        ("", "must", "Hãy viết vài dòng"),
        ("x" * 1500, "must", "Lời nhắn chỉ được dài tối đa 1000 ký tự (hiện có 1500)."),
        ("Xin chào", "urgent", "Hãy chọn mức độ ưu tiên."),
    ],
)
def test_request_submit_with_bad_input_shows_error_and_changes_nothing(
    client: TestClient, db: Session, message: str, priority: str, expected: str
) -> None:
    w = make_world(db)
    sign_in_as(client, w.a_user, db)
    response = post_form(
        client, "/requests/new", {"to": str(w.b.id), "message": message, "priority": priority}
    )
    assert response.status_code == 400
    assert expected in response.text
    assert 'class="error"' in response.text
    assert count(db, MeetingRequest) == 0
    assert count(db, Notification) == 0


def test_request_submit_to_oneself_shows_message_and_changes_nothing(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    sign_in_as(client, w.a_user, db)
    response = post_form(
        client, "/requests/new", {"to": str(w.a.id), "message": "Xin chào", "priority": "must"}
    )
    assert response.status_code == 400
    assert "Bạn không thể yêu cầu gặp chính tổ chức của mình." in response.text
    assert count(db, MeetingRequest) == 0


def test_request_submit_to_unknown_organisation_is_404(client: TestClient, db: Session) -> None:
    w = make_world(db)
    sign_in_as(client, w.a_user, db)
    response = post_form(
        client, "/requests/new", {"to": "424242", "message": "Xin chào", "priority": "must"}
    )
    assert response.status_code == 404
    assert count(db, MeetingRequest) == 0


def test_request_lists_show_counts_and_filter_by_status(client: TestClient, db: Session) -> None:
    w = make_world(db)
    ask(db, w, w.a, w.b, now=RECENT)
    d = make_org(db, w.event, "HTX Khóm Cầu Đúc", OrgKind.ocop)
    _, d_user = make_participant(db, d, "Huỳnh Văn Khóm")
    declined = svc.create_request(db, w.event, d, w.b.id, "Xin chào", "must", d_user, now=RECENT)
    svc.decline(db, declined.id or 0, w.b_user, now=RECENT)
    db.commit()
    sign_in_as(client, w.b_user, db)
    page = client.get("/requests")
    assert page.status_code == 200
    assert "Công ty Khởi nghiệp Mekong Agritech" in page.text
    assert "HTX Khóm Cầu Đúc" in page.text
    assert 'id="nav-requests-badge" class="count-badge">1<' in page.text
    pending_only = client.get("/requests?box=incoming&status=pending")
    assert "Công ty Khởi nghiệp Mekong Agritech" in pending_only.text
    assert "HTX Khóm Cầu Đúc" not in pending_only.text
    partial = client.get(
        "/requests?box=incoming&status=declined",
        headers={"hx-request": "true", "hx-target": "request-list"},
    )
    assert partial.text.lstrip().startswith('<section id="request-list"')
    assert "HTX Khóm Cầu Đúc" in partial.text
    assert "Mekong Agritech" not in partial.text
    outgoing = client.get("/requests?box=outgoing")
    assert "Bạn chưa yêu cầu cuộc gặp nào." in outgoing.text


def test_htmx_accept_returns_row_partial(client: TestClient, db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b, now=RECENT)
    db.commit()
    sign_in_as(client, w.b_user, db)
    response = post_form(
        client, f"/requests/{request.id}/accept", {}, headers={"hx-request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="request-{request.id}"')
    assert "<html" not in response.text
    assert "Đã chấp nhận" in response.text
    assert 'id="nav-requests-badge" class="count-badge" hx-swap-oob="true" hidden' in response.text
    assert count(db, Meeting) == 1


def test_htmx_accept_of_answered_request_shows_error_in_row(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b, now=RECENT)
    svc.withdraw(db, request.id or 0, w.a_user, now=RECENT)
    db.commit()
    sign_in_as(client, w.b_user, db)
    response = post_form(
        client, f"/requests/{request.id}/accept", {}, headers={"hx-request": "true"}
    )
    assert response.status_code == 200
    assert "Yêu cầu này đã được rút lại." in response.text
    assert count(db, Meeting) == 0


def test_plain_decline_with_reason_redirects_to_list(client: TestClient, db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b, now=RECENT)
    db.commit()
    sign_in_as(client, w.b_user, db)
    response = post_form(
        client,
        f"/requests/{request.id}/decline",
        {"reason": "Lịch đã kín.", "next": "/requests?box=incoming&status=pending"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/requests?box=incoming&status=pending"
    db.refresh(request)
    assert (request.status, request.decline_reason) == (RequestStatus.declined, "Lịch đã kín.")


def test_plain_withdraw_of_accepted_request_redirects_with_the_refusal(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b, now=RECENT)
    svc.accept(db, request.id or 0, w.b_user, now=RECENT)
    db.commit()
    sign_in_as(client, w.a_user, db)
    response = post_form(client, f"/requests/{request.id}/withdraw", {}, follow_redirects=False)
    shown = client.get(response.headers["location"])
    assert response.status_code == 303
    assert response.headers["location"].startswith("/requests?box=outgoing&flash=")
    assert shown.status_code == 200
    assert (
        '<p class="error-box" role="alert">Chỉ có thể rút lại yêu cầu đang chờ trả lời.</p>'
        in shown.text
    )
    db.refresh(request)
    assert request.status is RequestStatus.accepted


def test_outsider_gets_404_for_every_request_url(client: TestClient, db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b, now=RECENT)
    db.commit()
    sign_in_as(client, w.c_user, db)
    assert client.get(f"/requests/{request.id}").status_code == 404
    for action in ("accept", "decline", "withdraw"):
        for headers in ({}, {"hx-request": "true"}):
            response = post_form(client, f"/requests/{request.id}/{action}", {}, headers=headers)
            assert response.status_code == 404, (action, headers)
    listing = client.get("/requests?box=incoming")
    assert "Mekong Agritech" not in listing.text
    db.refresh(request)
    assert request.status is RequestStatus.pending
    assert count(db, Meeting) == 0


def test_parties_can_open_the_request_page(client: TestClient, db: Session) -> None:
    w = make_world(db)
    request = ask(db, w, w.a, w.b, now=RECENT)
    db.commit()
    sign_in_as(client, w.b_user, db)
    response = client.get(f"/requests/{request.id}")
    assert response.status_code == 200
    assert "Yêu cầu từ Công ty Khởi nghiệp Mekong Agritech" in response.text


def test_requests_pages_need_a_participant(client: TestClient, db: Session) -> None:
    make_world(db)
    assert client.get("/requests", follow_redirects=False).status_code in (302, 303, 307)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    assert client.get("/requests").status_code == 403
    assert post_form(client, "/requests/1/accept", {}).status_code == 403


def test_list_page_expires_overdue_requests(client: TestClient, db: Session) -> None:
    w = make_world(db, request_expiry_hours=1)
    long_ago = datetime.now(UTC) - timedelta(hours=5)
    request = ask(db, w, w.a, w.b, now=long_ago)
    db.commit()
    sign_in_as(client, w.a_user, db)
    page = client.get("/requests?box=outgoing")
    assert "Hết hạn" in page.text
    db.refresh(request)
    assert request.status is RequestStatus.expired


def test_cli_expire_requests_expires_overdue_requests(
    db: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = make_world(db, request_expiry_hours=1)
    fresh = ask(db, w, w.a, w.c, now=RECENT)
    overdue = ask(db, w, w.a, w.b, now=RECENT - timedelta(hours=3))
    db.commit()
    bind = db.get_bind()
    assert isinstance(bind, Engine)
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", bind.url.render_as_string(hide_password=False))
    assert cli_main(["expire-requests"]) == 0
    assert capsys.readouterr().out.strip() == "1 meeting request(s) expired"
    db.expire_all()
    assert (overdue.status, fresh.status) == (RequestStatus.expired, RequestStatus.pending)


def test_accept_while_another_writer_adds_the_pair_meeting_conflicts(
    db: Session, engine: Engine
) -> None:
    """The unique pair constraint is the last guard: a meeting of the pair written by
    someone else (not committed yet when accept starts) turns accept into Conflict."""
    w = make_world(db)
    request = ask(db, w, w.a, w.b)
    db.commit()
    a, b = sorted((w.a.id or 0, w.b.id or 0))
    written = threading.Event()

    def other_writer(session: Session) -> None:
        session.add(Meeting(event_id=w.event.id or 0, org_a_id=a, org_b_id=b, weight=1))
        session.flush()
        written.set()
        threading.Event().wait(0.5)  # let accept start while this is uncommitted

    def accept(session: Session) -> None:
        written.wait(10)
        svc.accept(session, request.id or 0, session.get(Account, w.b_user.id), now=NOW)

    assert run_together(engine, other_writer, accept) == ["ok", "Conflict"]
    assert count(db, Meeting) == 1
    db.refresh(request)
    assert request.status is RequestStatus.pending


def test_status_counts_per_organisation_and_event(db: Session) -> None:
    w = make_world(db)
    svc.decline(db, ask(db, w, w.a, w.b).id or 0, w.b_user, now=NOW)
    ask(db, w, w.a, w.c)
    incoming_b = svc.status_counts(db, w.b, incoming=True)
    outgoing_a = svc.status_counts(db, w.a, incoming=False)
    everything = svc.event_status_counts(db, w.event)
    assert incoming_b == {**dict.fromkeys(RequestStatus, 0), RequestStatus.declined: 1}
    assert outgoing_a[RequestStatus.pending] == outgoing_a[RequestStatus.declined] == 1
    assert sum(everything.values()) == 2


def test_box_counts_are_both_boxes_status_counts(db: Session) -> None:
    w = make_world(db)
    svc.decline(db, ask(db, w, w.a, w.b).id or 0, w.b_user, now=NOW)
    ask(db, w, w.c, w.a)

    boxes = svc.box_counts(db, w.a)

    none = dict.fromkeys(RequestStatus, 0)
    assert boxes["outgoing"] == {**none, RequestStatus.declined: 1}
    assert boxes["incoming"] == {**none, RequestStatus.pending: 1}
    assert boxes["incoming"] == svc.status_counts(db, w.a, incoming=True)
