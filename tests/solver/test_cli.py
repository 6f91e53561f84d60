"""``python -m solver``: good files solve and check; bad files exit non-zero with a clear
message naming the file and field, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from solver.cli import main
from tests.solver.conftest import b2bsp_instance

pytestmark = pytest.mark.unit

GOOD: dict[str, Any] = {
    "name": "tiny",
    "slots": [{"id": "t1", "session": "s", "day": 1}, {"id": "t2", "session": "s", "day": 1}],
    "tables": [{"id": "T1"}],
    "participants": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
    "meetings": [
        {"id": "m1", "participants": ["a", "b"]},
        {"id": "m2", "participants": ["a", "c"]},
    ],
    "options": {"require_all": True},
}


def _write(tmp_path: Path, data: object, name: str = "instance.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_solve_writes_solution_and_check_accepts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inst = _write(tmp_path, GOOD)
    out = tmp_path / "solution.json"

    assert main(["solve", str(inst), "--output", str(out), "--time-limit", "5"]) == 0
    assert main(["check", str(inst), str(out)]) == 0

    solution = json.loads(out.read_text())
    assert solution["status"] == "OPTIMAL"
    assert len(solution["assignments"]) == 2
    assert "valid: scheduled=2 weight=2 breaks=0" in capsys.readouterr().out


def test_check_reports_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = _write(tmp_path, GOOD)
    bad = _write(
        tmp_path,
        {
            "status": "FEASIBLE",
            "assignments": [
                {"meeting": "m1", "slot": "t1", "table": "T1"},
                {"meeting": "m2", "slot": "t1", "table": "T1"},
            ],
        },
        "solution.json",
    )

    assert main(["check", str(inst), str(bad)]) == 1
    assert "violation: 'a' has 2 meetings in slot t1 (capacity 1)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("slots"), "instance.json: slots: Field required"),
        (
            lambda d: d["meetings"][0].__setitem__("participants", ["a", "zz"]),
            "instance.json: meetings[0].participants: unknown participant 'zz'",
        ),
        (
            lambda d: d["meetings"][1].__setitem__("participants", ["a"]),
            "instance.json: meetings.1: meeting 'm2' must have exactly two participants, got 1",
        ),
        (
            lambda d: d["meetings"][1].__setitem__("fixed_slot", "t9"),
            "instance.json: meetings[1].fixed_slot: unknown slot 't9'",
        ),
        (
            lambda d: d["participants"][0].__setitem__("capacity", 0),
            "instance.json: participants.0.capacity: Input should be greater than or equal to 1",
        ),
    ],
)
def test_bad_instance_exits_non_zero_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, message: str
) -> None:
    data = json.loads(json.dumps(GOOD))
    change(data)
    inst = _write(tmp_path, data)

    code = main(["solve", str(inst)])

    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def _people(data: dict[str, Any], *people: dict[str, Any]) -> None:
    data["participants"][0]["people"] = list(people)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _people(d, {"id": "r1"}, {"id": "r1"}),
            "instance.json: participants[0].people: duplicate person id 'r1'",
        ),
        (
            lambda d: _people(d, {"id": "r1", "unavailable": ["t9"]}),
            "instance.json: participants[0].people[0].unavailable: unknown slot 't9'",
        ),
        (
            lambda d: _people(d, {"id": "r1", "max_per_day": -1}),
            "instance.json: participants.0.people.0.max_per_day: Input should be greater",
        ),
        (
            lambda d: (_people(d, {"id": "r1"}), d["meetings"][0].update(persons={"a": "r9"})),
            "instance.json: meetings[0].persons.a: unknown person 'r9' of 'a'",
        ),
        (
            lambda d: d["meetings"][0].update(persons={"b": "r1"}),
            "instance.json: meetings[0].persons.b: participant 'b' has no people",
        ),
    ],
)
def test_bad_people_exit_non_zero_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, message: str
) -> None:
    data = json.loads(json.dumps(GOOD))
    change(data)
    inst = _write(tmp_path, data)

    code = main(["solve", str(inst)])

    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_team_solution_names_persons_and_check_accepts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(json.dumps(GOOD))
    _people(data, {"id": "r1", "unavailable": ["t2"]}, {"id": "r2", "unavailable": ["t1"]})
    inst = _write(tmp_path, data)
    out = tmp_path / "solution.json"

    assert main(["solve", str(inst), "--output", str(out), "--time-limit", "5"]) == 0
    assert main(["check", str(inst), str(out)]) == 0

    solution = json.loads(out.read_text())
    assert sorted((a["slot"], a["persons"]["a"]) for a in solution["assignments"]) == [
        ("t1", "r1"),
        ("t2", "r2"),
    ]
    assert "valid: scheduled=2" in capsys.readouterr().out


def test_not_json_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = _write(tmp_path, "{not json")

    assert main(["solve", str(inst)]) == 2
    assert "instance.json: not valid JSON" in capsys.readouterr().err


def test_missing_file_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(tmp_path / "nope.json")]) == 2
    assert "nope.json: cannot read" in capsys.readouterr().err


def test_malformed_dzn_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = _write(tmp_path, "nBusiness = 2;\nnMeetings = x;\n", "broken.dzn")

    assert main(["solve", str(inst)]) == 2
    assert "broken.dzn: nMeetings: 'x' is not an integer" in capsys.readouterr().err


def test_dzn_solves_to_the_papers_objective(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "solution.json"

    code = main(["solve", str(b2bsp_instance("tic-12.original")), "--output", str(out)])

    solution = json.loads(out.read_text())
    assert code == 0
    assert (solution["status"], solution["objective"]["breaks"]) == ("OPTIMAL", 0)
