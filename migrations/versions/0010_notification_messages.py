"""notifications keep their message (msgids and parameters), so each one is shown in
the reader's language of the moment

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-10

``notification.message`` holds {"subject": msgid, "body": msgid, "params": {...}}. Rows
written before it have none and keep showing the text they were written with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(sa.Column("message", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_column("message")
