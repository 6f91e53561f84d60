"""Reading B2BSP .dzn files with the paper's semantics."""

from __future__ import annotations

import pytest

from solver.dzn import DznError, parse, to_instance
from tests.solver.conftest import b2bsp_instance

pytestmark = pytest.mark.unit

SMALL = """
nBusiness = 3;
nMeetings = 3;
nTables = 1;
nTotalSlots = 4;
nMorningSlots = 2;
requested = [|1, 2,1,
|1, 3,2,
|2, 3,3,
|];
forbidden = [{0},{0,4},{0}];
fixed = [0,0,1];
precedences = [{},{},{1}];
"""


def test_small_dzn_becomes_instance_with_paper_semantics() -> None:
    inst = to_instance(parse(SMALL), "small")

    assert [s.id for s in inst.slots] == ["1", "2", "3", "4"]
    assert {s.session for s in inst.slots} == {"1"}
    assert [p.id for p in inst.participants] == ["1", "2", "3"]
    assert inst.participants[1].unavailable == ["4"]
    assert [m.participants for m in inst.meetings] == [["1", "2"], ["1", "3"], ["2", "3"]]
    assert [m.allowed_slots for m in inst.meetings] == [["1", "2"], ["3", "4"], None]
    assert [m.fixed_slot for m in inst.meetings] == [None, None, "1"]
    assert [m.after for m in inst.meetings] == [[], [], ["1"]]
    assert len(inst.tables) == 1
    assert inst.options.require_all is True
    assert inst.options.fairness_max_diff == 2


def test_fairness_d_is_configurable() -> None:
    inst = to_instance(parse(SMALL), "small", fairness=0)

    assert inst.options.fairness_max_diff == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nBusiness = 2;", "small: missing nMeetings"),
        (
            SMALL.replace("|1, 3,2,", "|1, 1,2,"),
            "requested row 2: a meeting needs two participants",
        ),
        (SMALL.replace("|1, 3,2,", "|1, 9,2,"), "requested row 2: participant 9 out of 1..3"),
        (SMALL.replace("fixed = [0,0,1]", "fixed = [0,0]"), "fixed has 2 entries, expected 3"),
        (SMALL.replace("nTables = 1;", "nTables = one;"), "nTables: 'one' is not an integer"),
        (SMALL.replace("requested =", "requested"), "cannot read statement"),
    ],
)
def test_malformed_dzn_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(DznError) as err:
        to_instance(parse(text, "small"), "small", source="small")

    assert message in str(err.value)


def test_benchmark_file_reads_with_all_meetings() -> None:
    from solver.dzn import read_dzn

    inst = read_dzn(b2bsp_instance("tic-13.original"))

    assert (len(inst.participants), len(inst.meetings), len(inst.tables), len(inst.slots)) == (
        47,
        180,
        21,
        10,
    )
