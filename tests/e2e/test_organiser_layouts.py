"""The organisers' pages on the phone and the desk, in Vietnamese and English: nothing
sticks out sideways (wide tables scroll inside their frame, not the page), and the
menu folds behind its button on the phone. Screenshots: test-artifacts/organiser-*.png."""

from __future__ import annotations

from playwright.sync_api import Browser, ViewportSize, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.helpers import LiveServer, shot, sign_in_as_organiser

SIZES: tuple[tuple[str, ViewportSize], ...] = (
    ("phone", {"width": 390, "height": 844}),
    ("desktop", {"width": 1366, "height": 768}),
)
PAGES = (
    ("home", "/organiser"),
    ("solve", "/organiser/solve"),
    ("schedule", "/organiser/schedule"),
    ("confirmations", "/organiser/confirmations"),
    ("approvals", "/organiser/approvals"),
    ("setup", "/organiser/setup"),
    ("printing", "/organiser/print"),
    ("desk", "/organiser/desk"),
    ("no-shows", "/organiser/no-shows"),
    ("report", "/organiser/report"),
    ("audit", "/organiser/audit"),
    ("outbox", "/organiser/outbox"),
)


def test_organiser_pages_fit_the_phone_and_the_desk_in_both_languages(
    browser: Browser, live_server: LiveServer
) -> None:
    for size_name, size in SIZES:
        context = browser.new_context(base_url=live_server.url, viewport=size, locale="vi-VN")
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            sign_in_as_organiser(page, live_server)
            for locale in ("vi", "en"):
                if page.locator("html").get_attribute("lang") != locale:
                    page.locator(f".lang-switch button[value={locale}]").click()
                    expect(page.locator("html")).to_have_attribute("lang", locale)
                for name, path in PAGES:
                    page.goto(path)
                    expect(page.locator("main h1").first).to_be_visible()
                    target = shot(page, f"organiser-{name}-{size_name}-{locale}")
                    width, inner = page.evaluate(
                        "[document.documentElement.scrollWidth, window.innerWidth]"
                    )
                    assert width <= inner, f"{target.name}: {width}px wide on {inner}px"
                if size_name == "phone":
                    menu = page.locator(".nav-button")
                    expect(menu).to_be_visible()
                    expect(page.locator(".nav-links")).to_be_hidden()
                    menu.click()
                    expect(page.locator(".nav-links")).to_be_visible()
                    menu.click()
            # The account keeps the language it chose: give the next tests Vietnamese back.
            page.locator(".lang-switch button[value=vi]").click()
            expect(page.locator("html")).to_have_attribute("lang", "vi")
        finally:
            context.close()
