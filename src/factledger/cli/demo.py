"""`factledger demo`: a fresh demo ledger from the bundled data, an archive pass, then the review TUI.

Everything stays on this machine: the bundled demo source page is served on 127.0.0.1 by the demo
itself, so the archive pass and quote verification run for real without touching the internet. The
page stays served until the review app closes, so ``f`` (fetch now) on the demo claim captures it again.
"""

from __future__ import annotations

import shlex
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import rich_click as click

from factledger.app import claims, review
from factledger.app.audit import verify_audit_log
from factledger.app.capture import archive_due
from factledger.app.ingest import ingest
from factledger.app.wording import counts_in_words
from factledger.archive.runner import ArchivePaths, RunOptions
from factledger.cli.app import AppContext, examples, pass_app
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


def command_as_typed() -> str:
    """How the user started factledger, as a command that works when typed in the same directory: the
    bare name when the shell finds this very program on PATH, else its path (``.venv/bin/factledger``
    after ``make demo``), or ``python -m factledger``."""
    program = Path(sys.argv[0])
    if program.name == "__main__.py":
        return f"{shlex.quote(_shortest(Path(sys.executable)))} -m factledger"
    found = shutil.which(program.name)
    if found is not None and Path(found).resolve() == program.resolve():
        return program.name
    return shlex.quote(_shortest(program))


def _shortest(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute."""
    absolute = path.resolve() if not path.is_absolute() else path
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return str(absolute)
    text = str(relative)
    return text if "/" in text else f"./{text}"


def _cite_and_archive(demo: AppContext, base_url: str) -> list[str]:
    """Cite the demo's source page (served from ``base_url``) and archive it; the lines of the summary."""
    ledger = demo.ledger()
    matches = claims.list_claims(ledger, claims.ClaimFilter(search=DEMO_CLAIM_SEARCH, limit=1))
    if not matches:
        info(f"no claim mentions {DEMO_CLAIM_SEARCH!r}; skipping the archive part of the demo")
        return []
    claim_id = matches[0]["id"]
    paths = ArchivePaths.under(demo.settings.home)
    review.cite(ledger, demo.actor, claim_id, f"{base_url}/{DEMO_SOURCE}", Stance.SUPPORTS, quote=DEMO_QUOTE)
    info(f"claim {claim_id} cites the demo source; archiving it from {base_url} (loopback only)")
    summary = archive_due(ledger, demo.actor, paths, RunOptions(allow_private=True))
    info(f"archived {summary.attempted} source(s): {summary.ok} ok; WARC files in {paths.warcs}")
    claim = claims.show_claim(ledger, claim_id)
    [evidence] = claim["evidence"]
    return [
        f"claim {claim_id}: {claim['text']}",
        f"  quote {DEMO_QUOTE!r}: {evidence['quote_status']}",
        f"  suggested verdict: {claim['suggested']} ({claim['suggestion_reason']})",
        f"  accept it with: {_demo_command(demo, 'claims', 'accept', str(claim_id))}",
    ]


def _demo_command(demo: AppContext, *args: str) -> str:
    return " ".join([command_as_typed(), "--home", shlex.quote(str(demo.settings.home)), *args])


@click.command(epilog=examples("factledger demo", "factledger demo --no-review"))
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
        # The demo's source stays served until the demo ends, so the review app can fetch it again.
        with serve_directory(bundled_data_dir() / "sources") as base_url:
            lines = _cite_and_archive(demo_app, base_url)
            counts = claims.claims_by_status(demo_app.ledger())
            report = verify_audit_log(demo_app.ledger())
            lines += [
                f"claims by status: {counts_in_words(counts)}",
                f"audit log: {report.events_checked} events, {'intact' if report.ok else report.problem}",
                f"explore it: {_demo_command(demo_app, 'claims', 'list')}",
            ]
            for line in lines:
                stdout.print(plain(line))
            if not no_review:
                _review(demo_app)
    finally:
        demo_app.close()


def _review(demo: AppContext) -> None:
    if not on_a_terminal():
        info("not on a terminal: skipping the review TUI (run `factledger review` on a terminal)")
        return
    # The app takes over the screen: let the summary be read first.
    click.pause(info="press any key to open the review app (q quits it)…", err=True)
    # The demo ledger's sources are the demo's own server on 127.0.0.1, which the address guard refuses
    # unless told otherwise; the archive pass above was told the same.
    run_review(demo.ledger(), demo.settings, allow_private_networks=True)
