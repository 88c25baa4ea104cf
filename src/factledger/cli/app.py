"""The command group, its shared context and error handling.

Start-up is kept short: the root group loads a subcommand's module only when that subcommand is asked for
(click's lazy-group pattern, ``LAZY_COMMANDS``), and this module imports no database or network code, so
``--help`` starts in well under a third of a second. A command that reads the ledger also pays for
importing SQLAlchemy (Core and the ORM the models are declared with), which is most of what ``claims
list`` and ``claims show`` take; besides it they load only click, rich and rich-click
(tests/cli/test_help.py). ``tests/bench/startup_bench.py`` measures it, with that floor beside.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import rich_click as click
from click.exceptions import Exit as ClickExit

from factledger.cli.output import error
from factledger.config import ConfigError, Settings, load_settings
from factledger.files import OutputPathError
from factledger.ledger.errors import LedgerError
from factledger.ledger.storable import MAX_STORED_INT

if TYPE_CHECKING:
    from factledger.archive.capture_store import ArchivePaths
    from factledger.ledger.database import Ledger

# Each subcommand of `factledger`: the module that defines it, its name there, and the first paragraph
# of its help. The root --help lists these without importing a module (tests/cli/test_help.py checks
# that each matches the command's own help); running a subcommand, or its --help, loads its module.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "factledger.cli.ledger_commands:init",
        "Create the ledger, or upgrade it to this version's schema.",
    ),
    "ingest": (
        "factledger.cli.ingest:ingest",
        "Read documents (text, Markdown, HTML files, or web pages by URL) and store their check-worthy "
        "claims, ranked. A URL is archived first and its claims are read from the capture.",
    ),
    "claims": ("factledger.cli.claims:claims_group", "Record, list and review claims."),
    "cite": ("factledger.cli.sources:cite", "Attach a source URL to a claim as evidence."),
    "sources": ("factledger.cli.sources:sources_group", "Archived sources and their health."),
    "archive": (
        "factledger.cli.archive:archive_group",
        "Capture sources into WARC files and track their health.",
    ),
    "verify": (
        "factledger.cli.verify:verify",
        "Check each evidence quote against its source's latest snapshot; update suggested verdicts.",
    ),
    "review": (
        "factledger.cli.review:review",
        "Triage claims in the terminal: the keyboard-first review app (press ? inside for the keys).",
    ),
    "import": (
        "factledger.cli.exchange:import_command",
        "Import claims with their evidence: all or nothing, unless --skip-invalid.",
    ),
    "export": (
        "factledger.cli.exchange:export_command",
        "Export claims with their evidence (claimreview: the verdicts, as schema.org JSON-LD; wacz: an "
        "evidence bundle of the cited sources' archived captures, replayable in ReplayWeb.page and pywb).",
    ),
    "rescore": (
        "factledger.cli.rescore:rescore",
        "Score every claim again with the current check-worthiness model.",
    ),
    "audit": ("factledger.cli.ledger_commands:audit_group", "The tamper-evident audit log."),
    "status": (
        "factledger.cli.status:status",
        "Claims by status, sources by health and due, failures in 24 h, each worker's last pass.",
    ),
    "store": (
        "factledger.cli.store:store_group",
        "The capture store: WARC data and texts, in the home or in a bucket (--store, FACTLEDGER_STORE).",
    ),
    "demo": (
        "factledger.cli.demo:demo",
        "Build a fresh demo ledger from the bundled articles, archive a source, and show the result.",
    ),
}


def load_command(name: str) -> click.Command:
    """Import the module of subcommand ``name`` and return the command."""
    module_name, attribute = LAZY_COMMANDS[name][0].split(":")
    command = getattr(importlib.import_module(module_name), attribute)
    assert isinstance(command, click.Command), f"{LAZY_COMMANDS[name][0]} is not a click command"
    return command


click.rich_click.COMMAND_GROUPS = {
    "factledger": [
        {"name": "Start", "commands": ["init", "demo", "ingest", "import"]},
        {"name": "Review", "commands": ["claims", "cite", "verify", "review"]},
        {"name": "Sources", "commands": ["sources", "archive"]},
        {"name": "Ledger", "commands": ["status", "export", "rescore", "audit", "store"]},
    ]
}
click.rich_click.SHOW_ARGUMENTS = True
click.rich_click.OPTIONS_TABLE_COLUMN_TYPES = ["required", "opt_short", "opt_long", "help"]
# The metavar (a Choice's values among them) after each option's help, then its default.
click.rich_click.OPTIONS_TABLE_HELP_SECTIONS = ["help", "metavar", "default", "required"]


@dataclass
class AppContext:
    settings: Settings
    _ledger: Ledger | None = field(default=None)

    @property
    def actor(self) -> str:
        return self.settings.reviewer

    def archive_paths(self) -> ArchivePaths:
        """Where this ledger's captures are (``--store``, FACTLEDGER_STORE, ``store`` in the toml)."""
        from factledger.archive.capture_store import ArchivePaths

        return ArchivePaths.under(self.settings.home, self.settings.store)

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

    _listing = False  # while the group's own help is drawn: list the commands without loading them

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *LAZY_COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return click.Command(cmd_name, help=LAZY_COMMANDS[cmd_name][1])
        return load_command(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ClickExit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # `factledger … | head`: the reader has gone. click's main ends quietly, as Unix tools do.
            raise
        except LedgerError as exc:
            _fail(str(exc), exc.exit_code)
        except (ConfigError, OutputPathError) as exc:
            _fail(str(exc), 1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except OSError as exc:
            # The machine said no (a full disk, a read-only file system, no permission): the user can act.
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}", 1)
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
    raise ClickExit(code)


def examples(*commands: str) -> str:
    """A command's epilog: one or two real invocations, shown at the end of its --help."""
    label = "Example" if len(commands) == 1 else "Examples"
    return f"{label}:\n\n" + "\n\n".join(f"  {command}" for command in commands)


pass_app = click.make_pass_decorator(AppContext)
# Ids, versions and limits: a number the ledger cannot hold is a usage error (exit 2), not a database one.
ROW_ID = click.IntRange(1, MAX_STORED_INT)
VERSION = click.IntRange(1, MAX_STORED_INT)
LIMIT = click.IntRange(1, MAX_STORED_INT)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")


@click.group(
    cls=FactledgerGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Examples:\n\n  factledger demo\n\n  factledger ingest article.md && factledger claims list --needs-review",
)
@click.version_option(package_name="factledger", prog_name="factledger")
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


def redacted(url: str) -> str:
    """A database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ---------------------------------------------------------------- entry point


def main() -> None:
    cli(prog_name="factledger")
