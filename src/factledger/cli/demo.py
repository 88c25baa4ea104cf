"""`factledger demo`: a fresh demo ledger from the bundled data, an archive pass, then the review TUI.

Everything stays on this machine: the bundled demo source page is served on 127.0.0.1 by the demo
itself, so the archive pass and quote verification run for real without touching the internet.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from factledger.app import claims, review
from factledger.app.capture import archive_due
from factledger.app.ingest import ingest
from factledger.archive.runner import ArchivePaths, RunOptions
from factledger.cli.app import AppContext, cli, pass_app
from factledger.cli.output import info, plain, stdout
from factledger.cli.reports import ingest_summary, print_ingest_report
from factledger.config import bundled_data_dir
from factledger.ingest.pipeline import DEFAULT_MIN_SCORE
from factledger.ledger.statuses import Stance
from factledger.tui.launch import on_a_terminal, run_review

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
    matches = claims.list_claims(ledger, claims.ClaimFilter(search=DEMO_CLAIM_SEARCH, limit=1))
    if not matches:
        info(f"no claim mentions {DEMO_CLAIM_SEARCH!r}; skipping the archive part of the demo")
        return
    claim_id = matches[0]["id"]
    paths = ArchivePaths.under(demo.settings.home)
    with serve_directory(bundled_data_dir() / "sources") as base_url:
        review.cite(
            ledger, demo.actor, claim_id, f"{base_url}/{DEMO_SOURCE}", Stance.SUPPORTS, quote=DEMO_QUOTE
        )
        info(f"claim {claim_id} cites the demo source; archiving it from {base_url} (loopback only)")
        # allow_private: the only source in this fresh ledger is the demo's own loopback server.
        summary = archive_due(ledger, demo.actor, paths, RunOptions(allow_private=True))
    info(f"archived {summary.attempted} source(s): {summary.ok} ok; WARC files in {paths.warcs}")
    claim = claims.show_claim(ledger, claim_id)
    [evidence] = claim["evidence"]
    stdout.print(plain(f"claim {claim_id}: {claim['text']}"))
    stdout.print(plain(f"  quote {DEMO_QUOTE!r}: {evidence['quote_status']}"))
    stdout.print(plain(f"  suggested verdict: {claim['suggested']} ({claim['suggestion_reason']})"))
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
        paths = ArchivePaths.under(demo_home)
        for outcome in ingest(demo_app.creating_ledger, demo_app.actor, paths, articles, DEFAULT_MIN_SCORE):
            print_ingest_report(ingest_summary(outcome))
        _cite_and_archive(demo_app)
        counts = claims.claims_by_status(demo_app.ledger())
        report = claims.verify_audit_log(demo_app.ledger())
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
    if not on_a_terminal():
        info("not on a terminal: skipping the review TUI (run `factledger review` on a terminal)")
        return
    run_review(demo.ledger(), demo.settings)
