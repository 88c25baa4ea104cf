"""`factledger cite` and `factledger sources …`."""

from __future__ import annotations

import sys
from collections.abc import Iterable

import rich_click as click

from factledger.app import review
from factledger.app import sources as app_sources
from factledger.app.wording import value_in_words
from factledger.cli.app import LIMIT, ROW_ID, AppContext, examples, json_option, pass_app
from factledger.cli.choices import HEALTH, STANCE
from factledger.cli.output import (
    Column,
    info,
    list_format_options,
    plain,
    print_json,
    print_records,
    print_table,
    stdout,
    write_untrusted,
)
from factledger.ledger.errors import InvalidInputError, NotFoundError
from factledger.ledger.serialize import evidence_summary
from factledger.ledger.statuses import SourceHealth, Stance

# ---------------------------------------------------------------- sources and evidence


@click.command(
    epilog=examples(
        'factledger cite 42 https://example.org/report --stance supports --quote "took in 198 families"',
        "factledger cite 42 - --stance context < urls.txt",
    )
)
@click.argument("claim_id", type=ROW_ID)
@click.argument("url", metavar="URL|-")
@click.option(
    "--stance",
    type=STANCE,
    help="How the source bears on the claim (with -, the stance of lines that give none).",
)
@click.option("--quote", help="The words in the source that bear on the claim.")
@click.option("--note", help="A note for reviewers.")
@json_option
@pass_app
def cite(
    app: AppContext,
    claim_id: int,
    url: str,
    stance: str | None,
    quote: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Attach a source URL to a claim as evidence.

    With - for URL, read many from stdin, one `URL [STANCE] [QUOTE]` a line (blank lines and lines
    starting with # are skipped): all are cited, or none when a line is bad."""
    if url == "-":
        if quote is not None:
            raise click.UsageError("with -, each line gives its own quote: drop --quote")
        items = parse_cite_lines(sys.stdin, Stance(stance) if stance else None, note)
        cited = review.cite_many(app.ledger(), app.actor, claim_id, items)
        summaries = [evidence_summary(evidence, source) for evidence, source in cited]
        if as_json:
            print_json(summaries)
        else:
            stdout.print(plain(f"claim {claim_id} cites {len(summaries)} sources"))
        return
    if stance is None:
        raise click.UsageError("give --stance (supports, refutes or context)")
    evidence, source = review.cite(
        app.ledger(), app.actor, claim_id, url, Stance(stance), quote=quote, note=note
    )
    summary = evidence_summary(evidence, source)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"claim {claim_id} cites {summary['url']} ({summary['stance']})"))


def parse_cite_lines(
    lines: Iterable[str], default_stance: Stance | None, note: str | None
) -> list[review.Citation]:
    """``URL [STANCE] [QUOTE]`` lines; the QUOTE is the rest of the line (surrounding double quotes are
    dropped). A line that cannot be cited stops it all, naming the line."""
    items = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        url, *rest = text.split(maxsplit=2)
        stance = default_stance
        if rest:
            try:
                stance = Stance(rest[0].lower())
            except ValueError:
                choices = ", ".join(s.value for s in Stance)
                raise InvalidInputError(
                    f"line {number}: {rest[0]!r} is not a stance (choose from {choices})"
                ) from None
        if stance is None:
            raise InvalidInputError(f"line {number}: no stance; give one on the line or --stance")
        quote = rest[1].strip() if len(rest) > 1 else None
        if quote and len(quote) >= 2 and quote[0] == quote[-1] == '"':
            quote = quote[1:-1]
        items.append(review.Citation(url=url, stance=stance, quote=quote or None, note=note, line=number))
    if not items:
        raise InvalidInputError("stdin held no URL to cite")
    return items


@click.group("sources")
def sources_group() -> None:
    """Archived sources and their health."""


# Each column is its header and the record field it shows, side by side, so no column can slip under
# another's header; a new column (another reason, say) is one more line here.
SOURCE_COLUMNS = [
    Column("id", lambda r: r["id"]),
    Column("health", lambda r: r["health"]),
    Column("reason", lambda r: r["health_reason"]),
    Column("url", lambda r: r["url"]),
    Column("last check", lambda r: r["last_checked_at"]),
    Column("next check", lambda r: r["next_check_at"]),
    Column("snapshots", lambda r: r["snapshots"]),
    Column("evidence", lambda r: r["evidence"]),
]


@sources_group.command(
    "list",
    epilog=examples("factledger sources list --health gone", "factledger sources list --jsonl | jq -r .url"),
)
@click.option("--health", type=HEALTH, help="Only sources with this health.")
@click.option("--limit", type=LIMIT, default=None)
@list_format_options
@pass_app
def sources_list(app: AppContext, health: str | None, limit: int | None, fmt: str | None) -> None:
    """List sources with their health, checks and snapshot counts."""
    wanted = SourceHealth(health) if health else None
    print_records(fmt, app_sources.list_sources(app.ledger(), wanted, limit), SOURCE_COLUMNS)


@sources_group.command("show", epilog=examples("factledger sources show 7"))
@click.argument("source_id", type=ROW_ID)
@json_option
@pass_app
def sources_show(app: AppContext, source_id: int, as_json: bool) -> None:
    """One source with its captures, oldest first."""
    summary = app_sources.show_source(app.ledger(), source_id)
    captures = summary["captures"]
    if as_json:
        print_json(summary)
        return
    stdout.print(plain(f"source {source_id}  [{summary['health']}]  {summary['url']}"))
    if summary["health_reason"]:
        stdout.print(plain(f"  reason: {summary['health_reason']}"))
    last, following = (value_in_words(summary[key]) for key in ("last_checked_at", "next_check_at"))
    stdout.print(plain(f"  last check: {last}  next check: {following}"))
    print_table(
        "captures",
        ["snapshot", "fetched", "status", "drift", "bytes", "warc", "error"],
        [
            [
                c["id"],
                c["fetched_at"],
                c["http_status"],
                c["drift"],
                c["content_length"],
                c["warc_filename"],
                c["error"],
            ]
            for c in captures
        ],
    )


@sources_group.command(
    "snapshot",
    epilog=examples(
        "factledger sources snapshot 12 --show main", "factledger sources snapshot 12 --show raw > page.html"
    ),
)
@click.argument("snapshot_id", type=ROW_ID)
@click.option(
    "--show",
    type=click.Choice(["text", "main", "raw", "headers"]),
    default="text",
    show_default=True,
    help="Full visible text, main text (extracted on first use), the raw payload, or the HTTP headers.",
)
@pass_app
def sources_snapshot(app: AppContext, snapshot_id: int, show: str) -> None:
    """Print what one capture holds, read back from the WARC archive and the text store."""
    ledger = app.ledger()
    paths = app.archive_paths()
    if show in ("raw", "headers"):
        response = app_sources.snapshot_response(ledger, paths, snapshot_id)
        if show == "raw":
            sys.stdout.buffer.write(response.payload)
        else:
            write_untrusted(f"{response.status}\n")
            write_untrusted("".join(f"{name}: {value}\n" for name, value in response.headers))
        return
    found = app_sources.snapshot_text(ledger, paths, snapshot_id, main=show == "main")
    if found.fell_back:
        info("no main content found in this page (it may be short or unusual); showing the full text")
    if found.text is None:
        raise NotFoundError(f"snapshot {snapshot_id} has no {'main ' if show == 'main' else ''}text")
    write_untrusted(found.text + "\n")
