"""Claims store 8 bytes of their text hash (migration 0014): a lookup that meets another text under the
same 8 bytes must not take it for the same claim."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from factledger.ledger.bulk.claim_import import ClaimRecord, import_claims
from factledger.ledger.claim_edits import ClaimEdit, edit_claim
from factledger.ledger.claims import ClaimDraft, add_claim, claim_ids_by_hash, claim_text_hash, text_key
from factledger.ledger.database import Ledger
from factledger.ledger.errors import InvalidInputError

pytestmark = pytest.mark.integration

WANTED = "Exports to Zanzibar doubled since 2010."
OTHER = "Wages grew faster than prices."


def _collide(ledger: Ledger) -> int:
    """A claim saying OTHER, stored under WANTED's text key (as a 64-bit collision would be)."""
    with ledger.write() as session:
        claim_id = add_claim(session, "alice", ClaimDraft(text=OTHER)).id
        session.execute(
            text("UPDATE claims SET text_hash = :key WHERE id = :id"),
            {"key": text_key(claim_text_hash(WANTED)), "id": claim_id},
        )
    return claim_id


def test_a_key_collision_is_not_a_match(ledger: Ledger) -> None:
    other_id = _collide(ledger)
    with ledger.read() as session:
        assert claim_ids_by_hash(session, [claim_text_hash(WANTED)]) == {}
    with ledger.write() as session:
        stats = import_claims(session, "importer", [ClaimRecord(text=WANTED)], origin="test")
    assert (stats.claims_created, stats.claims_matched) == (1, 0)
    with ledger.read() as session:
        found = claim_ids_by_hash(session, [claim_text_hash(WANTED), claim_text_hash(OTHER.upper())])
    assert found[claim_text_hash(OTHER.upper())] == other_id
    assert found[claim_text_hash(WANTED)] != other_id


def test_an_edit_to_a_colliding_key_is_allowed_and_a_real_duplicate_refused(ledger: Ledger) -> None:
    _collide(ledger)
    with ledger.write() as session:
        third = add_claim(session, "alice", ClaimDraft(text="The bridge opened in 1932.")).id
    with ledger.write() as session:  # WANTED's key is taken by OTHER's claim, but not its text
        edit_claim(session, "alice", third, ClaimEdit(text=WANTED))
    with ledger.write() as session:
        fourth = add_claim(session, "alice", ClaimDraft(text="Crime fell by a third.")).id
    with (
        pytest.raises(InvalidInputError, match=f"claim {third} already says this"),
        ledger.write() as session,
    ):
        edit_claim(session, "alice", fourth, ClaimEdit(text=WANTED.lower()))
