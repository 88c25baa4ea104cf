"""Driver-level SQL for bulk work: executemany inserts, and lookups by a long IN list.

``session.execute(insert(table), list_of_dicts)`` builds, type-processes and checks a parameter dict per
row, and an expanding ``IN`` renders a uniquely named parameter per value; at a million rows both cost
more than the database's own work. A ``RowInserter`` writes the INSERT once in the driver's parameter
style and hands it tuples that are already in database form: constants (timestamps, booleans) are
converted once through ``convert``, per-row JSON through ``processor``; on SQLite a column that is NULL
in every row of a batch is sent as the literal NULL. ``select_in`` sends an IN list as plain positional
parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _identity(value: Any) -> Any:
    return value


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
    """``INSERT INTO table (columns…)`` for the session's connection; rows are tuples in column order."""

    def __init__(self, session: Session, table: Table, columns: Sequence[str]) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect
        placeholder = _placeholder(session)
        quote = self._dialect.identifier_preparer.quote
        self._table = table
        self._into = f"INSERT INTO {self._dialect.identifier_preparer.format_table(table)} ({', '.join(quote(name) for name in columns)}) "
        self._placeholder = placeholder
        self._width = len(columns)
        self.sql = f"{self._into}VALUES ({', '.join([placeholder] * len(columns))})"
        self._without_nulls: dict[
            tuple[int, ...], tuple[str, Callable[[tuple[Any, ...]], tuple[Any, ...]]]
        ] = {}

    def processor(self, column: str) -> Callable[[Any], Any]:
        """The column type's conversion to database form (JSON, UTC timestamps, booleans)."""
        column_type = self._table.c[column].type
        process = column_type.dialect_impl(self._dialect).bind_processor(self._dialect)
        return process if process is not None else _identity

    def convert(self, column: str, value: Any) -> Any:
        """One value in database form: for the constants of a batch, converted once."""
        return self.processor(column)(value)

    def _statement(self, rows: list[tuple[Any, ...]]) -> tuple[str, list[tuple[Any, ...]]]:
        """The INSERT for these rows and the parameters to send. On SQLite a column that is NULL in
        every row is written as a NULL literal rather than a parameter: the sqlite3 module looks up an
        adapter for every None (and bytes) it binds, about 0.25 µs each, which is more than dropping the
        column from each row costs, and an import's claims have three or four such columns."""
        if self._dialect.name != "sqlite":
            return self.sql, rows
        nulls = tuple(
            index
            for index, value in enumerate(rows[0])
            if value is None and list(map(itemgetter(index), rows)).count(None) == len(rows)
        )
        if not nulls or len(nulls) > self._width - 2:  # itemgetter of one index gives no tuple
            return self.sql, rows
        known = self._without_nulls.get(nulls)
        if known is None:
            kept = [index for index in range(self._width) if index not in nulls]
            values = ", ".join(
                "NULL" if index in nulls else self._placeholder for index in range(self._width)
            )
            known = self._without_nulls[nulls] = (f"{self._into}VALUES ({values})", itemgetter(*kept))
        sql, pick = known
        return sql, list(map(pick, rows))

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self._session.flush()  # rows may refer to objects still pending in the session
            self._session.connection().exec_driver_sql(*self._statement(rows))

    def insert_numbered(self, rows: list[tuple[Any, ...]]) -> range | None:
        """Insert rows and return the ids they got, in order, where that is known without reading them
        back: on SQLite, whose one writer gives each new row of a rowid table the largest id plus one.
        That is checked (the largest id grew by exactly the number of rows, which fails for an
        AUTOINCREMENT table with deleted rows or at the top of the id range); None means read them back.
        """
        if self._dialect.name != "sqlite" or not rows:
            self.insert(rows)
            return None
        largest = f"SELECT coalesce(max(rowid), 0) FROM {self._dialect.identifier_preparer.format_table(self._table)}"
        self._session.flush()
        connection = self._session.connection()
        before = connection.exec_driver_sql(largest).scalar_one()
        connection.exec_driver_sql(*self._statement(rows))
        after = connection.exec_driver_sql(largest).scalar_one()
        return range(before + 1, after + 1) if after - before == len(rows) else None
