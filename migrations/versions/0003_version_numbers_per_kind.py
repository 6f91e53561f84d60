"""schedule versions numbered within their kind: drafts are not publications

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _renumber(per_kind: bool) -> None:
    """Number each event's versions 1, 2, ... in the order they were stored, counting
    drafts and published versions apart (``per_kind``) or together."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, event_id, kind FROM schedule_version ORDER BY event_id, id")
    ).all()
    counters: dict[tuple[int, str], int] = {}
    for version_id, event_id, kind in rows:
        key = (event_id, kind if per_kind else "")
        counters[key] = counters.get(key, 0) + 1
        bind.execute(
            sa.text("UPDATE schedule_version SET number = :n WHERE id = :id"),
            {"n": counters[key], "id": version_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("schedule_version") as batch_op:
        batch_op.drop_constraint("uq_schedule_version_number", type_="unique")
    _renumber(per_kind=True)
    with op.batch_alter_table("schedule_version") as batch_op:
        batch_op.create_unique_constraint(
            "uq_schedule_version_number", ["event_id", "kind", "number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("schedule_version") as batch_op:
        batch_op.drop_constraint("uq_schedule_version_number", type_="unique")
    _renumber(per_kind=False)
    with op.batch_alter_table("schedule_version") as batch_op:
        batch_op.create_unique_constraint("uq_schedule_version_number", ["event_id", "number"])
