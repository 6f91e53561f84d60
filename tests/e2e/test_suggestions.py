"""A participant finds the recommender's picks: the top five on the home page
(loaded by htmx), the full list with reasons, the kind filter swapping the list
in place, and the way to request a meeting."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import LiveServer, shot, sign_in_as_participant


def test_participant_sees_suggestions_with_reasons_and_filters_them(
    page: Page, live_server: LiveServer
) -> None:
    _, account = live_server.participant()
    assert account.id is not None
    sign_in_as_participant(page, live_server, account.id)

    top = page.locator("#home-suggestions ol li")
    expect(top.first).to_be_visible()  # swapped in by htmx after the page loaded
    assert 1 <= top.count() <= 5
    shot(page, "suggestions-home")

    page.locator("#home-suggestions").get_by_role("link", name="Xem tất cả gợi ý").click()
    expect(page).to_have_url(f"{live_server.url}/me/suggestions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gợi ý cho bạn")
    cards = page.locator("#suggestion-results li.suggestion")
    expect(cards.first).to_be_visible()
    expect(cards.first.locator("ul.reasons li").first).to_be_visible()
    expect(cards.first.locator("meter")).to_be_visible()
    shot(page, "suggestions-page")

    kinds = {k for k in cards.evaluate_all("cards => cards.map(c => c.dataset.kind)")}
    wanted = cards.last.get_attribute("data-kind")
    assert wanted is not None
    page.evaluate("window.__same_page = true")
    page.select_option("#kind", wanted)
    expect(page).to_have_url(f"{live_server.url}/me/suggestions?kind={wanted}")
    expect(cards.first).to_be_visible()
    if len(kinds) > 1:
        others = page.locator(f"#suggestion-results li.suggestion:not([data-kind={wanted}])")
        expect(others).to_have_count(0)
    assert set(cards.evaluate_all("cards => cards.map(c => c.dataset.kind)")) == {wanted}
    assert page.evaluate("window.__same_page") is True  # no page reload

    # An organisation out of reach (its meeting limit reached) says so instead of offering
    # a request: the first card that offers one.
    link = cards.get_by_role("link", name="Đề nghị gặp").first
    target = link.get_attribute("href")
    assert target is not None and target.startswith("/requests/new?to=")
    link.click()
    expect(page).to_have_url(f"{live_server.url}{target}")
