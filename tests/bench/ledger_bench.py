"""Ledger benchmark: bulk JSONL import, `claims list` latency and bytes per claim on SQLite.

Run it directly (pytest does not collect it):

    .venv/bin/python tests/bench/ledger_bench.py [--claims N] [--keep DIR] [--profile]

It writes a JSONL file of N claims (2 evidence each, 0.3N distinct source URLs), then imports it twice:
once through factledger exactly as `factledger import jsonl FILE` does (read_jsonl -> import_claims inside
Ledger.write()), then twice with plain sqlite3 `executemany` (the baselines: the same bytes parsed, the same
rows stored, none of factledger's validation, dedup, audit log or ORM):
- the plain-table baseline, three tables with the same columns and no index or search table: the baseline
  issue 16 names ("a bare sqlite3 executemany of the same rows into three plain tables"); its import target,
  >= 0.35 of this baseline's rate, is judged against it;
- the indexed baseline, the same tables with factledger's indexes of migration 0001 and an FTS5 table
  rebuilt at the end, which the query latencies and the space breakdown compare against.
Every factledger number is printed beside its baselines, measured in this process.
It is a benchmark, not a test: targets print PASS/FAIL and the exit code is 0 either way.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import os
import platform
import pstats
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy

from factledger.exchange.jsonl import read_jsonl
from factledger.ledger.bulk.claim_import import import_claims
from factledger.ledger.claims import ClaimFilter, list_claims
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.statuses import ClaimStatus

TARGET_IMPORT_CLAIMS_PER_S = 20_000
TARGET_LIST_MS = 300.0
# Issue 16: at most 1,200 bytes a claim, all files (main + -wal + -shm) after a checkpoint, and an import
# at least 0.35 as fast as the plain sqlite3 baseline of the same run.
TARGET_BYTES_PER_CLAIM = 1200
TARGET_IMPORT_BASELINE_RATIO = 0.35
ACTOR = "bench"
QUERY_WARMUP_RUNS = 2
QUERY_TIMED_RUNS = 9
BASELINE_BATCH = 2000  # rows per executemany, the same chunk size factledger's import uses

# ---------------------------------------------------------------- synthetic data

# Ranked most frequent first; the Zipf weights below give rank 1 ("the") ~9% of all words, so it is in
# most claims, while a word around rank 250 is in slightly under 1% of them.
FUNCTION_WORDS = str.split("""
the of and to in a is that for on was with as by at from it are be has have this were not but
their its more than had been which an or they who all after over about last per one new would will
year said two most every since between under into out up only also could than three those there
these while during because before when many nearly almost about against among four five each
""")
NEWS_WORDS = str.split("""
government tax taxes percent million billion people state city country president minister senator
budget jobs unemployment inflation crime police school schools students teachers hospital health
vaccine vaccines doctors nurses patients wages workers economy growth prices housing rent homes
energy oil gas electricity climate emissions carbon coal wind solar water drought flood farmers
immigration border migrants refugees asylum election voters ballots turnout polls campaign party
congress parliament council mayor governor court judge law laws bill rules ban funding spending deficit
debt interest rates bank banks loans mortgage pension pensions benefits welfare poverty income
families children women men youth elderly deaths cases infections murders shootings arrests prison
prisons sentences fraud corruption contracts companies profits exports imports trade tariffs factories
manufacturing industry farms food fuel transport roads rail trains buses airport flights traffic
accidents safety military troops soldiers army navy defence weapons war attacks terrorism security
internet broadband phones data privacy science research universities tuition graduates degrees
doubled tripled halved increased decreased rose fell dropped climbed grew shrank cut raised lowered
highest lowest record largest smallest fastest slowest worst best average median total annual monthly
weekly daily national federal regional local rural urban public private foreign domestic official
officials report reports survey study studies figures statistics census agency department ministry
spent paid received lost gained created destroyed built closed opened promised claimed announced
""")
SYLLABLES = str.split("""
ba be bi bo bu da de di do du fa fe fi fo ga ge go ka ke ki ko ku la le li lo lu ma me mi mo mu na
ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zo an en
in on ar er or al el il ol ex ul am em im om st tr pr br cr dr gr pl cl fl gl sl
""")
FIRST_NAMES = str.split("""
Alex Maria John Fatima Wei Olga Pedro Amara Liam Sofia Noah Aisha James Elena David Priya Carlos
Hannah Ahmed Lucia Peter Mei Samuel Ingrid Omar Chloe Daniel Yuki Robert Leila Thomas Grace Ivan
Nadia Michael Rosa Kwame Julia Mark Anna George Zara Paul Sara Victor Ines Hugo Eva Felix Nina
""")
LAST_NAMES = str.split("""
Smith Garcia Chen Okafor Novak Silva Johnson Kowalski Nguyen Muller Rossi Haddad Tanaka Brown Patel
Ivanova Martin Jensen Lopez Mensah Schmidt Costa Kim Dubois Larsen Moreau Wilson Khan Hughes Ortiz
Fischer Park Adeyemi Walker Romano Berg Nakamura Clarke Reyes Sato Murphy Lindqvist Mbeki Hall
""")
DOMAIN_SUFFIXES = ["times", "post", "herald", "daily", "wire", "check", "stats", "report"]
TLDS = ["com", "org", "net", "co.uk", "de", "fr", "gov", "edu", "info", "news"]
SECTIONS = ["news", "politics", "economy", "health", "world", "local", "science", "opinion", "data"]
STATUSES = [
    ("unreviewed", 85),
    ("in_review", 5),
    ("supported", 4),
    ("refuted", 3),
    ("mixed", 2),
    ("unverifiable", 1),
]
STANCES = [("supports", 45), ("refutes", 30), ("context", 25)]
MID_FREQUENCY_RANK = 250  # a real word in ~0.8% of claims: several thousand matches at 1M claims
COMMON_WORD = "the"


def build_vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    words = list(dict.fromkeys(FUNCTION_WORDS + NEWS_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def pick_mid_frequency_word(vocabulary: list[str]) -> str:
    """A real news word near MID_FREQUENCY_RANK that is no other word's prefix (FTS queries are prefix
    queries, so "rate" would also find "rates")."""
    real = set(FUNCTION_WORDS + NEWS_WORDS)
    for word in (w for w in vocabulary[MID_FREQUENCY_RANK:] if w in real):
        if not any(other != word and other.startswith(word) for other in vocabulary):
            return word
    raise AssertionError("no suitable search word")


class Generator:
    def __init__(self, n_claims: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocabulary = build_vocabulary(self.rng)
        weights = [1.0 / rank for rank in range(1, len(self.vocabulary) + 1)]
        self.cum_weights = list(_accumulate(weights))
        self.n_sources = max(1, int(n_claims * 0.3))
        self.urls = self._urls()
        self.statuses, self.status_cum = _weighted(STATUSES)
        self.stances, self.stance_cum = _weighted(STANCES)
        self.speakers = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]

    def _words(self, k: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self.cum_weights, k=k)

    def _urls(self) -> list[str]:
        rng = self.rng
        stems = NEWS_WORDS[:120]
        domains = sorted(
            {f"{rng.choice(stems)}{rng.choice(DOMAIN_SUFFIXES)}.{rng.choice(TLDS)}" for _ in range(600)}
        )
        urls = []
        for index in range(self.n_sources):
            slug = "-".join(self._words(rng.randint(3, 6)))
            urls.append(
                f"https://www.{rng.choice(domains)}/{rng.choice(SECTIONS)}/{rng.randint(2012, 2025)}/"
                f"{rng.randint(1, 12):02d}/{slug}-{index}"
            )
        return urls

    def _number(self) -> str:
        rng = self.rng
        kind = rng.randrange(6)
        if kind == 0:
            return f"{rng.randint(2, 99)} percent"
        if kind == 1:
            return f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}"
        if kind == 2:
            return f"${rng.randint(1, 900)} million"
        if kind == 3:
            return f"in {rng.randint(1990, 2025)}"
        if kind == 4:
            return f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%"
        return f"{rng.randint(2, 40)} times"

    def _sentence(self, low: int, high: int, numbers: int) -> str:
        target = self.rng.randint(low, high)
        words = self._words(40)
        for _ in range(numbers):
            words.insert(self.rng.randrange(2, 12), self._number())
        text = ""
        for word in words:
            candidate = f"{text} {word}" if text else word
            if len(candidate) > target:
                break
            text = candidate
        return text

    def claim_text(self) -> str:
        body = self._sentence(100, 158, numbers=self.rng.randint(1, 2))
        return body[0].upper() + body[1:] + "."

    def claim(self, index: int, text: str) -> dict[str, Any]:
        rng = self.rng
        record: dict[str, Any] = {"text": text}
        if rng.random() < 0.9:
            record["speaker"] = rng.choice(self.speakers)
        if rng.random() < 0.95:
            record["date"] = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        record["status"] = rng.choices(self.statuses, cum_weights=self.status_cum)[0]
        # The first link walks the URL list so every one of the 0.3N sources is cited at least once.
        first = index % self.n_sources
        second = rng.randrange(self.n_sources)
        if second == first and self.n_sources > 1:
            second = (second + 1) % self.n_sources
        record["evidence"] = [
            {
                "url": self.urls[url_index],
                "stance": rng.choices(self.stances, cum_weights=self.stance_cum)[0],
                "quote": self._sentence(40, 80, numbers=rng.randint(0, 1)),
            }
            for url_index in (first, second)
        ]
        return record


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def _weighted(pairs: list[tuple[str, int]]) -> tuple[list[str], list[float]]:
    return [name for name, _ in pairs], list(_accumulate([float(w) for _, w in pairs]))


def generate_jsonl(path: Path, n_claims: int, seed: int) -> Generator:
    generator = Generator(n_claims, seed)
    seen: set[int] = set()
    with path.open("w", encoding="utf-8") as stream:
        for index in range(n_claims):
            while True:
                text = generator.claim_text()
                key = hash(text.casefold().rstrip("."))
                if key not in seen:
                    seen.add(key)
                    break
            stream.write(json.dumps(generator.claim(index, text), ensure_ascii=False))
            stream.write("\n")
    return generator


# ---------------------------------------------------------------- factledger side


def factledger_import(ledger: Ledger, path: Path) -> dict[str, int]:
    """What `factledger import jsonl PATH` does once the ledger is open (cli.import_command)."""
    with path.open("rb") as stream, ledger.write() as session:
        stats = import_claims(session, ACTOR, read_jsonl(stream), origin=f"import jsonl {path.name}")
    return stats.as_dict()


def factledger_list(ledger: Ledger, criteria: ClaimFilter) -> int:
    """What `factledger claims list` does once the ledger is open, minus rendering."""
    with ledger.read() as session:
        return len(list_claims(session, criteria))


def checkpoint(db_path: Path) -> None:
    connection = sqlite3.connect(db_path)
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            print(
                f"  warning: checkpoint of {db_path.name} was blocked by another connection", file=sys.stderr
            )
    finally:
        connection.close()


def files_size(db_path: Path) -> int:
    return sum(
        p.stat().st_size for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")) if p.exists()
    )


def space_by_object(db_path: Path) -> list[tuple[str, int]]:
    connection = sqlite3.connect(db_path)
    try:
        rows = connection.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        rows = []
    finally:
        connection.close()
    return [(name, int(size)) for name, size in rows]


def row_counts(db_path: Path, tables: list[str]) -> dict[str, int]:
    connection = sqlite3.connect(db_path)
    try:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        connection.close()


# ---------------------------------------------------------------- baseline side

# The columns and indexes of factledger's claims, sources and evidence tables (migration 0001), with an
# FTS5 external-content table like factledger's; no events/audit tables, no triggers. Kept as 0001 had
# them (a full text_hash index, FTS column sizes) when migration 0013 made factledger's leaner, so
# ratios stay comparable with earlier runs.
BASELINE_SCHEMA = """
CREATE TABLE sources (
    id INTEGER PRIMARY KEY, url VARCHAR(2048) NOT NULL UNIQUE, final_url VARCHAR(2048),
    domain VARCHAR(255) NOT NULL, title VARCHAR(500), health VARCHAR(16) NOT NULL, health_reason TEXT,
    last_checked_at DATETIME, next_check_at DATETIME, consecutive_failures INTEGER NOT NULL,
    lease_owner VARCHAR(200), lease_expires_at DATETIME, created_at DATETIME NOT NULL);
CREATE INDEX ix_sources_domain ON sources (domain);
CREATE INDEX ix_sources_next_check_at ON sources (next_check_at);
CREATE TABLE claims (
    id INTEGER PRIMARY KEY, text TEXT NOT NULL, text_hash VARCHAR(64) NOT NULL, document_id INTEGER,
    span_start INTEGER, span_end INTEGER, speaker VARCHAR(200), dates JSON, score FLOAT, score_reasons JSON,
    status VARCHAR(16) NOT NULL, rationale TEXT, assignee VARCHAR(100), needs_review BOOLEAN NOT NULL,
    needs_review_reason TEXT, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,
    version INTEGER NOT NULL);
CREATE INDEX ix_claims_document_id ON claims (document_id);
CREATE INDEX ix_claims_status_id ON claims (status, id);
CREATE INDEX ix_claims_text_hash ON claims (text_hash);
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY, claim_id INTEGER NOT NULL REFERENCES claims (id),
    source_id INTEGER NOT NULL REFERENCES sources (id), stance VARCHAR(16) NOT NULL, quote TEXT, note TEXT,
    quote_status VARCHAR(16) NOT NULL, quote_score FLOAT, quote_snapshot_id INTEGER, quote_start INTEGER,
    quote_end INTEGER, added_by VARCHAR(100) NOT NULL, added_at DATETIME NOT NULL);
CREATE INDEX ix_evidence_claim_id ON evidence (claim_id);
CREATE INDEX ix_evidence_source_id ON evidence (source_id);
CREATE VIRTUAL TABLE claims_fts USING fts5(
    text, content='claims', content_rowid='id', tokenize='unicode61 remove_diacritics 0');
"""


def baseline_connect(db_path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(db_path, isolation_level=None)
    # The pragmas factledger sets on every connection (database.py).
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


# The plain-table baseline: BASELINE_SCHEMA's three tables alone (their primary keys and the sources.url
# UNIQUE constraint, which the dedup of URLs needs), no secondary index, no search table.
PLAIN_BASELINE_SCHEMA = ";\n".join(
    statement for statement in BASELINE_SCHEMA.split(";") if statement.strip().startswith("CREATE TABLE")
)


def baseline_create(db_path: Path, *, plain: bool = False) -> None:
    connection = baseline_connect(db_path)
    connection.executescript(PLAIN_BASELINE_SCHEMA if plain else BASELINE_SCHEMA)
    connection.close()


def baseline_import(db_path: Path, jsonl_path: Path, *, search_table: bool = True) -> dict[str, int]:
    """json.loads every line and executemany the same rows, in one transaction; FTS built in bulk at the
    end when ``search_table`` (the indexed baseline), none for the plain-table baseline."""
    connection = baseline_connect(db_path)
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    source_ids: dict[str, int] = {}
    claim_rows: list[tuple[Any, ...]] = []
    source_rows: list[tuple[Any, ...]] = []
    evidence_rows: list[tuple[Any, ...]] = []
    claim_id = evidence_id = 0
    counts = {"claims": 0, "sources": 0, "evidence": 0}

    def flush() -> None:
        connection.executemany(
            "INSERT INTO claims VALUES (?,?,?,NULL,NULL,NULL,?,?,NULL,NULL,?,NULL,NULL,0,NULL,?,?,1)",
            claim_rows,
        )
        connection.executemany(
            "INSERT INTO sources VALUES (?,?,NULL,?,NULL,'unknown',NULL,NULL,?,0,NULL,NULL,?)", source_rows
        )
        connection.executemany(
            "INSERT INTO evidence VALUES (?,?,?,?,?,NULL,'unchecked',NULL,NULL,NULL,NULL,?,?)", evidence_rows
        )
        counts["claims"] += len(claim_rows)
        counts["sources"] += len(source_rows)
        counts["evidence"] += len(evidence_rows)
        claim_rows.clear()
        source_rows.clear()
        evidence_rows.clear()

    connection.execute("BEGIN IMMEDIATE")
    with jsonl_path.open("rb") as stream:
        for raw in stream:
            record = json.loads(raw)
            claim_id += 1
            text = record["text"]
            date = record.get("date")
            claim_rows.append(
                (
                    claim_id,
                    text,
                    hashlib.sha256(text.encode()).hexdigest(),
                    record.get("speaker"),
                    f'["{date}"]' if date else None,
                    record.get("status", "unreviewed"),
                    now,
                    now,
                )
            )
            for item in record.get("evidence", ()):
                url = item["url"]
                source_id = source_ids.get(url)
                if source_id is None:
                    source_id = source_ids[url] = len(source_ids) + 1
                    source_rows.append((source_id, url, url.split("/", 3)[2], now, now))
                evidence_id += 1
                evidence_rows.append(
                    (evidence_id, claim_id, source_id, item["stance"], item.get("quote"), ACTOR, now)
                )
            if len(claim_rows) >= BASELINE_BATCH:
                flush()
    flush()
    if search_table:
        connection.execute("INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')")
    connection.execute("COMMIT")
    connection.close()
    return counts


BASELINE_STATUS_SQL = "SELECT * FROM claims WHERE status = ? ORDER BY id LIMIT 50"
BASELINE_FTS_SQL = (
    "SELECT claims.* FROM claims_fts JOIN claims ON claims.id = claims_fts.rowid "
    "WHERE claims_fts MATCH ? ORDER BY claims_fts.rowid LIMIT 50"
)
# `claims list --status unreviewed --search WORD`: both filters at once.
BASELINE_STATUS_FTS_SQL = (
    "SELECT claims.* FROM claims_fts JOIN claims ON claims.id = claims_fts.rowid "
    "WHERE claims_fts MATCH ? AND claims.status = 'unreviewed' ORDER BY claims_fts.rowid LIMIT 50"
)
BASELINE_LIKE_SQL = "SELECT * FROM claims WHERE text LIKE ? ORDER BY id LIMIT 50"


def baseline_query(connection: sqlite3.Connection, sql: str, parameter: str) -> int:
    return len(connection.execute(sql, (parameter,)).fetchall())


# ---------------------------------------------------------------- measurement helpers


def median_ms(run: Callable[[], int], runs: int = QUERY_TIMED_RUNS) -> tuple[float, int]:
    for _ in range(QUERY_WARMUP_RUNS):
        rows = run()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), rows


LAST_CPU_SECONDS: list[float] = [
    0.0
]  # CPU time of the last timed() action: steadier than wall time under load


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = action()
    LAST_CPU_SECONDS[0] = time.process_time() - cpu_start
    return time.perf_counter() - start, result


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def mib(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.1f} MiB"


def machine_line() -> str:
    return (
        f"machine: nproc={os.cpu_count()} ({platform.machine()}, {platform.system()} {platform.release()}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} (sqlite3 module), "
        f"SQLAlchemy {sqlalchemy.__version__}"
    )


@dataclass
class Row:
    label: str
    factledger: float
    baseline: float
    unit: str
    target: str
    ok: bool
    ratio_note: str = ""


def print_rows(rows: list[Row]) -> None:
    print(f"  {'metric':<42} {'factledger':>14} {'baseline':>14} {'fl/base':>8}   {'target':<20} result")
    for row in rows:
        ratio = row.factledger / row.baseline if row.baseline else float("nan")
        fl = f"{row.factledger:,.1f} {row.unit}" if row.unit != "claims/s" else f"{row.factledger:,.0f}"
        base = f"{row.baseline:,.1f} {row.unit}" if row.unit != "claims/s" else f"{row.baseline:,.0f}"
        print(f"  {row.label:<42} {fl:>14} {base:>14} {ratio:>8.2f}   {row.target:<20} {verdict(row.ok)}")


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--claims", type=int, default=1_000_000, help="claims to generate (default 1,000,000)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="write the files here and keep them (a later run with the same --claims and --seed reuses "
        "the JSONL file)",
    )
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the factledger import under cProfile and print the hot spots "
        "(slows the import; its claims/s is then not comparable)",
    )
    args = parser.parse_args(argv)
    n = args.claims
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress when redirected

    print("factledger ledger benchmark")
    print(machine_line())
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        workdir = args.keep
        cleanup: tempfile.TemporaryDirectory[str] | None = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="factledger-bench-")
        workdir = Path(cleanup.name)
    jsonl_path = workdir / "claims.jsonl"
    # What the kept JSONL was generated with: a later run with the same ones reuses it. (The file's name
    # is in every imported event's origin, so it stays the same whatever the size.)
    jsonl_params = workdir / "claims.jsonl.params"
    reuse = bool(args.keep) and jsonl_path.exists() and jsonl_params.exists()
    reuse = reuse and jsonl_params.read_text(encoding="utf-8") == f"{n} {args.seed}"
    ledger_path = workdir / "ledger.sqlite3"
    baseline_path = workdir / "baseline.sqlite3"
    plain_path = workdir / "baseline-plain.sqlite3"
    for stale in (ledger_path, baseline_path, plain_path):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{stale}{suffix}").unlink(missing_ok=True)
    print(f"files: {workdir}{' (kept)' if args.keep else ' (temporary)'}")

    try:
        if reuse:
            # Generation is deterministic for a size and seed: only the vocabulary is needed again.
            seconds, generator = timed(lambda: Generator(n, args.seed))
        else:
            jsonl_params.unlink(missing_ok=True)
            seconds, generator = timed(lambda: generate_jsonl(jsonl_path, n, args.seed))
            jsonl_params.write_text(f"{n} {args.seed}", encoding="utf-8")
        mid_word = pick_mid_frequency_word(generator.vocabulary)
        print(
            f"generated {n:,} claims, {2 * n:,} evidence links, {generator.n_sources:,} source URLs: "
            f"{mib(jsonl_path.stat().st_size)} of JSONL in {seconds:.1f} s (not timed)"
        )

        # factledger: open (creating the schema, as the CLI's open_ledger does) outside the timing.
        url = f"sqlite:///{ledger_path}"
        open_seconds, ledger = timed(lambda: open_ledger(url))
        try:
            if args.profile:
                profiler = cProfile.Profile()
                fl_seconds, fl_stats = timed(lambda: profiler.runcall(factledger_import, ledger, jsonl_path))
            else:
                fl_seconds, fl_stats = timed(lambda: factledger_import(ledger, jsonl_path))
            fl_cpu = LAST_CPU_SECONDS[0]
            print(
                f"factledger import: {fl_stats} in {fl_seconds:.1f} s ({fl_cpu:.1f} s CPU)"
                f"{' (under cProfile)' if args.profile else ''}"
            )
            if args.profile:
                print_profile(profiler)

            baseline_create(baseline_path)
            base_seconds, base_counts = timed(lambda: baseline_import(baseline_path, jsonl_path))
            base_cpu = LAST_CPU_SECONDS[0]
            print(
                f"indexed baseline import: {base_counts} in {base_seconds:.1f} s ({base_cpu:.1f} s CPU); "
                f"CPU ratio baseline/factledger {base_cpu / fl_cpu:.2f}, load average {os.getloadavg()[0]:.2f}"
            )
            baseline_create(plain_path, plain=True)
            plain_seconds, plain_counts = timed(
                lambda: baseline_import(plain_path, jsonl_path, search_table=False)
            )
            plain_cpu = LAST_CPU_SECONDS[0]
            print(
                f"plain-table baseline import: {plain_counts} in {plain_seconds:.1f} s ({plain_cpu:.1f} s CPU); "
                f"CPU ratio baseline/factledger {plain_cpu / fl_cpu:.2f}, load average {os.getloadavg()[0]:.2f}"
            )

            checkpoint(ledger_path)
            checkpoint(baseline_path)
            fl_bytes, base_bytes = files_size(ledger_path), files_size(baseline_path)

            status_filter = ClaimFilter(status=ClaimStatus.UNREVIEWED, limit=50)
            fl_status_ms, fl_status_rows = median_ms(lambda: factledger_list(ledger, status_filter))
            fl_search: dict[str, tuple[float, int]] = {}
            for word in (mid_word, COMMON_WORD):
                criteria = ClaimFilter(search=word, limit=50)
                fl_search[word] = median_ms(partial(factledger_list, ledger, criteria))
            both = ClaimFilter(status=ClaimStatus.UNREVIEWED, search=COMMON_WORD, limit=50)
            fl_both_ms, _ = median_ms(partial(factledger_list, ledger, both))
        finally:
            ledger.close()

        base_connection = baseline_connect(baseline_path)
        base_status_ms, base_status_rows = median_ms(
            lambda: baseline_query(base_connection, BASELINE_STATUS_SQL, "unreviewed")
        )
        base_fts = {
            w: median_ms(partial(baseline_query, base_connection, BASELINE_FTS_SQL, f'"{w}"*'))
            for w in (mid_word, COMMON_WORD)
        }
        base_both_ms, _ = median_ms(
            partial(baseline_query, base_connection, BASELINE_STATUS_FTS_SQL, f'"{COMMON_WORD}"*')
        )
        base_like = {
            w: median_ms(partial(baseline_query, base_connection, BASELINE_LIKE_SQL, f"%{w}%"), 3)
            for w in (mid_word, COMMON_WORD)
        }
        matches = {
            w: base_connection.execute(
                "SELECT count(*) FROM claims_fts WHERE claims_fts MATCH ?", (f'"{w}"*',)
            ).fetchone()[0]
            for w in (mid_word, COMMON_WORD)
        }
        base_connection.close()

        fl_rate, base_rate, plain_rate = n / fl_seconds, n / base_seconds, n / plain_seconds
        print()
        print(
            f"results for {n:,} claims (query latency: median of {QUERY_TIMED_RUNS} warm runs; "
            "search baseline = FTS5 external-content table in the baseline file, same prefix query)"
        )
        rows = [
            Row(
                "import jsonl (claims/s; indexed baseline)",
                fl_rate,
                base_rate,
                "claims/s",
                f">= {TARGET_IMPORT_CLAIMS_PER_S:,}/s",
                fl_rate >= TARGET_IMPORT_CLAIMS_PER_S,
            ),
            Row(
                "import, share of the plain-table baseline",
                fl_rate,
                plain_rate,
                "claims/s",
                f">= {TARGET_IMPORT_BASELINE_RATIO:.2f} x",
                fl_rate / plain_rate >= TARGET_IMPORT_BASELINE_RATIO,
            ),
            Row(
                "claims list --status unreviewed",
                fl_status_ms,
                base_status_ms,
                "ms",
                f"< {TARGET_LIST_MS:.0f} ms",
                fl_status_ms < TARGET_LIST_MS,
            ),
        ]
        for word, label in ((mid_word, "mid"), (COMMON_WORD, "common")):
            fl_ms, _ = fl_search[word]
            rows.append(
                Row(
                    f"claims list --search {word} ({label})",
                    fl_ms,
                    base_fts[word][0],
                    "ms",
                    f"< {TARGET_LIST_MS:.0f} ms",
                    fl_ms < TARGET_LIST_MS,
                )
            )
        rows.append(
            Row(
                f"--status unreviewed --search {COMMON_WORD} (extra)",
                fl_both_ms,
                base_both_ms,
                "ms",
                f"< {TARGET_LIST_MS:.0f} ms",
                fl_both_ms < TARGET_LIST_MS,
            )
        )
        fl_per_claim, base_per_claim = fl_bytes / n, base_bytes / n
        rows.append(
            Row(
                "ledger size (bytes/claim, all-in)",
                fl_per_claim,
                base_per_claim,
                "B",
                f"<= {TARGET_BYTES_PER_CLAIM:,} B",
                fl_per_claim <= TARGET_BYTES_PER_CLAIM,
            )
        )
        print_rows(rows)

        print()
        print("details")
        print(
            f"  import wall time: factledger {fl_seconds:.2f} s, indexed baseline {base_seconds:.2f} s, "
            f"plain-table baseline {plain_seconds:.2f} s "
            f"(schema creation excluded; open_ledger on an empty file took {open_seconds * 1000:.0f} ms)"
        )
        print(
            f"  rows returned: status {fl_status_rows}/{base_status_rows}, "
            + ", ".join(f"search {w} {fl_search[w][1]}/{base_fts[w][1]}" for w in fl_search)
            + " (factledger/baseline)"
        )
        print(
            "  search matches (FTS prefix query): "
            + ", ".join(f"{w!r} {matches[w]:,} claims ({matches[w] / n:.1%})" for w in matches)
        )
        print(
            "  baseline LIKE '%word%' full scan instead of FTS: "
            + ", ".join(f"{w} {ms:,.1f} ms" for w, (ms, _) in base_like.items())
        )
        print(
            f"  file sizes after checkpoint: factledger {mib(fl_bytes)} ({fl_bytes:,} B), "
            f"baseline {mib(base_bytes)} ({base_bytes:,} B), JSONL input {mib(jsonl_path.stat().st_size)}"
        )
        counts = row_counts(ledger_path, ["claims", "sources", "evidence", "events"])
        print("  factledger rows: " + ", ".join(f"{t} {c:,}" for t, c in counts.items()))
        print_space(ledger_path, baseline_path, n)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(f"  peak RSS of this process: {peak:,.0f} MiB")
    finally:
        if cleanup is not None:
            cleanup.cleanup()
    return 0


def print_space(ledger_path: Path, baseline_path: Path, n: int) -> None:
    fl_space = dict(space_by_object(ledger_path))
    base_space = dict(space_by_object(baseline_path))
    if not fl_space:
        return
    print("  space by table/index, bytes per claim (dbstat):")
    print(f"    {'object':<34} {'factledger':>11} {'baseline':>11}")
    for name in sorted(set(fl_space) | set(base_space), key=lambda k: -fl_space.get(k, 0)):
        fl, base = fl_space.get(name, 0) / n, base_space.get(name, 0) / n
        if fl >= 1 or base >= 1:
            print(f"    {name:<34} {fl:>11.1f} {base:>11.1f}")


def print_profile(profiler: cProfile.Profile) -> None:
    for order, count in (("tottime", 30), ("cumulative", 40)):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.strip_dirs().sort_stats(order).print_stats(count)
        text = buffer.getvalue()
        start = text.find("   ncalls")
        print(f"\ncProfile of the factledger import, top {count} by {order}:")
        print(text[start:].rstrip() if start >= 0 else text.rstrip())
    print()


if __name__ == "__main__":
    raise SystemExit(main())
