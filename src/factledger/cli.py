"""The command line: parses arguments, calls use-cases, renders output. No business rules here."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from factledger import __version__
from factledger.cli_output import error, info, plain, print_json, print_table, stdout
from factledger.config import ConfigError, Settings, load_settings
from factledger.ledger import audit, claims, sources
from factledger.ledger.database import Ledger, open_ledger, schema_state, upgrade
from factledger.ledger.errors import LedgerError
from factledger.ledger.models import Source
from factledger.ledger.serialize import claim_summary, event_summary, evidence_summary, source_summary
from factledger.ledger.statuses import parse_stance, parse_status


@dataclass
class AppContext:
    settings: Settings
    _ledger: Ledger | None = field(default=None)

    @property
    def actor(self) -> str:
        return self.settings.reviewer

    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = open_ledger(self.settings.database_url)
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None


class FactledgerGroup(click.Group):
    """Turns the errors a user can act on into one line on stderr and a meaningful exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except LedgerError as exc:
            _fail(str(exc), exc.exit_code)
        except ConfigError as exc:
            _fail(str(exc), 1)
        except (OperationalError, DBAPIError) as exc:
            _fail(f"database error: {str(exc.orig or exc).strip().splitlines()[0]}", 1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:
            # A bug, not bad input. People get one line; FACTLEDGER_DEBUG=1 brings the traceback back.
            if os.environ.get("FACTLEDGER_DEBUG"):
                raise
            _fail(
                f"internal error ({type(exc).__name__}: {exc}); rerun with FACTLEDGER_DEBUG=1 for details", 1
            )


def _fail(message: str, code: int) -> NoReturn:
    error(message)
    raise click.exceptions.Exit(code)


pass_app = click.make_pass_decorator(AppContext)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")


@click.group(cls=FactledgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="factledger")
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), help="Ledger home directory.")
@click.option(
    "--db", "database_url", metavar="URL", help="SQLAlchemy database URL (sqlite:/// or postgresql://)."
)
@click.option(
    "--as", "reviewer", metavar="REVIEWER", help="Who is acting (default: $FACTLEDGER_REVIEWER or OS user)."
)
@click.pass_context
def cli(ctx: click.Context, home: Path | None, database_url: str | None, reviewer: str | None) -> None:
    """factledger: track factual claims, their sources and their verdicts."""
    app = AppContext(load_settings(home=home, database_url=database_url, reviewer=reviewer))
    ctx.obj = app
    ctx.call_on_close(app.close)


@cli.command()
@json_option
@pass_app
def init(app: AppContext, as_json: bool) -> None:
    """Create the ledger, or upgrade it to this version's schema."""
    ledger = Ledger(app.settings.database_url)
    try:
        before = schema_state(ledger.engine)
        after = upgrade(ledger.engine)
    finally:
        ledger.close()
    result = {
        "database": _redacted(app.settings.database_url),
        "from": before.current,
        "schema": after.current,
    }
    if as_json:
        print_json(result)
    elif before.current == after.current:
        info(f"ledger at {result['database']} is up to date (schema {after.current})")
    else:
        info(f"ledger at {result['database']} upgraded from {before.current or 'nothing'} to {after.current}")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ---------------------------------------------------------------- claims


@cli.group("claims")
def claims_group() -> None:
    """Record, list and review claims."""


@claims_group.command("add")
@click.argument("text")
@click.option("--speaker", help="Who made the claim.")
@click.option("--date", "dates", multiple=True, help="When (YYYY-MM-DD); repeatable.")
@json_option
@pass_app
def claims_add(
    app: AppContext, text: str, speaker: str | None, dates: tuple[str, ...], as_json: bool
) -> None:
    """Add a claim by hand."""
    from factledger.exchange.records import claim_from_fields

    record = claim_from_fields({"text": text, "speaker": speaker, "dates": list(dates)}, 1, ())
    with app.ledger().write() as session:
        claim = claims.add_claim(
            session,
            app.actor,
            claims.ClaimDraft(text=record.text, speaker=record.speaker, dates=record.dates),
        )
        summary = claim_summary(claim)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"claim {claim.id} added"))


@claims_group.command("list")
@click.option("--status", help="Only claims with this status.")
@click.option("--search", metavar="Q", help="Full-text search over claim text (every word must match).")
@click.option("--needs-review", is_flag=True, help="Only claims flagged for review.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@json_option
@pass_app
def claims_list(
    app: AppContext, status: str | None, search: str | None, needs_review: bool, limit: int, as_json: bool
) -> None:
    """List claims, oldest first."""
    criteria = claims.ClaimFilter(
        status=parse_status(status) if status else None,
        search=search,
        needs_review=True if needs_review else None,
        limit=limit,
    )
    with app.ledger().read() as session:
        rows = [claim_summary(claim) for claim in claims.list_claims(session, criteria)]
    if as_json:
        print_json(rows)
        return
    print_table(
        None,
        ["id", "status", "score", "speaker", "claim", "flag"],
        [
            [
                r["id"],
                r["status"],
                "" if r["score"] is None else f"{r['score']:.2f}",
                r["speaker"],
                _shorten(r["text"], 90),
                "review" if r["needs_review"] else "",
            ]
            for r in rows
        ],
    )


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@claims_group.command("show")
@click.argument("claim_id", type=int)
@json_option
@pass_app
def claims_show(app: AppContext, claim_id: int, as_json: bool) -> None:
    """Show one claim with its evidence."""
    with app.ledger().read() as session:
        claim = claims.get_claim(session, claim_id)
        summary = claim_summary(claim)
        summary["evidence"] = [
            evidence_summary(ev, src) for ev, src in sources.evidence_for_claim(session, claim_id)
        ]
    if as_json:
        print_json(summary)
        return
    stdout.print(plain(f"claim {summary['id']}  [{summary['status']}]  version {summary['version']}"))
    stdout.print(plain(summary["text"]))
    for label in ("speaker", "dates", "score", "assignee", "rationale", "needs_review_reason"):
        if summary.get(label) not in (None, [], ""):
            stdout.print(plain(f"  {label}: {summary[label]}"))
    if summary["evidence"]:
        print_table(
            "evidence",
            ["stance", "url", "quote", "quote status"],
            [
                [e["stance"], e["url"], _shorten(e["quote"] or "", 60), e["quote_status"]]
                for e in summary["evidence"]
            ],
        )


@claims_group.command("status")
@click.argument("claim_id", type=int)
@click.argument("status")
@click.option("--note", help="Why: recorded with the change.")
@click.option("--expect-version", type=int, help="Fail with exit code 3 unless the claim is at this version.")
@json_option
@pass_app
def claims_status(
    app: AppContext, claim_id: int, status: str, note: str | None, expect_version: int | None, as_json: bool
) -> None:
    """Change a claim's status (a verdict, or back to in_review)."""
    target = parse_status(status)
    with app.ledger().write() as session:
        claim = claims.change_status(
            session, app.actor, claim_id, target, rationale=note, expect_version=expect_version
        )
        summary = claim_summary(claim)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"claim {claim_id} is now {target.value} (version {summary['version']})"))


@claims_group.command("assign")
@click.argument("claim_id", type=int)
@click.argument("assignee", required=False)
@click.option("--expect-version", type=int, help="Fail with exit code 3 unless the claim is at this version.")
@json_option
@pass_app
def claims_assign(
    app: AppContext, claim_id: int, assignee: str | None, expect_version: int | None, as_json: bool
) -> None:
    """Assign a claim to a reviewer (no ASSIGNEE: unassign)."""
    with app.ledger().write() as session:
        claim = claims.assign_claim(session, app.actor, claim_id, assignee, expect_version=expect_version)
        summary = claim_summary(claim)
    if as_json:
        print_json(summary)
    else:
        who = assignee or "nobody"
        stdout.print(plain(f"claim {claim_id} assigned to {who} (version {summary['version']})"))


@claims_group.command("history")
@click.argument("claim_id", type=int)
@json_option
@pass_app
def claims_history(app: AppContext, claim_id: int, as_json: bool) -> None:
    """Every recorded change to a claim, oldest first."""
    with app.ledger().read() as session:
        events = [event_summary(event) for event in claims.claim_history(session, claim_id)]
    if as_json:
        print_json(events)
        return
    print_table(
        f"history of claim {claim_id}",
        ["event", "when", "who", "what", "change", "why"],
        [[e["id"], e["at"], e["actor"], e["kind"], _change(e), e["rationale"]] for e in events],
    )


def _change(event: dict[str, Any]) -> str:
    before, after = event["before"] or {}, event["after"] or {}
    if "status" in after and "status" in before:
        return f"{before['status']} → {after['status']}"
    return ", ".join(f"{key}={value}" for key, value in after.items() if key != "text")


# ---------------------------------------------------------------- sources and evidence


@cli.command()
@click.argument("claim_id", type=int)
@click.argument("url")
@click.option("--stance", required=True, help="supports, refutes or context.")
@click.option("--quote", help="The words in the source that bear on the claim.")
@click.option("--note", help="A note for reviewers.")
@json_option
@pass_app
def cite(
    app: AppContext, claim_id: int, url: str, stance: str, quote: str | None, note: str | None, as_json: bool
) -> None:
    """Attach a source URL to a claim as evidence."""
    parsed_stance = parse_stance(stance)
    with app.ledger().write() as session:
        evidence = sources.cite(session, app.actor, claim_id, url, parsed_stance, quote=quote, note=note)
        source = session.get(Source, evidence.source_id)
        assert source is not None
        summary = evidence_summary(evidence, source)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"claim {claim_id} cites {summary['url']} ({summary['stance']})"))


@cli.group("sources")
def sources_group() -> None:
    """Archived sources and their health."""


@sources_group.command("list")
@click.option("--health", help="Only sources with this health (ok, gone, blocked, …).")
@click.option("--limit", type=click.IntRange(min=1), default=None)
@json_option
@pass_app
def sources_list(app: AppContext, health: str | None, limit: int | None, as_json: bool) -> None:
    """List sources with their health, checks and snapshot counts."""
    wanted = sources.parse_health(health) if health else None
    with app.ledger().read() as session:
        rows = [source_summary(row) for row in sources.list_sources(session, wanted, limit)]
    if as_json:
        print_json(rows)
        return
    print_table(
        None,
        ["id", "health", "url", "last check", "next check", "snapshots", "evidence"],
        [
            [
                r["id"],
                r["health"],
                r["url"],
                r["last_checked_at"],
                r["next_check_at"],
                r["snapshots"],
                r["evidence"],
            ]
            for r in rows
        ],
    )


# ---------------------------------------------------------------- exchange


@cli.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["jsonl"]))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_app
def import_command(app: AppContext, fmt: str, path: Path, as_json: bool) -> None:
    """Import claims with their evidence: all or nothing."""
    from factledger.exchange.jsonl import read_jsonl
    from factledger.ledger.bulk import import_claims

    if not path.is_file():
        raise LedgerError(f"no such file: {path}")
    with path.open("rb") as stream, app.ledger().write() as session:
        stats = import_claims(session, app.actor, read_jsonl(stream), origin=f"import {fmt} {path.name}")
    result = stats.as_dict()
    if as_json:
        print_json(result)
    else:
        info(
            f"imported {result['claims_created']} new claims, matched {result['claims_matched']} existing, "
            f"added {result['evidence_added']} evidence links to {result['sources']} sources"
        )


@cli.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["jsonl"]))
@click.option("--claim", "claim_id", type=int, help="Export only this claim.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@pass_app
def export_command(app: AppContext, fmt: str, claim_id: int | None, output: Path | None) -> None:
    """Export claims with their evidence."""
    from factledger.exchange.jsonl import iter_export, write_jsonl

    with app.ledger().read() as session:
        if claim_id is not None:
            claims.get_claim(session, claim_id)
        if output is None:
            write_jsonl(iter_export(session, claim_id), sys.stdout)
            return
        # Write beside the target and rename, so a failed export never leaves half a file behind.
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", encoding="utf-8") as stream:
            count = write_jsonl(iter_export(session, claim_id), stream)
        partial.replace(output)
    info(f"exported {count} claims to {output}")


# ---------------------------------------------------------------- audit


@cli.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
@json_option
@pass_app
def audit_verify(app: AppContext, as_json: bool) -> None:
    """Check the hash chain of every event; exit 1 naming the first bad one."""
    with app.ledger().read() as session:
        report = audit.verify_chain(session)
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "events": report.events_checked,
                "problem": report.problem,
                "bad_event_id": report.bad_event_id,
            }
        )
    if not report.ok:
        raise LedgerError(f"audit log is broken: {report.problem}")
    if not as_json:
        info(f"audit log intact: {report.events_checked} events verified")


# ---------------------------------------------------------------- entry point


def main() -> None:
    cli(prog_name="factledger")
