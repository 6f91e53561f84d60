"""The feedback page of one meeting: rating, follow-up, comment, and a week later
"did anything come of it?" (a plain form: it works without JavaScript)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath

from matchmaker import feedback
from matchmaker.errors import DomainError, NotFound
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _require_event
from matchmaker.web.forms import FormData, text
from matchmaker.web.guards import participant_only
from matchmaker.web.render import error_text, page

FIELDS = ("rating", "comment", "outcome", "outcome_comment")


def _values(row: feedback.Feedback | None) -> dict[str, Any]:
    if row is None:
        return {
            "rating": "",
            "follow_up": False,
            "comment": "",
            "outcome": "",
            "outcome_comment": "",
        }
    return {
        "rating": str(row.rating),
        "follow_up": row.follow_up,
        "comment": row.comment,
        "outcome": row.outcome,
        "outcome_comment": row.outcome_comment,
    }


def _page(
    db: DB,
    user: User,
    event: MaybeEvent,
    meeting_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    current = _require_event(event)
    shown = feedback.view(db, user, meeting_id)
    return page(
        "feedback/page.html",
        status=status,
        account=user,
        event=current,
        view=shown,
        values=values if values is not None else _values(shown.feedback),
        errors=errors or {},
        ratings=feedback.RATING_LABELS,
        outcomes=feedback.OUTCOMES,
        max_length=feedback.COMMENT_MAX,
    )


@get("/{meeting_id:int}", name="feedback_form", sync_to_thread=False)
def feedback_form(db: DB, user: User, event: MaybeEvent, meeting_id: FromPath[int]) -> Response:
    return _page(db, user, event, meeting_id)


@post("/{meeting_id:int}", name="feedback_save", sync_to_thread=False)
def feedback_save(
    request: Request, db: DB, user: User, event: MaybeEvent, meeting_id: FromPath[int],
    data: FormData,
) -> Response:  # fmt: skip
    values: dict[str, Any] = {name: text(data, name, 4 * feedback.COMMENT_MAX) for name in FIELDS}
    values["follow_up"] = bool(text(data, "follow_up", 10))
    try:
        feedback.give(db, user, meeting_id, **values)
    except NotFound:
        raise
    except DomainError as exc:
        db.rollback()
        field = exc.field if exc.field in FIELDS else "form"
        return _page(
            db, user, event, meeting_id, values=values,
            errors={field: error_text(request, exc)}, status=exc.status_code,
        )  # fmt: skip
    return redirect_to(request, "feedback_form", meeting_id=meeting_id, query={"saved": "1"})


router = Router(
    path="/me/feedback", guards=[participant_only], route_handlers=[feedback_form, feedback_save]
)
