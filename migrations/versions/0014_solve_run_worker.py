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
    # Plain ADD COLUMN, not a batch: on SQLite a batch copies the table and drops the
    # old one, and with foreign keys on, the drop fails as soon as a schedule version
    # points at a run (every database that has published). The empty default stays
    # (SQLite cannot drop it without that copy); the application always writes it.
    op.add_column(
        "solve_run",
        sa.Column(
            "worker_host",
            sqlmodel.sql.sqltypes.AutoString(length=255),
            nullable=False,
            server_default="",
        ),
    )
    op.add_column(
        "solve_run", sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("solve_run") as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("worker_host")
