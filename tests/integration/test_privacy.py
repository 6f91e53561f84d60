"""A participant never sees another organisation's private data (email, phone)."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlmodel import Session

from tests.routing import route_cases
from tests.sessions import World, make_world, open_session


def _private_values(world: World) -> list[str]:
    return [world.other.email, world.other.phone, world.other_account.email]


def test_privacy_participant_cannot_open_organiser_participant_page(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    open_session(client, world.own_account)
    response = client.get(f"/organiser/participants/{world.other.id}")
    assert response.status_code == 403
    assert world.other.email not in response.text


def test_privacy_participant_cannot_list_participants_through_api(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    open_session(client, world.own_account)
    response = client.get("/api/participants", params={"q": "binh"})
    assert response.status_code == 403
    assert response.json() == {
        "status_code": 403,
        "error": "Bạn không có quyền truy cập trang này",
        "detail": "",
    }


def test_privacy_participant_sees_own_contact_on_own_page(client: TestClient, db: Session) -> None:
    world = make_world(db)
    open_session(client, world.own_account)
    response = client.get("/me")
    assert response.status_code == 200
    assert world.own.email in response.text
    assert world.other.email not in response.text


def test_privacy_no_page_or_api_shows_other_organisations_contact(
    client: TestClient, db: Session
) -> None:
    """Every GET route a participant may use, with path ids pointing at the other
    organisation (and at its own), never contains the other's email or phone."""
    world = make_world(db)
    open_session(client, world.own_account)
    other_ids = {
        "participant_id": world.other.id or 0,
        "org_id": world.other_org.id or 0,
        "organisation_id": world.other_org.id or 0,
    }
    own_ids = {
        "participant_id": world.own.id or 0,
        "org_id": world.own_org.id or 0,
        "organisation_id": world.own_org.id or 0,
    }
    leaks = []
    checked = 0
    for case in route_cases(client.app):
        allowed = case.allowed_roles()
        if case.method != "GET" or (not case.is_public and "participant" not in (allowed or ())):
            continue
        if case.path.endswith(".pdf"):  # compressed: text search cannot see into it
            continue
        for ids in (other_ids, own_ids) if case.params else (own_ids,):
            url = case.url(ids)
            # Searching for the other person by name must not reveal them either.
            for params in ({}, {"q": "Phạm Thị Bình"}, {"q": "binh.private"}):
                response = client.get(url, params=params, follow_redirects=False)
                checked += 1
                found = [value for value in _private_values(world) if value in response.text]
                leaks += [f"{url} {params}: {value}" for value in found]
    assert not leaks, "\n".join(leaks)
    assert checked >= 10


def test_privacy_own_pages_answer_404_for_another_organisations_person(
    client: TestClient, db: Session
) -> None:
    """Participant-only pages about one person ("my representative ...") treat the
    other organisation's person as unknown."""
    world = make_world(db)
    open_session(client, world.own_account)
    answers = {}
    for case in route_cases(client.app):
        names = {name for name, _, _ in case.params}
        if (
            case.method == "GET"
            and case.guards == ("participant_only",)
            and names == {"participant_id"}
        ):
            url = case.url({"participant_id": world.other.id or 0})
            answers[url] = client.get(url, follow_redirects=False).status_code
    assert answers == dict.fromkeys(answers, 404)
