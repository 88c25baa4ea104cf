"""A PDF's text and title, with pypdf."""

from __future__ import annotations

import io
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PdfText:
    text: str | None
    title: str | None
    error: str | None = None  # why there is no text: the file could not be read


def pdf_text(body: bytes) -> PdfText:
    """Each page's text, pages separated by a blank line, trailing spaces dropped."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except Exception as exc:  # pypdf raises many types on malformed files
        return PdfText(None, None, error=f"unreadable PDF: {exc}")
    text = "\n\n".join(
        "\n".join(line.rstrip() for line in page.strip("\n").splitlines()) for page in pages
    ).strip()
    return PdfText(text or None, title or None)
