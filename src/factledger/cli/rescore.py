"""`factledger rescore`: every claim's check-worthiness scored again with the current model."""

from __future__ import annotations

import rich_click as click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from factledger.app.rescore import RescoreReport, rescore_claims
from factledger.cli.app import AppContext, examples, json_option, pass_app
from factledger.cli.output import info, print_json, stderr


@click.command(epilog=examples("factledger rescore", "factledger rescore --json"))
@json_option
@pass_app
def rescore(app: AppContext, as_json: bool) -> None:
    """Score every claim again with the current check-worthiness model.

    Claims whose score, reasons or model change are updated, each with a claim.rescored event in the
    audit log; their review status and version stay as they are.
    """
    report = _run(app, show_progress=stderr.is_terminal)
    if as_json:
        print_json(report.as_dict())
    else:
        info(f"rescored {report.claims} claims with {report.model}: {report.changed} changed")


def _run(app: AppContext, show_progress: bool) -> RescoreReport:
    ledger = app.ledger()
    if not show_progress:
        return rescore_claims(ledger, app.actor)
    with Progress(
        TextColumn("rescoring"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return rescore_claims(ledger, app.actor, on_progress=advance)
