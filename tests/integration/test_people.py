"""People in the schedule, through the app: a team's representatives are scheduled one
by one (a meeting at a time each, on the days they attend), and each of them sees, downloads
and subscribes to their own meetings only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import icalendar
from litestar.testing import TestClient
from sqlmodel import Session, col, select

from matchmaker import changes, publication, scheduling
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    RunStatus,
    Slot,
    SolveRun,
)
from solver.api import solve
from solver.validate import validate
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant


@dataclass
class Team:
    event: Event
    org: Organisation
    always: Participant  # attends both days
    day_one: Participant  # attends day 1 only
    always_account: Account
    day_one_account: Account
    organiser: Account


def _team(db: Session, *, day_two_only: int, any_day: int) -> Team:
    """A two-person team with meetings requested by organisations that can come only on
    day 2 (when just one of the team is there) and by others that can come any day."""
    event = make_event(db, slots_per_session=4, tables=4)
    org = make_org(db, event, "Quỹ Đầu tư Sông Hậu")
    always, always_account = make_participant(db, org, "Nguyễn Văn Hải")
    day_one, day_one_account = make_participant(db, org, "Trần Thị Lan")
    day_one.available_sessions = ["d1-am"]
    for i in range(day_two_only + any_day):
        other = make_org(db, event, f"Khởi nghiệp {i + 1:02d}")
        rep, _ = make_participant(db, other, f"Đại diện {i + 1:02d}")
        if i < day_two_only:
            rep.available_sessions = ["d2-am"]
        make_meeting(db, event, other, org)
    organiser = make_organiser(db)
    db.commit()
    return Team(event, org, always, day_one, always_account, day_one_account, organiser)


def _solve_and_publish(db: Session, team: Team) -> SolveRun:
    instance, maps = scheduling.build_instance(db, team.event)
    solution = solve(instance, time_limit=10, workers=1)
    assert validate(instance, solution) == []
    run = SolveRun(event_id=team.event.id or 0, status=RunStatus.finished)
    db.add(run)
    db.flush()
    scheduling.store_solution(db, team.event, run, solution, maps)
    db.commit()
    publication.publish_run(db, team.event, run.id or 0, team.organiser)
    return run


def _team_meetings(db: Session, team: Team) -> list[tuple[Meeting, Slot]]:
    rows = db.exec(
        select(Meeting, Slot)
        .join(Slot, col(Slot.id) == col(Meeting.slot_id))
        .where(Meeting.event_id == team.event.id, Meeting.status == MeetingStatus.scheduled)
    ).all()
    return [(m, s) for m, s in rows if team.org.id in (m.org_a_id, m.org_b_id)]


def _attendee(meeting: Meeting, team: Team) -> int | None:
    return meeting.person_a_id if meeting.org_a_id == team.org.id else meeting.person_b_id


def _send(meeting: Meeting, team: Team, person: Participant) -> None:
    """Name ``person`` as the one attending ``meeting`` for the team."""
    if meeting.org_a_id == team.org.id:
        meeting.person_a_id = person.id
    else:
        meeting.person_b_id = person.id


def _ics_meetings(client: TestClient, url: str) -> set[int]:
    """The meeting ids of a calendar's events (UIDs "matchmaker-meeting-<id>@<domain>")."""
    response = client.get(url)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {int(str(e["UID"]).split("@")[0].rsplit("-", 1)[1]) for e in calendar.walk("VEVENT")}


def test_a_representative_away_on_day_two_leaves_one_meeting_a_slot_then(
    client: TestClient, db: Session
) -> None:
    team = _team(db, day_two_only=5, any_day=3)
    _solve_and_publish(db, team)
    placed = _team_meetings(db, team)
    day_two = [(m, s) for m, s in placed if s.code.startswith("d2-")]
    per_slot = {s.id: sum(1 for _, t in day_two if t.id == s.id) for _, s in day_two}
    # Five requests can only be on day 2, where one person of the team is left: one a slot.
    assert len(day_two) == 4
    assert set(per_slot.values()) == {1}
    assert {_attendee(m, team) for m, _ in day_two} == {team.always.id}
    # Every meeting names who attends, and nobody is in two meetings at once.
    seen = [(_attendee(m, team), s.id) for m, s in placed]
    assert None not in {p for p, _ in seen}
    assert len(seen) == len(set(seen))
    assert scheduling.double_bookings(db, team.event.id or 0) == 0

    mine = {m.id for m, _ in placed if _attendee(m, team) == team.always.id}
    theirs = {m.id for m, _ in placed if _attendee(m, team) == team.day_one.id}
    assert mine and theirs
    sign_in_as(client, team.always_account, db)
    assert _ics_meetings(client, "/me/agenda/agenda.ics") == mine
    sign_in_as(client, team.day_one_account, db)
    assert _ics_meetings(client, "/me/agenda/agenda.ics") == theirs


def test_each_representative_page_and_feed_hold_their_own_meetings_and_the_team_view_all(
    client: TestClient, db: Session
) -> None:
    team = _team(db, day_two_only=2, any_day=4)
    # Two requesters asked for the day-one person by name (else one person could take all).
    asked = db.exec(select(Meeting).where(Meeting.event_id == team.event.id)).all()[-2:]
    for meeting in asked:
        meeting.required_person_id = team.day_one.id
    db.commit()
    _solve_and_publish(db, team)
    placed = _team_meetings(db, team)
    names = {m.id: _counterpart(db, m, team) for m, _ in placed}
    theirs = {m.id for m, _ in placed if _attendee(m, team) == team.day_one.id}
    assert theirs == {m.id for m in asked}

    sign_in_as(client, team.day_one_account, db)
    own = client.get("/me/agenda").text
    for mid, name in names.items():
        assert (name in own) == (mid in theirs)
    team_page = client.get("/me/agenda", params={"team": "1"}).text
    assert all(name in team_page for name in names.values())
    assert "Người tham dự" in team_page or "Who attends" in team_page
    assert team.always.full_name in team_page

    # The private subscription address serves the same person's meetings as the download.
    downloaded = _ics_meetings(client, "/me/agenda/agenda.ics")
    page = post_form(client, "/me/agenda/feed", {}).text
    found = re.search(r'value="([^"]+/calendar/[^"]+)"', page)
    assert found is not None
    client.cookies.clear()
    assert _ics_meetings(client, urlsplit(found.group(1)).path) == downloaded == theirs


def _counterpart(db: Session, meeting: Meeting, team: Team) -> str:
    other = meeting.org_b_id if meeting.org_a_id == team.org.id else meeting.org_a_id
    org = db.get(Organisation, other)
    assert org is not None
    return org.name


def test_moving_a_meeting_re_picks_who_attends_when_its_person_is_away(db: Session) -> None:
    team = _team(db, day_two_only=0, any_day=1)
    meeting = db.exec(select(Meeting).where(Meeting.event_id == team.event.id)).one()
    slots = {s.code: s for s in db.exec(select(Slot))}
    table = db.exec(select(MeetingTable).where(MeetingTable.event_id == team.event.id)).first()
    assert table is not None
    changes.move(db, team.event, meeting.id or 0, slots["d1-am-01"].id or 0, table.id or 0,
                 team.organiser)  # fmt: skip
    db.refresh(meeting)
    first = _attendee(meeting, team)
    assert first in (team.always.id, team.day_one.id)
    # On day 2 only one of the team is there: the move names them.
    changes.move(db, team.event, meeting.id or 0, slots["d2-am-02"].id or 0, table.id or 0,
                 team.organiser)  # fmt: skip
    db.refresh(meeting)
    assert _attendee(meeting, team) == team.always.id
    assert scheduling.double_bookings(db, team.event.id or 0) == 0


def test_double_bookings_counts_one_person_in_two_meetings_at_once(db: Session) -> None:
    team = _team(db, day_two_only=0, any_day=2)
    slot = db.exec(select(Slot).order_by(col(Slot.position))).first()
    tables = db.exec(select(MeetingTable).where(MeetingTable.event_id == team.event.id)).all()
    assert slot is not None
    meetings = db.exec(select(Meeting).where(Meeting.event_id == team.event.id)).all()
    for meeting, table in zip(meetings, tables, strict=False):
        meeting.slot_id, meeting.table_id = slot.id, table.id
        meeting.status = MeetingStatus.scheduled
        _send(meeting, team, team.always)
    db.commit()
    # The organisation has two people, so two meetings at once would fit it; not one person.
    assert scheduling.double_bookings(db, team.event.id or 0) == 1
    _send(meetings[1], team, team.day_one)
    db.commit()
    assert scheduling.double_bookings(db, team.event.id or 0) == 0


def test_a_representative_without_meetings_can_still_open_the_team_view(
    client: TestClient, db: Session
) -> None:
    team = _team(db, day_two_only=1, any_day=0)  # one meeting, on day 2: not the day-one person's
    _solve_and_publish(db, team)
    sign_in_as(client, team.day_one_account, db)
    own = client.get("/me/agenda").text
    assert "Khởi nghiệp 01" not in own
    assert 'href="/me/agenda?team=1"' in own
    assert "Khởi nghiệp 01" in client.get("/me/agenda", params={"team": "1"}).text
