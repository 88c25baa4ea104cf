"""Audit benchmark: `audit verify` (chain walk + replay against every claim) in events per second, on
SQLite, beside a bare hash-chain pass over the same rows measured in the same run.

Run it directly (pytest does not collect it):

    .venv/bin/python tests/bench/audit_bench.py [--claims N] [--changes M] [--ledger FILE] [--rounds R]

It imports N claims (one ``claim.imported`` event each, the bulk path) and makes M status changes and
assignments one at a time (``claim.status_changed``/``claim.assigned`` events); with ``--ledger FILE`` the
ledger is kept there and reused by later runs (a million claims take minutes to build). Then, each in a
fresh child process, alternating for R rounds, it times:

- the baseline: the same event rows fetched with plain sqlite3 and each one's sha256 recomputed over
  its stored fields, checking only that the chain links (no JSON parsing, no replay, no claims read);
  the floor for any Python walk that hashes every event;
- factledger's ``verify_log``: the same chain plus the replay and the comparison with every claim.

Each figure is given in wall time and in CPU time of the child (on a loaded machine the CPU time is the
steadier one), with the child's peak RSS (VmHWM) and the load average. Issue 16 wants at least 100k
events/s for the whole check. Prints PASS/FAIL on the best wall rate; the exit code is 0 either way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_EVENTS_PER_S = 100_000
ACTOR = "bench"


def _build(path: Path, claims: int, changes: int) -> None:
    from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord, import_claims
    from factledger.ledger.claims import assign_claim, change_status
    from factledger.ledger.database import open_ledger
    from factledger.ledger.statuses import ClaimStatus, Stance

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


def _bare_chain(path: Path) -> dict[str, object]:
    """The baseline: fetch every event and recompute its hash from the stored texts, linking them (each
    event's hash over the previous one's hex, as factledger's chain is)."""
    connection = sqlite3.connect(path)
    prev = "0" * 64
    count = 0
    last = 0
    while True:
        rows = connection.execute(
            "SELECT id, at, actor, kind, claim_id, before, after, rationale, hash FROM events "
            "WHERE id > ? ORDER BY id LIMIT 10000",
            (last,),
        ).fetchall()
        if not rows:
            break
        for _event_id, at, actor, kind, claim_id, before, after, rationale, stored in rows:
            hashlib.sha256(
                f"[{prev},{at},{actor},{kind},{claim_id},{before},{after},{rationale}]".encode()
            ).digest()
            prev = stored.hex()
            count += 1
        last = rows[-1][0]
    connection.close()
    return {"events": count}


def _verify(path: Path) -> dict[str, object]:
    from factledger.ledger.audit_verify import verify_log
    from factledger.ledger.database import open_ledger

    ledger = open_ledger(f"sqlite:///{path}")
    with ledger.snapshot_read() as session:
        report = verify_log(session)
    ledger.close()
    if not report.ok:
        raise SystemExit(f"verify_log failed: {report.problem}")
    return {"events": report.events_checked, "claims": report.claims_checked}


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(which: str, path: Path) -> None:
    """Run one timed pass in this (fresh) process and print its figures as one JSON line."""
    run = _bare_chain if which == "bare" else _verify
    if which != "bare":
        from factledger.ledger import audit_verify  # noqa: F401  (imports are not what is timed)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run(path)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({**result, "wall": wall, "cpu": cpu, "rss_mb": _peak_rss_mb()}))


def _timed(which: str, path: Path) -> dict[str, float]:
    child = subprocess.run(
        [sys.executable, __file__, "--child", which, "--ledger", str(path)],
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(f"the {which} child failed:\n{child.stderr}")
    figures: dict[str, float] = json.loads(child.stdout.splitlines()[-1])
    figures["load"] = os.getloadavg()[0]
    return figures


def _line(name: str, figures: dict[str, float]) -> str:
    events = figures["events"]
    return (
        f"{name:<28} {events / figures['wall']:>9,.0f} events/s wall ({figures['wall']:.2f} s), "
        f"{events / figures['cpu']:>9,.0f} events/s CPU ({figures['cpu']:.2f} s), "
        f"peak RSS {figures['rss_mb']:.0f} MB, load {figures['load']:.1f}"
    )


def _measure(path: Path, rounds: int) -> None:
    _bare_chain(path)  # warm the page cache for both runs alike
    wall_ratios: list[float] = []
    cpu_ratios: list[float] = []
    rates: list[float] = []
    for round_number in range(1, rounds + 1):
        bare, full = _timed("bare", path), _timed("verify", path)
        print(f"round {round_number} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs):")
        print("  " + _line("bare hash-chain pass:", bare))
        print("  " + _line("audit verify (chain+replay):", full))
        wall_ratios.append(full["wall"] / bare["wall"])
        cpu_ratios.append(full["cpu"] / bare["cpu"])
        rates.append(full["events"] / full["wall"])
        print(
            f"  verify takes {wall_ratios[-1]:.2f}x the baseline's wall time, {cpu_ratios[-1]:.2f}x its CPU "
            f"time ({full.get('claims', 0):.0f} claims compared)"
        )
    verdict = "PASS" if max(rates) >= TARGET_EVENTS_PER_S else "FAIL"
    print(
        f"{verdict}: best wall rate {max(rates):,.0f} events/s (target {TARGET_EVENTS_PER_S:,}); median "
        f"ratio to the baseline of the same round {statistics.median(wall_ratios):.2f}x wall, "
        f"{statistics.median(cpu_ratios):.2f}x CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--changes", type=int, default=2_000)
    parser.add_argument("--ledger", type=Path, help="keep the built ledger here; reuse it when it exists")
    parser.add_argument("--rounds", type=int, default=3, help="alternating baseline/verify rounds")
    parser.add_argument("--child", choices=("bare", "verify"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.ledger)
        return
    with tempfile.TemporaryDirectory() as scratch:
        path = args.ledger or Path(scratch) / "ledger.db"
        if not path.exists():
            started = time.perf_counter()
            _build(path, args.claims, args.changes)
            elapsed = time.perf_counter() - started
            print(f"built {args.claims} claims + {args.changes} changes in {elapsed:.1f} s")
        else:
            print(f"reusing {path} (--claims and --changes do not apply)")
        _measure(path, args.rounds)


if __name__ == "__main__":
    main()
