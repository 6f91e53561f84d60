"""A click handled by htmx on a read-only database: the notice that nothing was saved
replaces the page (htmx leaves other error answers unswapped, so the click would seem to
do nothing)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, expect

from matchmaker.db import make_engine
from matchmaker.web.app import create_app
from tests.e2e.conftest import _listening_socket, _wait_until_up
from tests.e2e.helpers import LiveServer, sign_in_as_participant


@contextmanager
def read_only_server(live_server: LiveServer) -> Iterator[str]:
    """A second server (same settings, so the same sessions) on the live server's SQLite
    file opened read-only, as SQLite opens a file it may not write."""
    import uvicorn

    engine = make_engine(f"sqlite:///file:{live_server.engine.url.database}?mode=ro&uri=true")
    sock = _listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(live_server.settings, engine=engine)
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", ws="none", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_until_up(url, thread)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        engine.dispose()


def test_availability_click_on_a_read_only_database_shows_the_not_saved_notice(
    page: Page, live_server: LiveServer
) -> None:
    _, account = live_server.participant()
    sign_in_as_participant(page, live_server, account.id or 0)
    with read_only_server(live_server) as url:
        # Cookies belong to the host, not the port: the same session on the other server.
        page.goto(f"{url}/me/availability")
        page.locator("button.avail-toggle").first.click()

        expect(page.locator("main h1")).to_have_text("Cơ sở dữ liệu đang ở chế độ chỉ đọc")
        expect(page.locator("main")).to_contain_text(
            "Những gì bạn vừa nhập chưa được lưu. Vui lòng báo cho ban tổ chức."
        )
        expect(page).to_have_url(f"{url}/me/availability")  # no navigation: htmx swapped it
