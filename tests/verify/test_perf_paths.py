"""The fast paths of quote verification keep its meaning, on SQLite and PostgreSQL.

Captures are recorded with the real ``record_captures`` and handed to the real capture hook; texts go
through the real TextStore. Batches are made tiny so every run crosses batch boundaries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from factledger.archive.runner import ArchivePaths
from factledger.archive.textstore import TextStore
from factledger.ledger import evidence_queries
from factledger.ledger.claims import ClaimDraft, add_claim
from factledger.ledger.database import Ledger
from factledger.ledger.models import Claim, Event, Evidence
from factledger.ledger.quotes import QuoteCheck, record_quote_checks
from factledger.ledger.snapshots import CaptureRecord, RecordedCapture, record_captures
from factledger.ledger.sources import cite
from factledger.ledger.statuses import QuoteStatus, SourceHealth, Stance
from factledger.verify import service, textcache
from factledger.verify.capture import capture_hooks
from factledger.verify.service import verify_quotes
from factledger.verify.textcache import SIDECAR_KIND, NormalizedTextCache

pytestmark = pytest.mark.integration

ACTOR = "tester"
PAGE = (
    "Ministers said on Tuesday that wages rose 4.5 percent last year.\n\n"
    "“The figures are clear,” the spokesperson added — and the budget will be balanced by 2026."
)
RISE = "wages rose 4.5 percent last year"
BUDGET = "the budget will be balanced by 2026"
START = datetime(2024, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def paths(tmp_path: Path) -> ArchivePaths:
    return ArchivePaths.under(tmp_path / "home")


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "BATCH", 2)


def capture(
    ledger: Ledger, paths: ArchivePaths, source_id: int, text: str | None, at: datetime, status: int = 200
) -> RecordedCapture:
    # What the archiver does: store the text, run the text hook on it (in a worker process there), commit
    # the snapshot, then run the commit hook on the group.
    hooks = capture_hooks(ledger, ACTOR, paths)
    store = TextStore(paths.texts)
    ref = store.put(text) if text is not None else None
    derived: dict[str, object] = {}
    if text is not None and ref is not None and hooks.on_new_text is not None:
        # What the hook returns comes back with the capture and reaches the commit hook by text ref.
        result = hooks.on_new_text(store, ref, text)
        if result is not None:
            derived[ref] = result
    record = CaptureRecord(
        source_id=source_id,
        fetched_at=at,
        health=SourceHealth.OK if status < 400 else SourceHealth.GONE,
        health_reason=None,
        next_check_at=at + timedelta(days=1),
        http_status=status,
        payload_sha256=f"{abs(hash((text, at))):064x}"[:64],
        full_text_ref=ref,
    )
    with ledger.write() as session:
        recorded = record_captures(session, ACTOR, [record])[0]
    if hooks.after_commit is not None:
        hooks.after_commit([recorded], derived)
    return recorded


def new_claim(
    ledger: Ledger, text: str, citations: list[tuple[str, Stance, str | None]]
) -> tuple[int, list[int]]:
    with ledger.write() as session:
        claim = add_claim(session, ACTOR, ClaimDraft(text))
        ids = [
            cite(session, ACTOR, claim.id, url, stance, quote=quote).id for url, stance, quote in citations
        ]
        return claim.id, ids


def source_of(ledger: Ledger, evidence_id: int) -> int:
    with ledger.read() as session:
        return session.execute(select(Evidence.source_id).where(Evidence.id == evidence_id)).scalar_one()


def events(ledger: Ledger, kind: str) -> list[Event]:
    with ledger.read() as session:
        return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def test_capture_stores_the_normalized_text_and_checks_never_normalize_it_again(
    ledger: Ledger, paths: ArchivePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, [evidence_id] = new_claim(ledger, "Wages rose.", [("https://a.example/w", Stance.SUPPORTS, RISE)])
    recorded = capture(ledger, paths, source_of(ledger, evidence_id), PAGE, START)
    ref = recorded.snapshot.full_text_ref
    assert ref is not None
    assert TextStore(paths.texts).sidecar_path(ref, SIDECAR_KIND).exists()  # made at capture

    def never(text: str) -> None:
        raise AssertionError("a stored text was normalized again")

    monkeypatch.setattr(textcache, "normalize_for_matching", never)
    cache = NormalizedTextCache(TextStore(paths.texts))
    [result] = verify_quotes(ledger, ACTOR, paths, texts=cache)
    assert (result.quote_status, result.snapshot_id) == ("found", recorded.snapshot.id)
    assert cache.loads == 1


def test_a_text_without_a_sidecar_is_normalized_once_and_stored(ledger: Ledger, paths: ArchivePaths) -> None:
    """Texts captured before sidecars existed: the first check makes the sidecar."""
    _, [evidence_id] = new_claim(ledger, "Wages rose.", [("https://a.example/old", Stance.SUPPORTS, RISE)])
    recorded = capture(ledger, paths, source_of(ledger, evidence_id), PAGE, START)
    store = TextStore(paths.texts)
    assert recorded.snapshot.full_text_ref is not None
    sidecar = store.sidecar_path(recorded.snapshot.full_text_ref, SIDECAR_KIND)
    sidecar.unlink()
    [result] = verify_quotes(ledger, ACTOR, paths)
    assert result.quote_status == "found"
    assert sidecar.exists()


def test_batched_runs_keep_every_status_event_flag_and_suggestion(
    ledger: Ledger, paths: ArchivePaths
) -> None:
    a, b, gone, never = (f"https://{name}.example/page" for name in ("a", "b", "gone", "never"))
    claim_one, ids_one = new_claim(
        ledger,
        "Wages rose 4.5 percent.",
        [
            (a, Stance.SUPPORTS, RISE),
            (b, Stance.REFUTES, BUDGET),
            (never, Stance.SUPPORTS, "anything at all"),
        ],
    )
    claim_two, ids_two = new_claim(
        ledger, "The budget will balance.", [(a, Stance.SUPPORTS, BUDGET), (gone, Stance.CONTEXT, None)]
    )
    source_a, source_b, source_gone = (source_of(ledger, i) for i in (ids_one[0], ids_one[1], ids_two[1]))
    first_a = capture(ledger, paths, source_a, PAGE, START)
    capture(ledger, paths, source_b, "Ministers said the budget will not be balanced by 2026.", START)
    capture(ledger, paths, source_gone, "Not found", START, status=404)  # an error page is no snapshot

    results = verify_quotes(ledger, ACTOR, paths)
    assert [r.evidence_id for r in results] == sorted(ids_one + ids_two)
    status = {r.evidence_id: r.quote_status for r in results}
    assert [status[i] for i in ids_one] == ["found", "missing", "no_snapshot"]
    assert [status[i] for i in ids_two] == ["found", "unchecked"]
    with ledger.read() as session:
        suggested = dict(session.execute(select(Claim.id, Claim.suggested_status)).all())
    assert suggested == {claim_one: "supported", claim_two: "supported"}

    # Nothing changed: no quote event and no suggestion event, however often it runs.
    checked, suggestions = (
        len(events(ledger, "quote.checked")),
        len(events(ledger, "claim.suggestion_changed")),
    )
    verify_quotes(ledger, ACTOR, paths)
    verify_quotes(ledger, ACTOR, paths, claim_id=claim_one)
    assert len(events(ledger, "quote.checked")) == checked
    assert len(events(ledger, "claim.suggestion_changed")) == suggestions

    # A new capture loses one quote: the hook re-checks, flags the claim and keeps the old pointer.
    lost_at = START + timedelta(days=3)
    capture(
        ledger, paths, source_a, "Ministers said on Tuesday that wages rose 4.5 percent last year.", lost_at
    )
    with ledger.read() as session:
        evidence = session.get(Evidence, ids_two[0])
        claim = session.get(Claim, claim_two)
        assert evidence is not None
        assert claim is not None
        assert evidence.quote_status == QuoteStatus.MISSING
        assert evidence.quote_found_snapshot_id == first_a.snapshot.id
        assert evidence.quote_snapshot_id != first_a.snapshot.id
        assert claim.needs_review
        assert claim.needs_review_reason == f"quote no longer on source (captured {lost_at:%Y-%m-%d})"
        assert claim.suggested_status == "unverifiable"
        kept = session.get(Evidence, ids_one[0])
        assert kept is not None
        assert kept.quote_status == QuoteStatus.FOUND  # the other quote is still on the new capture
    # record_captures flags "source text changed" first; the lost quote is flagged after it, once.
    [flag] = [
        e
        for e in events(ledger, "claim.flagged")
        if e.claim_id == claim_two and (e.rationale or "").startswith("quote no longer")
    ]
    assert flag.rationale == claim.needs_review_reason
    assert len(events(ledger, "claim.suggestion_changed")) == suggestions + 1


def test_one_batch_matches_one_check_per_batch(ledger: Ledger, paths: ArchivePaths) -> None:
    """record_quote_checks leaves the same rows, outcomes and events for checks in one batch as for the
    same checks one per batch (one per transaction), including the same evidence checked twice in one
    batch."""
    bulk_claim, bulk_ids = new_claim(ledger, "Bulk.", [("https://x.example/1", Stance.SUPPORTS, RISE)])
    single_claim, single_ids = new_claim(ledger, "Single.", [("https://x.example/2", Stance.SUPPORTS, RISE)])
    snapshot = capture(ledger, paths, source_of(ledger, bulk_ids[0]), PAGE, START).snapshot.id
    capture(ledger, paths, source_of(ledger, single_ids[0]), PAGE, START)

    def checks(evidence_id: int) -> list[QuoteCheck]:
        return [
            QuoteCheck(evidence_id, QuoteStatus.FOUND, START, 1.0, snapshot, 3, 9),
            QuoteCheck(evidence_id, QuoteStatus.MISSING, START, 0.5, snapshot, detail=["gone"]),
            QuoteCheck(evidence_id, QuoteStatus.MISSING, START, 0.4, snapshot),
        ]

    # The capture hook already checked both; start them from the same place.
    with ledger.write() as session:
        record_quote_checks(
            session, ACTOR, [QuoteCheck(i, QuoteStatus.UNCHECKED, START) for i in (*bulk_ids, *single_ids)]
        )
        bulk = record_quote_checks(session, ACTOR, checks(bulk_ids[0]))
    single = []
    for check in checks(single_ids[0]):
        with ledger.write() as session:
            single.append(record_quote_checks(session, ACTOR, [check])[0])
    assert [(o.previous, o.current, o.lost, o.changed) for o in bulk] == [
        (o.previous, o.current, o.lost, o.changed) for o in single
    ]
    assert [(o.previous, o.current, o.lost, o.changed) for o in bulk] == [
        (QuoteStatus.UNCHECKED, QuoteStatus.FOUND, False, True),
        (QuoteStatus.FOUND, QuoteStatus.MISSING, True, True),
        (QuoteStatus.MISSING, QuoteStatus.MISSING, True, False),
    ]
    columns = (
        Evidence.quote_status,
        Evidence.quote_score,
        Evidence.quote_snapshot_id,
        Evidence.quote_start,
        Evidence.quote_end,
        Evidence.quote_detail,
        Evidence.quote_checked_at,
        Evidence.quote_found_snapshot_id,
    )
    with ledger.read() as session:
        rows = {
            i: tuple(session.execute(select(*columns).where(Evidence.id == i)).one())
            for i in (bulk_ids[0], single_ids[0])
        }
        logged = session.scalars(
            select(Event).where(Event.kind.in_(["quote.checked", "claim.flagged"])).order_by(Event.id)
        ).all()
        history = {
            claim: [
                (
                    e.kind,
                    (e.before or {}).get("quote_status"),
                    (e.after or {}).get("quote_status"),
                    e.rationale,
                )
                for e in logged
                if e.claim_id == claim
            ]
            for claim in (bulk_claim, single_claim)
        }
    assert rows[bulk_ids[0]] == rows[single_ids[0]]
    assert rows[bulk_ids[0]][-1] == snapshot
    assert rows[bulk_ids[0]][6] == START  # the timestamp survives the bulk path as UTC
    assert history[bulk_claim] == history[single_claim]
    assert [kind for kind, *_ in history[bulk_claim]].count("claim.flagged") == 1


def test_a_short_batch_ends_the_walk_without_reading_another(
    ledger: Ledger, paths: ArchivePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After every archive group the check reads its evidence: a batch shorter than BATCH is the last.
    url = "https://a.example/w"
    _, ids = new_claim(
        ledger,
        "Wages rose.",
        [(url, Stance.SUPPORTS, RISE), (url, Stance.SUPPORTS, BUDGET), (url, Stance.REFUTES, "never said")],
    )
    capture(ledger, paths, source_of(ledger, ids[0]), PAGE, START)
    reads: list[int] = []
    real_batch = evidence_queries.evidence_batch

    def counted(*args: Any, **kwargs: Any) -> Any:
        found = real_batch(*args, **kwargs)
        reads.append(len(found))
        return found

    monkeypatch.setattr(service, "evidence_batch", counted)
    results = verify_quotes(ledger, ACTOR, paths)
    assert [r.quote_status for r in results] == ["found", "found", "missing"]
    assert reads == [2, 1]  # BATCH is 2 here: a full batch, a short one, and no third read of nothing


@pytest.mark.parametrize("batch", [500, 1], ids=["one-batch", "one-per-batch"])
def test_a_run_of_one_batch_records_checks_and_suggestions_in_one_transaction(
    ledger: Ledger, paths: ArchivePaths, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    # The archiver's hook re-checks a commit group's quotes in one short batch: its checks and the
    # suggestions they lead to go in one write transaction, with the events in the order that a run of
    # many batches writes them (each quote.checked, then the claim's suggestion, computed from all of its
    # evidence). Input: a claim whose two quotes cite two captured pages; both quotes start unchecked.
    claim, ids = new_claim(
        ledger,
        "Wages rose 4.5 percent.",
        [
            ("https://a.example/p", Stance.SUPPORTS, RISE),
            ("https://b.example/p", Stance.REFUTES, "not there"),
        ],
    )
    for evidence_id in ids:
        capture(ledger, paths, source_of(ledger, evidence_id), PAGE, START)
    with ledger.write() as session:
        record_quote_checks(session, ACTOR, [QuoteCheck(i, QuoteStatus.UNCHECKED, START) for i in ids])
        session.execute(update(Claim).values(suggested_status=None, suggestion_reason=None))
    already = max(event.id for event in events(ledger, "quote.checked"))

    monkeypatch.setattr(service, "BATCH", batch)
    writes: list[int] = []
    real_write = ledger.write

    def counted_write() -> Any:
        writes.append(1)
        return real_write()

    monkeypatch.setattr(ledger, "write", counted_write)
    results = verify_quotes(ledger, ACTOR, paths, claim_id=claim)

    assert [(r.evidence_id, r.quote_status) for r in results] == [(ids[0], "found"), (ids[1], "missing")]
    assert len(writes) == (1 if batch == 500 else 3)  # two batches of one, then the suggestions
    with ledger.read() as session:
        logged = session.scalars(select(Event).where(Event.id > already).order_by(Event.id)).all()
        suggested = session.execute(select(Claim.suggested_status).where(Claim.id == claim)).scalar_one()
    assert [(e.kind, e.claim_id) for e in logged] == [
        ("quote.checked", claim),
        ("quote.checked", claim),
        ("claim.suggestion_changed", claim),
    ]
    assert logged[-1].after == {"suggested": suggested}
    assert suggested is not None
