"""How the CLI shows an ingest: shared by ``factledger ingest`` and ``factledger demo``, which ingests
the bundled articles the way a user would."""

from __future__ import annotations

from typing import Any

from factledger.app.ingest import Ingested
from factledger.cli.output import info, print_table
from factledger.ledger.serialize import claim_summary


def ingest_summary(outcome: Ingested) -> dict[str, Any]:
    """The ``--json`` shape of one document's ingest: its claims ranked by check-worthiness."""
    report = outcome.report
    ranked = sorted(report.stored, key=lambda item: -(item.candidate.score))
    return {
        "path": outcome.argument,
        "url": report.document.url,
        "snapshot_id": outcome.snapshot_id,
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
                # A headline's span is in the document's title, a body claim's in its body.
                "span": [item.candidate.start, item.candidate.end],
                "role": item.role or item.claim.role,
                "new": item.created,
                "similar_to": [similar.as_dict() for similar in item.similar],
            }
            for item in ranked
        ],
    }


def print_ingest_report(summary: dict[str, Any]) -> None:
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
