"""The realistic demo event: shape, sizes, feasibility and determinism."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from matchmaker.db import make_engine, upgrade
from matchmaker.demo import DEMO_SLUG, DemoExistsError, DemoSummary, generate_demo
from matchmaker.models import (
    Day,
    Event,
    EventSession,
    Meeting,
    MeetingRequest,
    MeetingTable,
    Organisation,
    OrgKind,
    Participant,
    RequestStatus,
    Slot,
)
from matchmaker.provinces import PROVINCES
from matchmaker.text import fold

pytestmark = pytest.mark.unit


def _engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path / 't.db'}")
    upgrade(engine)
    return engine


def _build(path: Path, *, seed: int = 2023, scale: float = 1.0) -> tuple[Engine, DemoSummary]:
    engine = _engine(path)
    with Session(engine) as session:
        summary = generate_demo(session, seed=seed, scale=scale)
        session.commit()
    return engine, summary


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, DemoSummary]]:
    engine, summary = _build(tmp_path_factory.mktemp("demo"))
    with Session(engine) as session:
        yield session, summary
    engine.dispose()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine, _ = _build(tmp_path_factory.mktemp("small"), seed=7, scale=0.2)
    yield engine
    engine.dispose()


def _fingerprint(session: Session) -> tuple[list[str], list[str], list[tuple[str, str, int]]]:
    orgs = session.exec(select(Organisation).order_by(col(Organisation.id))).all()
    names = {o.id: o.name for o in orgs}
    emails = list(session.exec(select(Participant.email).order_by(col(Participant.id))))
    pairs = [
        (names[m.org_a_id], names[m.org_b_id], m.weight)
        for m in session.exec(select(Meeting).order_by(col(Meeting.id)))
    ]
    return list(names.values()), emails, pairs


def test_demo_creates_the_2023_event_in_vi_thanh(demo: tuple[Session, DemoSummary]) -> None:
    session, summary = demo

    event = session.exec(select(Event)).one()

    assert event.id == summary.event_id
    assert event.slug == DEMO_SLUG == summary.slug
    assert event.name_vi == (
        "Tuần lễ Chuyển đổi số và Khởi nghiệp đổi mới sáng tạo – Mekong Delta 2023"
    )
    assert event.name_en == "Digital Transformation and Innovative Startup Week – Mekong Delta 2023"
    assert "Vị Thanh" in event.venue
    assert event.timezone == "Asia/Ho_Chi_Minh"
    assert (event.start_date, event.end_date) == (date(2023, 5, 18), date(2023, 5, 20))
    assert event.rules["max_meetings"] == 16
    assert event.rules["max_per_day"] == 8
    assert "investor" in event.rules["allowed_pairs"]["startup"]


def test_demo_has_three_days_six_sessions_and_54_slots(
    demo: tuple[Session, DemoSummary],
) -> None:
    session, summary = demo

    days = session.exec(select(Day).order_by(col(Day.number))).all()
    sessions = session.exec(select(EventSession).order_by(col(EventSession.id))).all()
    slots = session.exec(select(Slot).order_by(col(Slot.position))).all()

    assert [d.on_date for d in days] == [date(2023, 5, 18), date(2023, 5, 19), date(2023, 5, 20)]
    assert [s.code for s in sessions] == ["d1-am", "d1-pm", "d2-am", "d2-pm", "d3-am", "d3-pm"]
    assert (summary.days, summary.sessions, summary.slots) == (3, 6, 54)
    assert [s.position for s in slots] == list(range(54))
    assert slots[0].code == "d1-am-01"
    assert slots[-1].code == "d3-pm-09"
    # 08:00 and 16:30 in Vị Thanh (UTC+7), stored as aware UTC.
    assert slots[0].start == datetime(2023, 5, 18, 1, 0, tzinfo=UTC)
    assert slots[8].end == datetime(2023, 5, 18, 4, 0, tzinfo=UTC)
    assert slots[9].start == datetime(2023, 5, 18, 6, 30, tzinfo=UTC)
    assert slots[-1].end == datetime(2023, 5, 20, 9, 30, tzinfo=UTC)
    assert all((s.end - s.start).total_seconds() == 20 * 60 for s in slots)


def test_demo_sizes_at_scale_1(demo: tuple[Session, DemoSummary]) -> None:
    session, summary = demo

    kinds = Counter(OrgKind(k).value for k in session.exec(select(Organisation.kind)))
    participants = session.exec(select(func.count()).select_from(Participant)).one()
    meetings = session.exec(select(func.count()).select_from(Meeting)).one()
    requests = session.exec(select(func.count()).select_from(MeetingRequest)).one()
    tables = session.exec(select(MeetingTable)).all()

    assert dict(kinds) == summary.by_kind
    assert 140 <= kinds["startup"] <= 160
    assert 45 <= kinds["tech_firm"] <= 55
    assert 18 <= kinds["investor"] <= 22
    assert 28 <= kinds["agency"] <= 32
    assert 36 <= kinds["ocop"] <= 44
    assert 8 <= kinds["university"] <= 12
    assert 1 <= kinds["association"] <= 4
    assert participants == summary.participants
    assert 320 <= participants <= 380
    assert meetings == summary.meetings
    assert 1400 <= meetings <= 1600
    assert requests == summary.requests
    # 30 shared tables and 3 home tables (the solver keeps a home table for its host).
    assert len(tables) == summary.tables == 33
    assert sum(1 for t in tables if t.host_org_id is not None) == summary.home_tables == 3


def test_demo_uses_real_hau_giang_agencies_and_folds_names(
    demo: tuple[Session, DemoSummary],
) -> None:
    session, _ = demo

    orgs = session.exec(select(Organisation)).all()
    names = [o.name for o in orgs]

    assert "Sở Thông tin và Truyền thông tỉnh Hậu Giang" in names
    assert "UBND thành phố Vị Thanh" in names
    assert "Hội Tin học TP.HCM (HCA)" in names
    assert "Trường Đại học Cần Thơ" in names
    assert len(set(names)) == len(names)
    assert all(o.name_folded == fold(o.name) for o in orgs)
    assert all(o.sectors and o.offers and o.seeks and o.description for o in orgs)
    assert {o.stage for o in orgs if o.kind == "startup"} <= {
        "idea", "mvp", "seed", "series_a", "growth",
    }


def test_demo_stores_provinces_as_the_units_since_the_2025_merger(
    demo: tuple[Session, DemoSummary],
) -> None:
    session, _ = demo

    orgs = session.exec(select(Organisation)).all()
    provinces = Counter(o.province for o in orgs)

    assert set(provinces) <= set(PROVINCES)
    assert "Hậu Giang" not in provinces  # its agencies and producers are in Cần Thơ now
    agency = next(o for o in orgs if o.name == "Sở Thông tin và Truyền thông tỉnh Hậu Giang")
    assert agency.province == "Cần Thơ"
    assert provinces.most_common(1)[0][0] == "Cần Thơ"


def test_demo_participants_have_unique_emails_and_explicit_availability(
    demo: tuple[Session, DemoSummary],
) -> None:
    session, _ = demo
    codes = {"d1-am", "d1-pm", "d2-am", "d2-pm", "d3-am", "d3-pm"}

    people = session.exec(select(Participant)).all()
    per_org = Counter(p.organisation_id for p in people)

    assert len({p.email for p in people}) == len(people)
    assert all(p.email.isascii() and p.email.endswith("@example.vn") for p in people)
    assert all(p.name_folded == fold(p.full_name) for p in people)
    assert all(p.available_sessions and set(p.available_sessions) <= codes for p in people)
    assert any(len(p.available_sessions) < 6 for p in people)
    assert all("vi" in p.languages for p in people)
    assert set(per_org.values()) == {1, 2}
    assert 0.10 <= sum(1 for n in per_org.values() if n == 2) / len(per_org) <= 0.20


def test_demo_requests_have_a_realistic_acceptance_rate(
    demo: tuple[Session, DemoSummary],
) -> None:
    session, summary = demo

    rows = session.exec(select(MeetingRequest.status)).all()
    statuses = Counter(RequestStatus(s).value for s in rows)
    accepted_share = statuses["accepted"] / sum(statuses.values())

    assert dict(statuses) == {k: v for k, v in summary.requests_by_status.items() if v}
    assert 0.60 <= accepted_share <= 0.70
    assert statuses["declined"] > 0
    assert statuses["pending"] > 0


def test_demo_pending_requests_stay_answerable(demo: tuple[Session, DemoSummary]) -> None:
    session, _ = demo

    requests = session.exec(select(MeetingRequest)).all()

    assert all(r.expires_at is None for r in requests if r.status == RequestStatus.pending)
    assert all(r.answered_at is None for r in requests if r.status == RequestStatus.pending)
    assert all(
        r.answered_at is not None and r.expires_at is not None and r.answered_at < r.expires_at
        for r in requests
        if r.status != RequestStatus.pending
    )


def test_demo_meetings_are_unique_ordered_pairs_of_accepted_requests(
    demo: tuple[Session, DemoSummary],
) -> None:
    session, summary = demo

    meetings = session.exec(select(Meeting)).all()
    requests = {r.id: r for r in session.exec(select(MeetingRequest))}
    weights = Counter(m.weight for m in meetings)

    assert all(m.org_a_id < m.org_b_id for m in meetings)
    assert len({(m.org_a_id, m.org_b_id) for m in meetings}) == len(meetings)
    for meeting in meetings:
        assert meeting.request_id is not None
        request = requests[meeting.request_id]
        assert request.status == RequestStatus.accepted
        assert meeting.host_org_id == request.to_org_id
        assert {request.from_org_id, request.to_org_id} == {meeting.org_a_id, meeting.org_b_id}
    assert set(weights) == {1, 2, 3}
    assert weights[3] == summary.mutual_meetings
    assert weights[2] == summary.must_meetings


def test_demo_meetings_fit_the_organisations_time(demo: tuple[Session, DemoSummary]) -> None:
    session, _ = demo
    event = session.exec(select(Event)).one()
    people = session.exec(select(Participant)).all()
    sessions: dict[int, set[str]] = {}
    usable: Counter[int] = Counter()
    reps: Counter[int] = Counter()
    for person in people:
        sessions.setdefault(person.organisation_id, set()).update(person.available_sessions)
        usable[person.organisation_id] += 9 * len(person.available_sessions)
        reps[person.organisation_id] += 1

    load: Counter[int] = Counter()
    for meeting in session.exec(select(Meeting)):
        load[meeting.org_a_id] += 1
        load[meeting.org_b_id] += 1
        # The two sides are present together at least once.
        assert sessions[meeting.org_a_id] & sessions[meeting.org_b_id]

    for org_id, meetings in load.items():
        assert meetings <= 0.7 * usable[org_id]
        assert meetings <= event.rules["max_meetings"] * reps[org_id]


def test_demo_home_tables_belong_to_single_representative_hosts(
    demo: tuple[Session, DemoSummary],
) -> None:
    session, _ = demo

    tables = session.exec(select(MeetingTable).order_by(col(MeetingTable.id))).all()
    hosts = [t.host_org_id for t in tables if t.host_org_id is not None]
    reps = Counter(session.exec(select(Participant.organisation_id)))

    assert tables[0].name == "B2B-01" and tables[-1].name == "B2B-33"
    assert {t.zone for t in tables} == {"A", "B", "C"}
    assert len(set(hosts)) == len(hosts)
    assert all(reps[h] == 1 for h in hosts)


def test_demo_is_deterministic_for_a_seed(small: Engine, tmp_path: Path) -> None:
    again, _ = _build(tmp_path, seed=7, scale=0.2)

    with Session(small) as first, Session(again) as second:
        assert _fingerprint(first) == _fingerprint(second)


def test_demo_with_another_seed_differs_and_is_left_uncommitted(
    small: Engine, tmp_path: Path
) -> None:
    engine = _engine(tmp_path)
    with Session(small) as first_session:
        names, emails, pairs = _fingerprint(first_session)

    with Session(engine) as session:
        generate_demo(session, seed=8, scale=0.2)
        other_names, other_emails, other_pairs = _fingerprint(session)
        session.rollback()

    assert other_names != names
    assert other_emails != emails
    assert other_pairs != pairs
    with Session(engine) as session:
        assert session.exec(select(Event)).first() is None
        assert session.exec(select(Meeting)).first() is None


def test_demo_small_scale_keeps_every_kind(small: Engine) -> None:
    with Session(small) as session:
        kinds = Counter(OrgKind(k).value for k in session.exec(select(Organisation.kind)))
        slots = session.exec(select(func.count()).select_from(Slot)).one()
        tables = session.exec(select(func.count()).select_from(MeetingTable)).one()
        meetings = session.exec(select(func.count()).select_from(Meeting)).one()

    assert set(kinds) == {"startup", "tech_firm", "investor", "agency", "ocop", "university",
                          "association"}
    assert kinds["startup"] == 30
    assert slots == 54
    assert tables == 7
    assert 270 <= meetings <= 330


def test_demo_refuses_a_second_event_with_the_same_slug(
    demo: tuple[Session, DemoSummary],
) -> None:
    session, _ = demo

    with pytest.raises(DemoExistsError):
        generate_demo(session, scale=0.2)


def test_demo_rejects_a_non_positive_scale() -> None:
    with Session(make_engine("sqlite://")) as session, pytest.raises(ValueError, match="scale"):
        generate_demo(session, scale=0)
