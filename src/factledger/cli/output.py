"""Output shared by every command: JSON on stdout, tables for people, errors on stderr.

Untrusted text (claims, quotes, URLs, names, page text, headers) is always wrapped in ``rich.text.Text``
so that square brackets in a claim are shown, never interpreted as markup, and passes through
``factledger.terminal.printable`` so that control characters (ESC [2J, OSC 8 links, carriage returns)
are shown as visible stand-ins, never sent to the terminal. Every function here that prints does both;
``write_untrusted`` is for text written as it is (a page's text, a capture's headers).
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import click
from rich.console import Console
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


def _cell_text(value: Any) -> str:
    """A cell of a tab-separated row: one line, no tabs (they would shift every later column), control
    characters shown as visible stand-ins (rows in a pipe often end up on a terminal anyway)."""
    if value is None:
        return ""
    if isinstance(value, Text):
        value = value.plain
    elif isinstance(value, datetime):
        value = f"{value:%Y-%m-%d %H:%M}"
    return " ".join(printable(" ".join(str(value).split())).split())


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A table for a person on a terminal; anywhere else (a pipe, a file) tab-separated rows under a
    header row, one record a line, which ``cut``, ``sort`` and spreadsheets read, where a table would be
    squeezed to 80 columns with one word a line."""
    if not stdout.is_terminal:
        lines = ["\t".join(columns)]
        lines.extend("\t".join(_cell_text(cell) for cell in row) for row in rows)
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
        return
    from rich.table import Table  # with fractions and decimal: only for a terminal

    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(shown(cell) if isinstance(cell, Text) else plain(cell) for cell in row))
    stdout.print(table)


class ListFormat(StrEnum):
    """How a list command prints its records (``--json``, ``--jsonl``, ``--csv``; a table by default)."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


def list_format_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--json``, ``--jsonl`` and ``--csv`` as one ``fmt`` parameter (the last one given wins)."""
    for flag, fmt, help_text in reversed(
        [
            ("--json", ListFormat.JSON, "Print a JSON array on stdout."),
            ("--jsonl", ListFormat.JSONL, "Print one JSON object a line (JSON Lines)."),
            ("--csv", ListFormat.CSV, "Print CSV with a header row (every field of the --json records)."),
        ]
    ):
        func = click.option(flag, "fmt", flag_value=fmt.value, help=help_text)(func)
    return func


@dataclass(frozen=True)
class Column:
    """A column of a list's table: its header and how to get its cell from a record."""

    header: str
    cell: Callable[[dict[str, Any]], Any]


def print_records(
    fmt: str | None, records: Sequence[dict[str, Any]], columns: Sequence[Column], title: str | None = None
) -> None:
    """A list command's output: the records as JSON, JSON Lines or CSV (every field), or a table of
    ``columns`` for people (tab-separated rows when stdout is not a terminal)."""
    if fmt == ListFormat.JSON:
        print_json(list(records))
    elif fmt == ListFormat.JSONL:
        for record in records:
            print_json(record, one_line=True)
    elif fmt == ListFormat.CSV:
        _print_csv(records)
    else:
        print_table(title, [c.header for c in columns], ([c.cell(r) for c in columns] for r in records))


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return value


def _print_csv(records: Sequence[dict[str, Any]]) -> None:
    fieldnames: dict[str, None] = {}
    for record in records:
        fieldnames.update(dict.fromkeys(record))
    writer = csv.DictWriter(sys.stdout, fieldnames=list(fieldnames), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: _csv_value(value) for key, value in record.items()})
    sys.stdout.flush()


@contextlib.contextmanager
def progress_on_terminal() -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback (step, done, total) that shows a bar on stderr when stderr is a terminal,
    and does nothing otherwise (a pipe or a log gets only the results)."""
    if not stderr.is_terminal:
        yield lambda _step, _done, _total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # only when it shows

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
