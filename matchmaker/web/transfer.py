"""Organiser import and export of participants, exports of requests, meetings and
the schedule, and handing out personal sign-in links."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody
from sqlmodel import select

from matchmaker import accounts, audit, exporting, importing, notifications
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account
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


@get("/import/{token:str}", name="import_mapping", sync_to_thread=False)
def import_mapping(request: Request, user: User, token: FromPath[str]) -> Response:
    upload = importing.load_upload(_var(request), token, user)
    return _mapping_page(request, user, upload, importing.guess_mapping(upload.headers))


def _checked(
    request: Request, user: Account, token: str, data: dict[str, Any]
) -> tuple[importing.Upload, dict[str, int | None], dict[str, str]]:
    upload = importing.load_upload(_var(request), token, user)
    mapping = importing.mapping_from_form(data, upload.headers)
    return upload, mapping, importing.mapping_problems(mapping)


# Checking and writing a 5,000-row file take seconds of queries: in a worker thread too.
@post("/import/{token:str}/check", name="import_check", sync_to_thread=True)
def import_check(
    request: Request, db: DB, user: User, event: MaybeEvent, token: FromPath[str], data: FormData
) -> Response:
    current = _event(event)
    upload, mapping, problems = _checked(request, user, token, data)
    if problems:
        return _mapping_page(request, user, upload, mapping, status=400, mapping_errors=problems)
    result = importing.check(db, current, upload, mapping)
    return _mapping_page(
        request, user, upload, mapping, status=200 if result.ok else 400, result=result
    )


@post("/import/{token:str}/run", name="import_run", sync_to_thread=True)
def import_run(
    request: Request, db: DB, user: User, event: MaybeEvent, token: FromPath[str], data: FormData
) -> Response:
    current = _event(event)
    upload, mapping, problems = _checked(request, user, token, data)
    if problems:
        return _mapping_page(request, user, upload, mapping, status=400, mapping_errors=problems)
    result = importing.run_import(db, current, upload, mapping, user)
    if not result.ok:
        db.rollback()
        return _mapping_page(request, user, upload, mapping, status=400, result=result)
    importing.discard_upload(_var(request), token)
    return redirect_to(
        request,
        "organiser_home",
        query={"imported": result.new_people, "updated": result.updated_people},
    )


@get("/export", name="export_home", sync_to_thread=False)
def export_home(user: User) -> Response:
    return page("transfer/export.html", account=user, kinds=exporting.KINDS)


@get("/export/{name:str}", name="export_file", sync_to_thread=False)
def export_file(
    request: Request, db: DB, user: User, event: MaybeEvent, name: FromPath[str]
) -> Response:
    current = _event(event)
    kind, _, fmt = name.partition(".")
    if kind not in exporting.BUILDERS or fmt not in ("csv", "xlsx"):
        raise NotFound(N_("No such export."))
    export = exporting.BUILDERS[kind](db, current, locale_of(request))
    if fmt == "csv":
        body, media = exporting.to_csv(export.table()), "text/csv; charset=utf-8"
    else:
        body = exporting.to_xlsx(export)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{current.slug}-{kind}.{fmt}"'},
    )


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
        export_file,
        participant_link,
    ],
)
