"""Which character encoding a body is in, chosen as browsers choose it (WHATWG Encoding Standard), and decoding.

The order is the browser's: a byte-order mark, then the charset the Content-Type header declares, then (for
HTML) a ``<meta>`` in the first 1024 bytes, then detection. Unknown labels are ignored, as browsers do.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

# WHATWG Encoding Standard names -> (Python codec, extra labels). Every name is also its own label.
_ENCODINGS: Final[dict[str, tuple[str, str]]] = {
    "utf-8": ("utf-8", "utf8 unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8"),
    "ibm866": ("cp866", "866 cp866 csibm866"),
    "iso-8859-2": ("iso8859-2", "csisolatin2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2"),
    "iso-8859-3": ("iso8859-3", "csisolatin3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 l3 latin3"),
    "iso-8859-4": ("iso8859-4", "csisolatin4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 l4 latin4"),
    "iso-8859-5": ("iso8859-5", "csisolatincyrillic cyrillic iso-ir-144 iso8859-5 iso88595 iso_8859-5"),
    "iso-8859-6": ("iso8859-6", "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6"),
    "iso-8859-7": ("iso8859-7", "csisolatingreek ecma-118 elot_928 greek greek8 iso-ir-126 iso8859-7 iso88597 iso_8859-7 sun_eu_greek"),
    "iso-8859-8": ("iso8859-8", "csiso88598e csisolatinhebrew hebrew iso-8859-8-e iso-ir-138 iso8859-8 iso88598 iso_8859-8 visual"),
    "iso-8859-8-i": ("iso8859-8", "csiso88598i logical"),
    "iso-8859-10": ("iso8859-10", "csisolatin6 iso-ir-157 iso8859-10 iso885910 l6 latin6"),
    "iso-8859-13": ("iso8859-13", "iso8859-13 iso885913"),
    "iso-8859-14": ("iso8859-14", "iso8859-14 iso885914"),
    "iso-8859-15": ("iso8859-15", "csisolatin9 iso8859-15 iso885915 iso_8859-15 l9"),
    "iso-8859-16": ("iso8859-16", ""),
    "koi8-r": ("koi8-r", "cskoi8r koi koi8 koi8_r"),
    "koi8-u": ("koi8-u", "koi8-ru"),
    "macintosh": ("mac-roman", "csmacintosh mac x-mac-roman"),
    "windows-874": ("cp874", "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620"),
    "windows-1250": ("cp1250", "cp1250 x-cp1250"),
    "windows-1251": ("cp1251", "cp1251 x-cp1251"),
    "windows-1252": ("cp1252", "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii x-cp1252"),
    "windows-1253": ("cp1253", "cp1253 x-cp1253"),
    "windows-1254": ("cp1254", "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 x-cp1254"),
    "windows-1255": ("cp1255", "cp1255 x-cp1255"),
    "windows-1256": ("cp1256", "cp1256 x-cp1256"),
    "windows-1257": ("cp1257", "cp1257 x-cp1257"),
    "windows-1258": ("cp1258", "cp1258 x-cp1258"),
    "x-mac-cyrillic": ("mac-cyrillic", "x-mac-ukrainian"),
    "gbk": ("gb18030", "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 iso-ir-58 x-gbk"),
    "gb18030": ("gb18030", ""),
    "big5": ("big5hkscs", "big5-hkscs cn-big5 csbig5 x-x-big5"),
    "euc-jp": ("euc_jp", "cseucpkdfmtjapanese x-euc-jp"),
    "iso-2022-jp": ("iso2022_jp", "csiso2022jp"),
    "shift_jis": ("cp932", "csshiftjis ms932 ms_kanji shift-jis sjis windows-31j x-sjis"),
    "euc-kr": ("cp949", "cseuckr csksc56011987 iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949"),
    "utf-16be": ("utf-16-be", "unicodefffe"),
    "utf-16le": ("utf-16-le", "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16"),
    "x-user-defined": ("cp1252", ""),  # approximated; only ever reached through a label
}  # fmt: skip
_LABELS: Final = {label: name for name, (_, extra) in _ENCODINGS.items() for label in (name, *extra.split())}
_BY_CODEC: Final = {codecs.lookup(codec).name: name for name, (codec, _) in reversed(_ENCODINGS.items())}
# What detection may answer: the web's legacy encodings (not UTF-16, which needs a BOM to be believed).
_DETECTABLE_CODECS: Final = tuple(
    sorted({codec for name, (codec, _) in _ENCODINGS.items() if not name.startswith(("utf-", "x-user"))})
)


def _lookup(label: str) -> str | None:
    """The WHATWG encoding for a label, or None for an unknown label (which browsers ignore)."""
    return _LABELS.get(label.strip().lower())


def _from_codec(codec: str) -> str | None:
    try:
        return _BY_CODEC.get(codecs.lookup(codec).name)
    except LookupError:
        return None


_BOMS: Final = ((b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16be"), (b"\xff\xfe", "utf-16le"))
_META = re.compile(rb"<meta[\s/]([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(rb"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_CHARSET_IN_CONTENT = re.compile(rb"""charset\s*=\s*["']?([^\s"';]+)""", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_DETECT_SAMPLE: Final = 256 * 1024


def _meta_charset(body: bytes) -> str | None:
    """The encoding a <meta> declares in the first 1024 bytes (a simplified WHATWG prescan)."""
    head = _COMMENT.sub(b"", body[:1024])
    for meta in _META.finditer(head):
        attrs: dict[bytes, bytes] = {}
        for match in _ATTR.finditer(meta.group(1)):
            name = match.group(1).lower()
            if name not in attrs:
                attrs[name] = match.group(2) or match.group(3) or match.group(4) or b""
        label: bytes | None = None
        if b"charset" in attrs:
            label = attrs[b"charset"]
        elif attrs.get(b"http-equiv", b"").lower() == b"content-type" and b"content" in attrs:
            found = _CHARSET_IN_CONTENT.search(attrs[b"content"])
            label = found.group(1) if found else None
        if label is None:
            continue
        name_ = _lookup(label.decode("ascii", "replace"))
        if name_ is None:
            continue
        # A document that could read its own meta was not UTF-16 (WHATWG "get an encoding" from meta).
        if name_ in ("utf-16be", "utf-16le"):
            return "utf-8"
        return "windows-1252" if name_ == "x-user-defined" else name_
    return None


def _detect(body: bytes) -> str:
    """Detection for undeclared bodies: ASCII, then valid UTF-8, then charset-normalizer, then windows-1252."""
    sample = body[:_DETECT_SAMPLE]
    if sample.isascii():
        return "windows-1252"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(body) > len(sample):
            return "utf-8"  # only the sample's cut through a character
    # Imported here, not at the top: most pages declare their charset or are UTF-8, and the library
    # costs 5.5 MB of memory in every process that imports text extraction, the archiver's included.
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample, cp_isolation=list(_DETECTABLE_CODECS)))
    if not matches:
        return "windows-1252"
    best = matches[0]
    # Ties are common between single-byte Latin code pages; the web's default wins them.
    for match in matches:
        if match.chaos <= best.chaos + 0.01 and match.coherence >= best.coherence - 0.01:
            candidates = [match.encoding, *match.could_be_from_charset]
            if any(codecs.lookup(c).name == "cp1252" for c in candidates):
                return "windows-1252"
    detected = _from_codec(best.encoding) or "windows-1252"
    try:  # a Latin code page that reads these bytes exactly as windows-1252 does is windows-1252
        if sample.decode(_ENCODINGS[detected][0]) == sample.decode("cp1252"):
            return "windows-1252"
    except UnicodeDecodeError:
        pass
    return detected


def choose_charset(body: bytes, header_charset: str | None, *, html: bool) -> tuple[str, int]:
    """(WHATWG encoding name, bytes of BOM to skip) in the browser's order: BOM, header, meta, detection."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    if header_charset:
        from_header = _lookup(header_charset)
        if from_header is not None:
            return ("windows-1252" if from_header == "x-user-defined" else from_header), 0
    if html:
        from_meta = _meta_charset(body)
        if from_meta is not None:
            return from_meta, 0
    return _detect(body), 0


def decode_body(body: bytes, header_charset: str | None, *, html: bool) -> tuple[str, str]:
    name, skip = choose_charset(body, header_charset, html=html)
    return body[skip:].decode(_ENCODINGS[name][0], errors="replace"), name


class NotUtf8Error(ValueError):
    """Bytes that are not UTF-8: ``byte`` at ``offset`` is the first that cannot be decoded."""

    def __init__(self, offset: int, byte: int) -> None:
        super().__init__(f"not valid UTF-8 (byte 0x{byte:02x} at offset {offset})")
        self.offset = offset
        self.byte = byte


def decode_utf8(data: bytes) -> str:
    """UTF-8 with an optional byte-order mark, strictly: for files that carry no charset and must be
    UTF-8 (text and Markdown documents), where guessing would hide a wrong file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotUtf8Error(error.start, data[error.start]) from None
