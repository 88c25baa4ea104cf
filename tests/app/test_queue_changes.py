"""app.queue.changes: what the review app's watcher learns from the audit log, on both engines."""

from __future__ import annotations

import pytest

from factledger.app import queue
from factledger.ledger.bulk.claim_import import ClaimRecord, import_claims
from factledger.ledger.claims import ClaimDraft, add_claim, add_note, assign_claim, change_status
from factledger.ledger.database import Ledger
from factledger.ledger.statuses import ClaimStatus

pytestmark = pytest.mark.integration


def test_an_empty_ledger_has_seen_nothing(ledger: Ledger) -> None:
    changes = queue.changes(ledger, 0)
    assert (changes.last_event_id, changes.claim_ids, changes.reshaped, changes.any) == (
        0,
        frozenset(),
        False,
        False,
    )


def test_changes_name_the_claims_touched_since_the_marker(ledger: Ledger) -> None:
    with ledger.write() as session:
        first = add_claim(session, "ingest", ClaimDraft(text="Exports rose 4% in May.")).id
        second = add_claim(session, "ingest", ClaimDraft(text="Turnout was 61 percent.")).id
    marker = queue.changes(ledger, 0)
    assert marker.reshaped  # two claims were created
    assert marker.claim_ids == {first, second}

    at_rest = queue.changes(ledger, marker.last_event_id)
    assert not at_rest.any
    assert at_rest.last_event_id == marker.last_event_id

    with ledger.write() as session:
        change_status(session, "alice", first, ClaimStatus.REFUTED)
        add_note(session, "bob", first, "checked the May release")
    with ledger.write() as session:
        assign_claim(session, "alice", second, "tomas")
    later = queue.changes(ledger, marker.last_event_id)
    assert later.claim_ids == {first, second}
    assert not later.reshaped  # same claims, so the table re-reads two rows, not everything
    assert later.last_event_id > marker.last_event_id
    assert not queue.changes(ledger, later.last_event_id).any


def test_a_flood_of_changes_is_one_reshape_to_the_newest_event(ledger: Ledger) -> None:
    with ledger.write() as session:
        import_claims(
            session, "importer", [ClaimRecord(text=f"Imported claim {n}.") for n in range(600)], origin="t"
        )
    flood = queue.changes(ledger, 0)
    assert flood.reshaped
    assert flood.claim_ids == frozenset()  # too many to list: the watcher reloads instead
    assert not queue.changes(ledger, flood.last_event_id).any
