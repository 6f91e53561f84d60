"""where a solve runs: its host and its heartbeat

Revision ID: 0014
Revises: 0013
Create Date: 2027-01-24

On PostgreSQL a solve goes through the job queue and runs wherever a ``matchmaker
worker`` takes it, not necessarily on the web server's machine; the web side can only
ask the run's own process whether it is alive on the same host (``solve_run.pid``).
``worker_host`` is the machine of that process and ``heartbeat_at`` when it last said
it is alive: a run elsewhere whose heartbeat has stopped is reaped as failed, as a
job's is. Earlier runs keep an empty host (they ran beside the web server).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("solve_run") as batch_op:
        batch_op.add_column(
            sa.Column(
                "worker_host",
                sqlmodel.sql.sqltypes.AutoString(length=255),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    # the default only fills existing rows; the application always writes the column
    with op.batch_alter_table("solve_run") as batch_op:
        batch_op.alter_column("worker_host", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("solve_run") as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("worker_host")
