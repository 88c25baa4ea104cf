"""Start-up benchmark: whole `factledger` processes, against Python start-up baselines in the same run.

    .venv/bin/python tests/bench/startup_bench.py [--runs 15] [--src DIR] [--before-src DIR]

Each command runs ``--runs`` times in a fresh process (``python -m factledger``, as the console script
does), interleaved with the baselines so a load change hits all of them alike; the median wall time of
each is printed with its ratio to ``python -c pass`` and to ``python -c "import click"``. The commands:
``--help``, ``claims list`` and ``claims show 1`` on a one-claim SQLite ledger (made before timing).

``--src DIR`` runs the factledger found in DIR (a checkout's ``src``) instead of the installed one.
``--before-src DIR`` measures the factledger in DIR as well, in the same interleaved runs, each with a
ledger of its own: a before/after comparison (e.g. ``git archive main src migrations data`` unpacked
somewhere, then ``--before-src THERE/src``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.3  # the goal for --help, claims list and claims show (on an unloaded machine)


def _run(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.strip()}")
    return elapsed


def _env(src: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src.resolve())
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--src", type=Path, help="a checkout's src directory to measure instead")
    parser.add_argument("--before-src", type=Path, help="another version's src directory to compare with")
    args = parser.parse_args()
    versions = {"": _env(args.src)}
    if args.before_src is not None:
        versions["before: "] = _env(args.before_src)
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        cases: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([python, "-c", "pass"], versions[""]),
            'python -c "import click"': ([python, "-c", "import click"], versions[""]),
        }
        for label, env in versions.items():
            home = Path(scratch) / f"home{len(cases)}"
            factledger = [python, "-m", "factledger", "--home", str(home)]
            _run([*factledger, "claims", "add", "The council spent 4.2 million on flood barriers."], env)
            cases[f"{label}factledger --help"] = ([*factledger, "--help"], env)
            cases[f"{label}factledger claims list"] = ([*factledger, "claims", "list"], env)
            cases[f"{label}factledger claims show 1"] = ([*factledger, "claims", "show", "1"], env)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for argv, env in cases.values():  # one warm-up each: the file cache, .pyc files
            _run(argv, env)
        for _ in range(args.runs):
            for name, (argv, env) in cases.items():
                times[name].append(_run(argv, env))
    load = os.getloadavg()[0]
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare, click_only = medians["python -c pass"], medians['python -c "import click"']
    print(f"median of {args.runs} runs each; load average {load:.2f} on {os.cpu_count()} CPUs")
    print(f"{'command':<36} {'median s':>9} {'× pass':>8} {'× click':>8}")
    for name, median in medians.items():
        print(f"{name:<36} {median:9.3f} {median / bare:8.1f} {median / click_only:8.1f}")
    print(f"target: {TARGET_SECONDS} s for the factledger commands on an unloaded machine")


if __name__ == "__main__":
    main()
