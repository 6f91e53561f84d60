"""What a solve returns: status, assignments, unscheduled meetings with reasons, objective.

A reason is a stable ``code`` with ``params`` (ids and counts) that an application renders
in its own language, and a plain English ``text`` for the command line. Params named in
``ID_PARAMS`` hold instance ids (a string, or a list of strings) of the kind given there;
every other param is a count, a list of counts, a flag or (``invalid`` only) text.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, Field, model_validator


class Status(StrEnum):
    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"
    INVALID = "INVALID"


class Assignment(BaseModel):
    meeting: str
    slot: str
    table: str | None = None
    persons: dict[str, str] = Field(default_factory=dict)  # participant -> who attends


# param name -> kind of instance id it holds
ID_PARAMS = {
    "participant": "participant",
    "participants": "participant",
    "unavailable": "participant",
    "slot": "slot",
    "slots": "slot",
    "before_slot": "slot",
    "meeting": "meeting",
    "cycle": "meeting",
    "before": "meeting",
    "person": "person",  # a person id of the reason's "participant"
}


class Reason(BaseModel):
    """Why something cannot be scheduled: a stable code, its parameters, English text.

    Codes for one meeting (on ``Unscheduled``, and on an INFEASIBLE answer with
    ``params["meeting"]``): ``no_allowed_slot``, ``no_common_slot``,
    ``fixed_unavailable``, ``fixed_not_allowed``, ``blocked_by_fixed``,
    ``order_window``, ``no_slot``, and, when slots were possible but taken, the main
    cause among ``participant_booked``, ``tables_full``, ``daily_limit`` and
    ``order_or_consecutive``. For a whole INFEASIBLE answer: ``fixed_conflict``,
    ``fixed_tables``, ``fixed_order``, ``precedence_cycle``, ``too_many_meetings``,
    ``too_few_table_slots``, ``no_feasible_schedule``; UNKNOWN: ``time_limit``;
    INVALID: ``invalid``.
    """

    code: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    text: str = ""


class Unscheduled(BaseModel):
    """A meeting left out; ``code``/``params`` as in ``Reason`` (empty in old files)."""

    meeting: str
    reason: str
    code: str = ""
    params: dict[str, Any] = Field(default_factory=dict)


class Objective(BaseModel):
    scheduled: int = 0
    scheduled_weight: int = 0
    breaks: int = 0
    moved: int = 0
    min_share: float = 1.0
    zero_meeting: int = 0  # participants with a schedulable meeting but none scheduled
    floor: int | None = None  # with ``options.min_meetings``: sum of min(N, scheduled_p)


class Bound(BaseModel):
    scheduled_weight: int | None = None
    breaks: int | None = None
    min_share: float | None = None  # worst-off share of any schedule of the scheduled weight
    zero_meeting: int | None = None  # left at zero by every schedule of the scheduled weight


class Solution(BaseModel):
    status: Status
    assignments: list[Assignment] = Field(default_factory=list)
    unscheduled: list[Unscheduled] = Field(default_factory=list)
    objective: Objective | None = None
    bound: Bound = Field(default_factory=Bound)
    solve_seconds: float = 0.0
    reasons: list[str] = Field(default_factory=list)  # English, for the command line
    diagnosis: list[Reason] = Field(default_factory=list)  # the same reasons, structured

    @model_validator(mode="after")
    def _reasons_from_diagnosis(self) -> Self:
        if self.diagnosis and not self.reasons:
            self.reasons = [r.text for r in self.diagnosis]
        return self

    @property
    def has_schedule(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def slot_of(self) -> dict[str, str]:
        return {a.meeting: a.slot for a in self.assignments}

    def summary(self) -> str:
        parts = [self.status.value]
        if self.objective is not None:
            o = self.objective
            parts.append(
                f"scheduled={o.scheduled} weight={o.scheduled_weight} breaks={o.breaks} "
                f"moved={o.moved} min_share={o.min_share:.3f} zero_meeting={o.zero_meeting}"
                + ("" if o.floor is None else f" floor={o.floor}")
            )
        b = self.bound
        share = "None" if b.min_share is None else f"{b.min_share:.3f}"
        parts.append(
            f"bound(weight={b.scheduled_weight}, breaks={b.breaks}, min_share={share}, "
            f"zero_meeting={b.zero_meeting})"
        )
        parts.append(f"{self.solve_seconds:.2f}s")
        if self.unscheduled:
            codes = Counter(u.code or "?" for u in self.unscheduled)
            parts.append(
                "unscheduled(" + ", ".join(f"{c}={n}" for c, n in sorted(codes.items())) + ")"
            )
        if self.reasons:
            parts.append("reason: " + "; ".join(self.reasons))
        return " ".join(parts)
