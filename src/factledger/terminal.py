"""Untrusted text made safe for a terminal: the one sanitiser of every CLI and TUI output path.

Claim texts, quotes, URLs, page texts, HTTP headers and file names come from outside. Written raw, an
``ESC [2J`` clears the user's screen, an OSC 8 sequence plants a hyperlink, a carriage return hides what
came before it on the line, and a C1 control (U+009B is CSI on its own) does the same in terminals that
honour 8-bit controls. Rich and Textual strip only a few of these.

``printable`` keeps tab and newline and replaces every other control character **one for one** with a
visible stand-in, so offsets into the text (the reader's quote highlight, rich ``Text`` spans) still line
up:

- C0 controls U+0000 to U+001F become their Unicode control pictures (ESC shows as ``␛``, CR as ``␍``);
- DEL becomes ``␡``;
- C1 controls U+0080 to U+009F, which have no pictures, become ``�``.

Markup is the front ends' part: they render the result as ``rich.text.Text``, never as a markup string
(``cli/output.py``, ``tui/``). This module sits below every layer, so both can import it.
"""

from __future__ import annotations

from typing import Final

_KEPT: Final = frozenset({"\t", "\n"})
_CONTROL_PICTURES: Final = 0x2400
_STANDINS: Final[dict[int, str]] = (
    {code: chr(_CONTROL_PICTURES + code) for code in range(0x20) if chr(code) not in _KEPT}
    | {0x7F: "\u2421"}
    | dict.fromkeys(range(0x80, 0xA0), "\ufffd")
)


def printable(text: str) -> str:
    """``text`` with every control character but tab and newline replaced, one for one, by a visible
    stand-in (see the module docstring)."""
    return text.translate(_STANDINS)


def one_line(text: str) -> str:
    """``printable`` for a single line (a table cell): tabs and newlines become spaces too."""
    return printable(text).replace("\t", " ").replace("\n", " ")
