"""Every interface string in the code and templates has a Vietnamese translation.

When this fails it lists the missing msgids with where they are used: add them to
your feature's catalog, matchmaker/translations/vi/LC_MESSAGES/<feature>.po.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from matchmaker import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "gettext_for": (2,)}
SOURCES = {
    "matchmaker": [("**.py", "python")],
    "templates": [("**.html", "jinja2.ext:babel_extract")],
}
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n", "silent": "false"}}


Extracted = tuple[str, int, str | tuple[str, ...], str | None]


@cache
def _extracted() -> list[Extracted]:
    """(file, line, msgid or (singular, plural), context) for every marked string."""
    found: list[Extracted] = []
    for folder, method_map in SOURCES.items():
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map, OPTIONS, KEYWORDS, strip_comment_tags=True
        ):
            found.append((f"{folder}/{filename}", lineno, message, context))
    return found


def _catalog_key(message: str | tuple[str, ...], context: str | None) -> str | tuple[str, int]:
    """The key under which gettext keeps a compiled message."""
    msgid = message[0] if isinstance(message, tuple) else message
    if context:
        msgid = f"{context}\x04{msgid}"
    return (msgid, 0) if isinstance(message, tuple) else msgid


def test_catalogs_extraction_finds_the_foundation_strings() -> None:
    found = {message for _, _, message, _ in _extracted()}
    assert "Sign in" in found  # templates
    assert "Wrong email or password." in found  # N_() in services
    assert "Page not found" in found  # N_() in the web layer
    assert ("%(num)s participant", "%(num)s participants") in found  # ngettext


def test_catalogs_every_msgid_has_a_vietnamese_translation() -> None:
    compiled = i18n.translations("vi")._catalog  # type: ignore[attr-defined]
    missing: dict[str, list[str]] = {}
    for where, lineno, message, context in _extracted():
        if not compiled.get(_catalog_key(message, context)):
            shown = " / ".join(message) if isinstance(message, tuple) else message
            if context:
                shown = f"[{context}] {shown}"
            missing.setdefault(shown, []).append(f"{where}:{lineno}")
    report = "\n".join(f"  {msgid!r}  ({', '.join(places)})" for msgid, places in missing.items())
    if missing:
        heading = f"{len(missing)} msgids lack a Vietnamese translation:"
        pytest.fail(f"{heading}\n{report}", pytrace=False)
