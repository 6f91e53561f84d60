"""directory_stamp: a random value per event, renewed with every change to its organisations

Revision ID: 0015
Revises: 0014
Create Date: 2027-02-10

Pages read every approved organisation of the event on each request (the directory's
search, the recommender's corpus); a web process keeps what it built from them under
the event's stamp and builds it again when the stamp differs. The session hooks in
``matchmaker.models`` renew the stamp in the same transaction as any insert, update or
delete of the event's organisations, so a stamp always names one state of them, in a
restored backup too. A random value, not a counter: two histories that part (a backup
restored, then changes) never reuse one. A table of its own rather than a column of
``event``: renewing it must not take the event's write lock (``changes.lock_event``).
Each existing event gets its row and a stamp of its own now.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_stamp",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id"),
    )
    event = sa.table("event", sa.column("id", sa.Integer))
    stamps = sa.table("directory_stamp", sa.column("event_id", sa.Integer), sa.column("stamp"))
    connection = op.get_bind()
    for (event_id,) in connection.execute(sa.select(event.c.id)).all():
        connection.execute(stamps.insert().values(event_id=event_id, stamp=secrets.token_hex(16)))


def downgrade() -> None:
    op.drop_table("directory_stamp")
