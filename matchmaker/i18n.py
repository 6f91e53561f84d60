"""Interface languages: Babel catalogs (.po) for Vietnamese and English.

Catalogs are compiled in memory at start-up, so the .po files in
`matchmaker/translations` are the only source of truth.
"""

from __future__ import annotations

import io
from functools import cache
from gettext import NullTranslations

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from matchmaker.paths import PACKAGE_DIR

LOCALES = ("vi", "en")
LOCALE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    """All catalogs of a locale merged: each feature keeps its own .po file
    (`translations/<locale>/LC_MESSAGES/*.po`) so they can be edited independently."""
    merged: Catalog | None = None
    for po_path in sorted((TRANSLATIONS_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and message.string:
                merged[message.id] = message
    if merged is None:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(buffer)


def normalise_locale(value: str | None, default: str = "vi") -> str:
    if value:
        short = value.split("-")[0].split("_")[0].lower()
        if short in LOCALES:
            return short
    return default
