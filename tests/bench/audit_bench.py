"""Audit benchmark: `audit verify` (chain walk + replay against every claim) in events per second, on
SQLite, beside a bare hash-chain pass over the same rows measured in the same run.

Run it directly (pytest does not collect it):

    .venv/bin/python tests/bench/audit_bench.py [--claims N] [--changes M]

It imports N claims (one ``claim.imported`` event each, the bulk path) and makes M status changes and
assignments one at a time (``claim.status_changed``/``claim.assigned`` events), then times:

- the baseline: the same event rows fetched with plain sqlite3 and each one's sha256 recomputed over
  its stored fields, checking only that the chain links (no JSON parsing, no replay, no claims read);
- factledger's ``verify_log``: the same chain plus the replay and the comparison with every claim.

Issue 16 wants at least 100k events/s for the whole check. Prints PASS/FAIL; the exit code is 0 either way.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from factledger.ledger.audit_verify import verify_log
from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord, import_claims
from factledger.ledger.claims import assign_claim, change_status
from factledger.ledger.database import open_ledger
from factledger.ledger.statuses import ClaimStatus, Stance

TARGET_EVENTS_PER_S = 100_000
ACTOR = "bench"


def _build(path: Path, claims: int, changes: int) -> None:
    ledger = open_ledger(f"sqlite:///{path}")
    records = (
        ClaimRecord(
            text=f"Claim number {n} says that {n % 97} of {n % 13 + 1} things happened on day {n % 28 + 1}.",
            evidence=(EvidenceRecord(f"https://example.org/{n % 5000}", Stance.SUPPORTS, f"quote {n}"),),
        )
        for n in range(claims)
    )
    with ledger.write() as session:
        import_claims(session, ACTOR, records, origin="bench")
    for n in range(changes):
        with ledger.write() as session:
            claim_id = n % claims + 1
            if n % 2:
                assign_claim(session, ACTOR, claim_id, f"reviewer-{n % 7}")
            else:
                change_status(session, ACTOR, claim_id, ClaimStatus.IN_REVIEW, rationale=f"look at {n}")
    ledger.close()


def _bare_chain(path: Path) -> int:
    """The baseline: fetch every event and recompute its hash from the stored texts, linking them."""
    connection = sqlite3.connect(path)
    prev = "0" * 64
    count = 0
    last = 0
    while True:
        rows = connection.execute(
            "SELECT id, at, actor, kind, claim_id, before, after, rationale, prev_hash, hash FROM events "
            "WHERE id > ? ORDER BY id LIMIT 10000",
            (last,),
        ).fetchall()
        if not rows:
            break
        for event_id, at, actor, kind, claim_id, before, after, rationale, prev_hash, stored in rows:
            if prev_hash != prev:
                raise SystemExit(f"baseline: chain broken at {event_id}")
            hashlib.sha256(
                f"[{prev},{at},{actor},{kind},{claim_id},{before},{after},{rationale}]".encode()
            ).hexdigest()
            prev = stored
            count += 1
        last = rows[-1][0]
    connection.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--changes", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "ledger.db"
        started = time.perf_counter()
        _build(path, args.claims, args.changes)
        print(f"built {args.claims} claims + {args.changes} changes in {time.perf_counter() - started:.1f} s")
        _bare_chain(path)  # warm the page cache for both runs alike

        started = time.perf_counter()
        events = _bare_chain(path)
        bare = time.perf_counter() - started

        ledger = open_ledger(f"sqlite:///{path}")
        started = time.perf_counter()
        with ledger.snapshot_read() as session:
            report = verify_log(session)
        full = time.perf_counter() - started
        ledger.close()
        if not report.ok:
            raise SystemExit(f"verify_log failed: {report.problem}")

    full_rate, bare_rate = events / full, events / bare
    print(f"load: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs")
    print(f"bare hash-chain pass:         {bare_rate:>10,.0f} events/s ({bare:.2f} s for {events} events)")
    print(
        f"audit verify (chain+replay):  {full_rate:>10,.0f} events/s ({full:.2f} s, {report.claims_checked} "
        f"claims compared), {full / bare:.2f}x the baseline's time"
    )
    verdict = "PASS" if full_rate >= TARGET_EVENTS_PER_S else "FAIL"
    print(f"{verdict}: target {TARGET_EVENTS_PER_S:,} events/s")


if __name__ == "__main__":
    main()
