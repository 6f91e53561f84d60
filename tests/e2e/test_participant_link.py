"""A participant signs in with the personal link from the invitation email."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from matchmaker import i18n
from tests.e2e.helpers import LiveServer, shot, sign_in_as_participant


def test_personal_link_opens_the_participant_home_once(
    phone_page: Page, live_server: LiveServer
) -> None:
    participant, account = live_server.participant(vietnamese_name=True)
    assert account.id is not None
    link = live_server.sign_in_link(account.id)

    sign_in_as_participant(phone_page, live_server, link)

    welcome = i18n.translations("vi").gettext("Welcome, %(name)s") % {"name": participant.full_name}
    expect(phone_page.locator("main h1")).to_have_text(welcome)
    expect(phone_page.locator("main")).to_contain_text(participant.email)
    shot(phone_page, "phone-participant-home")

    # The same link does not open a second session.
    phone_page.context.clear_cookies()
    phone_page.goto(link)
    phone_page.locator("main form button[type=submit]").click()
    used = i18n.translations("vi").gettext(
        "This sign-in link has already been used. Ask for a new one."
    )
    expect(phone_page.locator("main .error")).to_have_text(used)
