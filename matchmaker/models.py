"""Every table of Matchmaker in one place, so migrations stay linear.

Parts that later features fill in (solve runs, check-ins, feedback, ...) are
declared here already; their services live in their own modules.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, model_validator
from pydantic import Field as PField
from sqlalchemy import JSON, Column, Connection, Index, UniqueConstraint, text
from sqlalchemy.event import listens_for
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, select

from matchmaker.clock import utcnow
from matchmaker.text import join_place


class OrgKind(enum.StrEnum):
    startup = "startup"
    tech_firm = "tech_firm"
    investor = "investor"
    agency = "agency"
    ocop = "ocop"
    university = "university"
    association = "association"


class Role(enum.StrEnum):
    organiser = "organiser"
    participant = "participant"


class RequestStatus(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"
    expired = "expired"


class Priority(enum.StrEnum):
    must = "must"
    would_like = "would_like"


class MeetingStatus(enum.StrEnum):
    accepted = "accepted"  # agreed, awaiting a slot
    scheduled = "scheduled"
    unscheduled = "unscheduled"
    cancelled = "cancelled"
    # One side reported that the other did not come (matchmaker.noshows): like a
    # cancellation, the meeting keeps its slot and table for the record but no longer
    # occupies them.
    no_show = "no_show"


# Meetings whose slot and table are free for others although they keep them for the
# record: occupancy checks count ``scheduled`` meetings only.
FREED_STATUSES = (MeetingStatus.cancelled, MeetingStatus.no_show)


class HostConfirmation(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    impossible = "impossible"


class RunStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    finished = "finished"
    failed = "failed"
    stopped = "stopped"


class JobStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    finished = "finished"
    failed = "failed"


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=80)
    name_vi: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    venue: str = Field(default="", max_length=300)
    city: str = Field(default="", max_length=120)
    timezone: str = Field(default="Asia/Ho_Chi_Minh", max_length=64)
    start_date: date
    end_date: date
    description_vi: str = ""
    description_en: str = ""
    # Organiser rules: kinds allowed to request kinds, limits, expiry (hours).
    rules: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    require_approval: bool = False
    # The organisers chose to show the report's summary on a public page.
    report_public: bool = False
    # Raised to make new live-board links (matchmaker.board): the old ones stop working.
    board_generation: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def place(self) -> str:
        """The venue and the city, each place named once (the city is often in the venue)."""
        return join_place(self.venue, self.city)


class Day(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    number: int  # 1-based day of the event
    on_date: date


class EventSession(SQLModel, table=True):
    """A block of consecutive slots (a morning or an afternoon)."""

    __tablename__ = "event_session"
    id: int | None = Field(default=None, primary_key=True)
    day_id: int = Field(foreign_key="day.id", index=True)
    code: str = Field(max_length=40)  # e.g. "d1-am", stable across edits
    name_vi: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    start: time
    end: time
    slot_minutes: int = 20
    changeover_minutes: int = 0
    # Breaks inside the session: [{"start": "10:00", "end": "10:20"}]
    breaks: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Hybrid events: every meeting of an online session takes place by video.
    online: bool = False


class Slot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="event_session.id", index=True)
    code: str = Field(max_length=40)  # e.g. "d1-am-01"
    start: datetime
    end: datetime
    position: int  # order within the event


class MeetingTable(SQLModel, table=True):
    __tablename__ = "meeting_table"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    name: str = Field(max_length=60)
    zone: str = Field(default="", max_length=60)
    host_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    # "Running late" shown on the live board, set and cleared at the desk; a note from
    # an earlier day is not shown.
    running_late: str = Field(default="", max_length=120)
    running_late_at: datetime | None = None
    # A video table: its meetings take place online (the link is the meeting's room).
    online: bool = False


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    name: str = Field(max_length=200)
    name_folded: str = Field(default="", max_length=200, index=True)
    kind: OrgKind
    sectors: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    province: str = Field(default="", max_length=80)
    stage: str = Field(default="", max_length=40)
    website: str = Field(default="", max_length=300)
    description: str = ""
    offers: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    seeks: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    offers_text: str = ""
    seeks_text: str = ""
    approved: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Participant(SQLModel, table=True):
    """A representative of an organisation."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    full_name: str = Field(max_length=160)
    name_folded: str = Field(default="", max_length=160, index=True)
    title: str = Field(default="", max_length=160)
    email: str = Field(max_length=254, index=True)
    phone: str = Field(default="", max_length=40)
    languages: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Session codes the representative attends; empty means "all".
    available_sessions: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unavailable_slots: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    max_per_day: int | None = None
    max_consecutive: int | None = None
    # The code in the QR printed on the person's agenda, scanned at the check-in desk
    # (matchmaker.checkin): opaque and random, given on first need. It opens nothing,
    # so it is kept as it is (not hashed like sign-in tokens).
    checkin_code: str | None = Field(default=None, max_length=16, unique=True, index=True)
    # When the person accepted the privacy notice at self-registration; None for people
    # added by a colleague or imported by the organisers (migration 0013 says why here).
    privacy_consent_at: datetime | None = None


class Account(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("email"),)
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    display_name: str = Field(default="", max_length=160)
    role: Role
    password_hash: str | None = None
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    locale: str = Field(default="vi", max_length=8)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # Signing out ends every session of the account: a session cookie carries the
    # generation it was opened in, and signing out moves the account to the next one.
    sessions_revoked_at: datetime | None = None
    session_generation: int = Field(default=0)
    # A self-registration whose address is not yet shown to be the registrant's: it
    # cannot sign in with its password, and its organisation is not listed, until the
    # personal link sent to that address is used.
    confirmation_pending: bool = False


class SignInToken(SQLModel, table=True):
    __tablename__ = "sign_in_token"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    token_hash: str = Field(max_length=128, unique=True)
    purpose: str = Field(default="sign_in", max_length=20)  # sign_in | calendar
    expires_at: datetime | None = None
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)  # email or client address
    at: datetime = Field(default_factory=utcnow, index=True)
    success: bool = False


class MeetingRequest(SQLModel, table=True):
    __tablename__ = "meeting_request"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    from_org_id: int = Field(foreign_key="organisation.id", index=True)
    to_org_id: int = Field(foreign_key="organisation.id", index=True)
    message: str = Field(default="", max_length=1000)
    priority: Priority = Priority.would_like
    status: RequestStatus = RequestStatus.pending
    # The host's representative the requester asked to meet (None: whoever attends).
    to_participant_id: int | None = Field(default=None, foreign_key="participant.id")
    decline_reason: str = Field(default="", max_length=500)
    # An on-site request asks for this slot (and table): accepted, it is booked there at
    # once, without a solve (``matchmaker.onsite``). None: an ordinary request.
    slot_id: int | None = Field(default=None, foreign_key="slot.id", ondelete="SET NULL")
    # Who asked (on-site requests: the requester's person who attends).
    from_participant_id: int | None = Field(
        default=None, foreign_key="participant.id", ondelete="SET NULL"
    )
    table_id: int | None = Field(default=None, foreign_key="meeting_table.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None
    expires_at: datetime | None = None


def new_video_room() -> str:
    """An unguessable video-meeting room name (120 random bits, lower case for URLs)."""
    return secrets.token_hex(15)


# A table holds one live meeting a slot, whoever writes it (solve, move, on-site booking):
# the database refuses the second.
LIVE_MEETING_WHERE = "status = 'scheduled'"


class Meeting(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("event_id", "org_a_id", "org_b_id"),
        Index(
            "ux_meeting_slot_table",
            "slot_id",
            "table_id",
            unique=True,
            sqlite_where=text(LIVE_MEETING_WHERE),
            postgresql_where=text(LIVE_MEETING_WHERE),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="meeting_request.id")
    # The pair is stored ordered (org_a_id < org_b_id) so a pair meets once.
    org_a_id: int = Field(foreign_key="organisation.id", index=True)
    org_b_id: int = Field(foreign_key="organisation.id", index=True)
    host_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    weight: int = 1
    status: MeetingStatus = MeetingStatus.accepted
    slot_id: int | None = Field(default=None, foreign_key="slot.id")
    table_id: int | None = Field(default=None, foreign_key="meeting_table.id")
    # Who attends for org_a and org_b (representatives, as the solve or a move picked
    # them); None where the organisation has no representative or the schedule predates
    # people: then every representative of that side sees the meeting.
    person_a_id: int | None = Field(default=None, foreign_key="participant.id")
    person_b_id: int | None = Field(default=None, foreign_key="participant.id")
    # A representative who must attend (the requester asked for them), of either side.
    required_person_id: int | None = Field(default=None, foreign_key="participant.id")
    locked: bool = False
    host_confirmation: HostConfirmation = HostConfirmation.pending
    host_refusal_reason: str = Field(default="", max_length=500)
    # Why it has no slot: ``unscheduled_reason`` is what an organiser typed (a cancellation)
    # or the English text of a solve stored before reason codes; ``unscheduled_code`` and
    # ``unscheduled_params`` (organisation, slot and meeting ids) are the last solve's
    # reason, rendered in the reader's language by ``matchmaker.reasons``.
    unscheduled_reason: str = ""
    unscheduled_code: str = Field(default="", max_length=40)
    unscheduled_params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Status no_show: which organisation did not come, who said so and when.
    no_show_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    no_show_reported_by: int | None = Field(default=None, foreign_key="account.id")
    no_show_at: datetime | None = None
    sequence: int = 0  # iCalendar SEQUENCE, raised on every change
    # The room of its video link, used when it takes place online (an online table or
    # session). Every meeting has one, also rows written by bulk inserts (column default).
    video_room: str = Field(
        default_factory=new_video_room,
        max_length=40,
        unique=True,
        sa_column_kwargs={"default": new_video_room},
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# At most one queued or running solve per event (race-safe: the database refuses a second).
ACTIVE_RUN_WHERE = "status IN ('queued', 'running')"


class SolveRun(SQLModel, table=True):
    __tablename__ = "solve_run"
    __table_args__ = (
        Index(
            "ux_solve_run_active",
            "event_id",
            unique=True,
            sqlite_where=text(ACTIVE_RUN_WHERE),
            postgresql_where=text(ACTIVE_RUN_WHERE),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    started_by: int | None = Field(default=None, foreign_key="account.id")
    parameters: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: RunStatus = RunStatus.queued
    pid: int | None = None
    # The machine of the process solving it, and when that process last said it is
    # alive (a run elsewhere can only be judged by its heartbeat).
    worker_host: str = Field(default="", max_length=255)
    heartbeat_at: datetime | None = None
    stop_requested: bool = False
    # [{"t": seconds, "objective": x, "bound": y}]
    progress: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    objective: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    bound: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    solver_status: str = Field(default="", max_length=20)
    message: str = ""
    result: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def outcome(self) -> RunResult | None:
        """The stored result (None until the solve ends); the one way to read ``result``."""
        return RunResult.model_validate(self.result) if self.result else None

    @property
    def outcome_size(self) -> tuple[int, int] | None:
        """(scheduled, unscheduled) meetings of the stored result, without reading it all:
        the run history shows twenty runs of maybe thousands of meetings each."""
        if not self.result:
            return None
        return len(self.result.get("assignments") or {}), len(self.result.get("unscheduled") or {})

    @property
    def has_schedule(self) -> bool:
        """Whether the stored result proposes a schedule (``outcome.has_schedule``)."""
        return bool(self.result) and self.solver_status in ("OPTIMAL", "FEASIBLE")

    def keep_outcome(self, outcome: RunResult) -> None:
        self.result = outcome.model_dump(mode="json")


class RunReason(BaseModel):
    """A solver reason (``solver.solution.Reason``) in database ids; runs stored before
    reasons had codes have the English ``text`` only."""

    code: str = ""
    params: dict[str, Any] = PField(default_factory=dict)
    text: str = ""


class Placement(BaseModel):
    slot: int | None = None
    table: int | None = None
    persons: dict[int, int] = PField(default_factory=dict)  # organisation -> participant


class RunResult(BaseModel):
    """What a finished solve proposes, in database ids: ``SolveRun.result`` holds it."""

    status: str = ""  # solver.Status
    assignments: dict[int, Placement] = PField(default_factory=dict)  # by meeting id
    unscheduled: dict[int, RunReason] = PField(default_factory=dict)  # by meeting id
    diagnosis: list[RunReason] = PField(default_factory=list)  # why there is no schedule
    solve_seconds: float = 0.0

    @model_validator(mode="before")
    @classmethod
    def _old_format(cls, data: Any) -> Any:
        """Results stored before reasons had codes: {meeting id: text}, "reasons": [text]."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        unscheduled = data.get("unscheduled") or {}
        data["unscheduled"] = {
            k: {"text": v} if isinstance(v, str) else v for k, v in unscheduled.items()
        }
        if "diagnosis" not in data:
            data["diagnosis"] = [{"text": r} for r in data.pop("reasons", None) or []]
        return data

    @property
    def has_schedule(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


class ScheduleVersion(SQLModel, table=True):
    __tablename__ = "schedule_version"
    # Numbered within the kind: draft 1, 2, ... apart from published versions 1, 2, ...
    __table_args__ = (
        UniqueConstraint("event_id", "kind", "number", name="uq_schedule_version_number"),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    number: int
    run_id: int | None = Field(default=None, foreign_key="solve_run.id")
    kind: str = Field(default="final", max_length=20)  # draft | final
    published_by: int | None = Field(default=None, foreign_key="account.id")
    published_at: datetime = Field(default_factory=utcnow)
    host_deadline: datetime | None = None
    # {meeting_id: {"slot": slot_id, "table": table_id}}
    assignments: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Notification(SQLModel, table=True):
    """The outbox: shown in-app, sent by SMTP only when configured."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    to_email: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = ""
    link: str = Field(default="", max_length=500)
    # Set when the e-mail carries a personal sign-in link: the link is made, valid this
    # many hours, at the moment the e-mail is sent, so no usable secret is ever stored
    # here (`link` is then where the in-app copy leads).
    sign_in_hours: int | None = None
    # What `subject` and `body` were written from: {"subject": msgid, "body": msgid,
    # "params": {...}} (`matchmaker.notifications.encode`), so pages show the text in
    # the reader's language of the moment and e-mails in the recipient's. None on rows
    # written before it was kept: those show `subject` and `body` as stored.
    message: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    sent_at: datetime | None = None
    send_error: str = ""


class CheckIn(SQLModel, table=True):
    __tablename__ = "check_in"
    # A person checks in once a day: a second scan finds the first.
    __table_args__ = (UniqueConstraint("participant_id", "day_id", name="uq_check_in_person_day"),)
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    day_id: int = Field(foreign_key="day.id")
    at: datetime = Field(default_factory=utcnow)
    by_account_id: int | None = Field(default=None, foreign_key="account.id")


class Feedback(SQLModel, table=True):
    """One side's word on a meeting (one row per organisation and meeting, editable)."""

    __table_args__ = (UniqueConstraint("meeting_id", "organisation_id"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    # Who gave (or last changed) it.
    participant_id: int | None = Field(
        default=None, foreign_key="participant.id", ondelete="SET NULL"
    )
    rating: int  # 1..5
    took_place: bool = True
    follow_up: bool = False  # "we plan to follow up"
    comment: str = Field(default="", max_length=2000)
    # The second round, a week later: did anything come of it? ("" until answered;
    # ``matchmaker.feedback.OUTCOMES``).
    outcome: str = Field(default="", max_length=20)
    outcome_comment: str = Field(default="", max_length=2000)
    outcome_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MeetingNotice(SQLModel, table=True):
    """That a notice about a meeting went to a person: a reminder before it, the second
    round of feedback after it. Unique, so each is written once however many workers run."""

    __tablename__ = "meeting_notice"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE")
    kind: str = Field(max_length=20)  # reminder | follow_up
    created_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    action: str = Field(max_length=60)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, index=True)


class Job(SQLModel, table=True):
    """Heavy work done outside the request by a worker process (``matchmaker.jobs``):
    documents, exports, import checks and imports. A finished document job is the cached
    result for its ``cache_key`` (what it is, in which language, for which schedule)."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    kind: str = Field(max_length=40)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Empty for jobs that are never served from cache (imports, exports of live data).
    cache_key: str = Field(default="", max_length=200, index=True)
    schedule_version: int | None = None  # the published version it was made for
    status: JobStatus = Field(default=JobStatus.queued, index=True)
    progress: int = 0  # 0..100
    message: str = Field(default="", max_length=300)
    result_path: str = Field(default="", max_length=300)  # relative to the var folder
    result_name: str = Field(default="", max_length=200)  # the file name a download gets
    # What an import check or an import found (counts, problems): shown on the job page.
    outcome: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = ""
    attempts: int = 0
    started_by: int | None = Field(default=None, foreign_key="account.id")
    worker_pid: int | None = None
    worker_host: str = Field(default="", max_length=255)
    heartbeat_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


# --- the directory stamp ------------------------------------------------------------------


class DirectoryStamp(SQLModel, table=True):
    """A random value renewed with every change to the event's organisations: what a web
    process builds from them all (the directory's rows, the recommender's profiles) is
    kept under it (migration 0015). A row of its own, not a column of the event, so that
    renewing it does not take the event's write lock (changes.lock_event)."""

    __tablename__ = "directory_stamp"
    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    stamp: str = Field(max_length=32)


# Every insert, update or delete of organisations through a session renews their
# event's stamp in the same transaction: changed objects at each flush, and statements
# on the table (the demo's bulk inserts) every event's. A new event gets its row at once.


def new_stamp() -> str:
    return secrets.token_hex(16)


def restamp_directories(session: OrmSession, event_ids: set[int] | None) -> None:
    """New stamps for these events (None: every event)."""
    table = DirectoryStamp.__table__  # type: ignore[attr-defined]
    statement = table.update().values(stamp=new_stamp())
    if event_ids is not None:
        statement = statement.where(table.c.event_id.in_(sorted(event_ids)))
    session.connection().execute(statement)  # a Core statement: not seen by the hooks


def organisations_changing(session: OrmSession) -> bool:
    """Whether the session holds organisation changes not yet flushed."""
    return any(
        isinstance(o, Organisation) for o in (*session.new, *session.dirty, *session.deleted)
    )


def directory_stamp(session: Session, event_id: int | None) -> str | None:
    """The event's stamp as stored; None when there is none (an event stored around the
    hooks) or while the session holds organisation changes not yet flushed (what is kept
    under the stamp would not show them)."""
    if event_id is None or organisations_changing(session):
        return None
    return session.exec(
        select(DirectoryStamp.stamp).where(DirectoryStamp.event_id == event_id)
    ).first()


@listens_for(OrmSession, "before_flush")
def _stamp_flushed(session: OrmSession, _context: Any, _instances: Any) -> None:
    changed = {
        o.event_id
        for o in (*session.new, *session.deleted, *session.dirty)
        if isinstance(o, Organisation)
        and (o not in session.dirty or session.is_modified(o))
        and o.event_id
    }
    if changed:
        restamp_directories(session, changed)


@listens_for(OrmSession, "do_orm_execute")
def _stamp_statements(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    target = getattr(state.statement, "table", None)
    if getattr(target, "name", None) == Organisation.__tablename__:
        restamp_directories(state.session, None)


@listens_for(Event, "after_insert")
def _first_stamp(_mapper: Any, connection: Connection, event: Event) -> None:
    table = DirectoryStamp.__table__  # type: ignore[attr-defined]
    connection.execute(table.insert().values(event_id=event.id, stamp=new_stamp()))
