"""The availability grid: toggles saved with htmx (cell swapped) or a plain form."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker.availability import (
    day_shape,
    event_grid,
    present_day_numbers,
    unavailable_slot_codes,
    unavailable_slots_by_participant,
)
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_participant

HTMX = {"HX-Request": "true"}


def arrange(db: Session):  # type: ignore[no-untyped-def]
    event = make_event(db, slots_per_session=3)
    org = make_org(db, event, "Hợp tác xã Cam Sành Phụng Hiệp")
    person, account = make_participant(db, org, "Nguyễn Văn Hậu")
    db.commit()
    return event, org, person, account


def test_availability_page_shows_days_sessions_and_slots(client: TestClient, db: Session) -> None:
    _, _, person, account = arrange(db)
    sign_in_as(client, account, db)
    response = client.get("/me/availability")
    assert response.status_code == 200
    assert f'id="avail-{person.id}-d1-am"' in response.text
    assert f'id="avail-{person.id}-d2-am"' in response.text
    assert 'value="session:d1-am:0"' in response.text  # present everywhere at first
    assert 'value="slot:d2-am-03:0"' in response.text


def test_session_toggle_with_htmx_saves_and_returns_only_the_cell(
    client: TestClient, db: Session
) -> None:
    _, _, person, account = arrange(db)
    sign_in_as(client, account, db)
    response = post_form(
        client,
        "/me/availability",
        {"rep": str(person.id), "mark": "session:d1-am:0"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<div id="avail-{person.id}-d1-am"')
    assert "<html" not in response.text
    assert 'aria-pressed="false"' in response.text
    assert 'value="session:d1-am:1"' in response.text
    db.refresh(person)
    assert person.available_sessions == ["d2-am"]
    assert unavailable_slot_codes(db, person) == {"d1-am-01", "d1-am-02", "d1-am-03"}


def test_session_toggle_without_javascript_redirects_back(client: TestClient, db: Session) -> None:
    _, _, person, account = arrange(db)
    sign_in_as(client, account, db)
    response = post_form(
        client,
        "/me/availability",
        {"rep": str(person.id), "mark": "session:d2-am:0"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/me/availability?rep={person.id}&saved=1"
    db.refresh(person)
    assert person.available_sessions == ["d1-am"]
    back = post_form(
        client,
        "/me/availability",
        {"rep": str(person.id), "mark": "session:d2-am:1"},
        follow_redirects=False,
    )
    assert back.status_code == 303
    db.refresh(person)
    assert person.available_sessions == []  # present in every session again


def test_slot_toggle_marks_a_single_slot(client: TestClient, db: Session) -> None:
    event, _, person, account = arrange(db)
    sign_in_as(client, account, db)
    response = post_form(
        client,
        "/me/availability",
        {"rep": str(person.id), "mark": "slot:d1-am-02:0"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert '<details class="avail-slots" open>' in response.text
    assert 'value="slot:d1-am-02:1"' in response.text
    db.refresh(person)
    assert (person.available_sessions, person.unavailable_slots) == ([], ["d1-am-02"])
    assert unavailable_slots_by_participant(db, event) == {person.id: {"d1-am-02"}}


def test_absent_in_every_slot_of_a_session_means_absent_in_the_session(
    client: TestClient, db: Session
) -> None:
    _, _, person, account = arrange(db)
    sign_in_as(client, account, db)
    for slot in ("d2-am-01", "d2-am-02", "d2-am-03"):
        post_form(
            client,
            "/me/availability",
            {"rep": str(person.id), "mark": f"slot:{slot}:0"},
            headers=HTMX,
        )
    db.refresh(person)
    assert (person.available_sessions, person.unavailable_slots) == (["d1-am"], [])


def test_the_last_session_cannot_be_left(client: TestClient, db: Session) -> None:
    _, _, person, account = arrange(db)
    person.available_sessions = ["d1-am"]
    db.add(person)
    db.commit()
    sign_in_as(client, account, db)
    client.cookies.set("mm_lang", "en")
    response = post_form(
        client,
        "/me/availability",
        {"rep": str(person.id), "mark": "session:d1-am:0"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "A representative must be present in at least one session." in response.text
    plain = post_form(
        client, "/me/availability", {"rep": str(person.id), "mark": "session:d1-am:0"}
    )
    assert plain.status_code == 400
    db.refresh(person)
    assert person.available_sessions == ["d1-am"]


def test_a_colleague_can_mark_availability_for_another_representative(
    client: TestClient, db: Session
) -> None:
    _, org, _, account = arrange(db)
    colleague, _ = make_participant(db, org, "Trần Thị Thu")
    db.commit()
    sign_in_as(client, account, db)
    page = client.get("/me/availability", params={"rep": colleague.id})
    assert page.status_code == 200
    assert f'id="avail-{colleague.id}-d1-am"' in page.text
    post_form(
        client,
        "/me/availability",
        {"rep": str(colleague.id), "mark": "session:d1-am:0"},
        headers=HTMX,
    )
    db.refresh(colleague)
    assert colleague.available_sessions == ["d2-am"]


def test_another_organisations_availability_answers_404(client: TestClient, db: Session) -> None:
    event, _, _, account = arrange(db)
    stranger, _ = make_participant(db, make_org(db, event, "Tổ chức Khác"), "Người Lạ")
    db.commit()
    sign_in_as(client, account, db)
    assert client.get("/me/availability", params={"rep": stranger.id}).status_code == 404
    response = post_form(
        client,
        "/me/availability",
        {"rep": str(stranger.id), "mark": "session:d1-am:0"},
        headers=HTMX,
    )
    assert response.status_code == 404
    db.refresh(stranger)
    assert stranger.available_sessions == []


def test_unknown_session_code_answers_404(client: TestClient, db: Session) -> None:
    _, _, person, account = arrange(db)
    sign_in_as(client, account, db)
    response = post_form(
        client, "/me/availability", {"rep": str(person.id), "mark": "session:d9-pm:0"}
    )
    assert response.status_code == 404


def test_day_shape_gives_the_grid_s_present_days(db: Session) -> None:
    event = make_event(db, slots_per_session=2)
    org = make_org(db, event, "Mekong Agritech")
    marks = [
        ([], []),  # every session
        (["d1-am"], []),  # the first day only
        (["d2-am"], ["d2-am-01", "d2-am-02"]),  # every slot of its session missed
        (["d2-am"], ["d2-am-01"]),
    ]
    people = []
    for sessions, slots in marks:
        person, _ = make_participant(db, org, "Trần Thị Bình")
        person.available_sessions, person.unavailable_slots = sessions, slots
        people.append(person)
    db.commit()

    grid, shape = event_grid(db, event), day_shape(db, event)

    by_grid = [present_day_numbers(grid, p) for p in people]
    assert [present_day_numbers(shape, p) for p in people] == by_grid
    assert by_grid == [{1, 2}, {1}, set(), {2}]
    assert shape.slots_by_session == grid.slots_by_session
