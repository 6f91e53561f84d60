"""Text helpers for Vietnamese: diacritic-insensitive folding and slugs.

``fold`` is what search compares: ``Organisation.name_folded`` and
``Participant.name_folded`` store ``fold(name)`` and a query is folded the same
way, so "hau giang" finds "Hậu Giang" and "dau tu" finds "ĐẦU TƯ".
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Letters that Unicode does not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l"})


def fold(text: str) -> str:
    """Lower-case ``text``, drop diacritics (đ -> d) and collapse whitespace."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL).lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", bare)).strip()


def slugify(text: str, separator: str = "-", max_length: int | None = None) -> str:
    """An ASCII slug: ``slugify("Hậu Giang 2023") == "hau-giang-2023"``."""
    slug = _NOT_SLUG.sub(separator, fold(text)).strip(separator)
    if max_length is not None and len(slug) > max_length:
        slug = slug[:max_length].rstrip(separator)
    return slug


def join_place(*parts: str) -> str:
    """Comma-separated place names with each name once: ("Trung tâm Hội nghị, Vị Thanh",
    "Vị Thanh, Hậu Giang") -> "Trung tâm Hội nghị, Vị Thanh, Hậu Giang"."""
    seen: set[str] = set()
    kept: list[str] = []
    for part in parts:
        for name in part.split(","):
            name = " ".join(name.split())
            if name and fold(name) not in seen:
                seen.add(fold(name))
                kept.append(name)
    return ", ".join(kept)
