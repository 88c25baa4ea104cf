"""The command group, its shared context and error handling.

Start-up is kept short (``--help``, ``claims list`` and ``claims show`` are meant to start in well under a
third of a second): the root group loads a subcommand's module only when that subcommand is asked for
(click's lazy-group pattern, ``LAZY_COMMANDS``), and this module imports no database or network code.
``tests/bench/startup_bench.py`` measures it.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import rich_click as click

from factledger import __version__
from factledger.cli.output import error
from factledger.config import ConfigError, Settings, load_settings
from factledger.ledger.errors import LedgerError

if TYPE_CHECKING:
    from factledger.ledger.database import Ledger

# Each subcommand of `factledger`: the module that defines it and its name there, loaded on first use.
LAZY_COMMANDS: dict[str, str] = {
    "init": "factledger.cli.ledger_commands:init",
    "ingest": "factledger.cli.ingest:ingest",
    "claims": "factledger.cli.claims:claims_group",
    "cite": "factledger.cli.sources:cite",
    "sources": "factledger.cli.sources:sources_group",
    "archive": "factledger.cli.archive:archive_group",
    "verify": "factledger.cli.verify:verify",
    "review": "factledger.cli.review:review",
    "import": "factledger.cli.exchange:import_command",
    "export": "factledger.cli.exchange:export_command",
    "rescore": "factledger.cli.rescore:rescore",
    "audit": "factledger.cli.ledger_commands:audit_group",
    "demo": "factledger.cli.demo:demo",
}

click.rich_click.COMMAND_GROUPS = {
    "factledger": [
        {"name": "Start", "commands": ["init", "demo", "ingest", "import"]},
        {"name": "Review", "commands": ["claims", "cite", "verify", "review"]},
        {"name": "Sources", "commands": ["sources", "archive"]},
        {"name": "Ledger", "commands": ["export", "rescore", "audit"]},
    ]
}
click.rich_click.SHOW_ARGUMENTS = True
click.rich_click.SHOW_METAVARS_COLUMN = False
# The metavar (a Choice's values among them) after each option's help, then its default.
click.rich_click.OPTIONS_TABLE_HELP_SECTIONS = ["help", "metavar", "default", "required"]


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
            from factledger.ledger.database import open_ledger

            self._ledger = open_ledger(self.settings.database_url, create=False)
        return self._ledger

    def creating_ledger(self) -> Ledger:
        """The ledger, created when the database is empty: for the commands that put the first things in
        one (init, ingest, import, demo, claims add)."""
        if self._ledger is None:
            from factledger.ledger.database import open_ledger

            self._ledger = open_ledger(self.settings.database_url, create=True)
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None


class FactledgerGroup(click.RichGroup):
    """The root group: loads its subcommands lazily, and turns the errors a user can act on into one line
    on stderr and a meaningful exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *LAZY_COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = LAZY_COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command), f"{LAZY_COMMANDS[cmd_name]} is not a click command"
        return command

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
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:
            _fail_unexpected(exc)


def _fail_unexpected(exc: Exception) -> NoReturn:
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError):  # OperationalError is one: the database is down, locked or full
        _fail(f"database error: {str(exc.orig or exc).strip().splitlines()[0]}", 1)
    # A bug, not bad input. People get one line; FACTLEDGER_DEBUG=1 brings the traceback back.
    if os.environ.get("FACTLEDGER_DEBUG"):
        raise exc
    _fail(f"internal error ({type(exc).__name__}: {exc}); rerun with FACTLEDGER_DEBUG=1 for details", 1)


def _fail(message: str, code: int) -> NoReturn:
    error(message)
    raise click.exceptions.Exit(code)


pass_app = click.make_pass_decorator(AppContext)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")


@click.group(
    cls=FactledgerGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Examples:\n\n  factledger demo\n\n  factledger ingest article.md && factledger claims list --needs-review",
)
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


def redacted(url: str) -> str:
    """A database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ---------------------------------------------------------------- entry point


def main() -> None:
    cli(prog_name="factledger")
