"""Driver-level SQL for bulk work: executemany inserts, and lookups by a long IN list.

``session.execute(insert(table), list_of_dicts)`` builds, type-processes and checks a parameter dict per
row, and an expanding ``IN`` renders a uniquely named parameter per value; at a million rows both cost
more than the database's own work. A ``RowInserter`` writes the INSERT once in the driver's parameter
style and hands it tuples that are already in database form: constants (timestamps, booleans) are
converted once through ``convert``, per-row JSON through ``processor``; on SQLite a column that is NULL
in every row of a batch is sent as the literal NULL, and the columns a batch gives one value for every
row (``constant_columns``: its time, its actor) are written into the statement as literals where SQLite
reads the literal as the same value. ``select_in`` sends an IN list as plain positional parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_SQLITE_INTEGERS = range(-(2**63), 2**63)
# Distinct statements an inserter keeps (NULL columns and constants: an import makes one per chunk).
_STATEMENTS_KEPT = 64
# Constants are written as literals only into a statement for at least this many rows: a statement
# with a batch's own time in it is prepared anew (some tens of µs), where one that binds them is taken
# from the sqlite3 module's cache, and a bound value costs about 0.07 µs. A single event's append binds.
LITERAL_MIN_ROWS = 256


def _identity(value: Any) -> Any:
    return value


def sqlite_literal(value: Any) -> str | None:
    """``value`` written as an SQLite literal that stores exactly what binding it stores (the sqlite3
    module binds None as NULL, a bool or an int as an INTEGER, a str as TEXT in UTF-8), or None where
    there is no such literal: a float (SQLite's own text-to-float conversion need not round as Python's
    repr does), an integer beyond 64 bits (binding refuses it), text with a NUL or a lone surrogate, any
    other type; those are bound."""
    if value is None:
        return "NULL"
    if type(value) is bool:
        return "1" if value else "0"
    if type(value) is int:
        return str(value) if value in _SQLITE_INTEGERS else None
    if type(value) is str and "\x00" not in value and (value.isascii() or _encodable(value)):
        text: str = value
        return "'" + text.replace("'", "''") + "'"
    return None


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _placeholder(session: Session) -> str:
    paramstyle = session.get_bind().dialect.paramstyle
    placeholder = _PLACEHOLDERS.get(paramstyle)
    if placeholder is None:  # pragma: no cover - SQLite and psycopg are the engines we ship
        raise NotImplementedError(f"bulk SQL does not support paramstyle {paramstyle!r}")
    return placeholder


def select_in(session: Session, sql: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (whose last clause is ``... IN``, without the list) for the given values.

    ``sql`` must name only trusted identifiers; the values go as parameters."""
    if not values:
        return []
    session.flush()
    marks = ", ".join([_placeholder(session)] * len(values))
    result = session.connection().exec_driver_sql(f"{sql} ({marks})", tuple(values))
    return [tuple(row) for row in result.fetchall()]


class RowInserter:
    """``INSERT INTO table (columns…, constant_columns…)`` for the session's connection; rows are tuples
    in ``columns`` order, and each insert gives the values of ``constant_columns`` (in database form) once
    for all its rows."""

    def __init__(
        self,
        session: Session,
        table: Table,
        columns: Sequence[str],
        constant_columns: Sequence[str] = (),
    ) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect
        placeholder = _placeholder(session)
        quote = self._dialect.identifier_preparer.quote
        self._table = table
        names = [*columns, *constant_columns]
        self._into = f"INSERT INTO {self._dialect.identifier_preparer.format_table(table)} ({', '.join(quote(name) for name in names)}) "
        self._placeholder = placeholder
        self._width = len(columns)
        self._constants = len(constant_columns)
        self.sql = f"{self._into}VALUES ({', '.join([placeholder] * len(names))})"
        self._sqlite_statements: dict[
            tuple[tuple[int, ...], tuple[str, ...] | None],
            tuple[str, Callable[[tuple[Any, ...]], tuple[Any, ...]] | None],
        ] = {}

    def processor(self, column: str) -> Callable[[Any], Any]:
        """The column type's conversion to database form (JSON, UTC timestamps, booleans)."""
        column_type = self._table.c[column].type
        process = column_type.dialect_impl(self._dialect).bind_processor(self._dialect)
        return process if process is not None else _identity

    def convert(self, column: str, value: Any) -> Any:
        """One value in database form: for the constants of a batch, converted once."""
        return self.processor(column)(value)

    def _statement(
        self, rows: list[tuple[Any, ...]], constants: tuple[Any, ...]
    ) -> tuple[str, list[tuple[Any, ...]]]:
        """The INSERT for these rows and the parameters to send.

        On SQLite, values the same for every row are written into the statement instead of bound once
        a row: binding costs the sqlite3 module about 0.07 µs a value, which an import pays for a
        dozen values a claim. These are the constants, in a batch of at least ``LITERAL_MIN_ROWS`` rows
        where every one of them has a literal that stores the same value (``sqlite_literal``; else they
        are all bound), and a column that is NULL in every
        row, written as a NULL literal rather than a parameter: the sqlite3 module looks up an adapter for
        every None (and bytes) it binds, about 0.25 µs each, which is more than dropping the column from
        each row costs, and an import's claims have three or four such columns."""
        if len(constants) != self._constants:
            raise ValueError(f"expected {self._constants} constant values, got {len(constants)}")
        if self._dialect.name != "sqlite":
            return self.sql, [row + constants for row in rows] if constants else rows
        literals = None
        if len(rows) >= LITERAL_MIN_ROWS:
            written = tuple(map(sqlite_literal, constants))
            literals = None if None in written else cast(tuple[str, ...], written)
        nulls = tuple(
            index
            for index, value in enumerate(rows[0])
            if value is None and list(map(itemgetter(index), rows)).count(None) == len(rows)
        )
        if len(nulls) > self._width - 2:  # itemgetter of one index gives no tuple
            nulls = ()
        key = (nulls, literals)
        known = self._sqlite_statements.get(key)
        if known is None:
            if len(self._sqlite_statements) >= _STATEMENTS_KEPT:
                self._sqlite_statements.clear()
            kept = [index for index in range(self._width) if index not in nulls]
            values = ["NULL" if index in nulls else self._placeholder for index in range(self._width)]
            values += literals if literals is not None else [self._placeholder] * self._constants
            pick: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = itemgetter(*kept) if nulls else None
            known = self._sqlite_statements[key] = (f"{self._into}VALUES ({', '.join(values)})", pick)
        sql, pick = known
        if pick is not None:
            rows = list(map(pick, rows))
        if literals is None and constants:
            rows = [row + constants for row in rows]
        return sql, rows

    def insert(self, rows: list[tuple[Any, ...]], constants: tuple[Any, ...] = ()) -> None:
        if rows:
            self._session.flush()  # rows may refer to objects still pending in the session
            self._session.connection().exec_driver_sql(*self._statement(rows, constants))

    def insert_numbered(self, rows: list[tuple[Any, ...]], constants: tuple[Any, ...] = ()) -> range | None:
        """Insert rows and return the ids they got, in order, where that is known without reading them
        back: on SQLite, whose one writer gives each new row of a rowid table the largest id plus one.
        That is checked (the largest id grew by exactly the number of rows, which fails for an
        AUTOINCREMENT table with deleted rows or at the top of the id range); None means read them back.
        """
        if self._dialect.name != "sqlite" or not rows:
            self.insert(rows, constants)
            return None
        largest = f"SELECT coalesce(max(rowid), 0) FROM {self._dialect.identifier_preparer.format_table(self._table)}"
        self._session.flush()
        connection = self._session.connection()
        before = connection.exec_driver_sql(largest).scalar_one()
        connection.exec_driver_sql(*self._statement(rows, constants))
        after = connection.exec_driver_sql(largest).scalar_one()
        return range(before + 1, after + 1) if after - before == len(rows) else None
