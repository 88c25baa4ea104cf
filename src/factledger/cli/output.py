"""Output shared by every command: JSON on stdout, tables for people, errors on stderr.

Untrusted text (claims, quotes, URLs, names, page text, headers) is always wrapped in ``rich.text.Text``
so that square brackets in a claim are shown, never interpreted as markup, and passes through
``factledger.terminal.printable`` so that control characters (ESC [2J, OSC 8 links, carriage returns)
are shown as visible stand-ins, never sent to the terminal. Every function here that prints does both;
``write_untrusted`` is for text written as it is (a page's text, a capture's headers).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from factledger.terminal import printable

stdout = Console(soft_wrap=True, highlight=False)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


_C1_ESCAPES = {code: f"\\u{code:04x}" for code in range(0x80, 0xA0)}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def print_json(data: Any, *, one_line: bool = False) -> None:
    """JSON on stdout; ``one_line`` for streams of documents (JSON Lines) that log shippers read."""
    encoded = json.dumps(data, ensure_ascii=False, indent=None if one_line else 2, default=_json_default)
    # JSON escapes C0 controls itself but leaves C1 ones (U+009B is CSI on its own) as they are; they can
    # only occur inside strings, where the \u escape means the same character.
    sys.stdout.write(encoded.translate(_C1_ESCAPES))
    sys.stdout.write("\n")
    sys.stdout.flush()


def plain(value: Any) -> Text:
    if value is None:
        return Text("—", style="dim")
    if isinstance(value, datetime):
        return Text(f"{value:%Y-%m-%d %H:%M}")
    return Text(printable(str(value)))


def shown(text: Text) -> Text:
    """A ``Text`` with its control characters made visible; ``printable`` maps one character to one,
    so the spans still cover the same characters."""
    text.plain = printable(text.plain)
    return text


def write_untrusted(text: str) -> None:
    """Text from outside written as it is, tabs and newlines kept, control characters made visible."""
    sys.stdout.write(printable(text))


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(shown(cell) if isinstance(cell, Text) else plain(cell) for cell in row))
    stdout.print(table)


@contextlib.contextmanager
def progress_on_terminal() -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback (step, done, total) that shows a bar on stderr when stderr is a terminal,
    and does nothing otherwise (a pipe or a log gets only the results)."""
    if not stderr.is_terminal:
        yield lambda _step, _done, _total: None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=stderr, transient=True
    ) as bar:
        task = bar.add_task("", total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=printable(step)[:60], completed=done, total=total)

        yield update


def info(message: str) -> None:
    """Progress and notes for people: stderr, so --json output on stdout stays clean."""
    stderr.print(Text(printable(message)))


def error(message: str) -> None:
    """One line on stderr, never wrapped: scripts grep it and people read it."""
    first_line = (message.strip().splitlines() or ["unknown error"])[0]
    sys.stderr.write(f"factledger: error: {printable(first_line)}\n")
    sys.stderr.flush()
