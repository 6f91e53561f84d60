"""feature columns added while the first features were built

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ACTIVE_RUN_WHERE = "status IN ('queued', 'running')"


def upgrade() -> None:
    # foundation: signing out ends the account's sessions on the server too
    with op.batch_alter_table("account") as batch_op:
        batch_op.add_column(
            sa.Column("sessions_revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    # scheduling: one queued/running solve per event; version numbers unique per event
    with op.batch_alter_table("solve_run") as batch_op:
        batch_op.create_index(
            "ux_solve_run_active",
            ["event_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE_RUN_WHERE),
            postgresql_where=sa.text(ACTIVE_RUN_WHERE),
        )
    with op.batch_alter_table("schedule_version") as batch_op:
        batch_op.create_unique_constraint("uq_schedule_version_number", ["event_id", "number"])


def downgrade() -> None:
    with op.batch_alter_table("account") as batch_op:
        batch_op.drop_column("sessions_revoked_at")
    with op.batch_alter_table("schedule_version") as batch_op:
        batch_op.drop_constraint("uq_schedule_version_number", type_="unique")
    with op.batch_alter_table("solve_run") as batch_op:
        batch_op.drop_index("ux_solve_run_active")
