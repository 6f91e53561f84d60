"""Organiser jobs: start one (a document or an export), follow its progress (htmx polls
one partial, also part of the full page), download its file, retry a failed one."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from sqlmodel import Session

from matchmaker import exporting, job_queue, jobs
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Event, Job, JobStatus
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import FormData
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import locale_of, page

# What the organiser's pages may start here (imports start from their own pages).
DOCUMENTS = ("table_plan", "table_signs", "agendas", "export")


def _params(request: Request, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"locale": locale_of(request)}
    if kind == "export":
        name, fmt = str(data.get("name", "")), str(data.get("format", ""))
        if name not in exporting.BUILDERS or fmt not in ("csv", "xlsx"):
            raise NotFound(N_("No such export."))
        params.update(name=name, format=fmt)
    return params


def _engine(request: Request) -> Any:
    return request.app.state.engine


@post("/jobs", name="job_start", sync_to_thread=False)
def job_start(request: Request, user: User, event: MaybeEvent, data: FormData) -> Response:
    """Start a document; one already made for this schedule is served at once."""
    current = _event(event)
    kind = str(data.get("kind", ""))
    if kind not in DOCUMENTS:
        raise NotFound(N_("No such job."))
    started = job_queue.submit(
        _engine(request),
        current.id or 0,
        kind,
        _params(request, kind, data),
        user.id,
        fresh=bool(data.get("fresh")),
    )
    with Session(_engine(request)) as session:
        status = session.get(Job, started.job_id).status  # type: ignore[union-attr]
    if status == JobStatus.finished:
        return redirect_to(request, "job_file", job_id=started.job_id)
    return redirect_to(request, "job_page", job_id=started.job_id)


def job_context(db: Session, job: Job) -> dict[str, Any]:
    """What the job partial shows."""
    return {
        "job": job,
        "title": jobs.KINDS[job.kind].title,
        "active": job.status in jobs.ACTIVE,
    }


def _visible(db: Session, event: Event, job_id: int, user: Account) -> Job:
    jobs.reap_dead_jobs(db)
    return jobs.visible_job(db, event, job_id, user)


@get("/jobs/{job_id:int}", name="job_page", sync_to_thread=False)
def job_page(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, job_id: FromPath[int]
) -> Response:
    current = _event(event)
    job = _visible(db, current, job_id, user)
    personal = jobs.KINDS[job.kind].personal
    if request.htmx:
        if personal and job.status not in jobs.ACTIVE:
            # the import page shows the outcome in full: it is loaded again
            return Response(content="", status_code=200, headers={"HX-Refresh": "true"})
        return page("jobs/_job.html", **job_context(db, job))
    if personal:
        return redirect_to(
            request,
            "import_mapping",
            token=str(job.params.get("token", "")),
            query={"job": job.id},
        )
    return page("jobs/page.html", account=user, event=current, **job_context(db, job))


def _media_type(name: str) -> tuple[str, str]:
    if name.endswith(".pdf"):
        return jobs.PDF, "inline"
    if name.endswith(".xlsx"):
        return jobs.XLSX, "attachment"
    return jobs.CSV, "attachment"


@get("/jobs/{job_id:int}/file", name="job_file", sync_to_thread=True)
def job_file(
    request: Request, db: DB, user: User, event: MaybeEvent, job_id: FromPath[int]
) -> Response:
    job = _visible(db, _event(event), job_id, user)
    path = jobs.result_file(request.app.state.settings.var_dir, job)
    media, disposition = _media_type(job.result_name)
    return Response(
        path.read_bytes(),
        media_type=media,
        headers={"content-disposition": f'{disposition}; filename="{job.result_name}"'},
    )


@post("/jobs/{job_id:int}/retry", name="job_retry", sync_to_thread=False)
def job_retry(
    request: Request, db: DB, user: User, event: MaybeEvent, job_id: FromPath[int]
) -> Response:
    job = _visible(db, _event(event), job_id, user)
    db.commit()  # the reaping above, before the queue sees the job again
    job_queue.retry(_engine(request), job.id or 0)
    return redirect_to(request, "job_page", job_id=job.id)


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[job_start, job_page, job_file, job_retry],
)
