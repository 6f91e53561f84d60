"""The organiser's participant list: search ignoring diacritics, kind filter, pages, htmx."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker.directory import PAGE_SIZE
from matchmaker.models import OrgKind
from tests.factories import make_event, make_org, make_participant
from tests.sessions import open_session, organiser_account

ROW = re.compile(r'<td><a href="/organiser/participants/\d+">([^<]+)</a>')


@pytest.fixture
def organiser_client(client: TestClient, db: Session) -> TestClient:
    event = make_event(db)
    agency = make_org(db, event, "Sở Nông nghiệp và Phát triển nông thôn Hậu Giang", OrgKind.agency)
    coop = make_org(db, event, "Hợp tác xã Đồng Xanh", OrgKind.ocop)
    firm = make_org(db, event, "Công ty Phần mềm Sài Gòn", OrgKind.tech_firm)
    make_participant(db, agency, "Nguyễn Thị Hồng", "hong@snn.haugiang.gov.vn")
    make_participant(db, coop, "Trần Văn Đức", "duc@dongxanh.vn")
    make_participant(db, firm, "Lê Minh Tâm", "tam@phanmem.vn")
    organiser = organiser_account(db)
    db.commit()
    open_session(client, organiser)
    return client


def _names(html: str) -> list[str]:
    return ROW.findall(html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hau giang", ["Nguyễn Thị Hồng"]),
        ("HẬU GIANG", ["Nguyễn Thị Hồng"]),
        ("nong nghiep", ["Nguyễn Thị Hồng"]),
        ("duc", ["Trần Văn Đức"]),
        ("ĐỨC", ["Trần Văn Đức"]),
        ("dong   xanh", ["Trần Văn Đức"]),
        ("sai gon", ["Lê Minh Tâm"]),
        ("tam@phanmem", ["Lê Minh Tâm"]),
        ("nobody at all", []),
    ],
)
def test_search_ignores_diacritics_and_case(
    organiser_client: TestClient, query: str, expected: list[str]
) -> None:
    response = organiser_client.get("/organiser", params={"q": query})
    assert response.status_code == 200
    assert _names(response.text) == expected


def test_search_empty_query_lists_everyone_by_organisation(organiser_client: TestClient) -> None:
    response = organiser_client.get("/organiser", params={"q": "", "kind": ""})
    assert _names(response.text) == ["Lê Minh Tâm", "Trần Văn Đức", "Nguyễn Thị Hồng"]
    assert "3 người tham dự" in response.text


def test_search_kind_filter(organiser_client: TestClient) -> None:
    response = organiser_client.get("/organiser", params={"kind": "ocop"})
    assert _names(response.text) == ["Trần Văn Đức"]
    assert '<option value="ocop" selected>' in response.text


def test_search_kind_filter_combines_with_query(organiser_client: TestClient) -> None:
    response = organiser_client.get("/organiser", params={"kind": "agency", "q": "duc"})
    assert _names(response.text) == []
    assert "Không có người tham dự nào khớp với tìm kiếm." in response.text


def test_search_pagination_second_page_shows_the_rest(client: TestClient, db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Trường Đại học Cần Thơ", OrgKind.university)
    for i in range(PAGE_SIZE + 5):
        make_participant(db, org, f"Giảng viên {i:02d}")
    open_session(client, organiser_account(db))
    db.commit()
    first = client.get("/organiser", params={"q": "giang vien"})
    second = client.get("/organiser", params={"q": "giang vien", "page": 2})
    assert _names(first.text) == [f"Giảng viên {i:02d}" for i in range(PAGE_SIZE)]
    assert _names(second.text) == [f"Giảng viên {i:02d}" for i in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert "Trang 2/2" in second.text
    assert 'href="?q=giang%20vien&kind=&page=1" rel="prev"' in second.text
    assert 'rel="next"' not in second.text
    assert 'href="?q=giang%20vien&kind=&page=2" rel="next"' in first.text


def test_search_page_out_of_range_is_an_empty_list(organiser_client: TestClient) -> None:
    response = organiser_client.get("/organiser", params={"page": 99})
    assert response.status_code == 200
    assert _names(response.text) == []
    assert "3 người tham dự" in response.text


def test_search_htmx_request_gets_only_the_partial(organiser_client: TestClient) -> None:
    response = organiser_client.get(
        "/organiser",
        params={"q": "hau giang"},
        headers={"HX-Request": "true", "HX-Target": "participant-results"},
    )
    assert response.status_code == 200
    assert response.text.startswith('<section id="participant-results" aria-live="polite">')
    assert "<html" not in response.text
    assert _names(response.text) == ["Nguyễn Thị Hồng"]


def test_search_plain_request_gets_the_whole_page(organiser_client: TestClient) -> None:
    response = organiser_client.get("/organiser", headers={"HX-Request": "true"})
    assert response.text.startswith("<!doctype html>")
    assert '<section id="participant-results" aria-live="polite">' in response.text


def test_search_through_api(organiser_client: TestClient) -> None:
    response = organiser_client.get("/api/participants", params={"q": "nong nghiep"})
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    assert [(p["full_name"], p["kind"]) for p in body["items"]] == [("Nguyễn Thị Hồng", "agency")]


def test_search_api_kind_filter_and_empty_page(organiser_client: TestClient) -> None:
    kind = organiser_client.get("/api/participants", params={"kind": "tech_firm"}).json()
    empty = organiser_client.get("/api/participants", params={"page": 5}).json()
    assert [p["full_name"] for p in kind["items"]] == ["Lê Minh Tâm"]
    assert (empty["items"], empty["total"], empty["page"]) == ([], 3, 5)
