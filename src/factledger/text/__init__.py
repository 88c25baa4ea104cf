"""Bytes to text, one way for the whole application: HTML, PDF, Markdown, plain text and their charsets.

Whoever needs text from a page, a capture or a file comes here, so a page read from disk and the same
page fetched by URL give the same texts. Each operation has one implementation:

- Content-Encoding (``encoding``) and the charset, chosen as browsers choose it (``charset``);
- HTML's visible text and ``<title>`` with selectolax (``html``), the fast one;
- HTML's main text with trafilatura and published date with htmldate, from one lxml parse (``article``);
- PDF text with pypdf (``pdf``) and Markdown to prose (``markdown``);
- ``extract.extract_text``, which picks among them by content type and returns the named outputs.

When each output is computed, and where it is kept:

- At capture, the archiver computes the cheap outputs only: the full visible text (stored in the text
  store, its ref on the snapshot, for quote matching) and the title (on the source). A capture costs
  about 5 ms of CPU a page; lxml's parse alone costs a few ms and trafilatura tens, so main text and
  date at capture would halve the archiver's throughput.
- Main text and published date are derived on first use (ingest of a URL) from one read of the capture
  and kept in the text store keyed by the payload's digest (``TextStore.put_readable``), so no capture
  is ever parsed for them twice, and a revisit (same digest) reuses them.
"""

from factledger.text.extract import (
    DEFAULT_MAX_DECODED_BYTES,
    ExtractedText,
    Kind,
    ReadableText,
    extract_text,
    readable_text,
)

__all__ = [
    "DEFAULT_MAX_DECODED_BYTES",
    "ExtractedText",
    "Kind",
    "ReadableText",
    "extract_text",
    "readable_text",
]
