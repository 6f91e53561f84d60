"""structured reasons for unscheduled meetings: the solver's code and its parameters

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

``meeting.unscheduled_reason`` keeps what an organiser typed (and the English text an
earlier solve wrote); solve results stored in ``solve_run.result`` before this change
are read as they are (``matchmaker.models.RunResult`` accepts the old shape).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.add_column(
            sa.Column(
                "unscheduled_code",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("unscheduled_params", sa.JSON(), nullable=False, server_default="{}")
        )
    # the defaults only fill existing rows; the application always writes both columns
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.alter_column("unscheduled_code", server_default=None)
        batch_op.alter_column("unscheduled_params", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.drop_column("unscheduled_params")
        batch_op.drop_column("unscheduled_code")
