"""`make fuzz`: drive each fuzz target of tests/fuzz/test_targets.py for a set time.

    python tests/fuzz/run.py [--seconds 60] [TARGET ...]

Each target is fed random buffers through Hypothesis's ``fuzz_one_input``, which turns a buffer into
the target's inputs (mutated corpus seeds, random bytes, hostile JSON) and runs the property. It is
random search, not coverage-guided. Prints, per target, how long it ran, how many inputs it tried and
what failed; a failing buffer is saved under tests/fuzz/crashes/ (replay it with ``--replay FILE``).
Exits 1 when any target failed.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import random
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fuzz.test_targets import TARGETS

CRASHES = Path(__file__).parent / "crashes"
SLOW_SECONDS = 10.0  # the bound of the property: far above the milliseconds a normal input takes


def _save(name: str, buffer: bytes) -> Path:
    CRASHES.mkdir(exist_ok=True)
    saved = CRASHES / f"{name}-{hashlib.sha256(buffer).hexdigest()[:16]}.bin"
    saved.write_bytes(buffer)
    return saved


def fuzz(name: str, seconds: float, rng: random.Random) -> tuple[int, float, list[str]]:
    """(inputs tried, the slowest input's seconds, failures) after ``seconds`` of one target."""
    run_one = TARGETS[name].hypothesis.fuzz_one_input  # type: ignore[attr-defined]
    tried, slowest = 0, 0.0
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(failures) < 5:
        buffer = rng.randbytes(rng.choice((64, 256, 1024, 4096)))
        tried += 1
        started = time.monotonic()
        try:
            run_one(buffer)
        except Exception as exc:
            first_line = (str(exc).splitlines() or [""])[0][:200]
            failures.append(f"{type(exc).__name__}: {first_line} (buffer {_save(name, buffer)})")
            traceback.print_exc(limit=-3)
        took = time.monotonic() - started
        slowest = max(slowest, took)
        if took > SLOW_SECONDS:
            failures.append(f"one input took {took:.1f} s (buffer {_save(name, buffer)})")
    return tried, slowest, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", 60)))
    parser.add_argument("--seed", type=int, default=None, help="repeat a run (default: a new one)")
    parser.add_argument("--replay", type=Path, help="run one saved buffer through its target")
    parser.add_argument("targets", nargs="*", choices=[[], *TARGETS], default=[], metavar="TARGET")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # pypdf logs every malformed object it meets
    if args.replay is not None:
        name = args.replay.name.rsplit("-", 1)[0]
        TARGETS[name].hypothesis.fuzz_one_input(args.replay.read_bytes())  # type: ignore[attr-defined]
        print(f"{args.replay}: passes")
        return 0
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    print(f"fuzzing {args.seconds:g} s per target, seed {seed}")
    failed = False
    for name in args.targets or list(TARGETS):
        started = time.monotonic()
        tried, slowest, failures = fuzz(name, args.seconds, rng)
        elapsed = time.monotonic() - started
        print(
            f"{name:12} {elapsed:6.1f} s  {tried:7d} inputs  slowest {slowest * 1000:7.1f} ms  "
            f"{len(failures)} failures",
            flush=True,
        )
        for failure in failures:
            print(f"    {failure}")
        failed = failed or bool(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
