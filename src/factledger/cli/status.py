"""`factledger status`: claims, sources, recent failures, the archive workers, and where things are."""

from __future__ import annotations

import rich_click as click

from factledger.app.status import ledger_status
from factledger.cli.app import AppContext, examples, json_option, pass_app
from factledger.cli.output import plain, print_json, stdout


@click.command("status", epilog=examples("factledger status", "factledger status --json"))
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Claims by status, sources by health and due, failures in 24 h, each worker's last pass."""
    report = ledger_status(app.ledger(), app.archive_paths(), app.settings.database_url)
    if as_json:
        print_json(report)
        return
    claims, sources = report["claims"], report["sources"]
    lines = [
        f"database: {report['database']}",
        f"store:    {report['store']}",
        f"claims:   {claims['total']} ({_counts(claims['by_status'])}); {claims['needing_review']} need review",
        f"sources:  {_counts(sources['by_health']) or 'none'}; {sources['due_now']} due now",
        f"failures in the last 24 h: {_counts(report['failures_24h']) or 'none'}",
    ]
    for line in lines:
        stdout.print(plain(line))
    if not report["workers"]:
        stdout.print(plain("workers:  no archive pass recorded yet"))
    for worker in report["workers"]:
        failed = _counts(worker.get("failed_by_kind", {}))
        stdout.print(
            plain(
                f"worker {worker['worker']}: last pass {worker['finished_at']}, leased {worker.get('leased', 0)}, "
                f"ok {worker.get('ok', 0)}, failed {worker.get('failed', 0)}{f' ({failed})' if failed else ''}"
            )
        )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in counts.items())
