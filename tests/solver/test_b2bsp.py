"""A few fast B2BSP benchmark instances against the paper's published results."""

from __future__ import annotations

import pytest

from solver import Status, read_dzn, solve, validate
from tests.solver.conftest import b2bsp_instance

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "breaks"),
    [
        ("tic-12.original", 0),
        ("tic-13.original", 0),
        ("forumt-14.original", 5),
        # 236 meetings for 240 table places: needs the per-slot counters
        ("forumt-14crafe.original", 5),
    ],
)
def test_instance_reaches_published_optimum(name: str, breaks: int) -> None:
    inst = read_dzn(b2bsp_instance(name))

    sol = solve(inst, time_limit=120, workers=2, seed=1)

    assert sol.status == Status.OPTIMAL
    assert sol.objective is not None and sol.objective.breaks == breaks
    assert validate(inst, sol) == []


@pytest.mark.parametrize(
    ("name", "code", "params"),
    [
        ("tic-12.forb0003", "too_many_meetings", {"participant": "1", "meetings": 8, "fit": 7}),
        ("forum-13.prec25", "order_window", {}),
    ],
)
def test_infeasible_instance_is_explained_before_search(
    name: str, code: str, params: dict[str, object]
) -> None:
    sol = solve(read_dzn(b2bsp_instance(name)), time_limit=10)

    assert sol.status == Status.INFEASIBLE
    assert sol.diagnosis[0].code == code
    assert {k: sol.diagnosis[0].params[k] for k in params} == params


def test_stricter_fairness_never_lowers_the_optimum() -> None:
    path = b2bsp_instance("tic-12.original")

    sol = solve(read_dzn(path, fairness=0), time_limit=60, workers=2, seed=1)

    assert sol.status == Status.OPTIMAL
    assert sol.objective is not None and sol.objective.breaks == 0
