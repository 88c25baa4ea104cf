"""`factledger ingest PATH|URL ...`: documents in, claims out. A URL is archived first and read back from
the capture, so the appearance of its claims is preserved too (the use-case: app/ingest.py)."""

from __future__ import annotations

import rich_click as click

from factledger.app.ingest import ingest as ingest_documents
from factledger.cli.app import AppContext, examples, json_option, pass_app
from factledger.cli.output import print_json, progress_on_terminal
from factledger.cli.reports import ingest_summary, print_ingest_report
from factledger.ingest.pipeline import DEFAULT_MIN_SCORE


@click.command(
    epilog=examples(
        "factledger ingest article.md",
        "factledger ingest https://example.org/news/budget --min-score 0.5",
    )
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH|URL ...")
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_MIN_SCORE,
    show_default=True,
    help="Check-worthiness a sentence needs to become a claim.",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let a URL resolve to a private, loopback or link-local address (as `archive run --allow-private`).",
)
@json_option
@pass_app
def ingest(
    app: AppContext, paths: tuple[str, ...], min_score: float, allow_private: bool, as_json: bool
) -> None:
    """Read documents (text, Markdown, HTML files, or web pages by URL) and store their check-worthy
    claims, ranked. A URL is archived first and its claims are read from the capture.

    All or nothing: every document is read before any claim is stored, so one that cannot be read
    (missing, not UTF-8, over ingest_max_bytes, a page that cannot be archived) exits 1 with nothing
    ingested."""
    with progress_on_terminal() as progress:
        outcomes = ingest_documents(
            app.creating_ledger,
            app.actor,
            app.archive_paths(),
            list(paths),
            min_score,
            allow_private=allow_private or app.settings.allow_private_networks,
            max_bytes=app.settings.ingest_max_bytes,
            progress=progress,
        )
    summaries = [ingest_summary(outcome) for outcome in outcomes]
    if as_json:
        print_json(summaries)
        return
    for summary in summaries:
        print_ingest_report(summary)
