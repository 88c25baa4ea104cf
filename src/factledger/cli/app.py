"""The command group, its shared context and error handling, and the ledger-wide commands."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from factledger import __version__
from factledger.app.audit import AuditAnchor, anchor_audit_log, parse_anchor, verify_audit_log
from factledger.app.schema import init_ledger
from factledger.archive.capture_store import ArchivePaths
from factledger.cli.output import error, info, print_json
from factledger.config import ConfigError, Settings, load_settings
from factledger.files import OutputPathError
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.errors import LedgerError
from factledger.ledger.storable import MAX_STORED_INT


@dataclass
class AppContext:
    settings: Settings
    _ledger: Ledger | None = field(default=None)

    @property
    def actor(self) -> str:
        return self.settings.reviewer

    def archive_paths(self) -> ArchivePaths:
        """Where this ledger's captures are (``--store``, FACTLEDGER_STORE, ``store`` in the toml)."""
        return ArchivePaths.under(self.settings.home, self.settings.store)

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
        except (ConfigError, OutputPathError) as exc:
            _fail(str(exc), 1)
        except (OperationalError, DBAPIError) as exc:
            _fail(f"database error: {str(exc.orig or exc).strip().splitlines()[0]}", 1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                _internal_error(exc)
            # The machine said no (a full disk, a read-only file system, no permission): the user can act.
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}", 1)
        except Exception as exc:
            _internal_error(exc)


def _internal_error(exc: Exception) -> NoReturn:
    # A bug, not bad input. People get one line; FACTLEDGER_DEBUG=1 brings the traceback back.
    if os.environ.get("FACTLEDGER_DEBUG"):
        raise exc
    _fail(f"internal error ({type(exc).__name__}: {exc}); rerun with FACTLEDGER_DEBUG=1 for details", 1)


def _fail(message: str, code: int) -> NoReturn:
    error(message)
    raise click.exceptions.Exit(code)


pass_app = click.make_pass_decorator(AppContext)
# Ids, versions and limits: a number the ledger cannot hold is a usage error (exit 2), not a database one.
ROW_ID = click.IntRange(1, MAX_STORED_INT)
VERSION = click.IntRange(1, MAX_STORED_INT)
LIMIT = click.IntRange(1, MAX_STORED_INT)
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
@click.option(
    "--store",
    metavar="URL",
    help="Capture store: s3://bucket/prefix or a directory (default: $FACTLEDGER_STORE, or the home).",
)
@click.pass_context
def cli(
    ctx: click.Context, home: Path | None, database_url: str | None, reviewer: str | None, store: str | None
) -> None:
    """factledger: track factual claims, their sources and their verdicts."""
    app = AppContext(load_settings(home=home, database_url=database_url, reviewer=reviewer, store=store))
    ctx.obj = app
    ctx.call_on_close(app.close)


@cli.command()
@json_option
@pass_app
def init(app: AppContext, as_json: bool) -> None:
    """Create the ledger, or upgrade it to this version's schema."""
    change = init_ledger(app.settings.database_url)
    result = {"database": _redacted(app.settings.database_url), "from": change.before, "schema": change.after}
    if as_json:
        print_json(result)
    elif change.before == change.after:
        info(f"ledger at {result['database']} is up to date (schema {change.after})")
    else:
        info(f"ledger at {result['database']} upgraded from {change.before or 'nothing'} to {change.after}")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ---------------------------------------------------------------- audit


@cli.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An anchor written earlier by `audit anchor`: also prove the log still extends it.",
)
@json_option
@pass_app
def audit_verify(app: AppContext, anchor_file: Path | None, as_json: bool) -> None:
    """Check the hash chain, replay it against every claim, and (with --anchor) that nothing was cut
    from its end; exit 1 naming the first bad event or claim."""
    anchor = _read_anchor(anchor_file) if anchor_file is not None else None
    report = verify_audit_log(app.ledger(), anchor)
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "events": report.events_checked,
                "claims": report.claims_checked,
                "anchored": anchor is not None,
                "problem": report.problem,
                "bad_event_id": report.bad_event_id,
                "bad_claim_id": report.bad_claim_id,
            }
        )
    if not report.ok:
        raise LedgerError(f"audit log is broken: {report.problem}")
    if not as_json:
        extends = f"; it extends the anchor of {anchor.at:%Y-%m-%d %H:%M} UTC" if anchor else ""
        info(
            f"audit log intact: {report.events_checked} events verified, "
            f"{report.claims_checked} claims match their history{extends}"
        )


def _read_anchor(path: Path) -> AuditAnchor:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"cannot read the anchor {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_anchor(text, str(path))


@audit_group.command("anchor")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the anchor to this file (default: standard output).",
)
@pass_app
def audit_anchor(app: AppContext, output: Path | None) -> None:
    """Write where the log ends now (event count, last event id, hash, time) as a small JSON document.

    Keep it somewhere the ledger's database cannot reach (a git repository, another machine, a
    published digest); `audit verify --anchor FILE` later proves the log still extends it."""
    anchor = anchor_audit_log(app.ledger())
    document = json.dumps(anchor.as_dict(), indent=2) + "\n"
    if output is None:
        click.echo(document, nl=False)
        return
    try:
        output.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise LedgerError(f"cannot write the anchor to {output}: {exc.strerror or exc}") from None
    info(f"anchored the audit log at event {anchor.last_event_id} ({anchor.events} events) in {output}")


# ---------------------------------------------------------------- entry point


def main() -> None:
    cli(prog_name="factledger")
