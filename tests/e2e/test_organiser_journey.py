"""The organiser's first journey in a real browser: sign in, find a participant by a
name typed without diacritics (live htmx search), switch language, open the
participant, sign out. Also phone-width screenshots of the main pages."""

from __future__ import annotations

import re
import unicodedata

from playwright.sync_api import Page, expect
from sqlmodel import select

from matchmaker import i18n
from matchmaker.directory import search_participants
from matchmaker.models import Event
from matchmaker.text import fold
from tests.e2e.helpers import LiveServer, shot, sign_in_as_organiser


def without_diacritics(name: str) -> str:
    """What someone on an English keyboard types: "Nguyễn Thị Hồng" -> "Nguyen Thi Hong"."""
    name = name.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def participants_count(locale: str, n: int) -> str:
    return i18n.translations(locale).ngettext("%(num)s participant", "%(num)s participants", n) % {
        "num": n
    }


def test_organiser_journey_search_language_and_sign_out(
    page: Page, live_server: LiveServer
) -> None:
    event = live_server.event()
    participant, _ = live_server.participant(vietnamese_name=True)
    typed = without_diacritics(participant.full_name)
    assert typed != participant.full_name
    with live_server.session() as db:
        current = db.exec(select(Event).where(Event.id == event.id)).one()
        everyone = search_participants(db, current).total
        matching = search_participants(db, current, query=typed).total
    assert everyone > matching >= 1

    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )

    # Sign in with email and password.
    sign_in_as_organiser(page, live_server)
    shot(page, "desktop-organiser-home")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    results = page.locator("#participant-results")
    expect(results.locator("p.muted").first).to_contain_text(participants_count("vi", everyone))

    # Live search: the results change in place, without a page load.
    page.evaluate("window.__samePage = 'yes'")
    page.locator("#q").press_sequentially(typed, delay=15)
    row = results.locator("tbody tr", has=page.get_by_role("link", name=participant.full_name))
    expect(row.first).to_be_visible()
    expect(results.locator("p.muted").first).to_contain_text(participants_count("vi", matching))
    assert page.evaluate("window.__samePage") == "yes"
    expect(page).to_have_url(re.compile(r"/organiser\?q="))
    assert fold(page.input_value("#q")) == fold(participant.full_name)

    # Switch to English: the interface text and the event's name change.
    page.locator(".lang-switch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Participants")
    expect(page.locator(".page-head .muted")).to_have_text(event.name_en)
    expect(page.locator(".lang-switch button[value=en]")).to_have_attribute("aria-current", "true")
    # The search survives the switch (the form posts back to the same address).
    expect(row.first).to_be_visible()

    # English persists across navigation: open the participant.
    row.first.get_by_role("link", name=participant.full_name).click()
    expect(page).to_have_url(f"{live_server.url}/organiser/participants/{participant.id}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text(participant.full_name)
    expect(page.locator("main")).to_contain_text(participant.email)
    expect(page.locator("main h2").first).to_have_text(_organisation_name(live_server, participant))

    # Back to Vietnamese, which also persists.
    page.locator(".lang-switch button[value=vi]").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page).to_have_url(f"{live_server.url}/organiser/participants/{participant.id}")
    page.goto("/organiser")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".page-head .muted")).to_have_text(event.name_vi)
    expect(page.locator("main h1")).to_have_text(i18n.translations("vi").gettext("Participants"))

    # Sign out: back on the public home, and the console asks to sign in again.
    page.locator("form[action='/signout'] button").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("a[href='/signin']").first).to_be_visible()
    page.goto("/organiser")
    expect(page).to_have_url(f"{live_server.url}/signin?next=/organiser")
    expect(page.locator("#email")).to_be_visible()
    # No broken asset, failed htmx request or script error along the way.
    assert problems == []


def _organisation_name(live_server: LiveServer, participant: object) -> str:
    from matchmaker.models import Organisation

    with live_server.session() as db:
        organisation = db.get(Organisation, participant.organisation_id)  # type: ignore[attr-defined]
    assert organisation is not None
    return organisation.name


def test_organiser_home_at_phone_width_fits_the_screen(
    phone_page: Page, live_server: LiveServer
) -> None:
    sign_in_as_organiser(phone_page, live_server)
    expect(phone_page.locator("#q")).to_be_visible()
    shot(phone_page, "phone-organiser-home")
    assert _horizontal_overflow(phone_page) == 0


def test_event_home_at_phone_width_fits_the_screen(
    phone_page: Page, live_server: LiveServer
) -> None:
    event = live_server.event()
    phone_page.goto("/")
    expect(phone_page.locator("main h1")).to_have_text(event.name_vi)
    shot(phone_page, "phone-event-home")
    assert _horizontal_overflow(phone_page) == 0


def _horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0 when nothing sticks out)."""
    return int(
        page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")
    )
