"""Full-text search over claim text, with the same answers on SQLite and PostgreSQL.

SQLite uses an FTS5 external-content table (``claims_fts``, kept in step by triggers); PostgreSQL uses
a GIN index over a ``simple`` tsvector. Both see a claim as its runs of letters and digits: FTS5's
unicode61 tokenizer does that by itself, and on PostgreSQL every other character is replaced by a space
before parsing, so its parser cannot keep "11.5" or "U.S." as one token where FTS5 sees two.
A query matches claims that contain every query word, each as a word prefix, in any case.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Integer, Select, column, table, text

from factledger.ledger.errors import InvalidInputError
from factledger.ledger.models import Claim

# The indexed expression; migrations create the index on exactly this text, and queries must repeat
# it verbatim for PostgreSQL to use the index.
PG_TSVECTOR_SQL = "to_tsvector('simple'::regconfig, regexp_replace(claims.text, '[^[:alnum:]]+', ' ', 'g'))"
_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 16
_FTS = table("claims_fts", column("rowid", Integer))


def search_terms(query: str) -> list[str]:
    terms = [term.lower() for term in _WORD.findall(query)][:MAX_TERMS]
    if not terms:
        raise InvalidInputError(f"search {query!r} has no words to look for")
    return terms


def with_search(query: Select[Claim], search: str, dialect: str) -> tuple[Select[Claim], ColumnElement[int]]:
    """Restrict a claims query to the search's matches; return it with the key to order it by.

    On SQLite the claims are joined to the FTS5 table and ordered by its rowid (the claim id), so
    SQLite walks the full-text index in order and stops at the LIMIT instead of collecting every match
    first: a common word over a million claims stays in tens of milliseconds."""
    terms = search_terms(search)
    if dialect == "sqlite":
        match = " AND ".join(f'"{term}"*' for term in terms)
        restricted = query.join(_FTS, _FTS.c.rowid == Claim.id).where(
            text("claims_fts MATCH :fts_query").bindparams(fts_query=match)
        )
        return restricted, _FTS.c.rowid
    if dialect == "postgresql":
        tsquery = " & ".join(f"{term}:*" for term in terms)
        condition = text(f"{PG_TSVECTOR_SQL} @@ to_tsquery('simple'::regconfig, :ts_query)").bindparams(
            ts_query=tsquery
        )
        claim_id: ColumnElement[int] = Claim.id.expression
        return query.where(condition), claim_id
    raise InvalidInputError(f"full-text search is not supported on {dialect}")
