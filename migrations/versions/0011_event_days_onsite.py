"""event days: on-site booking, reminders, online meetings, feedback

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

* ``meeting_request.slot_id`` / ``table_id`` / ``from_participant_id``: an on-site request
  asks for a slot and table, and names who asks;
* ``ux_meeting_slot_table``: one live (scheduled) meeting per table and slot, enforced by
  the database (refused when the stored schedule already breaks it, naming the meetings);
* ``meeting.video_room``: every meeting's video room (existing rows get a random one);
  ``event_session.online`` and ``meeting_table.online`` mark what takes place online;
* ``meeting_notice``: reminders and second-round notices sent, once per (meeting, person,
  kind);
* ``feedback``: one row per side and meeting, who gave it, "follow-up planned" and the
  second round's answer.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status = 'scheduled'"


def _refuse_double_booked_tables() -> None:
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT slot_id, table_id, COUNT(*) FROM meeting "
                f"WHERE {LIVE} AND slot_id IS NOT NULL AND table_id IS NOT NULL "
                "GROUP BY slot_id, table_id HAVING COUNT(*) > 1"
            )
        )
        .all()
    )
    if rows:
        where = ", ".join(f"slot {slot} table {table} ({n} meetings)" for slot, table, n in rows)
        raise RuntimeError(
            f"the schedule puts two meetings at one table at once: {where}; "
            "move or cancel one of each before upgrading"
        )


def upgrade() -> None:
    for table in ("event_session", "meeting_table"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("online", sa.Boolean(), nullable=False, server_default=sa.false())
            )
    with op.batch_alter_table("meeting_request") as batch_op:
        batch_op.add_column(sa.Column("slot_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("table_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("from_participant_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_meeting_request_from_participant_id",
            "participant",
            ["from_participant_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            "fk_meeting_request_slot_id", "slot", ["slot_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            "fk_meeting_request_table_id",
            "meeting_table",
            ["table_id"],
            ["id"],
            ondelete="SET NULL",
        )

    _refuse_double_booked_tables()
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.add_column(
            sa.Column("video_room", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
    bind = op.get_bind()
    for (meeting_id,) in bind.execute(sa.text("SELECT id FROM meeting")).all():
        bind.execute(
            sa.text("UPDATE meeting SET video_room = :room WHERE id = :id"),
            {"room": secrets.token_hex(15), "id": meeting_id},
        )
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.alter_column(
            "video_room", existing_type=sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        )
        batch_op.create_unique_constraint("uq_meeting_video_room", ["video_room"])
    op.create_index(
        "ux_meeting_slot_table",
        "meeting",
        ["slot_id", "table_id"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )

    op.create_table(
        "meeting_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "participant_id", "kind"),
    )
    with op.batch_alter_table("meeting_notice") as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_notice_meeting_id"), ["meeting_id"])

    with op.batch_alter_table("feedback") as batch_op:
        batch_op.add_column(sa.Column("participant_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("follow_up", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "outcome",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "outcome_comment",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("outcome_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            "fk_feedback_participant_id",
            "participant",
            ["participant_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            "uq_feedback_meeting_id_organisation_id", ["meeting_id", "organisation_id"]
        )
    op.execute("UPDATE feedback SET updated_at = created_at")
    with op.batch_alter_table("feedback") as batch_op:
        batch_op.alter_column("updated_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch_op:
        batch_op.drop_constraint("uq_feedback_meeting_id_organisation_id", type_="unique")
        batch_op.drop_constraint("fk_feedback_participant_id", type_="foreignkey")
        for name in (
            "updated_at",
            "outcome_at",
            "outcome_comment",
            "outcome",
            "follow_up",
            "participant_id",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("meeting_notice") as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_notice_meeting_id"))
    op.drop_table("meeting_notice")
    op.drop_index("ux_meeting_slot_table", table_name="meeting")
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.drop_constraint("uq_meeting_video_room", type_="unique")
        batch_op.drop_column("video_room")
    with op.batch_alter_table("meeting_request") as batch_op:
        batch_op.drop_constraint("fk_meeting_request_table_id", type_="foreignkey")
        batch_op.drop_constraint("fk_meeting_request_slot_id", type_="foreignkey")
        batch_op.drop_constraint("fk_meeting_request_from_participant_id", type_="foreignkey")
        batch_op.drop_column("from_participant_id")
        batch_op.drop_column("table_id")
        batch_op.drop_column("slot_id")
    for table in ("meeting_table", "event_session"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("online")
