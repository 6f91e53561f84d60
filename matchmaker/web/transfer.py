"""Organiser import and export of participants, exports of requests, meetings and
the schedule, and handing out personal sign-in links. Checking and importing every row
and making the export files are jobs (matchmaker.jobs); these pages start and show them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, QueryParameter
from sqlmodel import select

from matchmaker import accounts, audit, exporting, importing, job_queue, jobs, notifications
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Event, Job, JobStatus
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import FormData
from matchmaker.web.guards import organiser_only
from matchmaker.web.organiser import participant_page
from matchmaker.web.render import error_text, gettext_for, locale_of, page, site_url

PREVIEW_ROWS = 8
UPLOAD_LIMITS = {
    "rows": importing.MAX_ROWS,
    "columns": importing.MAX_COLUMNS,
    "mb": importing.MAX_UPLOAD_BYTES // 1_000_000,
}


def _var(request: Request) -> Any:
    return request.app.state.settings.var_dir


def _mapping_page(
    request: Request,
    user: Account,
    upload: importing.Upload,
    mapping: dict[str, int | None],
    *,
    status: int = 200,
    result: importing.CheckResult | None = None,
    mapping_errors: dict[str, str] | None = None,
    job: Job | None = None,
) -> Response:
    preview = [
        {t: importing.cell(row, mapping, t) for t in importing.FIELDS}
        for row in upload.rows[:PREVIEW_ROWS]
    ]
    return page(
        "transfer/mapping.html",
        status=status,
        account=user,
        upload=upload,
        mapping=mapping,
        fields=importing.FIELDS,
        labels=importing.FIELD_LABELS,
        required=importing.REQUIRED,
        preview=preview,
        result=result,
        job=job,
        job_title=jobs.KINDS[job.kind].title if job else "",
        job_active=job is not None and job.status in jobs.ACTIVE,
        mapping_errors={k: gettext_for(request, v) for k, v in (mapping_errors or {}).items()},
        problems=[
            (
                p.line,
                gettext_for(request, importing.FIELD_LABELS.get(p.target, p.target)),
                gettext_for(request, p.message, **p.params),
            )
            for p in (result.problems if result else [])
        ],
    )


def _upload_page(user: Account, error: str = "", status: int = 200) -> Response:
    return page(
        "transfer/upload.html", status=status, account=user, error=error, limits=UPLOAD_LIMITS
    )


@get("/import", name="import_form", sync_to_thread=False)
def import_form(user: User) -> Response:
    return _upload_page(user)


# Reading a workbook takes a while (it is unzipped and parsed): in a worker thread, so
# the server goes on answering everyone else meanwhile. Uploads may be larger than the
# other forms (a 5,000-row list), up to the importer's own limit.
@post(
    "/import",
    name="import_upload",
    sync_to_thread=True,
    request_max_body_size=importing.MAX_UPLOAD_BYTES,
)
def import_upload(request: Request, user: User, data: MultipartBody[dict[str, Any]]) -> Response:
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _upload_page(user, gettext_for(request, N_("Choose a file to upload.")), 400)
    try:
        saved = importing.save_upload(_var(request), upload.filename, upload.file.read(), user)
    except DomainError as exc:
        return _upload_page(user, error_text(request, exc), 400)
    return redirect_to(request, "import_mapping", token=saved.token)


def _job_result(job: Job) -> importing.CheckResult | None:
    """What a finished import check (or refused import) found, from its job."""
    if job.status != JobStatus.finished or not job.outcome:
        return None
    outcome = job.outcome
    return importing.CheckResult(
        problems=[
            importing.RowProblem(line, target, message, params)
            for line, target, message, params in outcome.get("problems", [])
        ],
        new_people=int(outcome.get("new_people", 0)),
        updated_people=int(outcome.get("updated_people", 0)),
        new_organisations=int(outcome.get("new_organisations", 0)),
    )


def _job_mapping(job: Job, upload: importing.Upload) -> dict[str, int | None]:
    raw = job.params.get("mapping") or {}
    return {
        t: raw[t] if isinstance(raw.get(t), int) and raw[t] < len(upload.headers) else None
        for t in importing.FIELDS
    }


@get("/import/{token:str}", name="import_mapping", sync_to_thread=False)
def import_mapping(
    request: Request,
    db: DB,
    user: User,
    event: MaybeEvent,
    token: FromPath[str],
    job: Annotated[int | None, QueryParameter(ge=1)] = None,
) -> Response:
    """The column mapping, and, with ``?job=``, the check or import under way or its
    outcome (the job's partial polls until it ends, then this page is loaded again)."""
    shown = None
    if job is not None:
        jobs.reap_dead_jobs(db)
        shown = jobs.visible_job(db, _event(event), job, user)
        if shown.params.get("token") != token:
            raise NotFound(N_("No such job."))
        outcome = _job_result(shown)
        if shown.kind == "import_run" and outcome is not None and outcome.ok:
            return redirect_to(
                request,
                "organiser_home",
                query={"imported": outcome.new_people, "updated": outcome.updated_people},
            )
    upload = importing.load_upload(_var(request), token, user)
    if shown is None:
        return _mapping_page(request, user, upload, importing.guess_mapping(upload.headers))
    return _mapping_page(
        request, user, upload, _job_mapping(shown, upload), result=_job_result(shown), job=shown
    )


def _checked(
    request: Request, user: Account, token: str, data: dict[str, Any]
) -> tuple[importing.Upload, dict[str, int | None], dict[str, str]]:
    upload = importing.load_upload(_var(request), token, user)
    mapping = importing.mapping_from_form(data, upload.headers)
    return upload, mapping, importing.mapping_problems(mapping)


def _start_import(
    request: Request, user: Account, event: Event, kind: str, token: str, data: dict[str, Any]
) -> Response:
    """Check the column choices here (a moment), then check or import every row as a
    job (5,000 rows take seconds of queries)."""
    upload, mapping, problems = _checked(request, user, token, data)
    if problems:
        return _mapping_page(request, user, upload, mapping, status=400, mapping_errors=problems)
    started = job_queue.submit(
        request.app.state.engine,
        event.id or 0,
        kind,
        {"token": token, "mapping": mapping, "locale": locale_of(request)},
        user.id,
    )
    return redirect_to(request, "import_mapping", token=token, query={"job": started.job_id})


@post("/import/{token:str}/check", name="import_check", sync_to_thread=False)
def import_check(
    request: Request, user: User, event: MaybeEvent, token: FromPath[str], data: FormData
) -> Response:
    return _start_import(request, user, _event(event), "import_check", token, data)


@post("/import/{token:str}/run", name="import_run", sync_to_thread=False)
def import_run(
    request: Request, user: User, event: MaybeEvent, token: FromPath[str], data: FormData
) -> Response:
    return _start_import(request, user, _event(event), "import_run", token, data)


@get("/export", name="export_home", sync_to_thread=False)
def export_home(user: User) -> Response:
    return page("transfer/export.html", account=user, kinds=exporting.KINDS)


def _participant_account(db: DB, participant_id: int) -> Account:
    account = db.exec(select(Account).where(Account.participant_id == participant_id)).first()
    if account is None:
        raise NotFound(N_("No such participant."))
    return account


@post("/participants/{participant_id:int}/link", name="participant_link", sync_to_thread=False)
def participant_link(
    request: Request,
    db: DB,
    user: User,
    event: MaybeEvent,
    participant_id: FromPath[int],
    data: FormData,
) -> Response:
    """A fresh personal sign-in link, shown to copy and, on request, sent by email
    (the e-mail gets a link of its own, made when it is sent: the outbox keeps none)."""
    account = _participant_account(db, participant_id)
    settings = request.app.state.settings
    token = accounts.issue_token(db, account, hours=settings.sign_in_link_hours)
    path = request.app.route_reverse("signin_link", token=token)
    sent = bool(data.get("send"))
    if sent:
        notifications.notify(
            db,
            account,
            N_("Your personal sign-in link"),
            N_(
                "Open this link to sign in to the event's meeting scheduler. "
                "It works once and expires in %(hours)s hours."
            ),
            {"hours": settings.sign_in_link_hours},
            sign_in_hours=settings.sign_in_link_hours,
        )
    audit.record(
        db, "participant.link", event=event, account=user, participant=participant_id, emailed=sent
    )
    return participant_page(
        db, user, participant_id, sign_in_link=f"{site_url(request)}{path}", link_sent=sent
    )


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[
        import_form,
        import_upload,
        import_mapping,
        import_check,
        import_run,
        export_home,
        participant_link,
    ],
)
