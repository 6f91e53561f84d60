"""The solve page (parameters, start, live progress, stop, history) and the review of a
run's result (figures, heat map, histogram, unscheduled meetings, any organisation's
schedule, publishing). Handlers are a few lines over ``matchmaker.scheduling`` and
``matchmaker.solve_worker``; the solve itself runs in its own process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from sqlalchemy import func
from sqlmodel import Session, col, select

from matchmaker import audit, job_queue, publication, reasons
from matchmaker.clock import as_utc, utcnow
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Event,
    Meeting,
    RunReason,
    RunStatus,
    ScheduleVersion,
    SolveRun,
)
from matchmaker.scheduling import ACTIVE_STATUSES, org_schedule, review_run
from matchmaker.solve_worker import (
    ACTIVE,
    SolveParams,
    parse_params,
    reap_dead_runs,
    request_stop,
)
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import FormData, text
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import error_text
from matchmaker.web.render import page as render_page
from matchmaker.web.solve_charts import heat_colour, histogram, progress_chart

HISTORY_LIMIT = 20


@dataclass
class RunFigures:
    """What the progress panel and the history show for one run."""

    run: SolveRun
    active: bool
    elapsed: float | None
    weight: float | None
    bound: float | None
    gap: float | None  # share of the bound not (yet) reached
    breaks: float | None
    scheduled: int | None
    unscheduled: int | None
    min_share: float | None
    published: int | None  # version number when this run was published
    draft: int | None = None  # draft number when this run was released to the hosts
    phase: str = ""  # what the solver is doing now (while active)
    sessions: int = 0  # sessions improved one by one so far
    has_result: bool = False  # the run ended with a stored result (maybe without schedule)
    has_schedule: bool = False  # ... that proposes a schedule
    diagnosis: list[RunReason] = field(default_factory=list)  # why there is no schedule
    requested: int | None = None  # meetings to place (while running: the event's now)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.run.parameters or {})

    @property
    def closeness(self) -> float | None:
        """How close the importance placed is to the best possible (1 = reached)."""
        return None if self.gap is None else 1.0 - self.gap

    @property
    def stage(self) -> str:
        """What the solver is doing, in the organisers' terms (see solve/_progress.html).
        Once the importance placed reaches the best possible, the later phases may find
        nothing better for a long while: the page then says what they are about."""
        if self.run.status is RunStatus.queued:
            return "queued"
        phase = self.phase
        if phase.endswith("-session"):
            return "session"
        if phase in ("", "first", "floor", "coverage"):
            return "placing" if phase else "building"
        if phase == "weight":
            weight, bound = self.weight, self.bound
            reached = weight is not None and bound is not None and weight >= bound
            return "weight_done" if reached else "weight"
        if phase == "relaxed":
            return "breaks"
        return phase  # fairness, moves, breaks


def figures(run: SolveRun, published: int | None = None, draft: int | None = None) -> RunFigures:
    active = run.status in ACTIVE
    start = as_utc(run.started_at)
    end = as_utc(run.finished_at) or (utcnow() if active else None)
    elapsed = (end - start).total_seconds() if start and end else None
    last = (run.progress or [{}])[-1] if run.progress else {}
    objective = run.objective or {}
    bound = run.bound or {}
    if objective:
        weight = objective.get("scheduled_weight")
        best = bound.get("scheduled_weight")
        breaks = objective.get("breaks")
    else:
        weight, best, breaks = last.get("objective"), last.get("bound"), last.get("breaks")
    gap = None
    if weight is not None and best:
        gap = max(0.0, (float(best) - float(weight)) / float(best))
    size = run.outcome_size
    # the whole result only when it has no schedule (then it is small: the diagnosis)
    outcome = run.outcome if size is not None and not run.has_schedule else None
    return RunFigures(
        run=run,
        active=active,
        elapsed=elapsed,
        weight=weight,
        bound=best,
        gap=gap,
        breaks=breaks,
        scheduled=size[0] if size else None,
        unscheduled=size[1] if size else None,
        min_share=objective.get("min_share"),
        published=published,
        draft=draft,
        phase=str(last.get("phase", "")) if active else "",
        sessions=int(last.get("sessions") or 0),
        has_result=size is not None,
        has_schedule=run.has_schedule,
        diagnosis=outcome.diagnosis if outcome else [],
        requested=size[0] + size[1] if size else None,
    )


def _with_requested(db: Session, event: Event, current: RunFigures | None) -> RunFigures | None:
    """A run without a result yet counts the meetings it is placing (the event's)."""
    if current is not None and current.requested is None:
        current.requested = int(
            db.exec(
                select(func.count())
                .select_from(Meeting)
                .where(
                    Meeting.event_id == event.id,
                    col(Meeting.status).in_(list(ACTIVE_STATUSES)),
                )
            ).one()
        )
    return current


def _reason_names(db: Session, event: Event, current: RunFigures | None) -> reasons.Names | None:
    """Names for the reasons a run shows (loaded only when it has some)."""
    return reasons.Names.load(db, event) if current and current.diagnosis else None


def charts(current: RunFigures | None) -> dict[str, Any]:
    """The scheduled-weight and idle-gap charts of a run, over its whole duration."""
    if current is None:
        return {"chart": None, "gaps_chart": None}
    points = current.run.progress or []
    return {
        "chart": progress_chart(points, t_end=current.elapsed),
        "gaps_chart": progress_chart(
            points, key="breaks", bound_key="breaks_bound", t_end=current.elapsed
        ),
    }


def _history(db: Session, event: Event) -> list[RunFigures]:
    runs = db.exec(
        select(SolveRun)
        .where(SolveRun.event_id == event.id)
        .order_by(col(SolveRun.id).desc())
        .limit(HISTORY_LIMIT)
    ).all()
    # The newest number of each kind per run: a draft is labelled a draft, never a version.
    numbers: dict[tuple[int, str], int] = {}
    for run_id, kind, number in db.exec(
        select(ScheduleVersion.run_id, ScheduleVersion.kind, ScheduleVersion.number).where(
            ScheduleVersion.event_id == event.id, col(ScheduleVersion.run_id).is_not(None)
        )
    ).all():
        if run_id is not None:
            numbers[(run_id, kind)] = max(number, numbers.get((run_id, kind), 0))
    return [
        figures(
            run,
            numbers.get((run.id or 0, publication.FINAL)),
            numbers.get((run.id or 0, publication.DRAFT)),
        )
        for run in runs
    ]


def _defaults(history: list[RunFigures]) -> dict[str, Any]:
    if history:
        return {**SolveParams().as_dict(), **history[0].params}
    return SolveParams().as_dict()


def _solve_page(
    db: Session,
    event: Event,
    user: Any,
    *,
    form: dict[str, Any] | None = None,
    error: str = "",
    error_field: str | None = None,
    status: int = 200,
) -> Response:
    history = _history(db, event)
    current = next((f for f in history if f.active), history[0] if history else None)
    current = _with_requested(db, event, current)
    return render_page(
        "solve/page.html",
        status=status,
        account=user,
        event=event,
        history=history,
        current=current,
        **charts(current),
        form=form or _defaults(history),
        error=error,
        error_field=error_field,
        version=publication.current_version(db, event),
        reason_names=_reason_names(db, event, current),
    )


@get("/", name="solve_page", sync_to_thread=False)
def solve_page(db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    reap_dead_runs(db, current.id)
    return _solve_page(db, current, user)


@post("/", name="solve_start", sync_to_thread=False)
def solve_start(
    request: Request, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    current = _event(event)
    form = {
        "time_limit": text(data, "time_limit", 10),
        "fairness": text(data, "fairness", 10),
        "min_meetings": text(data, "min_meetings", 10),
        "require_all": text(data, "require_all", 5) == "on",
        "keep_published": text(data, "keep_published", 5) == "on",
    }
    try:
        params = parse_params(data)
        run_id = job_queue.start_solve(request.app.state.engine, current.id or 0, params, user.id)
    except DomainError as exc:
        db.rollback()
        return _solve_page(
            db,
            current,
            user,
            form=form,
            error=error_text(request, exc),
            error_field=exc.field,
            status=exc.status_code,
        )
    audit.record(db, "solve.start", event=current, account=user, run_id=run_id, **params.as_dict())
    return redirect_to(request, "solve_page")


def _run(db: Session, event: Event, run_id: int) -> SolveRun:
    run = db.get(SolveRun, run_id)
    if run is None or run.event_id != event.id:
        raise NotFound(N_("No such solve run."))
    return run


def _progress(db: Session, event: Event, run: SolveRun, user: Any) -> Response:
    current = _with_requested(db, event, figures(run))
    return render_page(
        "solve/_progress.html",
        account=user,
        event=event,
        current=current,
        **charts(current),
        reason_names=_reason_names(db, event, current),
    )


@get("/runs/{run_id:int}/progress", name="solve_progress", sync_to_thread=False)
def solve_progress(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, run_id: FromPath[int]
) -> Response:
    current = _event(event)
    reap_dead_runs(db, current.id)
    run = _run(db, current, run_id)
    if run.status not in ACTIVE and request.htmx:
        # the run just ended: reload the page (form, history and result link)
        return Response(content="", status_code=200, headers={"HX-Refresh": "true"})
    return _progress(db, current, run, user)


@post("/runs/{run_id:int}/stop", name="solve_stop", sync_to_thread=False)
def solve_stop(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, run_id: FromPath[int]
) -> Response:
    current = _event(event)
    run = request_stop(db, current, run_id)
    audit.record(db, "solve.stop", event=current, account=user, run_id=run_id)
    if request.htmx:
        return _progress(db, current, run, user)
    return redirect_to(request, "solve_page")


def _review(
    request: HTMXRequest,
    db: Session,
    event: Event,
    user: Any,
    run: SolveRun,
    *,
    org: int | None = None,
    error: str = "",
    status: int = 200,
    published: int | None = None,
) -> Response:
    schedule = org_schedule(db, event, run, org) if org else None
    names = reasons.Names.load(db, event)
    if request.htmx.target == "org-schedule":
        return render_page(
            "solve/_org_schedule.html",
            event=event,
            run=run,
            schedule=schedule,
            org=org,
            reason_names=names,
        )
    review = review_run(db, event, run)
    version = db.exec(
        select(ScheduleVersion)
        .where(ScheduleVersion.run_id == run.id)
        .order_by(col(ScheduleVersion.id).desc())
    ).first()
    latest = publication.current_version(db, event)
    is_current = latest is not None and latest.run_id == run.id
    current = figures(run)
    publishable = run.status in (RunStatus.finished, RunStatus.stopped) and current.has_schedule
    return render_page(
        "solve/review.html",
        status=status,
        account=user,
        event=event,
        run=run,
        current=current,
        reason_names=names,
        review=review,
        hist=histogram(review.histogram, width=960, height=240),
        heat_colour=heat_colour,
        schedule=schedule,
        org=org,
        error=error,
        published=published,
        version=version,
        is_current=is_current,
        publishable=publishable,
        disruption=(
            publication.preview_run(db, event, run.id or 0)
            if publishable and not is_current and not error
            else None
        ),
    )


@get("/runs/{run_id:int}", name="solve_review", sync_to_thread=False)
def solve_review(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    run_id: FromPath[int],
    org: FromQuery[int | None] = None,
    published: FromQuery[int | None] = None,
) -> Response:
    current = _event(event)
    reap_dead_runs(db, current.id)
    run = _run(db, current, run_id)
    return _review(request, db, current, user, run, org=org, published=published)


@post("/runs/{run_id:int}/publish", name="solve_publish", sync_to_thread=False)
def solve_publish(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    run_id: FromPath[int],
    data: FormData,
) -> Response:
    current = _event(event)
    run = _run(db, current, run_id)
    if text(data, "confirm", 5) != "on":
        return _review(
            request,
            db,
            current,
            user,
            run,
            error=error_text(
                request, DomainError(N_("Tick the box to confirm that you want to publish."))
            ),
            status=400,
        )
    try:
        result = publication.publish_run(db, current, run_id, user)
    except DomainError as exc:
        db.rollback()
        run = _run(db, current, run_id)
        return _review(
            request, db, current, user, run, error=error_text(request, exc), status=exc.status_code
        )
    return redirect_to(
        request, "solve_review", run_id=run_id, query={"published": result.version.number}
    )


router = Router(
    path="/organiser/solve",
    guards=[organiser_only],
    route_handlers=[
        solve_page,
        solve_start,
        solve_progress,
        solve_stop,
        solve_review,
        solve_publish,
    ],
)
