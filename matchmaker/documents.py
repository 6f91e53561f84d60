"""Printable documents: HTML templates rendered to PDF by WeasyPrint."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from weasyprint import HTML

from matchmaker.paths import resource_dir


def render_pdf(env: Environment, template: str, *, locale: str, **context: Any) -> bytes:
    """Render a print template (no request needed) and lay it out as PDF.
    DejaVu Sans is named first in the print stylesheet: it covers Vietnamese."""
    html = env.get_template(template).render(render_locale=locale, **context)
    pdf = HTML(string=html, base_url=str(resource_dir("static"))).write_pdf()
    assert pdf is not None
    return pdf
