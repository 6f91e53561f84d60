"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 23:26:28.018815
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name_vi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('venue', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('description_vi', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description_en', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('require_approval', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_slug'), ['slug'], unique=True)

    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempt_key'), ['key'], unique=False)

    op.create_table('day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_day_event_id'), ['event_id'], unique=False)

    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_folded', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sa.Enum('startup', 'tech_firm', 'investor', 'agency', 'ocop', 'university', 'association', name='orgkind'), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('province', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('offers', sa.JSON(), nullable=False),
    sa.Column('seeks', sa.JSON(), nullable=False),
    sa.Column('offers_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('seeks_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_name_folded'), ['name_folded'], unique=False)

    op.create_table('event_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name_vi', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('changeover_minutes', sa.Integer(), nullable=False),
    sa.Column('breaks', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_session_day_id'), ['day_id'], unique=False)

    op.create_table('meeting_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('from_org_id', sa.Integer(), nullable=False),
    sa.Column('to_org_id', sa.Integer(), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('priority', sa.Enum('must', 'would_like', name='priority'), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'withdrawn', 'expired', name='requeststatus'), nullable=False),
    sa.Column('decline_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['from_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['to_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_request_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_request_from_org_id'), ['from_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_request_to_org_id'), ['to_org_id'], unique=False)

    op.create_table('meeting_table',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('zone', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('host_org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['host_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting_table', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_table_event_id'), ['event_id'], unique=False)

    op.create_table('participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('name_folded', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('available_sessions', sa.JSON(), nullable=False),
    sa.Column('unavailable_slots', sa.JSON(), nullable=False),
    sa.Column('max_per_day', sa.Integer(), nullable=True),
    sa.Column('max_consecutive', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_name_folded'), ['name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('role', sa.Enum('organiser', 'participant', name='role'), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slot_session_id'), ['session_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_event_id'), ['event_id'], unique=False)

    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('by_account_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], ),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_participant_id'), ['participant_id'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('org_a_id', sa.Integer(), nullable=False),
    sa.Column('org_b_id', sa.Integer(), nullable=False),
    sa.Column('host_org_id', sa.Integer(), nullable=True),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('accepted', 'scheduled', 'unscheduled', 'cancelled', name='meetingstatus'), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('table_id', sa.Integer(), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('host_confirmation', sa.Enum('pending', 'accepted', 'impossible', name='hostconfirmation'), nullable=False),
    sa.Column('host_refusal_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('unscheduled_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['host_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['org_a_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['org_b_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['meeting_request.id'], ),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], ),
    sa.ForeignKeyConstraint(['table_id'], ['meeting_table.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'org_a_id', 'org_b_id')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_org_a_id'), ['org_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_org_b_id'), ['org_b_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('to_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('send_error', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_account_id'), ['account_id'], unique=False)

    op.create_table('sign_in_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('sign_in_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_token_account_id'), ['account_id'], unique=False)

    op.create_table('solve_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=True),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'finished', 'failed', 'stopped', name='runstatus'), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('stop_requested', sa.Boolean(), nullable=False),
    sa.Column('progress', sa.JSON(), nullable=False),
    sa.Column('objective', sa.JSON(), nullable=False),
    sa.Column('bound', sa.JSON(), nullable=False),
    sa.Column('solver_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['started_by'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('solve_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solve_run_event_id'), ['event_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('took_place', sa.Boolean(), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('schedule_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('host_deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('assignments', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['published_by'], ['account.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['solve_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('schedule_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_version_event_id'), ['event_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('schedule_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_version_event_id'))

    op.drop_table('schedule_version')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_meeting_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('solve_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solve_run_event_id'))

    op.drop_table('solve_run')
    with op.batch_alter_table('sign_in_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_token_account_id'))

    op.drop_table('sign_in_token')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_account_id'))

    op.drop_table('notification')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_org_b_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_org_a_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_event_id'))

    op.drop_table('meeting')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_participant_id'))

    op.drop_table('check_in')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_event_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slot_session_id'))

    op.drop_table('slot')
    op.drop_table('account')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_participant_name_folded'))
        batch_op.drop_index(batch_op.f('ix_participant_email'))

    op.drop_table('participant')
    with op.batch_alter_table('meeting_table', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_table_event_id'))

    op.drop_table('meeting_table')
    with op.batch_alter_table('meeting_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_request_to_org_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_request_from_org_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_request_event_id'))

    op.drop_table('meeting_request')
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_session_day_id'))

    op.drop_table('event_session')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_name_folded'))
        batch_op.drop_index(batch_op.f('ix_organisation_event_id'))

    op.drop_table('organisation')
    with op.batch_alter_table('day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_day_event_id'))

    op.drop_table('day')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempt_key'))
        batch_op.drop_index(batch_op.f('ix_login_attempt_at'))

    op.drop_table('login_attempt')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_slug'))

    op.drop_table('event')
    # PostgreSQL keeps enum types after their tables are gone; drop them so that
    # upgrading again after a full downgrade works.
    for name in ('hostconfirmation', 'meetingstatus', 'orgkind', 'priority', 'requeststatus',
                 'role', 'runstatus'):
        sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
