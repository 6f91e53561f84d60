from __future__ import annotations

from litestar.testing import TestClient
from sqlmodel import Session

from tests.conftest import sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant


def test_home_shows_event_name_when_event_exists(client: TestClient, db: Session) -> None:
    make_event(db)
    db.commit()
    response = client.get("/")
    assert response.status_code == 200
    assert "Tuần lễ Chuyển đổi số Hậu Giang" in response.text


def test_organiser_search_ignores_diacritics(client: TestClient, db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Sở Nông nghiệp và Phát triển nông thôn")
    make_participant(db, org, "Nguyễn Thị Hồng")
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    response = client.get("/organiser", params={"q": "nong nghiep"})
    assert response.status_code == 200
    assert "Nguyễn Thị Hồng" in response.text


def test_health_answers_ok_signed_out_without_handing_out_a_csrf_cookie(
    client: TestClient,
) -> None:
    client.cookies.clear()

    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "csrftoken" not in response.cookies
    assert "set-cookie" not in response.headers
