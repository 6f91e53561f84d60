"""What a solve returns: status, assignments, unscheduled meetings with reasons, objective."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


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


class Unscheduled(BaseModel):
    meeting: str
    reason: str


class Objective(BaseModel):
    scheduled: int = 0
    scheduled_weight: int = 0
    breaks: int = 0
    moved: int = 0
    min_share: float = 1.0


class Bound(BaseModel):
    scheduled_weight: int | None = None
    breaks: int | None = None


class Solution(BaseModel):
    status: Status
    assignments: list[Assignment] = Field(default_factory=list)
    unscheduled: list[Unscheduled] = Field(default_factory=list)
    objective: Objective | None = None
    bound: Bound = Field(default_factory=Bound)
    solve_seconds: float = 0.0
    reasons: list[str] = Field(default_factory=list)

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
                f"moved={o.moved} min_share={o.min_share:.3f}"
            )
        b = self.bound
        parts.append(f"bound(weight={b.scheduled_weight}, breaks={b.breaks})")
        parts.append(f"{self.solve_seconds:.2f}s")
        if self.reasons:
            parts.append("reason: " + "; ".join(self.reasons))
        return " ".join(parts)
