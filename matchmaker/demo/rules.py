"""The demo event's rules: who may request whom, and reading their limits.

``REQUEST_TARGETS`` drives both the rules' allowed pairs and the requests the
generator draws, so the demo never sends a request its own rules forbid.
"""

from __future__ import annotations

from matchmaker.models import OrgKind
from matchmaker.rules import EventRules

# Who requests whom, and how often (weights by target kind).
REQUEST_TARGETS: dict[OrgKind, tuple[tuple[OrgKind, float], ...]] = {
    OrgKind.startup: (
        (OrgKind.investor, 0.33),
        (OrgKind.tech_firm, 0.30),
        (OrgKind.agency, 0.17),
        (OrgKind.university, 0.10),
        (OrgKind.ocop, 0.06),
        (OrgKind.association, 0.04),
    ),
    OrgKind.ocop: (
        (OrgKind.tech_firm, 0.40),
        (OrgKind.agency, 0.25),
        (OrgKind.startup, 0.20),
        (OrgKind.investor, 0.08),
        (OrgKind.association, 0.07),
    ),
    OrgKind.tech_firm: (
        (OrgKind.agency, 0.45),
        (OrgKind.startup, 0.20),
        (OrgKind.ocop, 0.15),
        (OrgKind.university, 0.10),
        (OrgKind.tech_firm, 0.05),
        (OrgKind.association, 0.05),
    ),
    OrgKind.investor: ((OrgKind.startup, 0.85), (OrgKind.tech_firm, 0.15)),
    OrgKind.agency: (
        (OrgKind.tech_firm, 0.45),
        (OrgKind.startup, 0.30),
        (OrgKind.university, 0.15),
        (OrgKind.ocop, 0.10),
    ),
    OrgKind.university: (
        (OrgKind.startup, 0.40),
        (OrgKind.tech_firm, 0.30),
        (OrgKind.agency, 0.30),
    ),
    OrgKind.association: (
        (OrgKind.tech_firm, 0.30),
        (OrgKind.agency, 0.40),
        (OrgKind.startup, 0.30),
    ),
}


def default_rules() -> EventRules:
    """The demo event's organiser rules: who may request whom follows the demo's request
    targets; every limit is the default of ``matchmaker.rules``."""
    allowed = {kind: frozenset(t for t, _ in REQUEST_TARGETS.get(kind, ())) for kind in OrgKind}
    return EventRules(allowed_pairs=allowed)


def limit(value: int | None) -> int:
    """A limit of the demo's rules (all are set; "no limit" would be a large number)."""
    return value if value is not None else 10**6
