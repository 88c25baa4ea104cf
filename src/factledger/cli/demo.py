"""`factledger demo`: a fresh demo ledger from the bundled data, an archive pass, then the review TUI.

Everything stays on this machine: the bundled demo source page is served on 127.0.0.1 by the demo
itself, so the archive pass and quote verification run for real without touching the internet.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from factledger.archive.runner import ArchivePaths, RunOptions, run_archive
from factledger.cli.app import AppContext, cli, pass_app
from factledger.cli.ingest import ingest_paths, print_report
from factledger.cli.output import info, plain, stdout
from factledger.config import bundled_data_dir
from factledger.ingest.pipeline import DEFAULT_MIN_SCORE
from factledger.ledger import audit, claims, sources
from factledger.ledger.statuses import Stance
from factledger.verify.capture import capture_hooks

DEMO_SOURCE = "demo-aid-announcement.html"
DEMO_QUOTE = "announced $11.5 million in humanitarian assistance"
DEMO_CLAIM_SEARCH = "11.5 million"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on an ephemeral loopback port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _cite_and_archive(demo: AppContext) -> None:
    ledger = demo.ledger()
    with ledger.read() as session:
        matches = claims.list_claims(session, claims.ClaimFilter(search=DEMO_CLAIM_SEARCH, limit=1))
    if not matches:
        info(f"no claim mentions {DEMO_CLAIM_SEARCH!r}; skipping the archive part of the demo")
        return
    claim_id = matches[0].id
    paths = ArchivePaths.under(demo.settings.home)
    with serve_directory(bundled_data_dir() / "sources") as base_url:
        with ledger.write() as session:
            sources.cite(
                session, demo.actor, claim_id, f"{base_url}/{DEMO_SOURCE}", Stance.SUPPORTS, quote=DEMO_QUOTE
            )
        info(f"claim {claim_id} cites the demo source; archiving it from {base_url} (loopback only)")
        # allow_private: the only source in this fresh ledger is the demo's own loopback server.
        summary = asyncio.run(
            run_archive(
                ledger,
                demo.actor,
                paths,
                RunOptions(allow_private=True),
                hooks=capture_hooks(ledger, demo.actor, paths),
            )
        )
    info(f"archived {summary.attempted} source(s): {summary.ok} ok; WARC files in {paths.warcs}")
    with ledger.read() as session:
        claim = claims.get_claim(session, claim_id)
        [(evidence, _source)] = sources.evidence_for_claim(session, claim_id)
    stdout.print(plain(f"claim {claim_id}: {claim.text}"))
    stdout.print(plain(f"  quote {DEMO_QUOTE!r}: {evidence.quote_status}"))
    stdout.print(plain(f"  suggested verdict: {claim.suggested_status} ({claim.suggestion_reason})"))
    stdout.print(plain(f"  accept it with: factledger --home {demo.settings.home} claims accept {claim_id}"))


@cli.command()
@click.option(
    "--no-review", is_flag=True, help="Print the summary and exit instead of opening the review TUI."
)
@pass_app
def demo(app: AppContext, no_review: bool) -> None:
    """Build a fresh demo ledger from the bundled articles, archive a source, and show the result."""
    # The demo never touches the configured ledger: it rebuilds its own home under the given one.
    demo_home = app.settings.home / "demo"
    shutil.rmtree(demo_home, ignore_errors=True)
    demo_app = AppContext(
        settings=replace(
            app.settings, home=demo_home, database_url=f"sqlite:///{demo_home / 'ledger.sqlite3'}"
        )
    )
    try:
        articles = sorted(str(p) for p in (bundled_data_dir() / "articles").iterdir() if p.is_file())
        info(f"building a fresh demo ledger in {demo_home} from {len(articles)} bundled article(s)")
        for summary in ingest_paths(demo_app, articles, DEFAULT_MIN_SCORE):
            print_report(summary)
        _cite_and_archive(demo_app)
        with demo_app.ledger().read() as session:
            counts = claims.count_claims_by_status(session)
            report = audit.verify_chain(session)
        stdout.print(plain(f"claims by status: {counts}"))
        stdout.print(
            plain(f"audit log: {report.events_checked} events, {'intact' if report.ok else report.problem}")
        )
        stdout.print(plain(f"explore it: factledger --home {demo_home} claims list"))
        if not no_review:
            _review(demo_app)
    finally:
        demo_app.close()


def _review(demo: AppContext) -> None:
    if not (sys.stdin.isatty() and sys.__stderr__ is not None and sys.__stderr__.isatty()):
        info("not on a terminal: skipping the review TUI (run `factledger review` on a terminal)")
        return
    from factledger.cli.review import run_review

    run_review(demo)
