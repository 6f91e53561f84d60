from playwright.sync_api import Page
from tests.e2e.helpers import LiveServer, shot, sign_in_as_participant


def test_shots(page: Page, live_server: LiveServer) -> None:
    _, account = live_server.participant()
    sign_in_as_participant(page, live_server, account.id)
    page.goto("/me/profile")
    shot(page, "tmp-profile")
    page.goto("/me/availability")
    page.locator(".avail-slots summary").first.click()
    page.locator(".slot-toggle").nth(2).click()
    page.wait_for_timeout(800)
    shot(page, "tmp-availability-slots")
    page.context.add_cookies([{"name": "mm_lang", "value": "en", "url": live_server.url}])
    page.goto("/directory?sector=agritech")
    shot(page, "tmp-directory-en")
