"""`factledger ingest` (documents in, claims out) and `factledger demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from factledger.cli.app import AppContext, cli, json_option, pass_app
from factledger.cli.output import info, print_json, print_table
from factledger.ingest.pipeline import DEFAULT_MIN_SCORE
from factledger.ingest.reader import read_document
from factledger.ingest.service import IngestReport, ingest_document
from factledger.ledger.errors import InvalidInputError
from factledger.ledger.serialize import claim_summary


def _report_summary(path: str, report: IngestReport) -> dict[str, Any]:
    ranked = sorted(report.stored, key=lambda item: -(item.candidate.score))
    return {
        "path": path,
        "document_id": report.document.id,
        "title": report.document.title,
        "published": report.document.published,
        "already_ingested": not report.document_created,
        "candidates": report.candidates_seen,
        "claims_created": report.claims_created,
        "claims_linked": report.claims_linked,
        "claims": [
            {
                **claim_summary(item.claim),
                "span": [item.candidate.start, item.candidate.end],
                "new": item.created,
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
        ["id", "score", "why", "speaker", "dates", "claim"],
        [
            [
                c["id"],
                f"{c['score']:.2f}",
                ", ".join(c["score_reasons"]),
                c["speaker"],
                " ".join(c["dates"]),
                c["text"],
            ]
            for c in summary["claims"]
        ],
    )


def ingest_paths(app: AppContext, paths: list[str], min_score: float) -> list[dict[str, Any]]:
    summaries = []
    for raw in paths:
        if raw.startswith(("http://", "https://")):
            raise InvalidInputError(f"{raw}: ingesting a URL needs the archiver, which is not built yet")
        path = Path(raw)
        if not path.is_file():
            raise InvalidInputError(f"no such file: {raw}")
        source = read_document(path)
        with app.ledger().write() as session:
            report = ingest_document(session, app.actor, source, min_score)
            summaries.append(_report_summary(raw, report))
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
@json_option
@pass_app
def ingest(app: AppContext, paths: tuple[str, ...], min_score: float, as_json: bool) -> None:
    """Read documents (text, Markdown, HTML) and store their check-worthy claims, ranked."""
    summaries = ingest_paths(app, list(paths), min_score)
    if as_json:
        print_json(summaries)
        return
    for summary in summaries:
        print_report(summary)
