"""Full-text search over claim text, with the same answers on SQLite and PostgreSQL.

SQLite uses an FTS5 external-content table (``claims_fts``, kept in step by triggers); PostgreSQL uses
a GIN index over a ``simple`` tsvector. Both see a claim as its runs of letters and digits: FTS5's
unicode61 tokenizer does that by itself, and on PostgreSQL every other character is replaced by a space
before parsing, so its parser cannot keep "11.5" or "U.S." as one token where FTS5 sees two.
A query matches claims that contain every query word, each as a word prefix, in any case.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Select, literal_column, select, text

from factledger.ledger.errors import InvalidInputError
from factledger.ledger.models import Claim

# The indexed expression; migrations create the index on exactly this text, and queries must repeat
# it verbatim for PostgreSQL to use the index.
PG_TSVECTOR_SQL = "to_tsvector('simple'::regconfig, regexp_replace(claims.text, '[^[:alnum:]]+', ' ', 'g'))"
_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 16


def search_terms(query: str) -> list[str]:
    terms = [term.lower() for term in _WORD.findall(query)][:MAX_TERMS]
    if not terms:
        raise InvalidInputError(f"search {query!r} has no words to look for")
    return terms


def matching_claim_ids(query: str, dialect: str) -> Select[int]:
    terms = search_terms(query)
    if dialect == "sqlite":
        match = " AND ".join(f'"{term}"*' for term in terms)
        return (
            select(literal_column("rowid", type_=Claim.id.type))
            .select_from(text("claims_fts"))
            .where(text("claims_fts MATCH :fts_query").bindparams(fts_query=match))
        )
    if dialect == "postgresql":
        tsquery = " & ".join(f"{term}:*" for term in terms)
        condition: ColumnElement[bool] = text(
            f"{PG_TSVECTOR_SQL} @@ to_tsquery('simple'::regconfig, :ts_query)"
        ).bindparams(ts_query=tsquery)  # type: ignore[assignment]
        return select(Claim.id).where(condition)
    raise InvalidInputError(f"full-text search is not supported on {dialect}")
