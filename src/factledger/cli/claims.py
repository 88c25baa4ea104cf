"""`factledger claims …`: record, list and review claims."""

from __future__ import annotations

from typing import Any

import rich_click as click

from factledger.app import claims
from factledger.app.wording import describe_change, value_in_words
from factledger.cli.app import LIMIT, ROW_ID, VERSION, AppContext, examples, json_option, pass_app
from factledger.cli.choices import STATUS
from factledger.cli.output import (
    Column,
    info,
    list_format_options,
    plain,
    print_json,
    print_records,
    stdout,
)
from factledger.ledger.serialize import claim_summary, event_summary
from factledger.ledger.statuses import ClaimStatus

# ---------------------------------------------------------------- claims


@click.group("claims")
def claims_group() -> None:
    """Record, list and review claims."""


@claims_group.command(
    "add",
    epilog=examples(
        'factledger claims add "Unemployment fell to 4.1% in May." --speaker "Labour ministry" --date 2025-06-03'
    ),
)
@click.argument("text")
@click.option("--speaker", help="Who made the claim.")
@click.option("--speaker-kind", metavar="KIND", help="person or organisation (needs --speaker).")
@click.option("--date", "dates", multiple=True, help="When (YYYY-MM-DD); repeatable.")
@json_option
@pass_app
def claims_add(
    app: AppContext,
    text: str,
    speaker: str | None,
    speaker_kind: str | None,
    dates: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add a claim by hand."""
    summary = claims.add_claim(app.creating_ledger, app.actor, text, speaker, dates, speaker_kind)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"claim {summary['id']} added"))
        for match in summary["similar_to"]:
            info(f"similar to claim {match['id']} (score {match['score']}): review whether they are one fact")


CLAIM_COLUMNS = [
    Column("id", lambda r: r["id"]),
    Column("status", lambda r: r["status"]),
    Column("score", lambda r: "" if r["score"] is None else f"{r['score']:.2f}"),
    Column("speaker", lambda r: r["speaker"]),
    Column("assignee", lambda r: r["assignee"]),
    Column("claim", lambda r: r["text"]),
    Column(
        "flag",
        lambda r: ", ".join(
            flag for flag, on in (("review", r["needs_review"]), ("headline", r["role"])) if on
        ),
    ),
]


@claims_group.command(
    "list",
    epilog=examples(
        "factledger claims list --needs-review --mine",
        'factledger claims list --status unreviewed --search "unemployment" --csv > unreviewed.csv',
    ),
)
@click.option("--status", type=STATUS, help="Only claims with this status.")
@click.option("--search", metavar="Q", help="Full-text search over claim text (every word must match).")
@click.option("--needs-review", is_flag=True, help="Only claims flagged for review.")
@click.option("--assignee", metavar="NAME", help="Only claims assigned to NAME.")
@click.option("--mine", is_flag=True, help="Only claims assigned to you (the --as reviewer).")
@click.option("--limit", type=LIMIT, default=50, show_default=True)
@list_format_options
@pass_app
def claims_list(
    app: AppContext,
    status: str | None,
    search: str | None,
    needs_review: bool,
    assignee: str | None,
    mine: bool,
    limit: int,
    fmt: str | None,
) -> None:
    """List claims, oldest first."""
    if mine and assignee is not None and assignee != app.actor:
        raise click.UsageError(f"--mine is --assignee {app.actor}: give one of them")
    criteria = claims.ClaimFilter(
        status=ClaimStatus(status) if status else None,
        search=search,
        needs_review=True if needs_review else None,
        assignee=app.actor if mine else assignee,
        limit=limit,
    )
    print_records(fmt, claims.list_claims(app.ledger(), criteria), CLAIM_COLUMNS)


@claims_group.command(
    "show", epilog=examples("factledger claims show 42", "factledger claims show 42 --json | jq .evidence")
)
@click.argument("claim_id", type=ROW_ID)
@json_option
@pass_app
def claims_show(app: AppContext, claim_id: int, as_json: bool) -> None:
    """Show one claim with its evidence."""
    summary = claims.show_claim(app.ledger(), claim_id, wayback_lookup=app.settings.wayback_lookup)
    if as_json:
        print_json(summary)
        return
    stdout.print(plain(f"claim {summary['id']}  [{summary['status']}]  version {summary['version']}"))
    stdout.print(plain(summary["text"]))
    if summary["edited"]:
        stdout.print(plain(f"  edited; first recorded as: {summary['original_text']}"))
    for label in (
        "role",
        "speaker",
        "dates",
        "score",
        "score_model",
        "assignee",
        "rationale",
        "needs_review_reason",
    ):
        if summary.get(label) not in (None, [], ""):
            kind = f" ({summary['speaker_kind']})" if label == "speaker" and summary["speaker_kind"] else ""
            stdout.print(plain(f"  {label}: {value_in_words(summary[label], width=None)}{kind}"))
    if summary["suggested"]:
        stdout.print(plain(f"  suggested verdict: {summary['suggested']} — {summary['suggestion_reason']}"))
    for item in summary["evidence"]:
        _print_evidence(item)


def _print_evidence(item: dict[str, Any]) -> None:
    """One evidence item as a few labelled lines: a table squeezed the URL and the quote to slivers."""
    stdout.print(
        plain(f"  evidence {item['id']}: {item['stance']} {item['url']} (source {item['source_health']})")
    )
    memento = item.get("memento")
    if memento:
        when = f"{memento['captured']:%Y-%m-%d %H:%M} UTC" if memento["captured"] else "an unknown date"
        stdout.print(plain(f"    Internet Archive copy of {memento['original_url']}, captured {when}"))
    if item["quote"]:
        status = item["quote_status"]
        reasons = "; ".join(item["quote_detail"])
        if status == "no_text":  # the capture has no text to check the quote against
            stdout.print(plain(f"    quote not checkable ({reasons or 'no text'}): {item['quote']}"))
        else:
            stdout.print(plain(f"    quote ({status}{': ' + reasons if reasons else ''}): {item['quote']}"))
    if item["note"]:
        stdout.print(plain(f"    note: {item['note']}"))
    if claims.is_unreachable(item):
        copy = item["archived_copy"]
        held = (
            f"our snapshot {copy['snapshot_id']} (captured {copy['captured']:%Y-%m-%d}) still holds the quote"
            if copy
            else "no snapshot of ours holds the quote"
        )
        wayback = item.get("wayback")
        extra = f"; Internet Archive: {wayback['url']}" if wayback else ""
        stdout.print(plain(f"    source {item['source_health']}: {held}{extra}"))


@claims_group.command(
    "status",
    epilog=examples(
        'factledger claims status 42 refuted --note "the report says 198, not 212" --expect-version 3'
    ),
)
@click.argument("claim_id", type=ROW_ID)
@click.argument("status", type=STATUS)
@click.option("--note", help="Why: recorded with the change.")
@click.option(
    "--expect-version", type=VERSION, help="Fail with exit code 3 unless the claim is at this version."
)
@json_option
@pass_app
def claims_status(
    app: AppContext, claim_id: int, status: str, note: str | None, expect_version: int | None, as_json: bool
) -> None:
    """Change a claim's status (a verdict, or back to in_review)."""
    from factledger.app import review  # the review use-cases: not on the start-up path of list and show

    target = ClaimStatus(status)
    claim = review.set_status(
        app.ledger(), app.actor, claim_id, target, rationale=note, expect_version=expect_version
    )
    summary = claim_summary(claim)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"claim {claim_id} is now {target.value} (version {summary['version']})"))


@claims_group.command(
    "edit",
    epilog=examples(
        'factledger claims edit 42 --text "The council spent 4.2 million." --note "typo in the figure"'
    ),
)
@click.argument("claim_id", type=ROW_ID)
@click.option("--text", help="The corrected text (the document keeps its sentence; `show` gives both).")
@click.option("--speaker", help='Who made the claim; "" clears the speaker and its kind.')
@click.option(
    "--speaker-kind",
    metavar="KIND",
    help='person or organisation; "" makes it unknown. A new --speaker without it has an unknown kind.',
)
@click.option(
    "--date",
    "dates",
    multiple=True,
    help='Replaces the dates: YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD, repeatable; --date "" clears them.',
)
@click.option("--note", help="Why: recorded with the change.")
@click.option(
    "--expect-version", type=VERSION, help="Fail with exit code 3 unless the claim is at this version."
)
@json_option
@pass_app
def claims_edit(
    app: AppContext,
    claim_id: int,
    text: str | None,
    speaker: str | None,
    speaker_kind: str | None,
    dates: tuple[str, ...],
    note: str | None,
    expect_version: int | None,
    as_json: bool,
) -> None:
    """Correct a claim's text, speaker or dates (an audited change with before and after)."""
    from factledger.app.claim_edits import EditRequest, edit_claim

    request = EditRequest(text=text, speaker=speaker, speaker_kind=speaker_kind, dates=dates or None)
    if request == EditRequest():
        raise click.UsageError("give at least one of --text, --speaker, --speaker-kind, --date")
    summary = edit_claim(app.ledger(), app.actor, claim_id, request, note=note, expect_version=expect_version)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"claim {claim_id} edited (version {summary['version']})"))


@claims_group.command(
    "note", epilog=examples('factledger claims note 42 "Asked the press office for the raw figures."')
)
@click.argument("claim_id", type=ROW_ID)
@click.argument("text")
@click.option(
    "--expect-version", type=VERSION, help="Fail with exit code 3 unless the claim is at this version."
)
@json_option
@pass_app
def claims_note(app: AppContext, claim_id: int, text: str, expect_version: int | None, as_json: bool) -> None:
    """Add a reviewer's note to a claim's history (it changes no field)."""
    from factledger.app import review

    event = review.add_note(app.ledger(), app.actor, claim_id, text, expect_version=expect_version)
    summary = event_summary(event)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"note added to claim {claim_id}"))


@claims_group.command(
    "accept", epilog=examples('factledger claims accept 42 --note "quote checked against the release"')
)
@click.argument("claim_id", type=ROW_ID)
@click.option("--note", help="Why, in your words (the suggestion's reason is recorded too).")
@click.option(
    "--expect-version", type=VERSION, help="Fail with exit code 3 unless the claim is at this version."
)
@json_option
@pass_app
def claims_accept(
    app: AppContext, claim_id: int, note: str | None, expect_version: int | None, as_json: bool
) -> None:
    """Take the suggested verdict: it becomes the claim's status, recorded as your decision."""
    from factledger.app import review

    claim = review.accept_suggestion(
        app.ledger(), app.actor, claim_id, note=note, expect_version=expect_version
    )
    summary = claim_summary(claim)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"claim {claim_id} is now {summary['status']} (accepted suggestion)"))


@claims_group.command(
    "assign", epilog=examples("factledger claims assign 42 mariam", "factledger claims assign 42")
)
@click.argument("claim_id", type=ROW_ID)
@click.argument("assignee", required=False)
@click.option(
    "--expect-version", type=VERSION, help="Fail with exit code 3 unless the claim is at this version."
)
@json_option
@pass_app
def claims_assign(
    app: AppContext, claim_id: int, assignee: str | None, expect_version: int | None, as_json: bool
) -> None:
    """Assign a claim to a reviewer (no ASSIGNEE: unassign)."""
    from factledger.app import review

    claim = review.assign(app.ledger(), app.actor, claim_id, assignee, expect_version=expect_version)
    summary = claim_summary(claim)
    if as_json:
        print_json(summary)
    else:
        who = assignee or "nobody"
        stdout.print(plain(f"claim {claim_id} assigned to {who} (version {summary['version']})"))


@claims_group.command(
    "history", epilog=examples("factledger claims history 42", "factledger claims history 42 --jsonl")
)
@click.argument("claim_id", type=ROW_ID)
@list_format_options
@pass_app
def claims_history(app: AppContext, claim_id: int, fmt: str | None) -> None:
    """Every recorded change to a claim, oldest first."""
    events = claims.claim_history(app.ledger(), claim_id)
    print_records(fmt, events, HISTORY_COLUMNS, title=f"history of claim {claim_id}")


def _change(event: dict[str, Any]) -> str:
    return describe_change(event["before"], event["after"])


HISTORY_COLUMNS = [
    Column("event", lambda e: e["id"]),
    Column("when", lambda e: e["at"]),
    Column("who", lambda e: e["actor"]),
    Column("what", lambda e: e["kind"]),
    Column("change", _change),
    Column("why", lambda e: e["rationale"]),
]
