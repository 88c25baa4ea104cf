"""Snapshot texts normalized once, when captured, and stored beside the text for every later check.

Normalizing a 100 KB page costs milliseconds; finding a quote in it, microseconds. So the capture hook
normalizes each new text and stores the result as a TextStore sidecar (``<ref>.norm.gz``), and a check
only loads it. A text captured before sidecars existed, or whose sidecar was made by older normalization
rules, is normalized on first use and stored then.

The sidecar holds a fixed header, the offset map (``NormalizedText.mapping_bytes()``) and the normalized
text in UTF-8. The header names the text's ref, so a sidecar copied under the wrong name is not believed.
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from factledger.archive.textstore import TextStore
from factledger.verify.normalize import NORMALIZATION_VERSION, NormalizedText, normalize_for_matching

__all__ = ["SIDECAR_KIND", "NormalizedTextCache", "load_normalized", "normalized_text", "store_normalized"]

SIDECAR_KIND: Final = "norm"
_MAGIC: Final = b"FLNT"
_FORMAT_VERSION: Final = 1
# magic, format version, normalization version, the text's SHA-256, length of the offset map in bytes
_HEADER: Final = struct.Struct("<4sHH32sQ")


def encode_normalized(ref: str, normalized: NormalizedText) -> bytes:
    mapping = normalized.mapping_bytes()
    header = _HEADER.pack(_MAGIC, _FORMAT_VERSION, NORMALIZATION_VERSION, bytes.fromhex(ref), len(mapping))
    return b"".join((header, mapping, normalized.text.encode("utf-8")))


def decode_normalized(ref: str, data: bytes) -> NormalizedText | None:
    """The stored NormalizedText, or None when ``data`` is not a current sidecar of text ``ref``."""
    if len(data) < _HEADER.size:
        return None
    magic, format_version, rules_version, digest, mapping_length = _HEADER.unpack_from(data)
    if (
        magic != _MAGIC
        or format_version != _FORMAT_VERSION
        or rules_version != NORMALIZATION_VERSION
        or digest.hex() != ref
        or _HEADER.size + mapping_length > len(data)
    ):
        return None
    text_start = _HEADER.size + mapping_length
    view = memoryview(data)
    try:
        text = str(view[text_start:], "utf-8")
        return NormalizedText.from_stored(text, bytes(view[_HEADER.size : text_start]))
    except (UnicodeDecodeError, ValueError, TypeError):
        return None


def store_normalized(texts: TextStore, ref: str, normalized: NormalizedText) -> None:
    texts.put_sidecar(ref, SIDECAR_KIND, encode_normalized(ref, normalized))


@dataclass(frozen=True, slots=True)
class EncodedNormalized:
    """A normalized text as its sidecar's bytes, on its way from a worker process to the run's process.

    It pickles as those bytes, which ``normalize_new_text`` has encoded anyway, and unpickles straight
    into the NormalizedText. Pickling the NormalizedText itself would encode its text to UTF-8 a second
    time (0.07 ms for a 53 KB page); the bytes are a copy. Passed without pickling (a run of few
    sources prepares in threads), it is decoded where it is used (``decoded``)."""

    ref: str
    data: bytes

    def decoded(self) -> NormalizedText | None:
        return decode_normalized(self.ref, self.data)

    def __reduce__(self) -> tuple[Callable[[str, bytes], NormalizedText | None], tuple[str, bytes]]:
        return decode_normalized, (self.ref, self.data)


def normalize_new_text(texts: TextStore, ref: str, text: str) -> EncodedNormalized | None:
    """Normalize a newly captured text, store it as its sidecar and return it for the group's checks (the
    archiver's text hook, verify/capture.py). It is sent to the worker processes by name, so it lives
    here, in a module whose imports they already have, not beside the quote checks: importing those
    (the ledger, SQLAlchemy) took each worker about half a second of CPU before its first page."""
    if texts.has_sidecar(ref, SIDECAR_KIND):
        return None  # a text seen before (an unchanged page) was normalized then
    data = encode_normalized(ref, normalize_for_matching(text))
    texts.put_sidecar(ref, SIDECAR_KIND, data)
    return EncodedNormalized(ref, data)


def load_normalized(texts: TextStore, ref: str) -> NormalizedText | None:
    """The stored normalized text of ``ref``; None when it was never stored or cannot be trusted."""
    data = texts.get_sidecar(ref, SIDECAR_KIND)
    return None if data is None else decode_normalized(ref, data)


def normalized_text(texts: TextStore, ref: str) -> NormalizedText:
    """Load the stored normalized text of ``ref``; normalize and store it first if there is none."""
    normalized = load_normalized(texts, ref)
    if normalized is None:
        normalized = normalize_for_matching(texts.get(ref))
        store_normalized(texts, ref, normalized)
    return normalized


class NormalizedTextCache:
    """The normalized texts of one verification run, the most recently used ``capacity`` kept in memory.

    Not thread-safe: each run (each capture hook call, each ``factledger verify``) makes its own.
    """

    def __init__(self, texts: TextStore, capacity: int = 64) -> None:
        if capacity < 1:
            raise ValueError("a cache holds at least one text")
        self.texts = texts
        self.capacity = capacity
        self.hits = 0
        self.loads = 0
        self._entries: OrderedDict[str, NormalizedText] = OrderedDict()

    def get(self, ref: str) -> NormalizedText:
        entry = self._entries.get(ref)
        if entry is not None:
            self._entries.move_to_end(ref)
            self.hits += 1
            return entry
        self.loads += 1
        entry = normalized_text(self.texts, ref)
        self.put(ref, entry)
        return entry

    def put(self, ref: str, normalized: NormalizedText) -> None:
        self._entries[ref] = normalized
        self._entries.move_to_end(ref)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
