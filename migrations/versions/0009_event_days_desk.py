"""event days at the desk: check-in codes, one check-in per person and day, no-shows,
"running late" notes on tables, revocable live-board links

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

PostgreSQL cannot take a value out of an enum type: the downgrade turns no-show
meetings back into scheduled ones and leaves the value in ``meetingstatus`` (the
upgrade adds it only when it is missing).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE meetingstatus ADD VALUE IF NOT EXISTS 'no_show'")
    with op.batch_alter_table("participant") as batch_op:
        batch_op.add_column(
            sa.Column("checkin_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.create_index("ix_participant_checkin_code", ["checkin_code"], unique=True)
    with op.batch_alter_table("check_in") as batch_op:
        batch_op.create_unique_constraint("uq_check_in_person_day", ["participant_id", "day_id"])
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.add_column(sa.Column("no_show_org_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("no_show_reported_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("no_show_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_foreign_key(
            "fk_meeting_no_show_org_id", "organisation", ["no_show_org_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_meeting_no_show_reported_by", "account", ["no_show_reported_by"], ["id"]
        )
    with op.batch_alter_table("meeting_table") as batch_op:
        batch_op.add_column(
            sa.Column(
                "running_late",
                sqlmodel.sql.sqltypes.AutoString(length=120),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("running_late_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(
            sa.Column("board_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    op.execute("UPDATE meeting SET status = 'scheduled' WHERE status = 'no_show'")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("board_generation")
    with op.batch_alter_table("meeting_table") as batch_op:
        batch_op.drop_column("running_late_at")
        batch_op.drop_column("running_late")
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.drop_constraint("fk_meeting_no_show_reported_by", type_="foreignkey")
        batch_op.drop_constraint("fk_meeting_no_show_org_id", type_="foreignkey")
        batch_op.drop_column("no_show_at")
        batch_op.drop_column("no_show_reported_by")
        batch_op.drop_column("no_show_org_id")
    with op.batch_alter_table("check_in") as batch_op:
        batch_op.drop_constraint("uq_check_in_person_day", type_="unique")
    with op.batch_alter_table("participant") as batch_op:
        batch_op.drop_index("ix_participant_checkin_code")
        batch_op.drop_column("checkin_code")
