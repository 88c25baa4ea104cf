"""Only WHATWG encoding labels choose a charset (issue 14, section 5). Hostile input: a page whose
<meta charset> or Content-Type names a Python codec (``unicode_escape`` would turn ``\\u0041`` in the
page into ``A``; ``rot13`` and ``uu_codec`` are not text encodings at all). Already held on main (the
labels are looked up in the WHATWG table); this pins it."""

from __future__ import annotations

import pytest

from factledger.text.extract import extract_text

pytestmark = pytest.mark.unit

PYTHON_ONLY_CODECS = [
    "unicode_escape",
    "raw_unicode_escape",
    "rot13",
    "uu_codec",
    "zlib_codec",
    "punycode",
    "idna",
]


@pytest.mark.parametrize("codec", PYTHON_ONLY_CODECS)
def test_a_meta_charset_naming_a_python_codec_is_ignored(codec: str) -> None:
    page = (
        f'<html><head><meta charset="{codec}"><title>t</title></head>'
        "<body><p>The page says \\u0041 literally.</p></body></html>"
    ).encode("ascii")
    extracted = extract_text(page, [("Content-Type", "text/html")])
    assert extracted.charset == "windows-1252"  # ignored, as browsers ignore an unknown label
    assert extracted.full_text is not None
    assert "\\u0041" in extracted.full_text


@pytest.mark.parametrize("codec", PYTHON_ONLY_CODECS)
def test_a_content_type_charset_naming_a_python_codec_is_ignored(codec: str) -> None:
    extracted = extract_text(b"caf\\u00e9", [("Content-Type", f"text/plain; charset={codec}")])
    assert extracted.charset == "windows-1252"
    assert extracted.full_text == "caf\\u00e9"
