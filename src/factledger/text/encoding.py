"""Undoing a response's Content-Encoding (gzip, deflate, br), bounded so a compression bomb cannot fill memory."""

from __future__ import annotations

import importlib
import zlib
from typing import Any, Final

MiB: Final = 1024 * 1024


class ContentDecodingError(Exception):
    """The body cannot be decoded: unknown coding, invalid data, or larger than allowed once decoded."""


class DecodedTooLargeError(ContentDecodingError):
    """Decoding would pass the size bound (a compression bomb, or just a very large page)."""


_STEP: Final = MiB
# brotlipy's decompressor has no output limit, so the input goes in small slices to bound each step's
# output (a slice of a brotli bomb can still expand to a few MB before the check runs).
_BROTLI_SLICE: Final = 64


def _inflate(data: bytes, wbits: int, cap: int) -> bytes:
    """zlib/gzip inflate that stops as soon as the output passes ``cap``; concatenated gzip members ok.

    A truncated stream (the fetcher's size cap, a reset) keeps what decoded, as a browser shows it.
    """
    out = bytearray()
    pending = data
    while pending:
        decompressor = zlib.decompressobj(wbits)
        try:
            while True:
                chunk = decompressor.decompress(pending, min(_STEP, cap + 1 - len(out)))
                out += chunk
                if len(out) > cap:
                    raise DecodedTooLargeError(f"decoded body larger than {cap} bytes")
                pending = decompressor.unconsumed_tail
                if decompressor.eof or (not chunk and not pending):
                    break
        except zlib.error as exc:
            if not out:
                raise ContentDecodingError(f"not valid compressed data ({exc})") from exc
            return bytes(out)  # garbage after valid data: keep the valid part
        if not decompressor.eof:
            break
        pending = decompressor.unused_data
        if wbits & 16 == 0 or not pending.startswith(b"\x1f\x8b"):
            break  # trailing junk after the stream is ignored, as browsers do
    return bytes(out)


def _unbrotli(data: bytes, cap: int) -> bytes:
    try:
        brotli: Any = importlib.import_module("brotli")
    except ImportError as exc:
        raise ContentDecodingError(
            "Content-Encoding br needs the brotli package, which is not installed"
        ) from exc
    decompressor = brotli.Decompressor()
    step = getattr(decompressor, "process", None) or decompressor.decompress
    out = bytearray()
    try:
        for start in range(0, len(data), _BROTLI_SLICE):
            out += step(data[start : start + _BROTLI_SLICE])
            if len(out) > cap:
                raise DecodedTooLargeError(f"decoded body larger than {cap} bytes")
    except ContentDecodingError:
        raise
    except Exception as exc:  # brotli.error / brotli.Error, depending on the binding
        if not out:
            raise ContentDecodingError(f"not valid brotli data ({exc})") from exc
    return bytes(out)


def decode_content_encoding(payload: bytes, content_encoding: str, cap: int) -> bytes:
    """Undo every coding in a Content-Encoding value, last applied first; raise ContentDecodingError.

    ``cap`` bounds what decompression may produce; an identity body is already bounded by the fetcher.
    """
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    body = payload
    for coding in reversed([c for c in codings if c and c != "identity"]):
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, 16 + zlib.MAX_WBITS, cap)
        elif coding == "deflate":
            # "deflate" means zlib-wrapped, but some servers send a raw deflate stream; browsers accept both.
            wrapped = len(body) >= 2 and (body[0] & 0x0F) == 8 and ((body[0] << 8) | body[1]) % 31 == 0
            body = _inflate(body, zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS, cap)
        elif coding == "br":
            body = _unbrotli(body, cap)
        else:
            raise ContentDecodingError(f"unsupported Content-Encoding {coding!r}")
    return body
