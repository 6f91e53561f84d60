"""The to-do home pages: a participant's "what to do next" (requests answered inline,
slots to confirm with accept-all, their own meetings, what the profile lacks, the answer
deadline) and the organisers' "needs your attention", through the services and HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlmodel import Session, col, select

from matchmaker import todo
from matchmaker.clock import utcnow
from matchmaker.models import (
    Account,
    AuditLog,
    Event,
    HostConfirmation,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Notification,
    Organisation,
    Participant,
    RequestStatus,
    ScheduleVersion,
    Slot,
)
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant


@dataclass
class World:
    event: Event
    investor: Organisation  # two representatives, hosts the meetings
    anh: Participant
    anh_account: Account
    binh: Participant
    binh_account: Account
    startups: list[Organisation]
    requests: list[MeetingRequest]  # four pending requests to the investor, oldest first
    meetings: list[Meeting]  # investor-startup 0 (Anh, 08:00 day 1), -startup 1 (Bình, 08:20)
    organiser: Account


@pytest.fixture
def world(db: Session) -> World:
    event = make_event(db, slots_per_session=3)
    investor = make_org(db, event, "Quỹ Đầu tư Mekong", description="Quỹ đầu tư hạt giống")
    anh, anh_account = make_participant(db, investor, "Trần Thị Anh")
    binh, binh_account = make_participant(db, investor, "Lê Văn Bình")
    startups = []
    for name in ("Startup Lúa Xanh", "HTX Khóm Cầu Đúc", "Công ty Số Vị Thanh", "Nông Sản Số"):
        org = make_org(db, event, name, description="x", offers=["x"], seeks=["y"], sectors=["z"])
        make_participant(db, org, f"Đại diện {name}")
        startups.append(org)
    now = utcnow()
    requests = []
    for i, org in enumerate(startups):
        request = MeetingRequest(
            event_id=event.id or 0,
            from_org_id=org.id or 0,
            to_org_id=investor.id or 0,
            message=f"Xin gặp {i}",
            created_at=now - timedelta(hours=10 - i),
            expires_at=now + timedelta(hours=5 + i),
        )
        db.add(request)
        requests.append(request)
    slots = db.exec(select(Slot).order_by(col(Slot.position))).all()
    meetings = []
    for i, person in enumerate((anh, binh)):
        m = make_meeting(db, event, startups[i], investor, status=MeetingStatus.scheduled)
        m.slot_id = slots[i].id
        if m.org_a_id == investor.id:
            m.person_a_id = person.id
        else:
            m.person_b_id = person.id
        db.add(m)
        meetings.append(m)
    organiser = make_organiser(db)
    db.commit()
    return World(
        event, investor, anh, anh_account, binh, binh_account, startups, requests, meetings,
        organiser,
    )  # fmt: skip


def _draft(db: Session, w: World, deadline: datetime) -> ScheduleVersion:
    """The two meetings released to the hosts as a draft (as ``release_draft`` leaves it)."""
    draft = ScheduleVersion(
        event_id=w.event.id or 0,
        number=1,
        kind="draft",
        host_deadline=deadline,
        assignments={str(m.id): {"slot": m.slot_id, "table": None} for m in w.meetings},
    )
    db.add(draft)
    db.commit()
    return draft


def _publish(db: Session, w: World) -> ScheduleVersion:
    version = ScheduleVersion(
        event_id=w.event.id or 0,
        number=1,
        kind="final",
        assignments={str(m.id): {"slot": m.slot_id, "table": None} for m in w.meetings},
    )
    db.add(version)
    db.commit()
    return version


# --- participants ----------------------------------------------------------------------


def test_home_puts_the_requests_to_answer_first_with_inline_actions(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in_as(client, world.anh_account, db)
    client.cookies.set("mm_lang", "en")
    page = client.get("/me")
    assert page.status_code == 200
    text = page.text
    assert text.index('id="todo"') < text.index('id="home-suggestions"')
    assert "4 meeting requests to answer" in text
    shown = [r for r in world.requests if f'id="request-{r.id}"' in text]
    assert shown == world.requests[:3]  # the oldest three, which expire first
    assert f'action="/requests/{world.requests[0].id}/accept"' in text
    assert 'name="next" value="/me"' in text
    assert "See all 4 waiting requests" in text
    assert "The first one expires" in text


def test_home_accepting_a_request_without_javascript_comes_back_home(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in_as(client, world.anh_account, db)
    first = world.requests[2]  # from an organisation the investor has no meeting with yet
    response = post_form(
        client, f"/requests/{first.id}/accept", {"next": "/me"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    db.refresh(first)
    assert first.status == RequestStatus.accepted
    client.cookies.set("mm_lang", "en")
    assert "3 meeting requests to answer" in client.get("/me").text


def test_home_slots_to_confirm_then_accept_all_after_a_confirmation_step(
    client: TestClient, db: Session, world: World
) -> None:
    _draft(db, world, utcnow() + timedelta(days=1))
    sign_in_as(client, world.binh_account, db)
    client.cookies.set("mm_lang", "en")
    home = client.get("/me").text
    assert "2 proposed slots to confirm" in home
    assert "Answer by" in home
    assert "The deadline for answers has passed" not in home
    assert 'href="/me/confirmations/accept-all"' in home
    step = client.get("/me/confirmations/accept-all")
    assert step.status_code == 200
    assert "You are about to accept 2 proposed slots." in step.text
    assert "Startup Lúa Xanh" in step.text and "HTX Khóm Cầu Đúc" in step.text
    for m in world.meetings:
        db.refresh(m)
        assert m.host_confirmation == HostConfirmation.pending  # nothing accepted by looking
    done = post_form(client, "/me/confirmations/accept-all", {}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/me/confirmations?accepted=2"
    for m in world.meetings:
        db.refresh(m)
        assert m.host_confirmation == HostConfirmation.accepted
    entry = db.exec(select(AuditLog).where(AuditLog.action == "confirmation.accept_all")).one()
    assert entry.account_id == world.binh_account.id
    assert entry.detail == {
        "organisation": world.investor.id,
        "meetings": [m.id for m in sorted(world.meetings, key=lambda m: m.slot_id or 0)],
    }
    again = post_form(client, "/me/confirmations/accept-all", {}, follow_redirects=False)
    assert again.status_code == 303
    assert "flash=" in again.headers["location"]  # "No proposed slot is waiting for your answer."
    assert "proposed slot" not in client.get("/me").text.split('id="todo-meetings"')[0]


def test_home_says_the_deadline_passed_only_after_it(
    client: TestClient, db: Session, world: World
) -> None:
    draft = _draft(db, world, utcnow() + timedelta(minutes=5))
    sign_in_as(client, world.anh_account, db)
    client.cookies.set("mm_lang", "en")
    assert "The deadline for answers has passed" not in client.get("/me").text
    draft.host_deadline = utcnow() - timedelta(seconds=1)
    db.add(draft)
    db.commit()
    home = client.get("/me").text
    assert "The deadline for answers has passed: unanswered slots count as accepted." in home
    assert 'href="/me/confirmations/accept-all"' not in home
    refused = post_form(client, "/me/confirmations/accept-all", {}, follow_redirects=False)
    assert refused.status_code == 303 and "flash=" in refused.headers["location"]
    db.refresh(world.meetings[0])
    assert world.meetings[0].host_confirmation == HostConfirmation.pending


def test_each_representative_sees_their_own_meetings_today(db: Session, world: World) -> None:
    _publish(db, world)
    morning = datetime(2023, 5, 18, 0, 30, tzinfo=UTC)  # 07:30 event time, day 1
    for person, startup in ((world.anh, world.startups[0]), (world.binh, world.startups[1])):
        own = todo.participant_todo(db, world.event, person, world.investor, now=morning)
        assert [item.counterpart.id for item in own.today] == [startup.id]
        assert own.next_meeting is not None and own.next_meeting.counterpart.id == startup.id
    later = todo.participant_todo(
        db, world.event, world.anh, world.investor, now=morning + timedelta(days=2)
    )
    assert later.today == [] and later.next_meeting is None


def test_home_lists_what_the_profile_lacks(client: TestClient, db: Session, world: World) -> None:
    sign_in_as(client, world.anh_account, db)
    client.cookies.set("mm_lang", "en")
    text = client.get("/me").text
    assert "Complete your profile" in text
    assert "What you offer" in text and "What you are looking for" in text
    assert "A description of your organisation" not in text  # it has one
    world.investor.offers_text, world.investor.seeks_text = "Vốn hạt giống", "Nông nghiệp số"
    world.investor.sectors = ["agriculture"]
    db.add(world.investor)
    db.commit()
    assert "Complete your profile" not in client.get("/me").text


# --- organisers --------------------------------------------------------------------------


def test_organiser_home_counts_what_needs_attention(
    client: TestClient, db: Session, world: World
) -> None:
    waiting = make_org(db, world.event, "HTX Mới Đăng Ký", approved=False)
    make_participant(db, waiting, "Người Đăng Ký")
    db.add(Notification(to_email="x@example.vn", subject="s", send_error="550 mailbox unavailable"))
    db.commit()
    sign_in_as(client, world.organiser, db)
    client.cookies.set("mm_lang", "en")
    text = client.get("/organiser").text
    assert 'id="todo-unpublished"' in text
    assert '<span class="count-badge">1</span> organisation waits for your approval' in text
    # Two of the four requests expire within a day... all four do (5 to 8 hours).
    assert '<span class="count-badge">4</span> requests expire within a day unanswered' in text
    assert '<span class="count-badge">1</span> e-mail could not be sent' in text
    assert "550 mailbox unavailable" in text
    assert text.index('id="todo"') < text.index('id="participant-results"')


def test_organiser_home_after_publication_names_zero_meeting_and_changes(
    client: TestClient, db: Session, world: World
) -> None:
    _publish(db, world)
    moved = world.meetings[0]
    moved.slot_id = db.exec(select(Slot).where(Slot.code == "d2-am-01")).one().id
    db.add(moved)
    db.commit()
    sign_in_as(client, world.organiser, db)
    client.cookies.set("mm_lang", "en")
    text = client.get("/organiser").text
    assert 'id="todo-unpublished"' not in text
    assert (
        '<span class="count-badge">2</span> organisations have no meeting in the published' in text
    )
    assert f'href="/organiser/agenda/{world.startups[2].id}"' in text
    assert (
        '<span class="count-badge">1</span> meeting changed since the published version 1' in text
    )


def test_organiser_home_follows_the_hosts_answers(
    client: TestClient, db: Session, world: World
) -> None:
    _draft(db, world, utcnow() + timedelta(days=1))
    sign_in_as(client, world.organiser, db)
    client.cookies.set("mm_lang", "en")
    text = client.get("/organiser").text
    assert "1 host has not confirmed its slots · 2 slots waiting" in text.replace(
        '<span class="count-badge">1</span> ', "1 "
    )
    assert "the deadline has passed" not in text


def test_participants_cannot_open_the_organiser_home(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in_as(client, world.anh_account, db)
    response = client.get("/organiser", follow_redirects=False)
    assert response.status_code in (303, 403)
    assert 'id="todo"' not in response.text
