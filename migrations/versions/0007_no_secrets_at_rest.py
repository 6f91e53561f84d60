"""no live secret at rest: sign-in links are made when an e-mail is sent; registrations
wait for their address to be confirmed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

Outbox rows written before this change kept a personal sign-in link (a working token) in
``notification.link``. Those links are removed; a row not yet sent gets a fresh link
when it is sent (valid 72 hours, the default), one already sent keeps no link.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_LINK = "link LIKE '/signin/link/%'"


def upgrade() -> None:
    with op.batch_alter_table("account") as batch_op:
        batch_op.add_column(
            sa.Column(
                "confirmation_pending", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(sa.Column("sign_in_hours", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE notification SET sign_in_hours = 72 "
        f"WHERE {OLD_LINK} AND sent_at IS NULL AND send_error = ''"
    )
    op.execute(f"UPDATE notification SET link = '' WHERE {OLD_LINK}")


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_column("sign_in_hours")
    with op.batch_alter_table("account") as batch_op:
        batch_op.drop_column("confirmation_pending")
