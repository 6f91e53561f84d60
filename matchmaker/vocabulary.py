"""The interface's vocabularies with their vi/en labels: sectors, offers/seeks tags,
stages, provinces (``matchmaker.provinces``: the 34 units since the 2025 merger) and
spoken languages.

Sectors, tags and stages are the demo generator's (``matchmaker.demo.vocab``), so
imported and generated data share one set of slugs. Templates reach the labels
through the Jinja globals installed by :func:`install` (``sector_label(slug)``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from matchmaker.demo.vocab import SECTORS, STAGES, TAGS
from matchmaker.provinces import CITIES, PROVINCES, province_label

__all__ = [
    "LANGUAGES",
    "PROVINCES",
    "SECTORS",
    "STAGES",
    "TAGS",
    "install",
    "label",
    "language_label",
    "province_label",
    "sector_label",
    "stage_label",
    "tag_label",
]

LANGUAGES: dict[str, tuple[str, str]] = {
    "vi": ("Tiếng Việt", "Vietnamese"),
    "en": ("Tiếng Anh", "English"),
    "zh": ("Tiếng Trung", "Chinese"),
    "ja": ("Tiếng Nhật", "Japanese"),
    "ko": ("Tiếng Hàn", "Korean"),
    "fr": ("Tiếng Pháp", "French"),
    "km": ("Tiếng Khmer", "Khmer"),
}


def label(vocabulary: dict[str, tuple[str, str]], slug: str, locale: str = "vi") -> str:
    """The label of `slug` in `locale`; unknown slugs show as themselves."""
    vi, en = vocabulary.get(slug, (slug, slug))
    return en if locale == "en" else vi


def sector_label(slug: str, locale: str = "vi") -> str:
    return label(SECTORS, slug, locale)


def tag_label(slug: str, locale: str = "vi") -> str:
    return label(TAGS, slug, locale)


def stage_label(slug: str, locale: str = "vi") -> str:
    return label(STAGES, slug, locale)


def language_label(code: str, locale: str = "vi") -> str:
    return label(LANGUAGES, code, locale)


def _locale(ctx: Context) -> str:
    if ctx.get("render_locale"):
        return str(ctx["render_locale"])
    request = ctx.get("request")
    if request is None:
        return "vi"
    return str(request.scope.get("state", {}).get("locale", "vi"))


_VOCABULARIES = {"sector": SECTORS, "tag": TAGS, "stage": STAGES, "province": PROVINCES}


@lru_cache(maxsize=256)
def _labelled(vocabulary: str, slugs: tuple[str, ...], locale: str) -> tuple[tuple[str, str], ...]:
    table = _VOCABULARIES[vocabulary]
    return tuple((slug, label(table, slug, locale)) for slug in slugs)


def install(env: Environment) -> None:
    """Jinja globals: ``sector_label(slug)``, ``tag_label``, ``stage_label``,
    ``language_label``, ``province_label`` in the request's language, ``labelled(slugs,
    "tag")`` for a select's options, and the vocabularies."""

    def bind(vocabulary: dict[str, tuple[str, str]]):  # type: ignore[no-untyped-def]
        @pass_context
        def show(ctx: Context, slug: str) -> str:
            return label(vocabulary, slug, _locale(ctx))

        return show

    @pass_context
    def labelled(
        ctx: Context, slugs: Iterable[str], vocabulary: str
    ) -> tuple[tuple[str, str], ...]:
        """(slug, label) pairs of a select's options ("sector", "tag", "stage" or
        "province" labels), labelled once per language and list."""
        return _labelled(vocabulary, tuple(slugs), _locale(ctx))

    env.globals.update(
        labelled=labelled,
        sector_label=bind(SECTORS),
        tag_label=bind(TAGS),
        stage_label=bind(STAGES),
        language_label=bind(LANGUAGES),
        province_label=bind(PROVINCES),
        SECTORS=SECTORS,
        TAGS=TAGS,
        STAGES=STAGES,
        PROVINCES=PROVINCES,
        CITIES=CITIES,
        LANGUAGES=LANGUAGES,
    )
