"""Event days in the browser, from a no-show to the report: three minutes into a
meeting the startup reports that the investor did not come; it asks two other
investors for the rest of that slot on site, both accept at the same moment and exactly
one meeting is booked; after it the startup rates it, and the organiser's report (page
and PDF) counts the rating, the follow-up and the no-show. The app's clock is stopped
where each step needs it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect
from pypdf import PdfReader
from sqlmodel import col, select

from matchmaker import clock, i18n, onsite
from matchmaker import requests as svc
from matchmaker.clock import as_utc
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
from tests.e2e.helpers import LiveServer, shot, sign_in_as_organiser, sign_in_as_participant
from tests.e2e.test_onsite_feedback import FIRST_MORNING, SENT

vi = i18n.translations("vi")
_ = vi.gettext


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Its own server: this module publishes a schedule, stops the clock and counts the
    report's figures from nothing."""
    clock.set_now(FIRST_MORNING)
    try:
        with serve_demo(tmp_path_factory.mktemp("e2e-no-show") / "var") as server:
            yield server
    finally:
        clock.set_now(None)


@dataclass(frozen=True)
class Scene:
    slot_id: int
    slot_start: datetime
    slot_end: datetime
    missed_id: int  # the startup's meeting the investor will not come to
    absent_org: str
    startup_account: int
    startup_person: str
    hosts: list[tuple[int, int]]  # (person id, account id) of the two investors asked


def _arrange(live_server: LiveServer) -> Scene:
    """A published schedule; a startup person and two investor people free at one slot
    of the first day, and the startup's meeting with a third investor at that slot."""
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
        grid = onsite.load_grid(db, event)
        for person, startup, account in (r for r in people if r[1].kind is OrgKind.startup):
            fits = []
            for host, org, host_account in investors:
                try:
                    if svc.check_request(db, event, startup, org) is not None:
                        continue
                except DomainError:
                    continue
                free = onsite.common_free_slots(db, event, person, host, grid=grid, limit=3)
                if free:
                    fits.append((host, org, host_account, free[0].slot))
            same = [f for f in fits if f[3].id == fits[0][3].id] if fits else []
            if len(same) < 2:
                continue
            slot = same[0][3]
            third = next(o for _, o, _ in investors if o.id not in (same[0][1].id, same[1][1].id))
            at = grid.by_id(slot.id or 0)
            assert at is not None
            table = onsite.tables_for(grid, (startup.id or 0, third.id or 0), at)[0]
            low, high = sorted((startup.id or 0, third.id or 0))
            missed = Meeting(
                event_id=event.id or 0, org_a_id=low, org_b_id=high, host_org_id=third.id,
                status=MeetingStatus.scheduled, slot_id=slot.id, table_id=table.id,
                locked=True,
            )  # fmt: skip
            db.add(missed)
            db.flush()
            start, end = as_utc(slot.start), as_utc(slot.end)
            assert start is not None and end is not None
            return Scene(
                slot_id=slot.id or 0,
                slot_start=start,
                slot_end=end,
                missed_id=missed.id or 0,
                absent_org=third.name,
                startup_account=account.id or 0,
                startup_person=person.full_name,
                hosts=[(h.id or 0, a.id or 0) for h, _, a, _ in same[:2]],
            )
    raise AssertionError("the demo event has no startup free with two investors at once")


def _report_no_show(page: Page, scene: Scene) -> None:
    """Three minutes into the meeting the startup says the investor did not come."""
    page.goto("/me/agenda")
    item = page.locator(".agenda-item", has_text=scene.absent_org)
    page.once("dialog", lambda dialog: _confirm(dialog, scene))
    with page.expect_navigation():
        item.get_by_role("button", name=_("The other side did not come")).click()
    expect(item.locator(".agenda-noshow")).to_contain_text(
        _("%(name)s did not come.") % {"name": scene.absent_org}
    )
    shot(page, "no-show-reported")


def _confirm(dialog: Dialog, scene: Scene) -> None:
    assert scene.absent_org in dialog.message
    dialog.accept()


def _ask_both(page: Page, scene: Scene) -> None:
    """The startup asks each investor's person for the rest of the freed slot."""
    for person, _account in scene.hosts:
        page.goto(f"/me/on-site/new?person={person}&slot={scene.slot_id}")
        expect(page.locator(f'input[name="slot"][value="{scene.slot_id}"]')).to_be_checked()
        with page.expect_navigation():
            page.get_by_role("button", name=_("Send the request")).click()
        expect(page.locator("main .notice")).to_contain_text(_(SENT))


def _accept_both_at_once(browser: Browser, live_server: LiveServer, scene: Scene) -> list[Page]:
    """Each investor opens its incoming requests, and both press "Accept" together."""
    hosts: list[Page] = []
    for _person, account in scene.hosts:
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="vi-VN")
        host = context.new_page()
        sign_in_as_participant(host, live_server, account)
        host.goto("/requests?box=incoming&status=pending")
        expect(host.locator(".onsite-slot").first).to_be_visible()
        hosts.append(host)
    for host in hosts:  # the two requests reach the server together
        host.locator(".request-row", has=host.locator(".onsite-slot")).first.get_by_role(
            "button", name=_("Accept")
        ).click(no_wait_after=True)
    return hosts


def _rate(page: Page, meeting_id: int) -> None:
    """After the meeting, the startup rates it from its agenda."""
    page.goto("/me/agenda")
    with page.expect_navigation():
        page.locator(f'a[href="/me/feedback/{meeting_id}"]').click()
    page.get_by_label("4 – " + _("Very good")).check()
    page.get_by_label(_("We plan to follow up")).check()
    page.fill("#comment", "Quỹ sẽ xem hồ sơ gọi vốn vào tuần sau.")
    with page.expect_navigation():
        page.get_by_role("button", name=_("Save the feedback")).click()
    expect(page.locator("main .notice")).to_contain_text(
        _("Thank you: your feedback has been saved. You can change it here at any time.")
    )


def _figures(page: Page) -> dict[str, str]:
    """The report's headline figures, by their label."""
    figures = {}
    for stat in page.locator(".report-figures .stat").all():
        figures[stat.locator(".stat-label").inner_text()] = stat.locator(".stat-value").inner_text()
    return figures


def _bars(page: Page, caption: str) -> dict[str, str]:
    """A one-series chart's rows: label -> the value written beside its bar."""
    figure = page.locator("figure.chart", has=page.get_by_text(caption, exact=True))
    texts = figure.locator("svg text").all_text_contents()  # SVG has no innerText
    return dict(zip(texts[::2], texts[1::2], strict=True))


@dataclass(frozen=True)
class Seen:
    """What the organiser reads in the report."""

    figures: dict[str, str]  # headline figures by label
    ratings: dict[str, str]  # the ratings chart: stars -> answers
    steps: dict[str, str]  # the steps chart: step -> meetings
    pdf_text: str


def _read_report(browser: Browser, live_server: LiveServer) -> Seen:
    """An organiser opens the report: its figures, the ratings and steps charts, and the
    text of its PDF (fetched with the page's cookies)."""
    organiser = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, locale="vi-VN"
    ).new_page()
    sign_in_as_organiser(organiser, live_server)
    organiser.goto("/organiser/report")
    one_rating = vi.ngettext("%(num)s rating", "%(num)s ratings", 1) % {"num": 1}
    seen = Seen(
        figures=_figures(organiser),
        ratings=_bars(organiser, one_rating),
        steps=_bars(organiser, _("Meetings at each step")),
        pdf_text="",
    )
    shot(organiser, "no-show-report")
    pdf = organiser.context.request.get("/organiser/report.pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    organiser.context.close()
    return replace(seen, pdf_text=text)


def test_a_no_show_slot_rebooked_on_site_by_one_of_two_then_rated_and_reported(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    scene = _arrange(live_server)
    sign_in_as_participant(page, live_server, scene.startup_account)
    clock.set_now(scene.slot_start + timedelta(minutes=3))
    try:
        _report_no_show(page, scene)
        _ask_both(page, scene)
        hosts = _accept_both_at_once(browser, live_server, scene)

        booked = _("Booked – in your agenda")
        refused = _("%(person)s already has a meeting at that time.") % {
            "person": scene.startup_person
        }
        outcomes = []
        for host in hosts:
            row = host.locator(".request-row", has=host.locator(".onsite-slot")).first
            expect(row.locator(".request-actions")).to_contain_text(
                re.compile(f"{re.escape(booked)}|{re.escape(refused)}")
            )
            outcomes.append(booked if booked in row.inner_text() else refused)
        shot(hosts[0], "no-show-rebooked-host-one")
        shot(hosts[1], "no-show-rebooked-host-two")
        for host in hosts:
            host.context.close()
    finally:
        clock.set_now(FIRST_MORNING)
    assert sorted(outcomes) == sorted([booked, refused])
    with live_server.session() as db:
        in_slot = db.exec(select(Meeting).where(Meeting.slot_id == scene.slot_id)).all()
        missed = db.get(Meeting, scene.missed_id)
    assert missed is not None and missed.status is MeetingStatus.no_show
    host_people = {person for person, _account in scene.hosts}
    rebooked = [
        m
        for m in in_slot
        if m.status is MeetingStatus.scheduled and {m.person_a_id, m.person_b_id} & host_people
    ]
    assert len(rebooked) == 1
    meeting = rebooked[0]

    clock.set_now(scene.slot_end + timedelta(minutes=5))
    try:
        _rate(page, meeting.id or 0)
        with live_server.session() as db:
            row = db.exec(select(Feedback).where(Feedback.meeting_id == meeting.id)).one()
        assert (row.rating, row.follow_up) == (4, True)

        seen = _read_report(browser, live_server)
    finally:
        clock.set_now(FIRST_MORNING)
    one_rating = vi.ngettext("%(num)s rating", "%(num)s ratings", 1) % {"num": 1}
    # The rating: one answer, four stars, and its follow-up.
    assert seen.figures[_("Average rating")] == "4.0 / 5"
    assert seen.figures[_("Follow-ups planned")] == "1"
    assert seen.ratings == {"★★★★★": "0", "★★★★": "1", "★★★": "0", "★★": "0", "★": "0"}
    # The no-show and the meeting held in its place: half the meetings due were missed.
    assert (seen.steps[_("Held")], seen.steps[_("No-shows")]) == ("1", "1")
    assert seen.figures[_("No-show rate")] == "50 %"
    # The PDF draws the same charts, each with its caption under it.
    for caption in (_("Meetings at each step"), _("Meetings by day"), one_rating):
        assert caption in seen.pdf_text, caption
