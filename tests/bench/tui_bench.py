"""Benchmark of the review TUI at 100,000 claims (3 evidence each), against a 1,000-claim baseline.

    .venv/bin/python tests/bench/tui_bench.py [--claims 100000] [--baseline 1000] [--keep DIR]

Each ledger is built in a child process (so the bulk import's memory is not counted), then measured
with the Textual pilot in this process, at 120×40:
- first paint: from starting the app to the first rows of the table on screen;
- filter / search change: from applying a new filter (or search) to its rows on screen (worst of several);
- jump to end: from pressing G to the last row on screen under the cursor;
- RSS: this process's resident memory after all of the above (VmRSS);
- idle poll: one ask for other reviewers' changes when there are none (app.queue.changes, median), which
  the app does every couple of seconds;
- idle CPU: the app at rest for a few seconds, as CPU time per wall-clock second, asking for changes
  ten times a second (five times as often as it does) and, for comparison, not asking at all.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from factledger.ledger.database import Ledger
from factledger.ledger.statuses import ClaimStatus

TARGETS = {
    "first paint (s)": 1.0,
    "filter/search (s)": 0.2,
    "jump to end (s)": 0.2,
    "RSS (MB)": 300.0,
    "idle poll (ms)": 5.0,
    "idle CPU watching (%)": 10.0,
    "idle CPU not watching (%)": 10.0,
}
IDLE_SECONDS = 4.0
WORDS = [
    "minister",
    "announced",
    "million",
    "budget",
    "talks",
    "border",
    "ceasefire",
    "election",
    "turnout",
    "inflation",
    "percent",
    "hospital",
    "vaccine",
    "refugees",
    "aid",
    "summit",
    "treaty",
    "export",
    "tariff",
    "unemployment",
    "pension",
    "reform",
]
STATUSES = [ClaimStatus.UNREVIEWED] * 6 + [ClaimStatus.IN_REVIEW, ClaimStatus.SUPPORTED, ClaimStatus.REFUTED]


def build(path: Path, count: int) -> None:
    """Runs in a child process: a ledger of ``count`` claims with three evidence each."""
    from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord, import_claims
    from factledger.ledger.database import open_ledger
    from factledger.ledger.statuses import Stance

    rng = random.Random(count)
    stances = [Stance.SUPPORTS, Stance.REFUTES, Stance.CONTEXT]

    def records() -> object:
        for n in range(count):
            words = " ".join(rng.choice(WORDS) for _ in range(10))
            yield ClaimRecord(
                text=f"Claim {n}: the {words} figure was {rng.randint(1, 10_000)}.",
                speaker=rng.choice(["Power", "O'Brien", "Kim", None]),
                status=rng.choice(STATUSES),
                score=round(rng.random(), 3),
                evidence=tuple(
                    EvidenceRecord(
                        url=f"https://site{rng.randint(1, 5000)}.example.org/page/{n}/{k}",
                        stance=stances[k],
                        quote=f"the {rng.choice(WORDS)} figure",
                    )
                    for k in range(3)
                ),
            )

    ledger = open_ledger(f"sqlite:///{path}")
    with ledger.write() as session:
        import_claims(session, "bench", records(), origin="tui bench")  # type: ignore[arg-type]
    ledger.close()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _until(pilot: object, predicate: object, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    while not predicate():  # type: ignore[operator]
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the table did not update")
        await pilot.pause(0.002)  # type: ignore[attr-defined]
    return time.perf_counter() - started


async def measure(path: Path, home: Path) -> dict[str, float]:
    from factledger.ledger.database import open_ledger
    from factledger.ledger.review_queries import RowQuery, SortKey
    from factledger.tui.app import ReviewApp, ReviewConfig
    from factledger.tui.describe import describe_query
    from factledger.tui.screens.main import MainScreen

    ledger = open_ledger(f"sqlite:///{path}")
    app = ReviewApp(ledger, ReviewConfig(reviewer="bench", home=home, auto_fetch=False))
    results: dict[str, float] = {}
    started = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        table = screen.table

        def first_rows() -> bool:
            return table.total > 0 and table.row_at(0) is not None and not table._awaiting_first

        await _until(pilot, first_rows)
        await pilot.pause(0)  # let the screen process the refresh that puts the rows on it
        results["first paint (s)"] = time.perf_counter() - started

        changes = [
            RowQuery(status=ClaimStatus.REFUTED),
            RowQuery(search="ceasefire"),
            RowQuery(search="minister budget"),
            RowQuery(needs_review=None, sort=SortKey.UPDATED),
            RowQuery(status=ClaimStatus.SUPPORTED, sort=SortKey.CREATED),
            RowQuery(),
        ]
        # Each change three times (the machine may be busy with other work): the median counts,
        # and the worst median is reported.
        worst = 0.0
        for query in changes:
            times = []
            for _ in range(3):
                screen._apply(RowQuery(status=ClaimStatus.IN_REVIEW))  # something else first
                await _until(pilot, first_rows)
                await pilot.pause(0.05)
                t0 = time.perf_counter()
                screen._apply(query)
                await _until(pilot, first_rows)
                await pilot.pause(0)
                times.append(time.perf_counter() - t0)
            median = sorted(times)[1]
            worst = max(worst, median)
            print(
                f"  {describe_query(query):<50} median {median:.3f}s  max {max(times):.3f}s", file=sys.stderr
            )
        results["filter/search (s)"] = worst

        jumps = []
        for _ in range(3):
            await pilot.press("g")
            await _until(pilot, lambda: table.current is not None and table.cursor == 0)
            table._pages = type(table._pages)((k, v) for k, v in table._pages.items() if k == 0)  # cold end
            await pilot.pause(0.05)
            t0 = time.perf_counter()
            await pilot.press("G")
            await _until(pilot, lambda: table.current is not None and table.cursor == table.total - 1)
            await pilot.pause(0)
            jumps.append(time.perf_counter() - t0)
        results["jump to end (s)"] = sorted(jumps)[1]
        results["RSS (MB)"] = rss_mb()
    results |= await measure_idle(ledger, home)
    ledger.close()
    return results


async def measure_idle(ledger: Ledger, home: Path) -> dict[str, float]:
    """What watching for other reviewers' changes costs while nothing changes."""
    from factledger.app import queue
    from factledger.tui.app import ReviewApp, ReviewConfig
    from factledger.tui.screens.main import MainScreen

    latest = queue.changes(ledger, 0).last_event_id
    polls = []
    for _ in range(200):
        t0 = time.perf_counter()
        changes = queue.changes(ledger, latest)
        polls.append(time.perf_counter() - t0)
        assert not changes.any
    results = {"idle poll (ms)": sorted(polls)[len(polls) // 2] * 1000}
    for name, watch_seconds in (("idle CPU not watching (%)", 0.0), ("idle CPU watching (%)", 0.1)):
        app = ReviewApp(
            ledger, ReviewConfig(reviewer="bench", home=home, auto_fetch=False, watch_seconds=watch_seconds)
        )
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            await _until(pilot, lambda: screen.detail_pane.detail is not None)  # noqa: B023
            await pilot.pause(0.5)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await pilot.pause(IDLE_SECONDS)
            results[name] = 100 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)
            if watch_seconds:
                assert screen.seen_event == latest  # it was watching, and saw nothing new
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--keep", type=Path, help="build the ledgers here and keep them (reused if present)")
    parser.add_argument("--build", nargs=2, metavar=("PATH", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(Path(args.build[0]), int(args.build[1]))
        return
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="tui-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    table: dict[int, dict[str, float]] = {}
    for count in (args.baseline, args.claims):
        path = workdir / f"ledger-{count}.sqlite3"
        if not path.exists():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--build", str(path), str(count)], check=True)
            print(f"built {count:,} claims × 3 evidence in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        table[count] = asyncio.run(measure(path, workdir / "home"))
    print(
        f"\n{'measure':<26}{'baseline ' + format(args.baseline, ','):>18}{format(args.claims, ',') + ' claims':>18}"
        f"{'ratio':>8}{'target':>10}  result"
    )
    failed = False
    for name, target in TARGETS.items():
        base, big = table[args.baseline][name], table[args.claims][name]
        ok = big < target
        failed |= not ok
        unit = "{:.1f}" if "MB" in name or "%" in name else "{:.3f}"
        ratio = f"{big / base:.2f}" if base else "—"
        print(
            f"{name:<26}{unit.format(base):>18}{unit.format(big):>18}{ratio:>8}{'< ' + str(target):>10}"
            f"  {'PASS' if ok else 'FAIL'}"
        )
    watching, resting = (table[args.claims][f"idle CPU {w} (%)"] for w in ("watching", "not watching"))
    print(
        f"watching for changes 10×/s at {args.claims:,} claims costs {watching - resting:+.1f} points of one CPU"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
