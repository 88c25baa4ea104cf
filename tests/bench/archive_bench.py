"""Archive benchmark: factledger's archive run against wget --warc-file and a bare httpx loop.

Run it directly (pytest does not collect it):

    .venv/bin/python tests/bench/archive_bench.py [--pages N] [--keep DIR] [--register import|interleaved]
                                                 [--profile [active|gil]]

A local origin (archive_origin.py, in its own process so it never shares a GIL with the client being measured)
serves N pages of about 60 KB of HTML over 8 hosts, 127.0.0.1 to 127.0.0.8, sleeping 50 ms before every
response. On the same URL list, in one run:

1. a bare httpx loop: one AsyncClient, at most 4 requests per host and 32 in all, bodies read and thrown away.
   It is the bound for any httpx-based client on this machine.
2. factledger: a fresh SQLite ledger with one claim citing each URL, then ``run_archive`` with the same
   concurrency and the hooks ``factledger archive run`` passes (new texts normalized for quote checks,
   quotes re-verified after each commit), writing WARC and text as it always does. It runs in a fresh subprocess, so its peak RSS is
   its own; afterwards every URL must have a snapshot with HTTP status 200.
3. ``wget --warc-file -i urls.txt``, what ArchiveBox uses to write WARCs.
4. ``--s3``: factledger again, into an S3 capture store (moto's server on loopback, its own process), on
   a fresh copy of the ledger: its throughput and peak RSS against run 2's, and the median time to open
   a capture's text through the store (what verify and the reader do), from S3 and from the local store.
5. one 1 GiB response without a Content-Length, archived under the default 50 MB cap in a fresh process
   whose peak RSS is reset just before the run: the fetch must stop at the cap (``too_large``) and the
   peak RSS must grow by less than 50 MB.

Latency alone bounds any client at hosts x per-host / latency = 8 x 4 / 0.05 s = 640 pages/s.

``--quotes`` makes each claim's evidence quote a sentence of its page: then every new text is also
normalized at capture (in the worker processes) and every quote is checked after its group commits, as
for a ledger whose evidence carries quotes. Without it the claims cite their pages without quotes, as
issue 3 sets the benchmark up.

``--register`` picks how the sources get into the ledger. ``import`` (the default) is the bulk import path
(``factledger import jsonl``), which creates sources sorted by URL, so consecutive source ids share a host,
as they do in a real ledger after an import. ``interleaved`` creates them in URL-list order (round-robin
over the hosts) and then imports the same claims.

How to get figures worth comparing: run it on an otherwise idle machine, and wait a minute or two after
anything has deleted many files on the same filesystem (the previous run's own clean-up of its 4,000 texts
and sidecars, a test suite's temporary directories). ext4 avoids reusing an inode deleted in the last 60 s
(300 s while its inode table block is dirty), and finding a free one scans past each of them
(``recently_deleted`` in the kernel's inode allocator): on the 2-core benchmark machine that made each new
file and directory cost 0.1-0.5 ms of CPU instead of 0.02-0.05 ms, and a quoted page makes two files. Runs
of two versions are compared only when alternated in one window.

It is a benchmark, not a test: targets print PASS/FAIL and the exit code is 0 either way.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive_origin import DEFAULT_HOSTS, DEFAULT_LATENCY, LARGE_BYTES, LARGE_PATH, page_url

from factledger import __version__ as factledger_version

TARGET_WGET_MULTIPLE = 10.0
# Issue 16: at least 60% of a bare httpx loop's pages/s, and 55% when every page is quoted by evidence.
TARGET_BARE_FRACTION = 0.6
TARGET_BARE_FRACTION_QUOTED = 0.55
TARGET_PEAK_RSS_MB = 250.0  # MB = 10**6 bytes
TARGET_LARGE_GROWTH_MB = 50.0
TARGET_S3_FRACTION = 0.8  # S3 store throughput against the local store's, same run
TARGET_S3_TEXT_MS = 20.0  # median time to open a capture's text from S3
CONCURRENCY = 32
PER_HOST = 4
ACTOR = "bench"
ORIGIN_SCRIPT = Path(__file__).with_name("archive_origin.py")
WGET = shutil.which("wget") or "/usr/bin/wget"
PY_SPY = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- the origin process


@dataclass
class OriginProcess:
    process: subprocess.Popen[bytes]
    port: int

    def cpu_seconds(self) -> float:
        """user + system CPU the origin has used so far."""
        return process_cpu_seconds(self.process.pid)


@contextmanager
def running_origin(pages: int, hosts: int, latency: float, seed: int) -> Iterator[OriginProcess]:
    command = [sys.executable, str(ORIGIN_SCRIPT), f"--pages={pages}", f"--hosts={hosts}"]
    command += [f"--latency={latency}", f"--seed={seed}"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "ready":
            raise RuntimeError(f"the origin did not start (said {line!r})")
        yield OriginProcess(process, int(line[1]))
    finally:
        assert process.stdin is not None
        process.stdin.close()  # the origin stops when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------- 1. the bare httpx loop


@dataclass
class BareResult:
    seconds: float
    ok: int
    body_bytes: int
    cpu_seconds: float


async def bare_fetch_all(urls: list[str], concurrency: int, per_host: int) -> tuple[int, int]:
    """Fetch every URL, bodies read raw and thrown away; (responses with 200, body bytes)."""
    # httpx is imported where it is used, not at the top: the measured run's worker processes import
    # this script as their main module (multiprocessing's spawn does), and the CLI's import only
    # factledger.__main__, which is light. A top-level import cost each worker 0.2 s of CPU.
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    global_gate = asyncio.Semaphore(concurrency)
    host_gates: collections.defaultdict[str, asyncio.Semaphore] = collections.defaultdict(
        lambda: asyncio.Semaphore(per_host)
    )
    ok = body_bytes = 0
    async with httpx.AsyncClient(limits=limits, trust_env=False, timeout=30.0) as client:

        async def one(url: str) -> None:
            nonlocal ok, body_bytes
            # Host slot first, then a global one: the order factledger's fetcher takes them in.
            async with (
                host_gates[url.split("/", 3)[2]],
                global_gate,
                client.stream("GET", url) as response,
            ):
                async for chunk in response.aiter_raw():
                    body_bytes += len(chunk)
                ok += response.status_code == 200

        await asyncio.gather(*(one(url) for url in urls))
    return ok, body_bytes


def run_bare(urls: list[str]) -> BareResult:
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    ok, body_bytes = asyncio.run(bare_fetch_all(urls, CONCURRENCY, PER_HOST))
    seconds = time.perf_counter() - start
    return BareResult(seconds, ok, body_bytes, cpu_used(cpu_before, resource.getrusage(resource.RUSAGE_SELF)))


def cpu_used(before: resource.struct_rusage, after: resource.struct_rusage) -> float:
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# ---------------------------------------------------------------- 2. factledger


def page_quotes(pages: int, seed: int) -> list[str]:
    """For each page the origin serves, a quote of it: the longest sentence of its text."""
    from archive_origin import PageWriter

    from factledger.text import extract_text

    writer = PageWriter(seed)
    quotes = []
    for index in range(pages):  # in order: the writer's random state runs on from page to page
        text = extract_text(
            writer.page(index), [("Content-Type", "text/html; charset=utf-8")], main_text=False
        )
        sentences = [s for line in (text.full_text or "").splitlines() for s in line.split(". ")]
        # A whole sentence: a quote cut mid-sentence can end just before a "not", which the verifier
        # rightly refuses to call found.
        quotes.append(max(sentences, key=len).strip())
    return quotes


def prepare_ledger(
    ledger_path: Path, urls: list[str], register: str, quotes: list[str] | None = None
) -> dict[int, str]:
    """A fresh ledger with one claim citing each URL (quoting ``quotes[i]`` if given); returns source id ->
    URL in archive (lease) order."""
    from sqlalchemy import select

    from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord, import_claims
    from factledger.ledger.database import open_ledger
    from factledger.ledger.models import Source
    from factledger.ledger.sources import source_ids_for_urls
    from factledger.ledger.statuses import Stance
    from factledger.ledger.urls import normalize_url

    for suffix in ("", "-wal", "-shm"):
        Path(f"{ledger_path}{suffix}").unlink(missing_ok=True)
    ledger = open_ledger(f"sqlite:///{ledger_path}")
    try:
        normalised = [normalize_url(url) for url in urls]
        records = [
            ClaimRecord(
                text=f"Story {index} on {url.split('/')[2]} says something checkable.",
                evidence=(
                    EvidenceRecord(url=url, stance=Stance.SUPPORTS, quote=quotes[index] if quotes else None),
                ),
            )
            for index, url in enumerate(normalised)
        ]
        with ledger.write() as session:
            if register == "interleaved":
                for url in normalised:  # one at a time, so ids follow the list (round-robin over hosts)
                    source_ids_for_urls(session, [url])
            import_claims(session, ACTOR, records, origin="archive-bench")
        with ledger.read() as session:
            return dict(session.execute(select(Source.id, Source.url).order_by(Source.id)).all())
    finally:
        ledger.close()


@dataclass
class FactledgerResult:
    seconds: float
    summary: dict[str, Any]
    own_cpu_seconds: float  # CPU of the run's own process, its worker processes left out
    vm_hwm_bytes: int  # the child's own peak RSS (VmHWM)
    library_rss_bytes: int  # of which obstore's shared library, mapped (0 with the local store)
    maxrss_bytes: int  # ru_maxrss from wait4 (includes the parent's RSS at fork; see run_factledger)
    cpu_seconds: float
    snapshots: int
    snapshots_200: int
    distinct_sources_200: int
    warc_files: int
    warc_bytes: int
    text_files: int
    text_bytes: int


def run_factledger(
    workdir: Path,
    ledger_path: Path,
    *,
    profile: str | None = None,
    profile_output: Path | None = None,
    store: str | None = None,
) -> FactledgerResult:
    """Run the archive in a fresh interpreter and collect what it reports plus the kernel's rusage.

    The child reads its own VmHWM: ru_maxrss of a child also counts the parent's resident set at the
    moment of fork/exec (the kernel folds the old mm's high-water mark in on exec), VmHWM does not.
    """
    home = workdir / ("home-profile" if profile else "home-s3" if store else "home")
    shutil.rmtree(home, ignore_errors=True)
    config = {"database": f"sqlite:///{ledger_path}", "home": str(home), "store": store}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(config)]
    if profile:
        assert profile_output is not None
        spy = [PY_SPY, "record", "--format", "raw", "--function", "--threads", "--rate", "200"]
        spy += ["--nonblocking", "--output", str(profile_output)]
        if profile == "gil":
            spy.append("--gil")
        command = [*spy, "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the factledger run failed (exit {process.returncode})")
    # py-spy prints its own lines on stdout too; the child's report is the last JSON object.
    report_line = [line for line in output.decode().splitlines() if line.startswith("{")][-1]
    reported = json.loads(report_line)
    counts = snapshot_counts(ledger_path)
    from factledger.archive.capture_store import ArchivePaths, open_store

    stored = open_store(ArchivePaths.under(home, store))
    warcs = [o.size for o in stored.warcs.list() if o.key.endswith(".warc.gz")]
    texts = [o.size for o in stored.texts.objects.list() if o.key.endswith(".txt.gz")]
    return FactledgerResult(
        seconds=reported["seconds"],
        summary=reported["summary"],
        own_cpu_seconds=reported["own_cpu_seconds"],
        vm_hwm_bytes=reported["vm_hwm_bytes"],
        library_rss_bytes=reported.get("library_rss_bytes", 0),
        maxrss_bytes=usage.ru_maxrss * 1024,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        snapshots=counts[0],
        snapshots_200=counts[1],
        distinct_sources_200=counts[2],
        warc_files=len(warcs),
        warc_bytes=sum(warcs),
        text_files=len(texts),
        text_bytes=sum(texts),
    )


def quote_statuses(ledger_path: Path) -> dict[str, int]:
    connection = sqlite3.connect(ledger_path)
    try:
        rows = connection.execute(
            "SELECT quote_status, count(*) FROM evidence WHERE quote IS NOT NULL GROUP BY quote_status"
        ).fetchall()
    finally:
        connection.close()
    return {str(status): int(count) for status, count in rows}


def snapshot_counts(ledger_path: Path) -> tuple[int, int, int]:
    connection = sqlite3.connect(ledger_path)
    try:
        row = connection.execute(
            "SELECT count(*), coalesce(sum(http_status = 200), 0), "
            "count(DISTINCT CASE WHEN http_status = 200 THEN source_id END) FROM snapshots"
        ).fetchone()
    finally:
        connection.close()
    return int(row[0]), int(row[1]), int(row[2])


def child_main(config_json: str) -> int:
    """The measured factledger process: open the ledger, time one archive run, report as JSON on stdout."""
    from factledger.archive.fetch import FetchLimits
    from factledger.archive.runner import ArchivePaths, RunOptions, run_archive
    from factledger.ledger.database import open_ledger
    from factledger.verify.capture import capture_hooks

    config = json.loads(config_json)
    ledger = open_ledger(config["database"])
    try:
        options = RunOptions(
            allow_private=True, fetch=FetchLimits(concurrency=CONCURRENCY, per_host=PER_HOST)
        )
        paths = ArchivePaths.under(Path(config["home"]), config.get("store"))
        # The hooks `factledger archive run` always passes: new texts normalized for quote checks, and
        # the quotes citing each committed group's sources re-verified.
        hooks = capture_hooks(ledger, ACTOR, paths)
        rss_before = proc_status_bytes("VmRSS")
        if config.get("reset_peak"):
            # From here on, VmHWM is the peak of the run alone, not of the imports before it.
            Path("/proc/self/clear_refs").write_text("5")
        start = time.perf_counter()
        summary = asyncio.run(run_archive(ledger, ACTOR, paths, options, hooks=hooks))
        seconds = time.perf_counter() - start
    finally:
        ledger.close()
    own = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "seconds": seconds,
        # The run's own process (event loop, committer, quote checks), without its worker processes.
        "own_cpu_seconds": own.ru_utime + own.ru_stime,
        "summary": summary.as_dict(),
        "vm_hwm_bytes": proc_status_bytes("VmHWM"),
        "rss_before_bytes": rss_before,
        "library_rss_bytes": mapped_rss_bytes("/obstore/"),
    }
    print(json.dumps(report))
    return 0


def mapped_rss_bytes(path_part: str) -> int:
    """Resident bytes of this process's mappings of files whose path contains ``path_part``: the S3
    client's shared library (its code and data pages, shared with every process that loads it)."""
    total, current = 0, ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and not fields[0].endswith(":"):
            current = fields[5] if len(fields) > 5 else ""
        elif fields and fields[0] == "Rss:" and path_part in current:
            total += int(fields[1]) * 1024
    return total


def proc_status_bytes(field: str) -> int:
    """A memory figure of this process from /proc/self/status (VmHWM: peak RSS; VmRSS: RSS now)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_large_response(workdir: Path, url: str) -> tuple[int, dict[str, Any]]:
    """Archive one URL whose body is 1 GiB with no Content-Length, under the default 50 MB cap, in a fresh
    process whose peak RSS is reset just before the run; returns (peak RSS growth, the run's summary)."""
    ledger_path = workdir / "ledger-large.sqlite3"
    prepare_ledger(ledger_path, [url], "import")
    home = workdir / "home-large"
    shutil.rmtree(home, ignore_errors=True)
    config = {"database": f"sqlite:///{ledger_path}", "home": str(home), "reset_peak": True}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(config)]
    output = subprocess.run(command, stdout=subprocess.PIPE, check=True).stdout.decode()
    reported = json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
    return reported["vm_hwm_bytes"] - reported["rss_before_bytes"], reported["summary"]


# ---------------------------------------------------------------- 3. wget


@dataclass
class WgetResult:
    seconds: float
    exit_code: int
    responses_200: int
    warc_bytes: int


def run_wget(workdir: Path, urls_file: Path) -> WgetResult:
    out = workdir / "wget"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [
        WGET,
        f"--warc-file={out / 'capture'}",
        f"--input-file={urls_file}",
        "--execute=robots=off",
        "--no-verbose",
        f"--output-file={out / 'wget.log'}",
        "--delete-after",
        "--no-proxy",
        "--tries=1",
        "--timeout=30",
        f"--directory-prefix={out / 'files'}",
    ]
    start = time.perf_counter()
    completed = subprocess.run(command, check=False, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    warc = out / "capture.warc.gz"
    return WgetResult(seconds, completed.returncode, count_warc_200(warc), warc.stat().st_size)


def count_warc_200(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response" and record.http_headers.get_statuscode() == "200":
                count += 1
    return count


# ---------------------------------------------------------------- py-spy summary


def print_py_spy(raw_path: Path, top: int = 25) -> None:
    """Summarise py-spy's raw (collapsed) stacks: per thread, self time and inclusive time by function."""
    if not raw_path.exists():
        print(f"  (no py-spy output at {raw_path})")
        return
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    roles: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw_path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        # The first frame names the thread: "thread (TID): MainThread", "thread (TID): asyncio_3", ...
        thread_name = frames.pop(0).partition(": ")[2] if frames[0].startswith("thread") else "?"
        if thread_name == "MainThread":
            roles["event loop (MainThread)"] += count
        elif thread_name.startswith("asyncio_"):
            roles["asyncio.to_thread workers"] += count
        else:
            roles[thread_name or "other"] += count
        total += count
        if frames:
            own[frames[-1]] += count
            for frame in set(frames):
                inclusive[frame] += count
    if not total:
        print("  (py-spy recorded no samples)")
        return
    print(
        f"  {total:,} samples; by thread: "
        + ", ".join(f"{r} {c / total:.0%}" for r, c in roles.most_common())
    )
    print(f"  top {top} by self samples (function (file)):")
    for frame, count in own.most_common(top):
        print(f"    {count / total:6.1%}  {frame}")
    print(f"  top {top + 10} by inclusive samples:")
    for frame, count in inclusive.most_common(top + 10):
        print(f"    {count / total:6.1%}  {frame}")


# ---------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:,.1f} MB ({n_bytes / 2**20:,.1f} MiB)"


def filesystem_of(path: Path) -> str:
    best = ("?", "?", "?")
    resolved = str(path.resolve())
    for line in Path("/proc/mounts").read_text().splitlines():
        device, mount, fstype = line.split()[:3]
        if (resolved == mount or resolved.startswith(mount.rstrip("/") + "/")) and len(mount) >= len(best[1]):
            best = (device, mount, fstype)
    return f"{best[2]} on {best[0]} (mounted at {best[1]})"


def machine_lines(workdir: Path) -> list[str]:
    import httpcore
    import httpx

    wget_version = "missing"
    if Path(WGET).exists():
        wget_version = subprocess.run([WGET, "--version"], capture_output=True, text=True).stdout.split("\n")[
            0
        ]
    return [
        f"machine: nproc={os.cpu_count()} ({platform.machine()}, {platform.system()} {platform.release()}), "
        f"Python {platform.python_version()}, httpx {httpx.__version__}, httpcore {httpcore.__version__}, "
        f"SQLite {sqlite3.sqlite_version}, factledger {factledger_version}",
        f"wget: {wget_version}",
        f"work dir filesystem: {filesystem_of(workdir)}",
    ]


def write_urls(path: Path, urls: list[str]) -> None:
    with path.open("w") as out:
        out.writelines(f"{url}\n" for url in urls)


@contextmanager
def running_s3(software: str, workdir: Path) -> Iterator[tuple[str, int | None, str]]:
    """An S3 server on loopback (moto, or SeaweedFS: ``--s3-server``) and a fresh bucket; yields the
    store URL (AWS_* set for children), the server's process id and what the server is."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.s3_server import serve_s3, serve_seaweedfs

    with serve_seaweedfs(workdir) if software == "seaweedfs" else serve_s3() as server:
        yield server.new_bucket("bench"), server.pid, server.software


def s3_rounds(
    args: argparse.Namespace, workdir: Path, urls: list[str], quotes: list[str] | None, rounds: int
) -> list[tuple[float, int, int]]:
    """More rounds of the local run then the S3 run, each on a fresh ledger (and a fresh bucket on the
    same server software); each round's S3 pages/s as a fraction of the local run's, and the two runs'
    peak RSS, printed."""
    fractions = []
    for number in range(2, rounds + 2):
        local_ledger = workdir / f"ledger-round{number}.sqlite3"
        s3_ledger = workdir / f"ledger-round{number}-s3.sqlite3"
        for path in (local_ledger, s3_ledger):
            path.unlink(missing_ok=True)
            prepare_ledger(path, urls, args.register, quotes)
        local = run_factledger(workdir, local_ledger)  # the home of run 2 is read no more: replaced
        with running_s3(args.s3_server, workdir) as (bucket, _, _):
            remote = run_factledger(workdir, s3_ledger, store=bucket)
        fractions.append((local.seconds / remote.seconds, local.vm_hwm_bytes, remote.vm_hwm_bytes))
        print(
            f"  round {number}: local {local.seconds:.2f} s, S3 {remote.seconds:.2f} s: "
            f"S3 at {fractions[-1][0]:.0%} of local pages/s (load {os.getloadavg()[0]:.2f}); peak RSS "
            f"local {mb(local.vm_hwm_bytes)}, S3 {mb(remote.vm_hwm_bytes)}"
        )
    return fractions


def process_cpu_seconds(pid: int) -> float:
    """user + system CPU a process has used so far (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def text_open_ms(ledger_path: Path, home: Path, store: str | None, samples: int = 200) -> float:
    """Median milliseconds to open one capture's full text through the store, as verify and the reader
    do (a fresh store object first, so no client-side cache helps)."""
    import random

    from factledger.archive import reading
    from factledger.archive.capture_store import ArchivePaths, open_store
    from factledger.ledger.database import open_ledger

    connection = sqlite3.connect(ledger_path)
    try:
        ids = [
            row[0] for row in connection.execute("SELECT id FROM snapshots WHERE full_text_ref IS NOT NULL")
        ]
    finally:
        connection.close()
    random.Random(7).shuffle(ids)
    paths = ArchivePaths.under(home, store)
    open_store(paths)  # the client and its connection pool, as in a running reader
    ledger = open_ledger(f"sqlite:///{ledger_path}")
    timings = []
    try:
        for snapshot_id in ids[:samples]:
            snapshot = reading.get_snapshot(ledger, snapshot_id)
            started = time.perf_counter()
            text = reading.snapshot_text(ledger, paths, snapshot, "full")
            timings.append((time.perf_counter() - started) * 1000)
            assert text
    finally:
        ledger.close()
    return statistics.median(timings)


def print_warc_level_effect(home: Path) -> None:
    """What the WARC gzip level costs in bytes: the run's records compressed again at ISA-L's best level
    (not timed). Every record is its own gzip member, so the members are read one by one."""
    from isal import isal_zlib

    from factledger.archive.capture_store import ArchivePaths
    from factledger.archive.warc.build import GZIP_LEVEL

    written = best = 0
    for path in sorted(ArchivePaths.under(home, None).warcs.glob("*.warc.gz")):
        data = path.read_bytes()
        written += len(data)
        while data:
            inflater = isal_zlib.decompressobj(31)
            record = inflater.decompress(data)
            deflater = isal_zlib.compressobj(
                isal_zlib.ISAL_BEST_COMPRESSION, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16
            )
            best += len(deflater.compress(record) + deflater.flush())
            data = inflater.unused_data
    if best:
        print(
            f"    WARC gzip level {GZIP_LEVEL}: {mb(written)}; the same records at level "
            f"{isal_zlib.ISAL_BEST_COMPRESSION} would take {mb(best)} ({written / best - 1:+.1%} for level {GZIP_LEVEL})"
        )


def print_factledger(label: str, result: FactledgerResult, expected: int) -> None:
    rate = expected / result.seconds
    complete = result.distinct_sources_200 == expected
    print(
        f"  {label}: {result.seconds:.2f} s, {rate:,.1f} pages/s, CPU {result.cpu_seconds:.1f} s "
        f"({result.cpu_seconds / result.seconds:.0%} of one core, {result.cpu_seconds / expected * 1000:.2f} ms "
        "per page)"
    )
    print(
        f"    of which the run's own process (event loop, committer, quote checks): {result.own_cpu_seconds:.1f} s, "
        f"{result.own_cpu_seconds / expected * 1000:.2f} ms per page; the rest is its worker processes"
    )
    print(
        f"    snapshots {result.snapshots:,}, with status 200 {result.snapshots_200:,} "
        f"covering {result.distinct_sources_200:,}/{expected:,} sources: {verdict(complete)}"
    )
    print(f"    summary: {json.dumps({k: v for k, v in result.summary.items() if k != 'flagged_claims'})}")
    print(
        f"    WARC: {result.warc_files} file(s), {mb(result.warc_bytes)}; "
        f"text: {result.text_files:,} files, {mb(result.text_bytes)}"
    )
    print(f"    peak RSS (VmHWM of the run's process): {mb(result.vm_hwm_bytes)}")
    if result.library_rss_bytes:
        print(
            f"    of which obstore's shared library (pages mapped from its .so): {mb(result.library_rss_bytes)}"
        )
    print(f"    ru_maxrss from wait4, for reference: {mb(result.maxrss_bytes)}")


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="pages to archive (default 2,000)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the files here and keep them")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument(
        "--register",
        choices=["import", "interleaved"],
        default="import",
        help="how sources enter the ledger: bulk import (ids sorted by URL, so grouped by host; default) "
        "or one by one in URL-list order (round-robin over the hosts)",
    )
    parser.add_argument("--skip-wget", action="store_true", help="leave out wget (it takes ~2 min at 2,000)")
    parser.add_argument(
        "--quotes",
        action="store_true",
        help="each claim's evidence quotes a sentence of its page, so every new text is normalized at capture "
        "and every quote is checked after its commit (the default cites without quotes, as issue 3 sets up)",
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="active",
        choices=["active", "gil"],
        help="afterwards, archive again under py-spy (all active samples, or only those holding the GIL) "
        "and print the hot spots; not part of the timed numbers",
    )
    parser.add_argument(
        "--s3", action="store_true", help="also archive into an S3 store (moto on loopback) and compare"
    )
    parser.add_argument(
        "--s3-server",
        choices=["moto", "seaweedfs"],
        default="moto",
        help="the S3 server for --s3: moto (Python, as in the tests; default) or SeaweedFS (compiled, "
        "pip install '.[bench]'), on the same cores as the archiver either way; printed with its CPU",
    )
    parser.add_argument(
        "--s3-rounds",
        type=int,
        default=1,
        metavar="N",
        help="with --s3: N rounds of a local run then an S3 run, back to back on fresh ledgers; the S3 "
        "fraction is their median (on a shared machine one pair swings with the load)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child)
    n = args.pages
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress when redirected

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        workdir = args.keep
        cleanup: tempfile.TemporaryDirectory[str] | None = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="factledger-archive-bench-")
        workdir = Path(cleanup.name)

    print("factledger archive benchmark")
    for line in machine_lines(workdir):
        print(line)
    hosts, latency = DEFAULT_HOSTS, DEFAULT_LATENCY
    bound = hosts * PER_HOST / latency
    print(
        f"setup: {n:,} pages of ~60 KB over {hosts} hosts (127.0.0.1-127.0.0.{hosts}), {latency * 1000:.0f} ms "
        f"latency per response; concurrency {CONCURRENCY}, per host {PER_HOST}; "
        f"latency bound {hosts} x {PER_HOST} / {latency} s = {bound:,.0f} pages/s"
    )
    print(
        f"files: {workdir}{' (kept)' if args.keep else ' (temporary)'}; sources registered by {args.register}"
        + ("; every evidence quotes its page" if args.quotes else "; evidence without quotes")
    )

    try:
        started = time.perf_counter()
        with running_origin(n, hosts, latency, args.seed) as origin:
            print(
                f"origin ready on port {origin.port} after {time.perf_counter() - started:.1f} s (not timed)"
            )
            urls = [page_url(i, origin.port, hosts) for i in range(n)]
            urls_file = workdir / "urls.txt"
            write_urls(urls_file, urls)

            ledger_path = workdir / "ledger.sqlite3"
            seconds = time.perf_counter()
            quotes = page_quotes(n, args.seed) if args.quotes else None
            order = prepare_ledger(ledger_path, urls, args.register, quotes)
            first = [url.split("/")[2].split(":")[0] for url in list(order.values())[: CONCURRENCY * 2]]
            print(
                f"ledger: {len(order):,} sources registered in {time.perf_counter() - seconds:.1f} s (not timed); "
                f"the first lease batch of {len(first)} spans {len(set(first))} host(s)"
            )

            print("\n1. bare httpx loop (fetch, discard bodies)")
            origin_cpu = origin.cpu_seconds()
            bare = run_bare(urls)
            bare_origin_cpu = origin.cpu_seconds() - origin_cpu
            bare_rate = n / bare.seconds
            print(
                f"  {bare.seconds:.2f} s, {bare_rate:,.1f} pages/s, {bare.ok:,}/{n:,} status 200, "
                f"{mb(bare.body_bytes)} of bodies; client CPU {bare.cpu_seconds:.1f} s "
                f"({bare.cpu_seconds / bare.seconds:.0%} of one core), origin CPU {bare_origin_cpu:.1f} s"
            )

            print("\n2. factledger run_archive (fresh subprocess)")
            origin_cpu = origin.cpu_seconds()
            fl = run_factledger(workdir, ledger_path)
            fl_origin_cpu = origin.cpu_seconds() - origin_cpu
            print_factledger("factledger", fl, n)
            print(f"    origin CPU during the run: {fl_origin_cpu:.1f} s")
            print_warc_level_effect(workdir / "home")
            fl_rate = n / fl.seconds

            s3: FactledgerResult | None = None
            s3_text_ms = local_text_ms = 0.0
            s3_fractions: list[tuple[float, int, int]] = []  # per round: S3/local pages/s, peak RSS of each
            if args.s3:
                print(
                    f"\n4. factledger run_archive into an S3 store ({args.s3_server} on loopback, fresh subprocess)"
                )
                s3_ledger = workdir / "ledger-s3.sqlite3"
                prepare_ledger(s3_ledger, urls, args.register, quotes)
                with running_s3(args.s3_server, workdir) as (bucket, server_pid, software):
                    print(f"  S3 server: {software}, on 127.0.0.1, on the same cores as the archiver")
                    server_cpu = process_cpu_seconds(server_pid) if server_pid else 0.0
                    s3 = run_factledger(workdir, s3_ledger, store=bucket)
                    print_factledger("factledger, S3 store", s3, n)
                    if server_pid:
                        # The server runs on the same cores: its CPU is taken from the archiver's, which
                        # an object store on machines of its own would not take.
                        server_used = process_cpu_seconds(server_pid) - server_cpu
                        print(
                            f"    S3 server ({software}) CPU during the run: {server_used:.1f} s "
                            f"({server_used / s3.seconds:.0%} of one core)"
                        )
                    s3_text_ms = text_open_ms(s3_ledger, workdir / "home-s3", bucket)
                local_text_ms = text_open_ms(ledger_path, workdir / "home", None)
                print(
                    f"    open a capture's text, median of 200: S3 {s3_text_ms:.2f} ms, local {local_text_ms:.2f} ms"
                )
                s3_fractions = [(fl.seconds / s3.seconds, fl.vm_hwm_bytes, s3.vm_hwm_bytes)]
                if args.s3_rounds > 1:
                    s3_fractions += s3_rounds(args, workdir, urls, quotes, args.s3_rounds - 1)

            wget: WgetResult | None = None
            if not args.skip_wget:
                print("\n3. wget --warc-file -i urls.txt")
                origin_cpu = origin.cpu_seconds()
                wget = run_wget(workdir, urls_file)
                print(
                    f"  {wget.seconds:.2f} s, {n / wget.seconds:,.1f} pages/s, exit {wget.exit_code}, "
                    f"{wget.responses_200:,}/{n:,} responses with 200 in its WARC ({mb(wget.warc_bytes)}); "
                    f"origin CPU {origin.cpu_seconds() - origin_cpu:.1f} s"
                )

            large_url = f"http://127.0.0.1:{origin.port}{LARGE_PATH}"
            print(f"\n5. one response of {LARGE_BYTES / 1024**3:g} GiB, no Content-Length ({large_url})")
            large_growth, large_summary = run_large_response(workdir, large_url)
            print(
                f"  peak RSS grew by {mb(large_growth)} during the run; outcome: "
                f"{json.dumps(large_summary['failed_by_kind'] or large_summary['health'])}"
            )

            profile_path: Path | None = None
            if args.profile:
                print(f"\n4. factledger again under py-spy ({args.profile} samples, 200 Hz, not timed)")
                profile_ledger = workdir / "ledger-profile.sqlite3"
                prepare_ledger(profile_ledger, urls, args.register, quotes)
                profile_path = workdir / f"py-spy-{args.profile}.txt"
                profiled = run_factledger(
                    workdir, profile_ledger, profile=args.profile, profile_output=profile_path
                )
                print_factledger("factledger under py-spy", profiled, n)

        print(f"\nresults for {n:,} pages (latency bound {bound:,.0f} pages/s)")
        print(f"  {'client':<34} {'pages/s':>9} {'% of bound':>11}")
        rows = [("bare httpx loop", bare_rate), ("factledger archive run", fl_rate)]
        if s3 is not None:
            rows.append(("factledger archive run, S3 store", n / s3.seconds))
        if wget is not None:
            rows.append(("wget --warc-file", n / wget.seconds))
        for label, rate in rows:
            print(f"  {label:<34} {rate:>9,.1f} {rate / bound:>11.0%}")
        print()
        print(f"  {'target':<44} {'measured':>16}   result")
        if wget is not None:
            wget_rate = n / wget.seconds
            multiple = fl_rate / wget_rate
            print(
                f"  {f'factledger >= {TARGET_WGET_MULTIPLE:g}x wget pages/s':<44} {f'{multiple:,.1f}x':>16}   "
                f"{verdict(multiple >= TARGET_WGET_MULTIPLE)}"
            )
        fraction = fl_rate / bare_rate
        target = TARGET_BARE_FRACTION_QUOTED if args.quotes else TARGET_BARE_FRACTION
        print(
            f"  {f'factledger >= {target:.0%} of bare httpx pages/s':<44} {f'{fraction:.0%}':>16}   "
            f"{verdict(fraction >= target)}"
        )
        peak_mb = fl.vm_hwm_bytes / 1e6
        print(
            f"  {f'peak RSS <= {TARGET_PEAK_RSS_MB:g} MB':<44} {f'{peak_mb:,.1f} MB':>16}   "
            f"{verdict(peak_mb <= TARGET_PEAK_RSS_MB)}"
        )
        stopped = large_summary["failed_by_kind"].get("too_large") == 1
        print(f"  {'1 GiB response: stopped at the cap':<44} {stopped!s:>16}   {verdict(stopped)}")
        growth_mb = large_growth / 1e6
        print(
            f"  {f'  and RSS grew < {TARGET_LARGE_GROWTH_MB:g} MB':<44} {f'{growth_mb:,.1f} MB':>16}   "
            f"{verdict(growth_mb < TARGET_LARGE_GROWTH_MB)}"
        )
        if s3 is not None:
            s3_fraction = statistics.median(pair[0] for pair in s3_fractions)
            which = f" (median of {len(s3_fractions)} rounds)" if len(s3_fractions) > 1 else ""
            print(
                f"  {f'S3 store >= {TARGET_S3_FRACTION:.0%} of local pages/s{which}':<44} {f'{s3_fraction:.0%}':>16}   "
                f"{verdict(s3_fraction >= TARGET_S3_FRACTION)}"
            )
            print(
                f"  {f'text from S3 < {TARGET_S3_TEXT_MS:g} ms (median)':<44} {f'{s3_text_ms:.2f} ms':>16}   "
                f"{verdict(s3_text_ms < TARGET_S3_TEXT_MS)}"
            )
            s3_peak = statistics.median(pair[2] for pair in s3_fractions) / 1e6
            local_peak = statistics.median(pair[1] for pair in s3_fractions) / 1e6
            print(
                f"  {f'S3 worker peak RSS <= local{which}':<44} {f'{s3_peak:,.1f} / {local_peak:,.1f} MB':>16}   "
                f"{verdict(s3_peak <= local_peak)}"
            )
            s3_own = (s3.vm_hwm_bytes - s3.library_rss_bytes) / 1e6
            print(f"  {'  (S3 less obstore library pages, for reference)':<44} {f'{s3_own:,.1f} MB':>16}")
        if quotes is not None:
            statuses = quote_statuses(ledger_path)
            found = statuses.get("found", 0)
            print(f"  {'quotes found after the run':<44} {f'{found:,}/{n:,}':>16}   {verdict(found == n)}")
        complete = fl.distinct_sources_200 == n
        print(
            f"  {'every page archived with status 200':<44} {f'{fl.distinct_sources_200:,}/{n:,}':>16}   {verdict(complete)}"
        )
        if profile_path is not None:
            print(f"\npy-spy hot spots of the factledger run ({profile_path}):")
            print_py_spy(profile_path)
    finally:
        if cleanup is not None:
            cleanup.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
