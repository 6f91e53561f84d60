"""A startup registers itself (confirming its address through the e-mailed link), marks
its availability (saved without a page reload) and finds an investor by typing without
accents."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from matchmaker import i18n
from matchmaker import requests as svc
from matchmaker.errors import DomainError
from matchmaker.models import Account, Event, Organisation, OrgKind, Participant
from tests.e2e.helpers import LiveServer, shot


def _first_investor_to_ask(db: Session, live_server: LiveServer, me: Participant) -> Organisation:
    """The first investor `me` may ask for a meeting (some of the demo's are fully booked)."""
    mine = db.get(Organisation, me.organisation_id)
    event = db.get(Event, live_server.event_id)
    assert mine is not None and event is not None
    investors = db.exec(
        select(Organisation)
        .where(Organisation.kind == OrgKind.investor, Organisation.event_id == event.id)
        .order_by(Organisation.id)  # type: ignore[arg-type]
    ).all()
    for investor in investors:
        try:
            svc.check_request(db, event, mine, investor)
        except DomainError:
            continue
        return investor
    raise AssertionError("no investor of the demo may be asked for a meeting")


VI = i18n.translations("vi").gettext


def _open_emailed_link(page: Page, live_server: LiveServer, email: str) -> None:
    """On the page after registering, follow the personal link the outbox keeps for
    `email` (made here, as an organiser handing it over would: the outbox keeps none).
    The test server has no mail server, so the page promises no e-mail."""
    assert page.url.endswith("/register/sent"), page.url
    expect(page.locator("h1")).to_have_text(VI("Registration received"))
    shot(page, "register-sent")
    with live_server.session() as db:
        account = db.exec(select(Account).where(Account.email == email)).one()
    assert account.id is not None
    page.goto(live_server.sign_in_link(account.id))
    with page.expect_navigation():
        page.get_by_role("button", name=VI("Continue"), exact=True).click()


def _register_with_two_mistakes(page: Page) -> None:
    """Fill the registration form and send it, first without a sector (nor the privacy
    consent), then with the sector but still without the consent: each message shows
    next to its field and what was typed stays."""
    page.goto("/register")
    page.fill("#name", "Công ty TNHH Lúa Thông Minh E2E")
    page.select_option("#kind", "startup")
    page.select_option("#province", "Cần Thơ")
    page.fill("#description", "Ứng dụng dự báo sâu bệnh cho lúa.")
    page.locator("input[name=seeks][value=seed_investment]").check()
    page.fill("#full_name", "Lâm Thị Ngọc Trâm")
    page.fill("#email", "tram@luathongminh-e2e.vn")
    page.fill("#password", "mat-khau-e2e-dai")
    with page.expect_navigation():
        page.get_by_role("button", name=VI("Register"), exact=True).click()
    expect(page.locator("#sectors-error")).to_have_text(VI("Choose at least one."))
    shot(page, "register-error")
    page.locator("input[name=sectors][value=agritech]").check()
    page.fill("#password", "mat-khau-e2e-dai")
    # The privacy consent is required too: unticked, it says so and keeps the rest.
    with page.expect_navigation():
        page.get_by_role("button", name=VI("Register"), exact=True).click()
    expect(page.locator("#privacy_consent-error")).to_have_text(
        VI("Tick the box to agree to the privacy notice: without it you cannot register.")
    )
    expect(page.locator("#province")).to_have_value("Cần Thơ")
    page.locator("#privacy_consent").check()
    page.fill("#password", "mat-khau-e2e-dai")
    with page.expect_navigation():
        page.get_by_role("button", name=VI("Register"), exact=True).click()


def test_startup_registers_marks_availability_and_finds_an_investor(
    page: Page, live_server: LiveServer
) -> None:
    _register_with_two_mistakes(page)
    _open_emailed_link(page, live_server, "tram@luathongminh-e2e.vn")
    assert page.url.endswith("/me/profile?saved=registered"), page.url
    expect(page.locator(".notice").first).to_have_text(
        VI("Welcome! Your organisation is registered and you are signed in.")
    )

    # Availability: a toggle is saved and its cell swapped, with no page load.
    page.goto("/me/availability")
    page.evaluate("window.__sameDocument = true")
    first = page.locator(".avail-cell").first
    toggle = first.locator(".avail-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(page.locator(".avail-cell").first.locator(".avail-toggle")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert page.evaluate("window.__sameDocument") is True
    shot(page, "availability-grid")
    with live_server.session() as db:
        me = db.exec(
            select(Participant).where(Participant.email == "tram@luathongminh-e2e.vn")
        ).one()
        assert me.available_sessions != []
        investor = _first_investor_to_ask(db, live_server, me)

    # Directory: typing "dau tu" narrows the results in place.
    page.goto("/directory")
    page.evaluate("window.__sameDocument = true")
    page.locator("#dq").press_sequentially("dau tu", delay=30)
    expect(page).to_have_url(re.compile(r"q=dau(\+|%20)tu"))
    expect(page.locator("#directory-results")).to_contain_text(investor.name)
    assert page.evaluate("window.__sameDocument") is True
    shot(page, "directory-search")
    # Choosing a kind updates the results too (no submit button needed).
    page.select_option("#f-kind", "investor")
    expect(page).to_have_url(re.compile(r"kind=investor"))
    expect(page.locator("#directory-results")).to_contain_text(investor.name)
    assert page.evaluate("window.__sameDocument") is True

    page.locator("#directory-results a", has_text=investor.name).first.click()
    expect(page.locator("main h1")).to_have_text(investor.name)
    expect(page.get_by_role("link", name=VI("Request a meeting"))).to_have_attribute(
        "href", f"/requests/new?to={investor.id}"
    )
    shot(page, "organisation-page")
