"""factledger.terminal.printable: the one sanitiser of untrusted text bound for a terminal."""

from __future__ import annotations

import pytest

from factledger.terminal import one_line, printable

pytestmark = pytest.mark.unit

CLEAR_SCREEN = "\x1b[2J"
OSC8_LINK = "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"


def test_escape_sequences_are_shown_not_obeyed() -> None:
    # Hostile input: a clear-screen CSI and an OSC 8 hyperlink, as a fetched page may hold them.
    shown = printable(f"before {CLEAR_SCREEN} {OSC8_LINK} after")
    assert "\x1b" not in shown
    assert shown == "before ␛[2J ␛]8;;https://evil.example/␛\\click me␛]8;;␛\\ after"


def test_tab_and_newline_are_kept_and_every_other_control_is_replaced_one_for_one() -> None:
    # Hostile input: every C0 control, DEL and every C1 control (U+009B is CSI on its own).
    controls = "".join(chr(code) for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)))
    shown = printable(controls)
    assert len(shown) == len(controls)  # offsets into the text still line up
    assert shown[9] == "\t"
    assert shown[10] == "\n"
    assert shown[13] == "␍"
    assert shown[0] == "␀"
    assert shown[32] == "␡"
    assert all(ch == "\ufffd" for ch in shown[33:])
    assert not any(ch in controls for ch in shown if ch not in "\t\n")


def test_ordinary_text_is_unchanged() -> None:
    text = "Ünïcödé, [bold]brackets[/], émojis 🧾, right-to-left שלום\tand lines\n"
    assert printable(text) == text


def test_one_line_folds_tabs_and_newlines() -> None:
    assert one_line("a\tb\nc\x1b") == "a b c␛"
