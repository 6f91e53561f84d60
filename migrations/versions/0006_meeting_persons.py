"""people in the schedule: who attends each meeting, and the person a requester asked for

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch_op:
        for name in ("person_a_id", "person_b_id", "required_person_id"):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(f"fk_meeting_{name}", "participant", [name], ["id"])
    with op.batch_alter_table("meeting_request") as batch_op:
        batch_op.add_column(sa.Column("to_participant_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_meeting_request_to_participant_id", "participant", ["to_participant_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting_request") as batch_op:
        batch_op.drop_constraint("fk_meeting_request_to_participant_id", type_="foreignkey")
        batch_op.drop_column("to_participant_id")
    with op.batch_alter_table("meeting") as batch_op:
        for name in ("required_person_id", "person_b_id", "person_a_id"):
            batch_op.drop_constraint(f"fk_meeting_{name}", type_="foreignkey")
            batch_op.drop_column(name)
