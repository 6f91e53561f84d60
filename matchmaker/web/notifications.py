"""The in-app notification list (the same rows the outbox e-mails)."""

from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from matchmaker import notifications as service
from matchmaker.web.actions import path_to, redirect_to
from matchmaker.web.deps import DB, User
from matchmaker.web.forms import FormData, PageNumber, safe_next, text
from matchmaker.web.guards import signed_in
from matchmaker.web.nav import nav_counts_for
from matchmaker.web.render import page as render_page

PER_PAGE = 30


@get("/", name="notifications_list", sync_to_thread=False)
def notifications_list(db: DB, user: User, page: PageNumber = 1) -> Response:
    total = service.count_for(db, user)
    items = service.list_for(db, user, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_page(
        "notifications/list.html",
        account=user,
        items=items,
        total=total,
        page_number=page,
        pages=pages,
        nav_totals=nav_counts_for(db, user),
    )


@get("/{notification_id:int}/open", name="notification_open", sync_to_thread=False)
def notification_open(
    request: Request, db: DB, user: User, notification_id: FromPath[int]
) -> Response:
    """Follow a notification's link, marking it read on the way."""
    note = service.mark_read(db, user, notification_id)
    return Redirect(safe_next(note.link, path_to(request, "notifications_list")), status_code=303)


@post("/{notification_id:int}/read", name="notification_read", sync_to_thread=False)
def notification_read(
    request: HTMXRequest, db: DB, user: User, notification_id: FromPath[int], data: FormData
) -> Response:
    note = service.mark_read(db, user, notification_id)
    if request.htmx:
        db.flush()
        return render_page(
            "notifications/_item.html",
            note=note,
            oob_counts=True,
            nav_totals=nav_counts_for(db, user),
        )
    back = safe_next(text(data, "next", 500), path_to(request, "notifications_list"))
    return Redirect(back, status_code=303)


@post("/read-all", name="notifications_read_all", sync_to_thread=False)
def notifications_read_all(request: Request, db: DB, user: User, data: FormData) -> Response:
    service.mark_all_read(db, user)
    return redirect_to(request, "notifications_list")


router = Router(
    path="/me/notifications",
    guards=[signed_in],
    route_handlers=[
        notifications_list,
        notification_open,
        notification_read,
        notifications_read_all,
    ],
)
