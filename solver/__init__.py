"""Matchmaker's scheduling engine: ``Instance`` in, validated ``Solution`` out.

A pure library (ortools and pydantic only); see ``../shared/SOLVER-CONTRACT.md``.
"""

from solver.api import Progress, solve
from solver.dzn import read_dzn
from solver.instance import Instance, Meeting, Options, Participant, Person, Slot, Table
from solver.solution import Assignment, Bound, Objective, Solution, Status, Unscheduled
from solver.validate import validate

__all__ = [
    "Assignment",
    "Bound",
    "Instance",
    "Meeting",
    "Objective",
    "Options",
    "Participant",
    "Person",
    "Progress",
    "Slot",
    "Solution",
    "Status",
    "Table",
    "Unscheduled",
    "read_dzn",
    "solve",
    "validate",
]
