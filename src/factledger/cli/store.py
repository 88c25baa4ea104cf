"""`factledger store check|migrate`: the capture store (a directory, or S3-compatible object storage)."""

from __future__ import annotations

import rich_click as click

from factledger.app import store
from factledger.cli.app import AppContext, examples, json_option, pass_app
from factledger.cli.output import info, print_json
from factledger.ledger.errors import LedgerError


@click.group("store")
def store_group() -> None:
    """The capture store: WARC data and texts, in the home or in a bucket (--store, FACTLEDGER_STORE)."""


@store_group.command(
    "check",
    epilog=examples(
        "factledger store check",
        "factledger --store s3://desk-archive/ledger store check --json",
        "factledger store check --sample 1000",
        "factledger store check --sample 2% --seed 1234",
    ),
)
@click.option("--remove-orphans", is_flag=True, help="Delete the objects no snapshot refers to.")
@click.option(
    "--sample",
    metavar="N|P%",
    help="Read back only a random sample of the captures: N of them, or P percent. Orphans are listed in full.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Draw the same sample again (each sampled check prints its seed).",
)
@json_option
@pass_app
def store_check(
    app: AppContext, remove_orphans: bool, sample: str | None, seed: int | None, as_json: bool
) -> None:
    """Read back every capture the ledger names and verify its digest; list orphaned objects.

    Exit 1 when a capture is missing or damaged. Orphans (what a crash between writing and committing
    leaves) are harmless; --remove-orphans deletes those older than 15 minutes. For a big bucket,
    --sample checks a random sample of the captures instead of all of them."""
    if seed is not None and sample is None:
        raise click.BadParameter("--seed draws a sample: give --sample too", param_hint="--seed")
    try:
        drawn = store.Sample.parse(sample, seed) if sample is not None else None
    except store.SampleError as exc:
        raise click.BadParameter(str(exc), param_hint="--sample") from None
    report = store.check(app.ledger(), app.archive_paths(), remove_orphans=remove_orphans, sample=drawn)
    if as_json:
        print_json(report.as_dict())
    else:
        for orphan in report.orphans:
            info(f"orphan{' (removed)' if remove_orphans else ''}: {orphan}")
        for problem in report.problems:
            info(f"problem: {problem}")
        checked = f"{report.captures_checked} captures checked"
        if drawn is not None:
            checked = (
                f"{report.captures_checked} of {report.captures} captures checked (a random sample; "
                f"draw it again with --sample {drawn.size} --seed {drawn.seed})"
            )
        info(
            f"store {report.store}: {checked}, {len(report.problems)} "
            f"problems, {len(report.orphans)} orphaned objects"
            + (f" ({report.removed} removed)" if remove_orphans else "")
        )
    if not report.ok:
        raise LedgerError(f"store {report.store}: {report.problems[0]}")


@store_group.command("migrate", epilog=examples("factledger store migrate --to s3://desk-archive/ledger"))
@click.option(
    "--to",
    "to",
    required=True,
    metavar="URL",
    help="The store to copy into: s3://bucket/prefix or a directory.",
)
@json_option
@pass_app
def store_migrate(app: AppContext, to: str, as_json: bool) -> None:
    """Copy this ledger's captures into another store, verifying each object's digest.

    Then point the ledger's users at it (`store = "URL"` in factledger.toml, or FACTLEDGER_STORE)."""
    report = store.migrate(app.archive_paths(), app.settings.home, to)
    if as_json:
        print_json(report.as_dict())
    else:
        info(
            f"copied {report.objects} objects ({report.bytes} bytes) from {report.source} to {report.target}"
            f"; {report.skipped} already there"
        )
