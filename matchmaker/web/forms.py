"""Reading submitted forms without trusting them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.params import QueryParameter, URLEncodedBody

FormData = URLEncodedBody[dict[str, Any]]
SearchText = Annotated[str, QueryParameter(max_length=200)]
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000)]


def text(data: dict[str, Any], name: str, max_length: int = 1000) -> str:
    """A single text value, trimmed; lists (repeated fields) keep the first value."""
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()[:max_length]


def safe_next(target: str, default: str) -> str:
    """Only local paths, so a crafted link cannot send people elsewhere."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
