"""Every interface string in the code and templates has a Vietnamese translation.

When this fails it lists the missing msgids with where they are used: add them to
your feature's catalog, matchmaker/translations/vi/LC_MESSAGES/<feature>.po.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from matchmaker import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "gettext_for": (2,)}
SOURCES = {
    "matchmaker": [("**.py", "python")],
    "templates": [("**.html", "jinja2.ext:babel_extract")],
}
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do", "silent": "false"}}


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


# Errors whose first argument is a message a person reads: a DomainError is shown in the
# reader's language. Litestar's exceptions never show their text (the error page gives the
# status's translated title; a validation error a translated sentence), so code that has
# something to say raises a DomainError (NotFound, Forbidden, Conflict) instead. The
# guards' sign-in and permission exceptions stay Litestar's: they drive the redirect to
# the sign-in page.
DOMAIN_ERRORS = {"DomainError", "NotFound", "Forbidden", "Conflict"}
HTTP_ERRORS = {"HTTPException", "NotFoundException", "ClientException"}


def _unmarked_messages(source: str, filename: str) -> list[str]:
    """Every `raise`-able error built with text that does not go through `N_()`."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in HTTP_ERRORS and (node.args or any(k.arg == "detail" for k in node.keywords)):
            found.append(f"{filename}:{node.lineno}: {name} with a message (raise a DomainError)")
        elif name in DOMAIN_ERRORS and node.args:
            # Text written here must be marked; a name or a lookup holds a msgid from a
            # place the extraction already sees.
            first = node.args[0]
            if isinstance(first, ast.Constant | ast.JoinedStr | ast.BinOp):
                found.append(f"{filename}:{node.lineno}: {name}({ast.unparse(first)[:60]})")
    return found


def test_catalogs_every_error_message_is_a_marked_msgid() -> None:
    found = []
    for path in sorted((ROOT / "matchmaker").rglob("*.py")):
        found += _unmarked_messages(path.read_text(), str(path.relative_to(ROOT)))
    assert found == []


def test_catalogs_the_error_check_sees_unmarked_text() -> None:
    source = (
        'raise DomainError("plain")\n'
        'raise NotFound(N_("marked"))\n'
        'raise Conflict(f"{x} formatted")\n'
        'raise NotFoundException("No such page.")\n'
        "raise DomainError(message)\n"
    )
    assert _unmarked_messages(source, "probe.py") == [
        "probe.py:1: DomainError('plain')",
        "probe.py:3: Conflict(f'{x} formatted')",
        "probe.py:4: NotFoundException with a message (raise a DomainError)",
    ]


def _translations_by_file(locale: str) -> dict[tuple[str | None, str], dict[str, str]]:
    """{(context, msgid): {catalog file: its translation}} for every translated message
    of a locale (a plural's forms joined by " | ")."""
    found: dict[tuple[str | None, str], dict[str, str]] = {}
    for po_path in sorted((i18n.TRANSLATIONS_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        for message in catalog:
            if not message.id or not message.string:
                continue
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            text = message.string
            shown = " | ".join(text) if isinstance(text, tuple) else text
            found.setdefault((message.context, msgid), {})[po_path.name] = shown
    return found


def test_catalogs_translate_each_msgid_one_way() -> None:
    """The catalogs are merged into one, and the first file (by name) that translates a
    msgid wins silently: a msgid (with its context) translated two ways reads as one of
    them everywhere. The same meaning gets the same words; two meanings get contexts
    (pgettext) or two msgids."""
    clashes = {
        key: files
        for key, files in _translations_by_file("vi").items()
        if len(set(files.values())) > 1
    }
    report = "\n".join(
        f"  {f'[{context}] ' if context else ''}{msgid!r}: "
        + "; ".join(f"{name} {text!r}" for name, text in files.items())
        for (context, msgid), files in clashes.items()
    )
    if clashes:
        pytest.fail(f"{len(clashes)} msgids translated differently:\n{report}", pytrace=False)
