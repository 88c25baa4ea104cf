"""Secondary indexes that a bulk import never reads, built once at its end instead of row by row (SQLite).

An index whose entries arrive in random order (evidence by source, claims by status) costs a B-tree
descent and page writes per row; built by CREATE INDEX from the finished table, it costs a sort and a
sequential write, and its pages come out full. So, on SQLite, an import that writes at least as many rows
into a table as the table held before it started drops that table's deferrable indexes and creates them
again before it returns. An import into a ledger much bigger than itself keeps them: rebuilding would
cost more than it saves (the rows it writes before deciding are at most what the table held, so a
rebuild never costs more than about twice the import's own rows).

Deferrable: a plain CREATE INDEX on columns, not unique, not partial, and not on a column the import looks
rows up by (``_READ_BY_IMPORT``: claim_ids_by_hash reads claims by text hash and, once a claim was
corrected, by original text hash; the import reads a matched claim's evidence by claim id). The
definitions are read from the schema itself (``sqlite_master``), so the index that comes back is the one
the migrations made. SQLite's DDL is transactional: no other connection ever sees a ledger without them,
and a failed import rolls the drop back with everything else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

# The tables an import writes, and the columns whose indexes it reads while it writes them.
_IMPORT_TABLES = ("claims", "evidence", "events", "sources")
_READ_BY_IMPORT = frozenset(
    {("claims", "text_hash"), ("claims", "original_text_hash"), ("evidence", "claim_id")}
)

# Called before each chunk; returns whether every deferrable index is now dropped.
SettleIndexes = Callable[[], bool]


def _keep_all() -> bool:
    return False


@dataclass
class _TableIndexes:
    table: str
    rows_before: int  # the largest rowid when the import began: the table's size, or more after deletes
    definitions: list[tuple[str, str]]  # (name, CREATE INDEX statement) of its deferrable indexes
    dropped: bool = field(default=False)


def _largest_rowid(session: Session, table: str) -> int:
    # max(rowid) is one descent of the table's B-tree; count(*) would read all of it.
    return int(session.execute(text(f'SELECT coalesce(max(rowid), 0) FROM "{table}"')).scalar_one())


def _deferrable(session: Session, table: str) -> list[tuple[str, str]]:
    definitions = []
    for _seq, name, unique, origin, partial in session.execute(text(f'PRAGMA index_list("{table}")')):
        if unique or origin != "c" or partial:
            continue
        columns = [row[2] for row in session.execute(text(f'PRAGMA index_info("{name}")'))]
        if not columns or None in columns or any((table, column) in _READ_BY_IMPORT for column in columns):
            continue  # an expression index may be one the import reads: kept
        sql = session.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"), {"name": name}
        ).scalar_one()
        definitions.append((name, sql))
    return definitions


@contextlib.contextmanager
def deferred_indexes(session: Session) -> Iterator[SettleIndexes]:
    """Yield a function to call before each chunk of the import: it drops a table's deferrable indexes
    once the import has written at least as many of its rows as it held at the start (at once for an
    empty table), and says whether all of them are dropped. Every dropped index is created again from
    its own definition before the block ends."""
    if session.get_bind().dialect.name != "sqlite":
        yield _keep_all
        return
    tables = [
        _TableIndexes(table, _largest_rowid(session, table), definitions)
        for table in _IMPORT_TABLES
        if (definitions := _deferrable(session, table))
    ]

    def settle() -> bool:
        for indexes in tables:
            if indexes.dropped:
                continue
            if indexes.rows_before and _largest_rowid(session, indexes.table) < 2 * indexes.rows_before:
                continue
            for name, _sql in indexes.definitions:
                session.execute(text(f'DROP INDEX "{name}"'))
            indexes.dropped = True
        return bool(tables) and all(indexes.dropped for indexes in tables)

    def rebuild() -> None:
        for indexes in tables:
            if indexes.dropped:
                for _name, sql in indexes.definitions:
                    session.execute(text(sql))
                indexes.dropped = False

    try:
        yield settle
    except BaseException:
        # The transaction is about to roll back, which restores them; creating them here as well keeps
        # the schema whole for a caller that catches the error and commits anyway.
        with contextlib.suppress(Exception):
            rebuild()
        raise
    rebuild()
