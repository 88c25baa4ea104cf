"""Help that teaches: every command ends with examples, lists its choices, and the root help lists the
commands without loading them."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
import rich_click as click
from click.testing import CliRunner

from factledger.cli import cli
from factledger.cli.app import LAZY_COMMANDS, load_command

pytestmark = pytest.mark.integration


def _all_commands() -> list[tuple[str, click.Command]]:
    found = []
    for name in LAZY_COMMANDS:
        command = load_command(name)
        found.append((name, command))
        if isinstance(command, click.Group):
            found.extend((f"{name} {sub}", command.commands[sub]) for sub in command.commands)
    return found


def _words(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_the_root_listing_matches_each_commands_own_help() -> None:
    for name, (_, listed) in LAZY_COMMANDS.items():
        command = load_command(name)
        first_paragraph = inspect.cleandoc(command.help or "").split("\n\n")[0].replace("\n", " ")
        assert listed == first_paragraph, name


def test_root_help_loads_no_subcommand_module() -> None:
    """`--help` imported every subcommand (and the archiver, the ingest pipeline, …): 0.7 s of imports."""
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from factledger.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'claims' in result.output\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('factledger.cli.claims', 'factledger.app', "
        "'sqlalchemy', 'alembic', 'httpx', 'textual')))\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# The packages besides the standard library that `claims list` and `claims show` may load on a SQLite
# ledger: the command line and the database layer (typing_extensions comes with SQLAlchemy). Alembic, the
# archiver's httpx and warcio, the ingest pipeline, textual, psycopg, idna (URL normalization on writes)
# and platformdirs (only when no home is given) all cost start-up time the read commands do not need.
READ_PATH_PACKAGES = {"click", "rich", "rich_click", "sqlalchemy", "typing_extensions"}


@pytest.mark.parametrize("command", [["claims", "list"], ["claims", "show", "1"]], ids=" ".join)
def test_read_commands_load_only_the_cli_and_the_database_layer(
    factledger_home: str, command: list[str]
) -> None:
    """Every import counts at start-up (the goal is 0.3 s, tests/bench/startup_bench.py measures it); on
    main these commands also loaded idna, platformdirs and tomllib."""
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from factledger.cli import cli\n"
        f"result = CliRunner().invoke(cli, ['--home', {factledger_home!r}, *{command!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if not m.startswith('_')}"
        " - set(sys.stdlib_module_names) - {'factledger', 'cython_runtime'}))\n"
        "print(sorted(m for m in sys.modules if m in ('tomllib', 'difflib')))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('factledger.archive.runner', "
        "'factledger.archive.fetch', 'factledger.ingest', 'factledger.exchange', 'factledger.verify', "
        "'factledger.tui', 'factledger.app.review', 'factledger.ledger.review_queries'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    packages, config_parsing, write_machinery = result.stdout.splitlines()[:3]
    assert packages == str(sorted(READ_PATH_PACKAGES))
    assert config_parsing == "[]"  # no factledger.toml in the home: nothing to parse
    assert write_machinery == "[]"


@pytest.fixture
def factledger_home(tmp_path: object) -> str:
    from pathlib import Path

    home = Path(str(tmp_path)) / "home"
    result = CliRunner().invoke(cli, ["--home", str(home), "claims", "add", "A claim."])
    assert result.exit_code == 0
    return str(home)


@pytest.mark.parametrize(("name", "command"), _all_commands(), ids=lambda value: str(value).split(" ")[0])
def test_every_command_ends_with_examples(name: str, command: click.Command) -> None:
    if isinstance(command, click.Group):
        return  # a group's help lists its commands, each of which has examples
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    text = _words(result.output)
    assert "Example" in text, name
    assert f"factledger {name}" in text.split("Example", 1)[1], name


@pytest.mark.parametrize(
    ("args", "choices"),
    [
        (["claims", "list"], ["unreviewed", "in_review", "supported", "refuted", "mixed", "unverifiable"]),
        (["claims", "status"], ["unreviewed", "supported"]),
        (["cite"], ["supports", "refutes", "context"]),
        (["import"], ["jsonl", "csv", "claimreview"]),
        (["export"], ["jsonl", "csv", "claimreview", "wacz"]),
    ],
)
def test_help_lists_the_choices(args: list[str], choices: list[str]) -> None:
    listed = "".join(_words(CliRunner().invoke(cli, [*args, "--help"]).output).split())  # wrapped anywhere
    for choice in choices:
        assert choice in listed, (args, choice)
