"""`factledger ingest PATH|URL ...`: documents in, claims out. A URL is archived first and read back from
the capture, so the appearance of its claims is preserved too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from factledger.archive.runner import ArchivePaths, RunOptions
from factledger.cli.app import AppContext, cli, json_option, pass_app
from factledger.cli.output import info, print_json, print_table
from factledger.ingest.pipeline import DEFAULT_MIN_SCORE
from factledger.ingest.reader import SourceDocument, read_document
from factledger.ingest.service import IngestReport, ingest_document
from factledger.ingest.web import capture_page, is_url
from factledger.ledger.errors import InvalidInputError
from factledger.ledger.serialize import claim_summary
from factledger.verify.capture import capture_hooks


def _report_summary(path: str, report: IngestReport, snapshot_id: int | None) -> dict[str, Any]:
    ranked = sorted(report.stored, key=lambda item: -(item.candidate.score))
    return {
        "path": path,
        "url": report.document.url,
        "snapshot_id": snapshot_id,
        "document_id": report.document.id,
        "title": report.document.title,
        "published": report.document.published,
        "author": report.document.author,
        "place": report.document.place,
        "already_ingested": not report.document_created,
        "candidates": report.candidates_seen,
        "claims_created": report.claims_created,
        "claims_linked": report.claims_linked,
        "claims": [
            {
                **claim_summary(item.claim),
                "span": [item.candidate.start, item.candidate.end],
                "new": item.created,
                "similar_to": [similar.as_dict() for similar in item.similar],
            }
            for item in ranked
        ],
    }


def print_report(summary: dict[str, Any]) -> None:
    if summary["already_ingested"]:
        info(f"{summary['path']}: already ingested as document {summary['document_id']}; nothing changed")
        return
    info(
        f"{summary['path']}: document {summary['document_id']} ({summary['published'] or 'undated'}), "
        f"{summary['claims_created']} new claims, {summary['claims_linked']} already known, "
        f"from {summary['candidates']} sentences"
    )
    print_table(
        None,
        ["id", "score", "why", "speaker", "dates", "claim", "similar to"],
        [
            [
                c["id"],
                f"{c['score']:.2f}",
                ", ".join(c["score_reasons"]),
                c["speaker"],
                " ".join(c["dates"]),
                c["text"],
                ", ".join(f"#{s['id']} ({s['score']:.0f}%)" for s in c["similar_to"]),
            ]
            for c in summary["claims"]
        ],
    )
    suggested = sum(1 for c in summary["claims"] if c["similar_to"])
    if suggested:
        info(f"{suggested} new claims look like existing ones: compare them before reviewing (similar to)")


def _read_url(app: AppContext, url: str, allow_private: bool) -> tuple[SourceDocument, int]:
    ledger = app.ledger()
    paths = ArchivePaths.under(app.settings.home)
    options = RunOptions(allow_private=allow_private or app.settings.allow_private_networks)
    captured = capture_page(
        ledger,
        app.actor,
        url,
        paths,
        options,
        # Quotes that already cite this page are re-checked against the new capture, as in `archive run`.
        hooks=capture_hooks(ledger, app.actor, paths),
    )
    return captured.document, captured.snapshot_id


def ingest_paths(
    app: AppContext, paths: list[str], min_score: float, *, allow_private: bool = False
) -> list[dict[str, Any]]:
    summaries = []
    for raw in paths:
        snapshot_id: int | None = None
        if is_url(raw):
            source, snapshot_id = _read_url(app, raw, allow_private)
        else:
            path = Path(raw)
            if not path.is_file():
                raise InvalidInputError(f"no such file: {raw}")
            source = read_document(path)
        with app.ledger().write() as session:
            report = ingest_document(session, app.actor, source, min_score)
            summaries.append(_report_summary(raw, report, snapshot_id))
    return summaries


@cli.command()
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
    claims, ranked. A URL is archived first and its claims are read from the capture."""
    summaries = ingest_paths(app, list(paths), min_score, allow_private=allow_private)
    if as_json:
        print_json(summaries)
        return
    for summary in summaries:
        print_report(summary)
