"""Reading submitted forms without trusting them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.params import Body

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


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
