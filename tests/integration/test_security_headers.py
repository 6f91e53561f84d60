"""Headers and cookie flags every response carries."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker.settings import Settings
from tests.conftest import TEST_SECRET
from tests.factories import ORGANISER_PASSWORD, make_organiser
from tests.sessions import sqlite_only

pytestmark = sqlite_only  # headers and cookie flags do not depend on the database


@pytest.mark.parametrize("url", ["/", "/signin", "/signin/link/some-token"])
def test_security_headers_on_pages(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "form-action 'self'" in policy
    assert response.headers["cache-control"] == "no-store"


def test_security_static_files_may_be_cached(client: TestClient) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("cache-control") != "no-store"


class TestBehindHttps:
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        return Settings(
            var_dir=tmp_path / "var",
            secret_key=TEST_SECRET,
            base_url="https://matchmaker.example.vn",
        )

    def test_security_session_and_csrf_cookies_are_secure_behind_https(
        self, client: TestClient, db: Session
    ) -> None:
        make_organiser(db, "organiser@example.vn")
        db.commit()
        page = client.get("/signin")
        # The client speaks http here, so it would not send Secure cookies back:
        # take the token from the page's htmx header instead.
        token = page.text.split('"x-csrftoken": "')[1].split('"')[0]
        client.cookies.clear()
        response = client.post(
            "/signin",
            data={"email": "organiser@example.vn", "password": ORGANISER_PASSWORD},
            headers={"x-csrftoken": token, "cookie": f"csrftoken={token}"},
            follow_redirects=False,
        )
        cookies = response.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("mm_session="))
        csrf = next(c for c in page.headers.get_list("set-cookie") if c.startswith("csrftoken="))
        assert "Secure" in session
        assert "HttpOnly" in session
        assert "Secure" in csrf
