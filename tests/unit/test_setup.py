from __future__ import annotations

from datetime import time

from matchmaker.models import OrgKind
from matchmaker.setup import SessionSpec, parse_breaks, parse_setup, plan_slots


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "start_date": "2023-05-18",
        "end_date": "2023-05-20",
        "session-0-day": "1",
        "session-0-start": "08:00",
        "session-0-end": "11:00",
        "session-0-slot_minutes": "20",
        "session-0-changeover_minutes": "0",
        "session-0-breaks": "",
        "table-0-name": "B2B-01",
        "table-1-name": "B2B-02",
        "allow-startup": ["investor", "agency"],
        "max_open_requests": "20",
    }
    data.update(overrides)
    return data


def _session(**kw: object) -> SessionSpec:
    base = dict(
        day=1,
        name_vi="Sáng",
        name_en="Morning",
        start=time(8, 0),
        end=time(11, 0),
        slot_minutes=20,
        changeover_minutes=0,
        breaks=[],
    )
    base.update(kw)
    return SessionSpec(**base)  # type: ignore[arg-type]


def test_plan_slots_fills_session_back_to_back() -> None:
    slots = plan_slots([_session()])
    assert len(slots) == 9
    assert [s.code for s in slots[:2]] == ["d1-am-01", "d1-am-02"]
    assert (slots[-1].start, slots[-1].end) == (time(10, 40), time(11, 0))


def test_plan_slots_skips_breaks_and_adds_changeover() -> None:
    slots = plan_slots([_session(changeover_minutes=5, breaks=[(time(9, 0), time(9, 30))])])
    starts = [s.start for s in slots]
    assert starts == [time(8, 0), time(8, 25), time(9, 30), time(9, 55), time(10, 20)]


def test_plan_slots_names_afternoon_sessions_pm_and_keeps_given_codes() -> None:
    slots = plan_slots([_session(start=time(13, 30), end=time(14, 10)), _session(code="d1-x")])
    assert {s.session_code for s in slots} == {"d1-pm", "d1-x"}


def test_parse_breaks_reads_ranges_and_refuses_garbage() -> None:
    assert parse_breaks("10:00-10:20, 15:00–15:15") == [
        (time(10, 0), time(10, 20)),
        (time(15, 0), time(15, 15)),
    ]
    assert parse_breaks("") == []
    assert parse_breaks("ten to eleven") is None


def test_parse_setup_accepts_a_valid_form() -> None:
    spec, errors = parse_setup(_form(), valid_hosts=set())
    assert errors == {}
    assert spec is not None
    assert len(spec.sessions) == 1
    assert [t.name for t in spec.tables] == ["B2B-01", "B2B-02"]
    assert spec.rules.allowed_pairs[OrgKind.startup] == {OrgKind.investor, OrgKind.agency}
    assert spec.rules.allowed_pairs[OrgKind.investor] == frozenset()
    assert spec.rules.max_open_requests == 20
    assert spec.rules.max_meetings is None


def test_parse_setup_reports_overlapping_sessions() -> None:
    form = _form(
        **{
            "session-1-day": "1",
            "session-1-start": "10:30",
            "session-1-end": "12:00",
            "session-1-slot_minutes": "20",
        }
    )
    spec, errors = parse_setup(form, valid_hosts=set())
    assert spec is None
    assert (
        errors["session-1-start"].message
        == "This session overlaps another session of the same day."
    )


def test_parse_setup_reports_session_shorter_than_a_slot() -> None:
    spec, errors = parse_setup(_form(**{"session-0-end": "08:15"}), valid_hosts=set())
    assert spec is None
    assert errors["session-0-end"].params == {"n": 20}


def test_parse_setup_refuses_all_tables_being_home_tables() -> None:
    form = _form(**{"table-0-host": "5", "table-1-host": "6"})
    spec, errors = parse_setup(form, valid_hosts={5, 6})
    assert spec is None
    assert "tables" in errors


def test_parse_setup_refuses_unknown_host_and_bad_numbers() -> None:
    form = _form(**{"table-0-host": "99", "max_per_day": "lots", "end_date": "2023-05-10"})
    spec, errors = parse_setup(form, valid_hosts={5})
    assert spec is None
    assert set(errors) == {"table-0-host", "max_per_day", "end_date"}


def test_parse_setup_ignores_empty_spare_rows_and_deleted_rows() -> None:
    form = _form(**{"session-1-day": "", "table-2-name": "", "table-1-delete": "1"})
    spec, errors = parse_setup(form, valid_hosts=set())
    assert errors == {}
    assert spec is not None
    assert [t.name for t in spec.tables] == ["B2B-01"]
