"""End to end: an organiser runs a solve of the demo event, watches its progress, reviews
the result, looks at one organisation's schedule and publishes it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import col, select

from matchmaker.models import ScheduleVersion
from tests.e2e.helpers import LiveServer, shot, sign_in_as_organiser

SOLVE_TIMEOUT_MS = 120_000


def test_organiser_solves_reviews_and_publishes_the_demo_event(
    page: Page, phone_page: Page, live_server: LiveServer
) -> None:
    with live_server.session() as db:  # other tests of the package may have published
        versions_before = len(
            db.exec(select(ScheduleVersion).where(ScheduleVersion.kind == "final")).all()
        )
    sign_in_as_organiser(page, live_server)
    page.get_by_role("link", name="Xếp lịch", exact=True).click()
    expect(page.get_by_role("heading", name="Xếp lịch gặp")).to_be_visible()

    page.fill("#time_limit", "5")
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu xếp lịch").click()
    progress = page.locator("#solve-progress")
    expect(progress.locator(".phase")).to_be_visible()
    expect(page.get_by_role("button", name="Dừng và giữ lịch tốt nhất")).to_be_visible()
    elapsed = progress.locator(".stat-value").first
    expect(elapsed).to_have_text(re.compile(r"^\d+"), timeout=SOLVE_TIMEOUT_MS)
    first = elapsed.inner_text()
    expect(elapsed).not_to_have_text(first, timeout=SOLVE_TIMEOUT_MS)  # polled by htmx

    review_link = page.get_by_role("link", name="Xem kết quả")
    expect(review_link).to_be_visible(timeout=SOLVE_TIMEOUT_MS)
    expect(page.get_by_role("button", name="Bắt đầu xếp lịch")).to_be_enabled()
    shot(page, "solve-page-desktop-vi")

    review_link.click()
    expect(page.get_by_role("heading", name=re.compile("Kết quả lượt"))).to_be_visible()
    review_url = page.url
    expect(page.locator(".heat-cell").first).to_be_visible()
    page.select_option("#org", index=1)
    expect(page.locator("#org-schedule table")).to_be_visible()
    shot(page, "solve-review-desktop-vi")

    page.check("#confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Công bố", exact=True).click()
    number = versions_before + 1
    expect(page.get_by_role("status")).to_contain_text(f"Đã công bố thành phiên bản {number}")
    with live_server.session() as db:
        versions = db.exec(
            select(ScheduleVersion)
            .where(ScheduleVersion.kind == "final")
            .order_by(col(ScheduleVersion.number))
        ).all()
    assert [v.number for v in versions][-1] == number

    page.locator(".lang-switch button[value=en]").click()
    expect(page.get_by_role("heading", name=re.compile("Result of run"))).to_be_visible()
    shot(page, "solve-review-desktop-en")
    page.goto("/organiser/solve")
    shot(page, "solve-page-desktop-en")

    sign_in_as_organiser(phone_page, live_server)  # the account now prefers English
    phone_page.goto("/organiser/solve")
    expect(phone_page.get_by_role("heading", name="Solve the schedule")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "solve-page-phone-en")
    phone_page.locator(".lang-switch button[value=vi]").click()
    expect(phone_page.get_by_role("heading", name="Xếp lịch gặp")).to_be_visible()
    shot(phone_page, "solve-page-phone-vi")
    phone_page.goto(review_url.split("?")[0])
    expect(phone_page.locator(".heat-cell").first).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "solve-review-phone-vi")
