"""Reading submitted forms without trusting them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import QueryParameter, URLEncodedBody
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

from matchmaker.models import OrgKind

FormData = URLEncodedBody[dict[str, Any]]
SearchText = Annotated[str, QueryParameter(max_length=200)]
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000)]
# A kind filter as sent by a <select>: "" means all kinds (see kind_filter()). The
# OpenAPI document lists the values kind_filter() takes.
KindParam = Annotated[
    str,
    QueryParameter(max_length=40, schema_extra={"enum": ["", *(kind.value for kind in OrgKind)]}),
]
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def kind_filter(value: str) -> OrgKind | None:
    """The organisation kind to filter by: None for "all kinds" (empty); an
    unknown kind is a bad request."""
    if not value:
        return None
    try:
        return OrgKind(value)
    except ValueError:
        raise ValidationException(
            "Unknown organisation kind",
            extra=[{"key": "kind", "source": "query", "message": "Unknown organisation kind"}],
        ) from None


async def refuse_non_form_bodies(request: Request) -> None:
    """App-wide before_request hook: pages take forms (urlencoded, or multipart for
    uploads), so any other body (JSON, XML, ...) gets 415 instead of being read as
    an empty form. /api is left to its own handlers."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.url.path.startswith("/api/"):
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in FORM_MEDIA_TYPES:
        return
    if not media_type and request.headers.get("content-length", "0") == "0":
        return  # an empty POST (a bare button) is a form too
    raise HTTPException(status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE)


def text(data: dict[str, Any], name: str, max_length: int = 1000) -> str:
    """A single text value, trimmed, without NUL characters (no database stores
    them); lists (repeated fields) keep the first value."""
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).replace("\x00", "").strip()[:max_length]


def safe_next(target: str, default: str) -> str:
    """Only local paths, so a crafted link cannot send people elsewhere. Browsers
    drop tabs and newlines from URLs (slash, tab, "/evil.example" becomes
    "//evil.example"), so any control character or space makes it unsafe too."""
    if any(ch <= " " or ch == "\x7f" for ch in target):
        return default
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
