"""A PDF's text and title, with pypdf."""

from __future__ import annotations

import io
from dataclasses import dataclass

from factledger.text.limits import CpuBudget, ExtractLimitError


@dataclass(frozen=True, slots=True)
class PdfText:
    text: str | None
    title: str | None
    error: str | None = None  # why there is no text: the file could not be read


def pdf_text(body: bytes, *, max_pages: int, budget: CpuBudget) -> PdfText:
    """Each page's text, pages separated by a blank line, trailing spaces dropped.

    Raises ExtractLimitError for a PDF over ``max_pages`` or the CPU ``budget`` (checked between pages),
    or one that pypdf refuses to expand (its own bound on each decompressed stream: a PDF bomb)."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import LimitReachedError

        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")
        if len(reader.pages) > max_pages:
            raise ExtractLimitError(f"more than {max_pages} PDF pages")
        pages = []
        for page in reader.pages:
            budget.check()
            # extract_text swallows pypdf's LimitReachedError (a content stream that inflates past its
            # bound) and returns "": decoding the contents first lets that bomb be named. The decoded
            # data is kept on the stream object, so extract_text does not decode it again.
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()
            pages.append(page.extract_text() or "")
        title = reader.metadata.title if reader.metadata else None
    except ExtractLimitError:
        raise
    except LimitReachedError as exc:
        raise ExtractLimitError(f"PDF stream over pypdf's bound ({exc})") from exc
    except Exception as exc:  # pypdf raises many types on malformed files
        return PdfText(None, None, error=f"unreadable PDF: {exc}")
    text = "\n\n".join(
        "\n".join(line.rstrip() for line in page.strip("\n").splitlines()) for page in pages
    ).strip()
    return PdfText(text or None, title or None)
