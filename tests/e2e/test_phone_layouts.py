"""Phone-first layouts, in headless Chromium at 390 px and 1366 px, in Vietnamese and
English, for a startup and an investor with two representatives: no participant page
sticks out sideways, the menu folds behind a button on the phone and opens and closes,
the directory's filters wait behind "Filters", the first incoming request shows its
sender and its Accept / Decline on the phone's first screen, and the organisers'
navigation fits on one line at 1366 px, its occasional sections behind "More" (which opens
in the phone's menu too). Screenshots: test-artifacts/layout-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import func
from sqlmodel import col, select

from matchmaker import requests as svc
from matchmaker.db import session_scope
from matchmaker.errors import DomainError
from matchmaker.models import (
    Account,
    Event,
    MeetingRequest,
    Organisation,
    OrgKind,
    Participant,
    RequestStatus,
)
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.helpers import (
    LiveServer,
    shot,
    sign_in_as_organiser,
    sign_in_as_participant,
)

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 768}
LOCALES = ("vi", "en")
PAGES = (
    ("home", "/me"),
    ("directory", "/directory"),
    ("directory-search", "/directory?q=dau+tu"),
    ("suggestions", "/me/suggestions"),
    ("requests", "/requests?box=incoming"),
    ("requests-sent", "/requests?box=outgoing"),
    ("agenda", "/me/agenda"),
    ("slots", "/me/confirmations"),
    ("availability", "/me/availability"),
    ("profile", "/me/profile"),
    ("notifications", "/me/notifications"),
)


def _organisations_with(live_server: LiveServer, kind: OrgKind, people: int) -> list[int]:
    with live_server.session() as db:
        rows = db.exec(
            select(Organisation.id)
            .join(Participant, col(Participant.organisation_id) == col(Organisation.id))
            .where(Organisation.event_id == live_server.event_id, Organisation.kind == kind)
            .group_by(col(Organisation.id))
            .having(func.count(col(Participant.id)) == people)
            .order_by(col(Organisation.id))
        ).all()
    return [int(i) for i in rows if i is not None]


def _account_of(live_server: LiveServer, org_id: int) -> int:
    with live_server.session() as db:
        account = db.exec(
            select(Account)
            .join(Participant, col(Account.participant_id) == col(Participant.id))
            .where(Participant.organisation_id == org_id)
            .order_by(col(Participant.id))
        ).first()
    assert account is not None and account.id is not None
    return account.id


def _investor_with_a_pending_request(live_server: LiveServer) -> int:
    """The account of a two-representative investor with an unanswered request (asked
    for it by a startup when none has one)."""
    investors = _organisations_with(live_server, OrgKind.investor, 2)
    assert investors, "the demo event has no investor with two representatives"
    with live_server.session() as db:
        for investor in investors:
            waiting = db.exec(
                select(MeetingRequest.id).where(
                    MeetingRequest.to_org_id == investor,
                    MeetingRequest.status == RequestStatus.pending,
                )
            ).first()
            if waiting is not None:
                return _account_of(live_server, investor)
        event = db.get(Event, live_server.event_id)
        host = db.get(Organisation, investors[0])
        assert event is not None and host is not None
        for startup_id in _organisations_with(live_server, OrgKind.startup, 1):
            startup = db.get(Organisation, startup_id)
            assert startup is not None
            account = db.get(Account, _account_of(live_server, startup_id))
            assert account is not None
            try:
                svc.create_request(
                    db, event, startup, investors[0], "Xin được gặp quỹ.", "must", account
                )
            except DomainError:
                continue
            db.commit()
            return _account_of(live_server, investors[0])
    raise AssertionError("no startup may ask the investor for a meeting")


@pytest.fixture(autouse=True)
def _languages_put_back(live_server: LiveServer) -> Iterator[None]:
    """These tests switch their accounts to English, and an account keeps its language
    for the next sign-in; the package's other tests share the server and read
    Vietnamese, so every account gets its language back afterwards."""
    with live_server.session() as db:
        before = {a.id: a.locale for a in db.exec(select(Account)).all()}
    yield
    with session_scope(live_server.engine) as db:
        for account in db.exec(select(Account)).all():
            if account.id in before and account.locale != before[account.id]:
                account.locale = before[account.id]
                db.add(account)


@contextmanager
def _browser_page(browser: Browser, live_server: LiveServer, size: ViewportSize) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport=size, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _speak(page: Page, locale: str) -> None:
    if page.locator("html").get_attribute("lang") != locale:
        page.locator(f".lang-switch button[value={locale}]").click()
        expect(page.locator("html")).to_have_attribute("lang", locale)


def _fits(page: Page, name: str) -> None:
    """Saved for review; nothing may stick out sideways (no page-level scrolling)."""
    target = shot(page, name)
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{target.name}: {width}px wide on a {inner}px screen"


def _label(size: ViewportSize) -> str:
    return "phone" if size["width"] < 600 else "desktop"


def _check_menu(page: Page, size: ViewportSize) -> None:
    directory_link = page.locator(".nav-links a[href='/directory']")
    if size["width"] >= 600:
        expect(page.locator(".nav-button")).to_be_hidden()
        expect(directory_link).to_be_visible()
        return
    expect(directory_link).to_be_hidden()
    page.locator(".nav-button").click()
    expect(directory_link).to_be_visible()
    expect(page.locator(".nav-end button[type=submit]")).to_be_visible()  # sign out
    page.locator(".nav-button").click()
    expect(directory_link).to_be_hidden()


def _check_directory(page: Page, size: ViewportSize) -> None:
    page.goto("/directory")
    first = page.locator(".org-card").first
    if size["width"] >= 600:
        expect(page.locator(".filters-button")).to_be_hidden()
        expect(page.locator("#f-kind")).to_be_visible()
        return
    expect(page.locator("#dq")).to_be_visible()
    expect(page.locator("#f-kind")).to_be_hidden()
    expect(first.locator("h2")).to_be_in_viewport()
    page.locator(".filters-button").click()
    for field in ("#f-kind", "#f-stage", "#f-sector", "#f-sort"):
        expect(page.locator(field)).to_be_visible()
    page.locator(".filters-button").click()
    expect(page.locator("#f-kind")).to_be_hidden()


def _check_requests(page: Page, size: ViewportSize) -> None:
    page.goto("/requests?box=incoming&status=pending")
    row = page.locator("tr.request-row").first
    sender = row.locator("td").first.locator("a")
    accept = row.locator(".request-actions button[type=submit]").first
    decline = row.locator(".request-actions details.decline summary")
    for part in (sender, accept, decline):
        expect(part).to_be_visible()
        if size["width"] < 600:
            expect(part).to_be_in_viewport()


def _check_availability(page: Page) -> None:
    """Every session's toggle, the afternoon's too, lies within the screen."""
    page.goto("/me/availability")
    expect(page.locator(".avail-toggle").first).to_be_visible()
    outside = page.evaluate(
        "[...document.querySelectorAll('.avail-toggle')].map(e => e.getBoundingClientRect())"
        ".filter(r => r.left < 0 || r.right > window.innerWidth).length"
    )
    assert outside == 0, f"{outside} session toggles stick out of the screen"


def test_participant_pages_fit_the_phone_and_the_desk_in_both_languages(
    browser: Browser, live_server: LiveServer
) -> None:
    startup = _account_of(live_server, _organisations_with(live_server, OrgKind.startup, 1)[0])
    investor = _investor_with_a_pending_request(live_server)
    for who, account_id in (("startup", startup), ("investor", investor)):
        for size in (PHONE, DESKTOP):
            with _browser_page(browser, live_server, size) as page:
                sign_in_as_participant(page, live_server, account_id)
                for locale in LOCALES:
                    _speak(page, locale)
                    for name, path in PAGES:
                        page.goto(path)
                        expect(page.locator("main h1").first).to_be_visible()
                        _fits(page, f"layout-{who}-{name}-{_label(size)}-{locale}")
                    page.goto("/me")
                    _check_menu(page, size)
                    _check_directory(page, size)
                    _check_availability(page)
                    if who == "investor":
                        _check_requests(page, size)


def test_the_menu_works_without_javascript_on_the_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="vi-VN", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(live_server.sign_in_link(_investor_with_a_pending_request(live_server)))
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/me")
        _check_menu(page, PHONE)
        _check_directory(page, PHONE)
    finally:
        context.close()


def _bar_rows(page: Page) -> list[tuple[float, float]]:
    """(top, bottom) of everything shown in the navigation bar (not in an open "More")."""
    return [
        (top, bottom)
        for top, bottom in page.evaluate(
            "[...document.querySelectorAll('.nav-links > li > a, .nav-more summary,"
            " .nav-end > :not([hidden]), .lang-switch, .brand')].filter(e => e.offsetParent)"
            ".map(e => e.getBoundingClientRect()).map(r => [r.top, r.bottom])"
        )
    ]


def test_the_organisers_navigation_takes_one_line_at_1366_px(
    browser: Browser, live_server: LiveServer
) -> None:
    with _browser_page(browser, live_server, DESKTOP) as page:
        sign_in_as_organiser(page, live_server)
        for locale in LOCALES:
            _speak(page, locale)
            tops = _bar_rows(page)
            lowest_top = max(top for top, _ in tops)
            highest_bottom = min(bottom for _, bottom in tops)
            assert lowest_top < highest_bottom, f"{locale}: the navigation wraps: {tops}"
            _fits(page, f"layout-organiser-home-desktop-{locale}")
            # The sections visited now and then open below "More", over the page.
            outbox = page.locator(".nav-links a[href='/organiser/outbox']")
            expect(outbox).to_be_hidden()
            page.locator(".nav-more summary").click()
            expect(outbox).to_be_visible()
            assert _bar_rows(page) == tops  # the bar itself does not move
            shot(page, f"layout-organiser-more-desktop-{locale}")
            outbox.click()
            expect(page).to_have_url(f"{live_server.url}/organiser/outbox")
            page.goto("/organiser")


def test_the_organisers_menu_opens_more_on_the_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    with _browser_page(browser, live_server, PHONE) as page:
        sign_in_as_organiser(page, live_server)
        audit = page.locator(".nav-links a[href='/organiser/audit']")
        page.locator(".nav-button").click()
        expect(page.locator(".nav-links a[href='/organiser/desk']")).to_be_in_viewport()
        expect(audit).to_be_hidden()
        page.locator(".nav-more summary").click()
        expect(audit).to_be_visible()
        _fits(page, "layout-organiser-menu-phone-vi")
        audit.click()
        expect(page).to_have_url(f"{live_server.url}/organiser/audit")
        # The audit log links the outbox from its header as well.
        expect(page.locator("main").get_by_role("link", name="Hộp thư đi")).to_be_visible()
