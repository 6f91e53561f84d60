"""Screenshots of the organiser console for people to review (test-artifacts/console-*.png):
the solve page while a run is going and after it ended, the run review, the schedule
with a move panel open, the setup and the import problems page, in Vietnamese and in
English, at desktop (1280×800) and phone (390×844) widths. Each page is checked for one
real layout fault: nothing may stick out sideways (no horizontal scrolling).

Runs on a server of its own: it solves and publishes, which the shared demo event
must not see."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serve_demo
from tests.e2e.helpers import LiveServer, shot, sign_in_as_organiser

LOCALES = ("vi", "en")
SOLVE_TIMEOUT_MS = 90_000
BAD_FILE = [
    ["Tên đơn vị", "Loại hình", "Lĩnh vực", "Tỉnh thành", "Họ tên", "Email", "Điện thoại"],
    ["Hợp tác xã Nông sản Phụng Hiệp", "Chủ thể OCOP", "Nông nghiệp công nghệ cao", "Hậu Giang",
     "Trần Thị Mỹ Duyên", "duyen.tran@phunghiep.vn", "0901234567"],
    ["Công ty Cổ phần Sầu riêng Cái Răng", "Cửa hàng", "Thủy sản; Du lịch", "Cần Thơ",
     "Lê Quốc Bảo", "bao.le(at)saurieng.vn", "0912345678"],
    ["Quỹ Đầu tư Mê Kông Xanh", "Nhà đầu tư", "Bất động sản", "",
     "", "anh.pham@mekongxanh.vn", ""],
]  # fmt: skip


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_demo(tmp_path_factory.mktemp("e2e-screens") / "var") as server:
        yield server


def _viewport(page: Page) -> str:
    size = page.viewport_size
    assert size is not None
    return "desktop" if size["width"] >= 1000 else "phone"


def _in_locale(page: Page, url: str, locale: str) -> None:
    """Open url and make sure the interface speaks locale (switching if needed)."""
    page.goto(url)
    if page.locator("html").get_attribute("lang") != locale:
        page.locator(f".lang-switch button[value={locale}]").click()
        expect(page.locator("html")).to_have_attribute("lang", locale)


def _capture(page: Page, name: str, locale: str) -> None:
    """A full-page screenshot, and the check that the page fits the screen's width."""
    target = shot(page, f"console-{name}-{_viewport(page)}-{locale}")
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner + 1, f"{target.name}: {width}px wide on a {inner}px screen"


def test_console_pages_fit_desktop_and_phone_in_both_languages(
    page: Page, phone_page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    pages = (page, phone_page)
    for each in pages:
        sign_in_as_organiser(each, live_server)

    # A solve long enough to photograph while it runs.
    _in_locale(page, "/organiser/solve", "vi")
    page.fill("#time_limit", "25")
    with page.expect_navigation():
        page.locator("form[action='/organiser/solve'] button[type=submit]").click()
    for locale in LOCALES:
        for each in pages:
            _in_locale(each, "/organiser/solve", locale)
            expect(each.locator("#solve-progress .badge-run")).to_be_visible(
                timeout=SOLVE_TIMEOUT_MS
            )
            expect(each.locator("#solve-progress svg").first).to_be_visible(
                timeout=SOLVE_TIMEOUT_MS
            )
            _capture(each, "solve-running", locale)

    # Setup, and the import page reporting the bad rows of a file, while it solves.
    bad_file = tmp_path / "dai-bieu.csv"
    with bad_file.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(BAD_FILE)
    for locale in LOCALES:
        for each in pages:
            _in_locale(each, "/organiser/setup", locale)
            expect(each.locator("#setup-preview .slot-cell").first).to_be_visible()
            _capture(each, "setup", locale)
            each.goto("/organiser/import")
            each.set_input_files("#file", str(bad_file))
            with each.expect_navigation():
                each.locator("main form:has(#file) button[type=submit]").click()
            with each.expect_navigation():
                each.locator("form[action$='/check'] button[type=submit]").click()
            expect(each.locator("section.problems tbody tr").first).to_be_visible()
            _capture(each, "import-problems", locale)

    # The finished run, its review, then (after publishing) the schedule.
    for locale in LOCALES:
        for each in pages:
            _in_locale(each, "/organiser/solve", locale)
            expect(each.locator("#solve-progress .badge-ok")).to_be_visible(
                timeout=SOLVE_TIMEOUT_MS
            )
            _capture(each, "solve-finished", locale)
            _in_locale(each, "/organiser/solve/runs/1", locale)
            expect(each.locator(".heat-cell").first).to_be_visible()
            each.select_option("#org", index=1)
            expect(each.locator("#org-schedule table")).to_be_visible()
            _capture(each, "review", locale)
    page.check("#confirm")
    with page.expect_navigation():
        page.locator("form[action$='/publish'] button[type=submit]").click()
    expect(page.locator("p.notice[role=status]")).to_be_visible()
    for locale in LOCALES:
        for each in pages:
            _in_locale(each, "/organiser/schedule", locale)
            first = each.locator("#schedule-list tbody tr").first
            first.locator("a[href$='/targets']").click()
            expect(each.locator(".move-panel select")).to_be_visible()
            _capture(each, "schedule", locale)
