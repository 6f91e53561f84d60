"""Event days in the browser: a slot is freed (a meeting cancelled), a startup asks two
investors for it on site, both accept at the same moment and exactly one meeting is
booked; after it, the startup rates it from its agenda. The app's clock is stopped on
the first morning of the demo event, then moved past the meeting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from matchmaker import changes, clock, i18n, onsite
from matchmaker import requests as svc
from matchmaker.db import session_scope
from matchmaker.errors import DomainError
from matchmaker.models import (
    Account,
    Event,
    Feedback,
    Meeting,
    MeetingStatus,
    Organisation,
    OrgKind,
    Participant,
    ScheduleVersion,
)
from tests.e2e.conftest import DESKTOP, serve_demo
from tests.e2e.helpers import LiveServer, shot, sign_in_as_participant

_ = i18n.translations("vi").gettext
# 06:00 in Vị Thanh on the first day (18 May 2023): the day's slots are all ahead.
FIRST_MORNING = datetime(2023, 5, 17, 23, 0, tzinfo=UTC)
SENT = (
    "Your request for that time has been sent. When it is accepted, the meeting is booked at once."
)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Its own server: this module publishes a schedule and stops the clock."""
    clock.set_now(FIRST_MORNING)
    try:
        with serve_demo(tmp_path_factory.mktemp("e2e-days") / "var") as server:
            yield server
    finally:
        clock.set_now(None)


@dataclass(frozen=True)
class Scene:
    slot_id: int
    slot_end: datetime
    startup_account: int
    startup_person: str
    hosts: list[tuple[int, int]]  # (person id, account id) of the two investors


def _arrange(live_server: LiveServer) -> Scene:
    """A published schedule, a startup person and two investor people free at one slot
    of the first day, and a meeting of the startup at that slot cancelled (the freed
    slot)."""
    with session_scope(live_server.engine) as db:
        event = db.get(Event, live_server.event_id)
        assert event is not None
        db.add(ScheduleVersion(event_id=event.id or 0, number=1, kind="final"))
        db.flush()
        people = db.exec(
            select(Participant, Organisation, Account)
            .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
            .join(Account, col(Account.participant_id) == col(Participant.id))
            .where(Organisation.event_id == event.id)
            .order_by(col(Participant.id))
        ).all()
        investors = [(p, o, a) for p, o, a in people if o.kind is OrgKind.investor]
        for person, startup, account in (r for r in people if r[1].kind is OrgKind.startup):
            fits = []
            for host, org, host_account in investors:
                try:
                    if svc.check_request(db, event, startup, org) is not None:
                        continue
                except DomainError:
                    continue
                free = onsite.common_free_slots(db, event, person, host, limit=3)
                if free:
                    fits.append((host, org, host_account, free[0].slot))
            same = [f for f in fits if f[3].id == fits[0][3].id] if fits else []
            if len(same) >= 2:
                slot = same[0][3]
                third = next(
                    o for _, o, _ in investors if o.id not in (same[0][1].id, same[1][1].id)
                )
                low, high = sorted((startup.id or 0, third.id or 0))
                freed = Meeting(
                    event_id=event.id or 0, org_a_id=low, org_b_id=high,
                    status=MeetingStatus.scheduled, slot_id=slot.id, locked=True,
                )  # fmt: skip
                db.add(freed)
                db.flush()
                organiser = db.exec(
                    select(Account).where(Account.email == live_server.organiser_email)
                ).one()
                changes.cancel(db, event, freed.id or 0, organiser, "Không đến được")
                return Scene(
                    slot_id=slot.id or 0,
                    slot_end=slot.end.replace(tzinfo=UTC),
                    startup_account=account.id or 0,
                    startup_person=person.full_name,
                    hosts=[(h.id or 0, a.id or 0) for h, _, a, _ in same[:2]],
                )
    raise AssertionError("the demo event has no startup free with two investors at once")


def _ask_both(page: Page, live_server: LiveServer, scene: Scene) -> None:
    """The startup asks each investor's person for the freed slot through the form."""
    (first_person, _first), (second_person, _second) = scene.hosts
    # The startup finds the first investor's person free at the freed slot and asks.
    sign_in_as_participant(page, live_server, scene.startup_account)
    page.goto(f"/me/on-site/new?person={first_person}&slot={scene.slot_id}")
    expect(page.locator(f'input[name="slot"][value="{scene.slot_id}"]')).to_be_checked()
    page.fill("#message", "Chúng tôi ở khu B2B, xin gặp anh chị 20 phút.")
    with page.expect_navigation():
        page.get_by_role("button", name=_("Send the request")).click()
    expect(page.locator("main .notice")).to_contain_text(_(SENT))
    # ... and the second investor's for the same time, through the same form.
    page.goto(f"/me/on-site/new?person={second_person}&slot={scene.slot_id}")
    with page.expect_navigation():
        page.get_by_role("button", name=_("Send the request")).click()
    shot(page, "event-days-requests-sent")


def _rate(page: Page, scene: Scene) -> None:
    """After the meeting, the startup rates it from its agenda."""
    clock.set_now(scene.slot_end + timedelta(minutes=5))
    try:
        page.goto("/me/agenda")
        with page.expect_navigation():
            page.get_by_role("link", name=_("Rate this meeting")).first.click()
        page.get_by_label("5 – " + _("Excellent")).check()
        page.get_by_label(_("We plan to follow up")).check()
        page.fill("#comment", "Hai bên sẽ thử nghiệm phần mềm truy xuất nguồn gốc.")
        with page.expect_navigation():
            page.get_by_role("button", name=_("Save the feedback")).click()
        expect(page.locator("main .notice")).to_contain_text(
            _("Thank you: your feedback has been saved. You can change it here at any time.")
        )
        shot(page, "event-days-feedback")
    finally:
        clock.set_now(FIRST_MORNING)


def test_two_hosts_accept_the_freed_slot_at_once_and_one_meeting_is_booked(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    scene = _arrange(live_server)

    _ask_both(page, live_server, scene)

    hosts: list[Page] = []
    for _person, account in scene.hosts:
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="vi-VN")
        host = context.new_page()
        sign_in_as_participant(host, live_server, account)
        host.goto("/requests?box=incoming&status=pending")
        expect(host.locator(".onsite-slot").first).to_be_visible()
        hosts.append(host)
    # Both press "Accept" at the same moment: the two requests reach the server together.
    for host in hosts:
        host.locator(".request-row", has=host.locator(".onsite-slot")).first.get_by_role(
            "button", name=_("Accept")
        ).click(no_wait_after=True)
    booked = _("Booked – in your agenda")
    refused = _("%(person)s already has a meeting at that time.") % {"person": scene.startup_person}
    outcomes = []
    for host in hosts:
        row = host.locator(".request-row", has=host.locator(".onsite-slot")).first
        expect(row.locator(".request-actions")).to_contain_text(
            re.compile(f"{re.escape(booked)}|{re.escape(refused)}")
        )
        outcomes.append(booked if booked in row.inner_text() else refused)
    shot(hosts[0], "event-days-host-one")
    shot(hosts[1], "event-days-host-two")
    assert sorted(outcomes) == sorted([booked, refused])
    with live_server.session() as db:
        live = db.exec(
            select(Meeting).where(
                Meeting.slot_id == scene.slot_id, Meeting.status == MeetingStatus.scheduled
            )
        ).all()
    host_people = {person for person, _account in scene.hosts}
    mine = [m for m in live if {m.person_a_id, m.person_b_id} & host_people]
    assert len(mine) == 1

    _rate(page, scene)
    with live_server.session() as db:
        row = db.exec(select(Feedback).where(Feedback.meeting_id == mine[0].id)).one()
    assert (row.rating, row.follow_up) == (5, True)
    for host in hosts:
        host.context.close()
