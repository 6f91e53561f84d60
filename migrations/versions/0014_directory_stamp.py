"""event.directory_stamp: a random value renewed with every change to its organisations

Revision ID: 0014
Revises: 0013
Create Date: 2027-02-10

Pages read every approved organisation of the event on each request (the directory's
search, the recommender's corpus); a web process keeps what it built from them under
the event's ``directory_stamp`` and builds it again when the stamp differs. The session
hook in ``matchmaker.models`` gives the event a new stamp in the same transaction as
any insert, update or delete of its organisations, so a stamp always names one state
of them, in a restored backup too. A random value, not a counter: two histories that
part (a backup restored, then changes) never reuse one. Each event gets its own now.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(
            sa.Column(
                "directory_stamp",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="",
            )
        )
    event = sa.table("event", sa.column("id", sa.Integer), sa.column("directory_stamp", sa.String))
    connection = op.get_bind()
    for (event_id,) in connection.execute(sa.select(event.c.id)).all():
        connection.execute(
            event.update().where(event.c.id == event_id).values(directory_stamp=uuid.uuid4().hex)
        )


def downgrade() -> None:
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("directory_stamp")
