"""Text extraction from stored payloads: Content-Encoding, browser charset rules, visible text, PDF, bombs."""

from __future__ import annotations

import gzip
import hashlib
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import pytest

from factledger.archive.textstore import CorruptTextError, TextNotFoundError, TextStore, text_ref
from factledger.text import ExtractedText, extract_text

pytestmark = pytest.mark.unit

HTML = [("Content-Type", "text/html")]


def html_text(markup: str | bytes, headers: list[tuple[str, str]] | None = None) -> ExtractedText:
    payload = markup.encode("utf-8") if isinstance(markup, str) else markup
    result = extract_text(payload, headers if headers is not None else HTML)
    assert result.error is None, result.error
    return result


def full(markup: str | bytes, headers: list[tuple[str, str]] | None = None) -> str:
    text = html_text(markup, headers).full_text
    assert text is not None
    return text


def minimal_pdf(pages: list[str]) -> bytes:
    """A valid PDF written by hand: one Helvetica text line per page, with a correct xref table."""
    count = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
    ]
    font_id = 3 + 2 * count
    for index, text in enumerate(pages):
        content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {4 + 2 * index} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# -- charset ------------------------------------------------------------------------------------------------

RUSSIAN = "Москва - столица России, крупнейший по численности населения город страны."
FRENCH = (
    "Le président a déclaré que la réforme était nécessaire. Où est la fenêtre? Ça coûte très cher à Noël."
)


@pytest.mark.parametrize(
    ("codec", "bom", "expected"),
    [
        ("utf-8", b"\xef\xbb\xbf", "utf-8"),
        ("utf-16-le", b"\xff\xfe", "utf-16le"),
        ("utf-16-be", b"\xfe\xff", "utf-16be"),
    ],
)
def test_bom_wins_over_header_and_meta(codec: str, bom: bytes, expected: str) -> None:
    markup = f'<meta charset="windows-1251"><p>{RUSSIAN}</p>'
    result = html_text(bom + markup.encode(codec), [("Content-Type", "text/html; charset=iso-8859-1")])
    assert result.charset == expected
    assert result.full_text == RUSSIAN


def test_header_charset_wins_over_meta() -> None:
    markup = f'<meta charset="utf-8"><p>{RUSSIAN}</p>'.encode("cp1251")
    result = html_text(markup, [("Content-Type", 'text/html; charset="windows-1251"')])
    assert result.charset == "windows-1251"
    assert result.full_text == RUSSIAN


def test_meta_charset() -> None:
    markup = f'<!doctype html><html><head><meta charset="KOI8-R"></head><body><p>{RUSSIAN}</p>'.encode(
        "koi8-r"
    )
    result = html_text(markup)
    assert result.charset == "koi8-r"
    assert result.full_text == RUSSIAN


def test_meta_http_equiv() -> None:
    japanese = "東京は日本の首都です。"
    markup = (
        '<html><head><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=Shift_JIS">'
        f"</head><body><p>{japanese}</p></body></html>"
    ).encode("shift_jis")
    result = html_text(markup)
    assert result.charset == "shift_jis"
    assert result.full_text == japanese


def test_meta_in_a_comment_is_ignored_and_meta_utf16_means_utf8() -> None:
    commented = f'<!-- <meta charset="koi8-r"> --><meta charset="utf-16"><p>{RUSSIAN}</p>'.encode()
    result = html_text(commented)
    assert result.charset == "utf-8"
    assert result.full_text == RUSSIAN


def test_undeclared_windows_1251_is_detected() -> None:
    markup = f"<html><body><p>{RUSSIAN}</p><p>{RUSSIAN[::-1]}</p></body></html>".encode("cp1251")
    result = html_text(markup)
    assert result.charset == "windows-1251"
    assert RUSSIAN in (result.full_text or "")


@pytest.mark.parametrize(
    "text",
    [
        FRENCH,
        "El niño comió piñata en España, según él.",  # ties with windows-1250, which reads ñ as ń
        "Die Straße über den Fluß wird gebaut. Größere Änderungen sind möglich.",  # same bytes in 1250
    ],
)
def test_undeclared_latin1_is_detected_as_windows_1252(text: str) -> None:
    result = html_text(f"<html><body><p>{text}</p></body></html>".encode("latin-1"))
    assert result.charset == "windows-1252"
    assert result.full_text == text


def test_undeclared_utf8_and_ascii() -> None:
    assert html_text(f"<p>{RUSSIAN}</p>").charset == "utf-8"
    assert html_text(b"<p>plain</p>").charset == "windows-1252"


@pytest.mark.parametrize(
    ("label", "body", "text", "charset"),
    [
        # WHATWG: latin1/iso-8859-1/ascii all mean windows-1252, so 0x80 is the euro sign.
        ("iso-8859-1", b"<p>\x80 5</p>", "€ 5", "windows-1252"),
        ("latin1", b"<p>\x80 5</p>", "€ 5", "windows-1252"),
        ("US-ASCII", b"<p>\x93q\x94</p>", "“q”", "windows-1252"),
        ("utf8", "<p>café</p>".encode(), "café", "utf-8"),
        ("x-sjis", "<p>日本</p>".encode("shift_jis"), "日本", "shift_jis"),
    ],
)
def test_charset_labels_follow_whatwg(label: str, body: bytes, text: str, charset: str) -> None:
    result = html_text(body, [("Content-Type", f"text/html; charset={label}")])
    assert (result.full_text, result.charset) == (text, charset)


def test_unknown_header_label_is_ignored() -> None:
    markup = f'<meta charset="windows-1251"><p>{RUSSIAN}</p>'.encode("cp1251")
    result = html_text(markup, [("Content-Type", "text/html; charset=no-such-thing")])
    assert result.charset == "windows-1251"


# -- visible text -------------------------------------------------------------------------------------------


def test_inline_elements_add_no_spaces() -> None:
    assert full("<p><b>Hel</b>lo <i>wor</i><span>l</span><a href='#'>d</a><sup>2</sup></p>") == "Hello world2"


def test_block_elements_and_br_break_lines() -> None:
    markup = (
        "<h1>Title</h1><p>First <em>para</em>.</p><div>Second<br>line two<br><br>after a blank</div>"
        "<ul><li>one</li><li>two</li></ul><blockquote>quoted</blockquote><section>end</section>"
    )
    assert full(markup) == ("Title\nFirst para.\nSecond\nline two\n\nafter a blank\none\ntwo\nquoted\nend")


def test_whitespace_collapses_and_table_cells_are_tab_separated() -> None:
    markup = "<p>  spread \n\n  over\tlines  </p><table><tr><td> a </td>\n <td>b</td></tr><tr><th>h</th><td>v</td></tr></table>"
    assert full(markup) == "spread over lines\na\tb\nh\tv"


def test_script_style_template_noscript_and_hidden_are_left_out() -> None:
    markup = (
        "<head><style>p { color: red }</style><script>var head = 1</script></head><body>"
        "<p>shown</p><script>var secret = 'script'</script><style>.x{}</style>"
        "<template><p>template</p></template><noscript>noscript</noscript>"
        "<div hidden><p>hidden block</p></div><p>also <span hidden>hidden</span>shown</p><!-- comment --></body>"
    )
    assert full(markup) == "shown\nalso shown"


def test_pre_keeps_its_whitespace() -> None:
    markup = "<p>before</p><pre>\n  def f():\n      return  1\n</pre><p>after</p>"
    assert full(markup) == "before\n  def f():\n      return  1\nafter"


def test_entities_are_decoded() -> None:
    assert (
        full("<p>Fish &amp; chips &lt;3 caf&eacute; &#x263A; &#8212; a&nbsp;b</p>")
        == "Fish & chips <3 café ☺ — a b"
    )


def test_title_and_deep_nesting() -> None:
    result = html_text("<title>  The   title </title>" + "<div>" * 5000 + "deep" + "</div>" * 5000)
    assert result.title == "The title"
    assert result.full_text == "deep"


def test_main_text_comes_from_trafilatura() -> None:
    article = " ".join(["The minister said the bridge will open in March, two years later than planned."] * 6)
    markup = (
        "<html><head><title>News</title></head><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav>"
        f"<article><h1>Bridge delayed</h1><p>{article}</p><p>{article}</p></article>"
        "<footer>Copyright footer text</footer></body></html>"
    )
    result = html_text(markup)
    assert result.main_text is not None
    assert "two years later than planned" in result.main_text
    assert "Copyright footer text" not in result.main_text
    assert "Copyright footer text" in (result.full_text or "")


def test_main_text_can_be_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    calls: list[object] = []

    def spy(*args: Any, **kwargs: Any) -> str:
        calls.append(args)
        return "main"

    monkeypatch.setattr(trafilatura, "extract", spy)
    result = extract_text(b"<p>only the full text</p>", HTML, main_text=False)
    assert (result.full_text, result.main_text) == ("only the full text", None)
    assert calls == []
    # A whole document: lxml's loader turns a lone fragment away before trafilatura is asked.
    both = b"<html><body><p>both</p></body></html>"
    assert extract_text(both, HTML).main_text == "main"  # the spy does see calls
    assert len(calls) == 1


def test_trafilatura_failure_does_not_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(trafilatura, "extract", broken)
    result = html_text("<p>still here</p>")
    assert result.main_text is None
    assert result.full_text == "still here"


# -- Content-Encoding -----------------------------------------------------------------------------------------


def test_gzip_encoded_payload_is_decoded() -> None:
    payload = gzip.compress("<p>zipped café</p>".encode())
    result = html_text(payload, [*HTML, ("Content-Encoding", "gzip")])
    assert result.full_text == "zipped café"


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_deflate_zlib_wrapped_and_raw(wbits: int) -> None:
    compressor = zlib.compressobj(wbits=wbits)
    payload = compressor.compress(b"<p>deflated</p>") + compressor.flush()
    assert full(payload, [*HTML, ("Content-Encoding", "deflate")]) == "deflated"


def test_stacked_encodings_are_undone_in_reverse() -> None:
    payload = gzip.compress(zlib.compress(b"<p>twice</p>"))
    assert full(payload, [*HTML, ("Content-Encoding", "deflate, gzip")]) == "twice"


def test_brotli() -> None:
    brotli = pytest.importorskip("brotli")
    payload = brotli.compress("<p>brötli</p>".encode())
    assert full(payload, [*HTML, ("Content-Encoding", "br")]) == "brötli"


def test_truncated_gzip_keeps_what_decoded() -> None:
    payload = gzip.compress(("<p>" + "word " * 20000 + "</p>").encode())
    result = html_text(payload[: len(payload) // 2], [*HTML, ("Content-Encoding", "gzip")])
    assert (result.full_text or "").startswith("word word")


def test_bad_or_unknown_encoding_is_an_error_status() -> None:
    bad = extract_text(b"<p>not gzip</p>", [*HTML, ("Content-Encoding", "gzip")])
    assert bad.full_text is None
    assert bad.error is not None
    assert "not valid compressed data" in bad.error
    unknown = extract_text(b"...", [*HTML, ("Content-Encoding", "zstd")])
    assert unknown.error == "unsupported Content-Encoding 'zstd'"


def test_gzip_bomb_stops_at_the_cap_quickly_and_in_bounded_memory() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(zeros) for _ in range(100)) + compressor.flush()  # 100 MiB of zeros
    assert len(bomb) < 200_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = extract_text(bomb, [*HTML, ("Content-Encoding", "gzip")], max_decoded_bytes=10 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert result.full_text is None
    assert result.error == f"decoded body larger than {10 * 1024 * 1024} bytes"
    assert elapsed < 2.0
    assert peak < 30 * 1024 * 1024


# -- other kinds ----------------------------------------------------------------------------------------------


def test_pdf_text_pages_joined_with_blank_lines() -> None:
    result = extract_text(
        minimal_pdf(["Hello PDF world", "Second page"]), [("Content-Type", "application/pdf")]
    )
    assert result.kind == "pdf"
    assert result.error is None
    assert result.full_text == "Hello PDF world\n\nSecond page"


def test_pdf_served_as_octet_stream_is_sniffed_and_gzip_decoded() -> None:
    payload = gzip.compress(minimal_pdf(["Sniffed"]))
    result = extract_text(
        payload, [("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip")]
    )
    assert (result.kind, result.full_text) == ("pdf", "Sniffed")


def test_broken_pdf_is_an_error_not_an_exception() -> None:
    result = extract_text(b"%PDF-1.4\nthis is not really a pdf", [("Content-Type", "application/pdf")])
    assert result.kind == "pdf"
    assert result.full_text is None
    assert result.error is not None
    assert result.error.startswith("unreadable PDF")


def test_plain_text_is_decoded_with_charset_rules() -> None:
    declared = extract_text(
        f"{RUSSIAN}\r\nline two  \r\n".encode("cp1251"),
        [("Content-Type", "text/plain; charset=windows-1251")],
    )
    assert (declared.kind, declared.charset) == ("text", "windows-1251")
    assert declared.full_text == f"{RUSSIAN}\nline two"
    undeclared = extract_text(f"<p>{RUSSIAN}</p>".encode(), [("Content-Type", "text/plain")])
    assert undeclared.full_text == f"<p>{RUSSIAN}</p>"  # plain text is never parsed as HTML
    assert undeclared.charset == "utf-8"


def test_png_has_no_text_and_is_not_decoded() -> None:
    result = extract_text(
        b"\x89PNG\r\n\x1a\nnot-really", [("Content-Type", "image/png"), ("Content-Encoding", "gzip")]
    )
    assert result == ExtractedText(None, None, None, None, "other")


def test_missing_content_type_is_sniffed() -> None:
    assert extract_text(b"  <!DOCTYPE html><p>sniffed</p>", []).full_text == "sniffed"
    assert extract_text(b"\x00\x01binary", []).kind == "other"


def test_markers_in_page_text_cannot_fake_layout() -> None:
    private_use = "".join(chr(c) for c in range(0xE000, 0xE005))
    assert full(f"<p>a{private_use}b</p>") == "ab"


# -- text store ---------------------------------------------------------------------------------------------


def test_text_store_is_content_addressed_and_round_trips(tmp_path: Path) -> None:
    store = TextStore(tmp_path / "texts")
    text = f"{RUSSIAN}\nline two"
    ref = store.put(text)
    assert ref == hashlib.sha256(text.encode()).hexdigest() == text_ref(text)
    path = tmp_path / "texts" / ref[:2] / ref[2:4] / f"{ref}.txt.gz"
    assert gzip.decompress(path.read_bytes()).decode() == text
    assert store.get(ref) == text
    mtime = path.stat().st_mtime_ns
    assert store.put(text) == ref  # stored once
    assert path.stat().st_mtime_ns == mtime
    assert ref in store
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left behind


def test_text_store_errors_are_clear(tmp_path: Path) -> None:
    store = TextStore(tmp_path)
    missing = "0" * 64
    # The error names the store and the object: one line for the command line.
    with pytest.raises(
        TextNotFoundError, match=f"capture store {tmp_path} has no object 00/00/{missing}.txt.gz"
    ):
        store.get(missing)
    with pytest.raises(ValueError, match="not a text ref"):
        store.get("../../etc/passwd")
    ref = store.put("original")
    store.path_for(ref).write_bytes(gzip.compress(b"tampered"))
    with pytest.raises(CorruptTextError, match="does not match"):
        store.get(ref)
    # A file cut short (a crash before it reached the disk): the gzip trailer is missing.
    store.path_for(ref).write_bytes(gzip.compress(b"original")[:-6])
    with pytest.raises(CorruptTextError, match="not valid gzip"):
        store.get(ref)


@pytest.mark.parametrize("syncfs", ["missing", "failing"])
def test_make_durable_falls_back_to_fsync_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syncfs: str
) -> None:
    """Where syncfs(2) is missing (not Linux) or fails, each text and its directories are fsynced."""
    import os

    from factledger.archive import objects

    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(objects, "_syncfs", None if syncfs == "missing" else lambda fd: -1)
    monkeypatch.setattr(os, "fsync", counting_fsync)  # the module the local store calls
    store = TextStore(tmp_path)
    refs = [store.put(f"text number {n}", durable=False) for n in range(3)]
    assert synced == []  # durable=False: nothing flushed yet
    store.make_durable(refs)
    # three files, plus each one's two fan-out directories (shared ones once) and the store itself
    directories = {d for ref in refs for d in (store.path_for(ref).parent, store.path_for(ref).parent.parent)}
    assert len(synced) == len(refs) + len(directories) + 1
    assert [store.get(ref) for ref in refs] == [f"text number {n}" for n in range(3)]


def test_make_durable_with_syncfs_is_one_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from factledger.archive import objects

    calls: list[int] = []

    def counting_syncfs(fd: int) -> int:
        calls.append(fd)
        return 0

    monkeypatch.setattr(objects, "_syncfs", counting_syncfs)
    store = TextStore(tmp_path)
    refs = [store.put(f"text {n}", durable=False) for n in range(5)]
    store.make_durable(refs)
    store.make_durable([])  # nothing to do: no call
    assert len(calls) == 1
