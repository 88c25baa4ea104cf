"""Which strings the ledger can store the same way on SQLite and on PostgreSQL.

PostgreSQL's text type cannot hold U+0000 (SQLite can, so a SQLite export would not import on
PostgreSQL), and neither engine can store a lone UTF-16 surrogate (U+D800 to U+DFFF, which JSON's
``"\\ud800"`` escape produces but UTF-8 cannot encode). Every string that reaches the ledger from a file
or a command line is checked here first, so both engines refuse the same input with the same message.
"""

from __future__ import annotations


def unstorable_reason(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can."""
    if "\x00" in text:
        return f"contains a NUL character (U+0000) at position {text.index(chr(0))}"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"contains a lone surrogate (U+{ord(text[exc.start]):04X}) at position {exc.start}"
    return None


# Ids, versions and counts are PostgreSQL `integer` columns; SQLite's reach to 2**63 - 1. A number past
# the smaller bound is refused before it reaches either, so both engines answer the same way.
MAX_STORED_INT = 2**31 - 1
