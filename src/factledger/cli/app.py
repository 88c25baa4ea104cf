"""The command group, its shared context and error handling, and the ledger-wide commands."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from factledger import __version__
from factledger.app.claims import verify_audit_log
from factledger.app.schema import init_ledger
from factledger.cli.output import error, info, print_json
from factledger.config import ConfigError, Settings, load_settings
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.errors import LedgerError


@dataclass
class AppContext:
    settings: Settings
    _ledger: Ledger | None = field(default=None)

    @property
    def actor(self) -> str:
        return self.settings.reviewer

    def ledger(self) -> Ledger:
        """The existing ledger: a command that only reads (or changes what is there) never creates one,
        so a mistyped --home is an error rather than a new, empty ledger."""
        if self._ledger is None:
            self._ledger = open_ledger(self.settings.database_url, create=False)
        return self._ledger

    def creating_ledger(self) -> Ledger:
        """The ledger, created when the database is empty: for the commands that put the first things in
        one (init, ingest, import, demo, claims add)."""
        if self._ledger is None:
            self._ledger = open_ledger(self.settings.database_url, create=True)
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
        except BrokenPipeError:
            # `factledger … | head`: the reader has gone. click's main ends quietly, as Unix tools do.
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
@json_option
@pass_app
def audit_verify(app: AppContext, as_json: bool) -> None:
    """Check the hash chain of every event; exit 1 naming the first bad one."""
    report = verify_audit_log(app.ledger())
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
