"""`verify_log` on both engines: the report for an intact ledger and for each kind of tampering, against
expectations worked out by hand from the sample's history (which event or claim is named, how many events
were verified before it), so a faster walk cannot change what is reported without a test failing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from factledger.ledger.audit import GENESIS_HASH, canonical_json
from factledger.ledger.audit_verify import AuditReport, verify_log
from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord, import_claims
from factledger.ledger.claims import (
    ClaimDraft,
    add_claim,
    assign_claim,
    change_status,
    clear_flag,
    flag_for_review,
)
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.sources import cite
from factledger.ledger.statuses import ClaimStatus, Stance

pytestmark = pytest.mark.integration

EVENTS = 8
CLAIMS = 5


def _populate(ledger: Ledger) -> None:
    """Events 1-8: claim 1 created (1), cited (2), put in review (3); claims 2-4 imported with one
    source each (4-6); claim 2 assigned (7); claim 5 created (8)."""
    with ledger.write() as session:
        add_claim(session, "alice", ClaimDraft(text="Unemployment fell to 3.9 percent in May."))
        cite(session, "alice", 1, "https://example.org/jobs", Stance.SUPPORTS, quote="3.9 percent")
        change_status(session, "alice", 1, ClaimStatus.IN_REVIEW, rationale="checking the release")
    records = [
        ClaimRecord(
            text=f"Imported claim number {n} about the budget.",
            evidence=(EvidenceRecord(f"https://example.org/budget/{n}", Stance.SUPPORTS, f"quote {n}"),),
        )
        for n in range(3)
    ]
    with ledger.write() as session:
        import_claims(session, "importer", records, origin="test")
    with ledger.write() as session:
        assign_claim(session, "alice", 2, "bob")
        add_claim(session, "alice", ClaimDraft(text="The bridge opened in 1932."))


def _tamper(ledger: Ledger, *statements: str) -> None:
    with ledger.write() as session:
        for statement in statements:
            session.execute(text(statement))


def _verify(ledger: Ledger) -> AuditReport:
    with ledger.snapshot_read() as session:
        return verify_log(session)


@dataclass(frozen=True)
class Expected:
    problem: str  # the start of the message
    events: int  # verified before the problem
    event_id: int | None = None
    claim_id: int | None = None


def _assert_report(report: AuditReport, expected: Expected) -> None:
    assert report.problem is not None
    assert report.problem.startswith(expected.problem), report.problem
    assert (report.events_checked, report.bad_event_id, report.bad_claim_id) == (
        expected.events,
        expected.event_id,
        expected.claim_id,
    )
    assert report.claims_checked == 0


def test_an_intact_ledger_verifies(ledger: Ledger) -> None:
    _populate(ledger)
    report = _verify(ledger)
    assert report.ok, report.problem
    assert (report.events_checked, report.claims_checked) == (EVENTS, CLAIMS)
    assert report.head is not None
    assert report.head.last_event_id == EVENTS


# Each statement is hostile input: a row changed underneath factledger.
CHAIN_CASES = {
    # A changed payload: the event's hash no longer covers it.
    "changed payload": (
        ['UPDATE events SET after = \'{"status":"refuted"}\' WHERE id = 5'],
        Expected("event 5 was modified after it was written", 4, event_id=5),
    ),
    "changed actor": (
        ["UPDATE events SET actor = 'mallory' WHERE id = 7"],
        Expected("event 7 was modified after it was written", 6, event_id=7),
    ),
    # A deleted event: the next one no longer links to the one before it.
    "deleted event": (
        ["DELETE FROM events WHERE id = 5"],
        Expected("event 6 does not follow the event before it", 4, event_id=6),
    ),
    # Two events swapped in the order: the first of them was hashed after an event that is not before
    # it. With no gap in the ids, the walk cannot tell this from a changed event (rows do not store the
    # previous hash, migration 0014), and says so.
    "reordered events": (
        [
            "UPDATE events SET id = 1000 WHERE id = 5",
            "UPDATE events SET id = 5 WHERE id = 6",
            "UPDATE events SET id = 6 WHERE id = 1000",
        ],
        Expected(
            "event 5 was modified after it was written, or events before it were reordered", 4, event_id=5
        ),
    ),
    # The newest event deleted: the chain holds but the head records one more.
    "deleted last event": (
        ["DELETE FROM events WHERE id = 8"],
        Expected("the log ends at event 7 with 7 events, but the head records event 8", 7, event_id=7),
    ),
}

STATE_CASES = {
    # State changed without an event: the replay of the log disagrees with the table.
    "status without an event": (
        ["UPDATE claims SET status = 'refuted' WHERE id = 3"],
        Expected(
            "claim 3 differs from its history: its status is “refuted” but the log says", EVENTS, claim_id=3
        ),
    ),
    "assignee removed without an event": (
        ["UPDATE claims SET assignee = NULL WHERE id = 2"],
        Expected(
            "claim 2 differs from its history: its assignee is unset but the log says “bob”",
            EVENTS,
            claim_id=2,
        ),
    ),
    "assignee without an event": (
        ["UPDATE claims SET assignee = 'mallory' WHERE id = 2"],
        Expected(
            "claim 2 differs from its history: its assignee is “mallory” but the log says “bob”",
            EVENTS,
            claim_id=2,
        ),
    ),
    "text without an event": (
        ["UPDATE claims SET text = 'The bridge opened in 1933.' WHERE id = 5"],
        Expected(
            "claim 5 differs from its history: its text is “The bridge opened in 1933.”", EVENTS, claim_id=5
        ),
    ),
    "evidence link deleted": (
        ["DELETE FROM evidence WHERE claim_id = 4"],
        Expected(
            "claim 4 differs from its history: its evidence links are 0 but the log says 1",
            EVENTS,
            claim_id=4,
        ),
    ),
    "evidence link added": (
        [
            "INSERT INTO evidence (claim_id, source_id, stance, quote, note, quote_status, added_by, added_at) "
            "SELECT 5, source_id, stance, quote, note, quote_status, added_by, added_at FROM evidence "
            "WHERE claim_id = 1"
        ],
        Expected(
            "claim 5 differs from its history: its evidence links are 1 but the log says 0",
            EVENTS,
            claim_id=5,
        ),
    ),
    "claim creation removed from the log with its head": (
        [
            "DELETE FROM events WHERE id = 8",
            "UPDATE audit_head SET event_id = 7, count = 7, hash = (SELECT hash FROM events WHERE id = 7)",
        ],
        Expected("claim 5 is in the ledger but no event in the log created it", EVENTS - 1, claim_id=5),
    ),
}


@pytest.mark.parametrize("case", list(CHAIN_CASES))
def test_tampering_with_the_log_is_named(ledger: Ledger, case: str) -> None:
    statements, expected = CHAIN_CASES[case]
    _populate(ledger)
    _tamper(ledger, *statements)
    _assert_report(_verify(ledger), expected)


@pytest.mark.parametrize("case", list(STATE_CASES))
def test_state_changed_without_an_event_is_named(ledger: Ledger, case: str) -> None:
    statements, expected = STATE_CASES[case]
    _populate(ledger)
    _tamper(ledger, *statements)
    _assert_report(_verify(ledger), expected)


def test_the_first_problem_in_log_order_is_named(ledger: Ledger) -> None:
    # Two problems at once: a changed event and a claim changed without an event. The walk names the
    # event (the log is checked before the claims are compared with it).
    _populate(ledger)
    _tamper(
        ledger,
        "UPDATE events SET rationale = 'rewritten' WHERE id = 3",
        "UPDATE claims SET status = 'refuted' WHERE id = 4",
    )
    _assert_report(_verify(ledger), Expected("event 3 was modified after it was written", 2, event_id=3))


def _rechain(ledger: Ledger) -> None:
    """Hostile input: every event's hash recomputed over what is stored now, and the head rewritten, as
    someone who edits the log and knows the hash rule would do (the chain then holds)."""
    with ledger.write() as session:
        rows = session.execute(
            text(
                "SELECT id, at, actor, kind, claim_id, CAST(before AS TEXT), CAST(after AS TEXT), rationale "
                "FROM events ORDER BY id"
            )
        ).all()
        prev = GENESIS_HASH
        for event_id, at, actor, kind, claim_id, before, after, rationale in rows:
            moment = at if isinstance(at, datetime) else datetime.fromisoformat(at)
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            texts = [
                canonical_json(prev),
                canonical_json(moment.isoformat(timespec="microseconds")),
                canonical_json(actor),
                canonical_json(kind),
                canonical_json(claim_id),
                before or "null",
                after or "null",
                canonical_json(rationale),
            ]
            digest = hashlib.sha256(f"[{','.join(texts)}]".encode()).hexdigest()
            session.execute(
                text("UPDATE events SET hash = :hash WHERE id = :id"),
                {"hash": bytes.fromhex(digest), "id": event_id},
            )
            prev = digest
        session.execute(
            text("UPDATE audit_head SET event_id = :id, count = :count, hash = :hash"),
            {"id": rows[-1][0], "count": len(rows), "hash": bytes.fromhex(prev)},
        )


REWRITTEN_CASES = {
    # The chain rewritten to hold over the change: the replay still names what does not add up.
    "status change removed from the log": (
        ["DELETE FROM events WHERE id = 3"],
        Expected(
            "claim 1 differs from its history: its status is “in_review” but the log says",
            EVENTS - 1,
            claim_id=1,
        ),
    ),
    "a second creation of a claim": (
        ["UPDATE events SET claim_id = 2 WHERE id = 8"],
        Expected("event 8 creates claim 2 a second time", 7, event_id=8),
    ),
    "an evidence event before the claim's creation": (
        ["UPDATE events SET claim_id = 5 WHERE id = 2"],
        Expected("event 2 (evidence.added) changes claim 5 before any event created it", 1, event_id=2),
    ),
    "a creation without a status": (
        ['UPDATE events SET after = \'{"text":"The bridge opened in 1932."}\' WHERE id = 8'],
        Expected("event 8 (claim.created) lacks the field 'status' in `after`", 7, event_id=8),
    ),
}


@pytest.mark.parametrize("case", list(REWRITTEN_CASES))
def test_a_rewritten_chain_is_caught_by_the_replay(ledger: Ledger, case: str) -> None:
    statements, expected = REWRITTEN_CASES[case]
    _populate(ledger)
    _tamper(ledger, *statements)
    _rechain(ledger)
    _assert_report(_verify(ledger), expected)


def test_a_claim_event_without_after_is_named_not_crashed_on(sqlite_url: str) -> None:
    # Hostile input: a claim's creation with a NULL `after`, the chain rewritten to cover it.
    ledger = open_ledger(sqlite_url)
    try:
        _populate(ledger)
        _tamper(ledger, "UPDATE events SET after = NULL WHERE id = 8")
        _rechain(ledger)
        _assert_report(_verify(ledger), Expected("event 8 has a corrupt `after` (not JSON)", 7, event_id=8))
    finally:
        ledger.close()


def test_a_cleared_review_flag_replays(ledger: Ledger) -> None:
    # Clearing a flag gives the claim a new version with a claim.unflagged event: the replay follows it
    # (it once did not, and called every cleared claim changed without an event).
    _populate(ledger)
    with ledger.write() as session:
        flag_for_review(session, "archive", 5, "source dead")
        assert clear_flag(session, "archive", 5, "source dead", "source answers again") is not None
    report = _verify(ledger)
    assert report.ok, report.problem
    assert report.events_checked == EVENTS + 2
    # Hostile input: the version moved on again with no event.
    _tamper(ledger, "UPDATE claims SET version = version + 1 WHERE id = 5")
    _assert_report(
        _verify(ledger),
        Expected(
            "claim 5 differs from its history: its version is 4 but the log says 3", EVENTS + 2, claim_id=5
        ),
    )


# Payloads that orjson (the replay's fast parser) refuses or reads differently from json: the report is
# the one json's reading gives.
JSON_DECIDES_CASES = {
    # orjson reads an integer beyond 64 bits as a float (1.8446744073709552e+19).
    "an integer beyond 64 bits": (
        """UPDATE events SET after = '{"assignee":"bob","version": 18446744073709551617}' WHERE id = 7""",
        Expected(
            "claim 2 differs from its history: its version is 2 but the log says 18446744073709551617 ",
            EVENTS,
            claim_id=2,
        ),
    ),
}
# Payloads PostgreSQL's jsonb would refuse or normalise, so stored on SQLite only.
JSON_DECIDES_SQLITE_CASES = {
    # orjson refuses NaN; json reads it. (": " keeps SQLAlchemy from taking ":NaN" for a bind parameter.)
    "NaN": (
        """UPDATE events SET after = '{"status": NaN, "version": 2}' WHERE id = 3""",
        Expected(
            "claim 1 differs from its history: its status is “in_review” but the log says nan ",
            EVENTS,
            claim_id=1,
        ),
    ),
    # orjson allows whitespace around the object; json's scanner, which the walk uses, does not.
    "whitespace around the object": (
        """UPDATE events SET after = ' {"status":"unreviewed","text":"The bridge opened in 1932."} ' WHERE id = 8""",
        Expected("event 8 has a corrupt `after` (not JSON)", 7, event_id=8),
    ),
}


@pytest.mark.parametrize("case", list(JSON_DECIDES_CASES))
def test_a_payload_orjson_reads_differently_gives_json_s_report(ledger: Ledger, case: str) -> None:
    statement, expected = JSON_DECIDES_CASES[case]
    _populate(ledger)
    _tamper(ledger, statement)
    _rechain(ledger)
    _assert_report(_verify(ledger), expected)


@pytest.mark.parametrize("case", list(JSON_DECIDES_SQLITE_CASES))
def test_a_payload_orjson_refuses_gives_json_s_report(sqlite_url: str, case: str) -> None:
    statement, expected = JSON_DECIDES_SQLITE_CASES[case]
    ledger = open_ledger(sqlite_url)
    try:
        _populate(ledger)
        _tamper(ledger, statement)
        _rechain(ledger)
        _assert_report(_verify(ledger), expected)
    finally:
        ledger.close()
