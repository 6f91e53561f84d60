"""Small factories for solver tests, and where the B2BSP benchmark lives."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from solver import Instance, Solution, solve

B2BSP = Path(__file__).parents[2].parent / "shared" / "benchmarks" / "b2bsp"


def b2bsp_instance(name: str) -> Path:
    """Path of a benchmark .dzn; skips when the benchmark is absent (never on CI)."""
    path = B2BSP / "instances" / f"{name}.dzn"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"benchmark instance missing on CI: {path}")
        pytest.skip(f"B2BSP benchmark not found at {B2BSP}")
    return path


def make_instance(
    meetings: list[Any],
    *,
    slots: int | list[dict[str, Any]] = 3,
    tables: int | list[dict[str, Any]] = 2,
    people: list[dict[str, Any]] | None = None,
    **options: Any,
) -> Instance:
    """An instance from short descriptions: ``meetings`` as pairs of ids or dicts."""
    slot_list = (
        [{"id": f"t{i + 1}", "session": "s1", "day": 1} for i in range(slots)]
        if isinstance(slots, int)
        else slots
    )
    table_list = [{"id": f"T{i + 1}"} for i in range(tables)] if isinstance(tables, int) else tables
    meeting_list: list[dict[str, Any]] = []
    for i, m in enumerate(meetings):
        if isinstance(m, tuple):
            meeting_list.append({"id": f"m{i + 1}", "participants": list(m)})
        else:
            meeting_list.append({"id": f"m{i + 1}", **m})
    ids = sorted({p for m in meeting_list for p in m["participants"]})
    given = {p["id"]: p for p in people or []}
    person_list = [given.get(p, {"id": p}) for p in ids] + [
        p for p in people or [] if p["id"] not in ids
    ]
    return Instance.model_validate(
        {
            "name": "test",
            "slots": slot_list,
            "tables": table_list,
            "participants": person_list,
            "meetings": meeting_list,
            "options": options,
        }
    )


def quick_solve(instance: Instance) -> Solution:
    return solve(instance, time_limit=10, workers=1, seed=1, deterministic=True)


def slots_of(solution: Solution) -> dict[str, str]:
    return {a.meeting: a.slot for a in solution.assignments}
