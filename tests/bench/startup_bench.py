"""Start-up benchmark: whole `factledger` processes, against Python start-up baselines in the same run.

    .venv/bin/python tests/bench/startup_bench.py [--runs 15] [--src DIR] [--before-src DIR]

Each command runs ``--runs`` times in a fresh process (``python -m factledger``, as the console script
does), interleaved with the baselines so a load change hits all of them alike; the median wall time of
each is printed, with the median CPU time of the process (user + system: steadier than wall time on a
busy machine), the ratio to ``python -c pass`` and, with ``--before-src``, to the same command before.
The commands: ``--help``, ``claims list`` and ``claims show 1`` on a one-claim SQLite ledger (made before
timing). Two more baselines show the floor the read commands stand on: importing SQLAlchemy's Core, and
its ORM (the ledger's models are ORM classes).

Byte code is cached in the scratch directory (``PYTHONPYCACHEPREFIX``, even when
``PYTHONDONTWRITEBYTECODE`` is set), so the runs measure a start-up as installed rather than compiling
factledger's sources each time, and the checkouts compared are left as they are.

``--src DIR`` runs the factledger found in DIR (a checkout's ``src``) instead of the installed one.
``--before-src DIR`` measures the factledger in DIR as well, in the same interleaved runs, each with a
ledger of its own: a before/after comparison (e.g. ``git archive main src migrations data`` unpacked
somewhere, then ``--before-src THERE/src``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.3  # the goal for --help, claims list and claims show (on an unloaded machine)
COMMANDS = (["--help"], ["claims", "list"], ["claims", "show", "1"])


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The wall time and the CPU time of one process."""
    cpu_before, started = _child_cpu(), time.perf_counter()
    result = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed, cpu = time.perf_counter() - started, _child_cpu() - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.strip()}")
    return elapsed, cpu


def _env(src: Path | None, pycache: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
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
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        pycache = Path(scratch) / "pycache"
        versions = {"": _env(args.src, pycache)}
        if args.before_src is not None:
            versions["before: "] = _env(args.before_src, pycache)
        after = versions[""]
        cases: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([python, "-c", "pass"], after),
            'python -c "import click"': ([python, "-c", "import click"], after),
            "floor: import sqlalchemy": (
                [python, "-c", "import sqlalchemy, sqlalchemy.dialects.sqlite"],
                after,
            ),
            "floor: import sqlalchemy.orm": (
                [python, "-c", "import sqlalchemy.orm, sqlalchemy.dialects.sqlite"],
                after,
            ),
        }
        for label, env in versions.items():
            home = Path(scratch) / f"home{len(cases)}"
            factledger = [python, "-m", "factledger", "--home", str(home)]
            _run([*factledger, "claims", "add", "The council spent 4.2 million on flood barriers."], env)
            for command in COMMANDS:
                cases[f"{label}factledger {' '.join(command)}"] = ([*factledger, *command], env)
        walls: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for argv, env in cases.values():  # one warm-up each: the file cache, .pyc files
            _run(argv, env)
        for _ in range(args.runs):
            for name, (argv, env) in cases.items():
                wall, cpu = _run(argv, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    load = os.getloadavg()[0]
    wall_median = {name: statistics.median(values) for name, values in walls.items()}
    cpu_median = {name: statistics.median(values) for name, values in cpus.items()}
    bare = wall_median["python -c pass"]
    print(f"median of {args.runs} runs each; load average {load:.2f} on {os.cpu_count()} CPUs")
    print(f"{'command':<40} {'wall s':>7} {'cpu s':>7} {'× pass':>7} {'× before':>9}")
    for name, median in wall_median.items():
        before = wall_median.get(f"before: {name}")
        versus = f"{median / before:9.2f}" if before else ""
        print(f"{name:<40} {median:7.3f} {cpu_median[name]:7.3f} {median / bare:7.1f} {versus}")
    print(f"target: {TARGET_SECONDS} s for the factledger commands on an unloaded machine")


if __name__ == "__main__":
    main()
