"""Mistakes in setting up: a misspelled config key, a mistyped --home. One line, exit 1, nothing made."""

from __future__ import annotations

from pathlib import Path

import pytest

from factledger.config import ConfigError, parse_config
from tests.conftest import Factledger

pytestmark = pytest.mark.integration


def _one_line_error(result, fragment: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, (result.stdout, result.stderr)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("factledger: error: ")
    assert fragment in line, line
    return str(line)


@pytest.mark.parametrize(
    ("written", "nearest"),
    [
        ("allow_private_network = true", "allow_private_networks"),
        ('publishr_name = "Desk"', "publisher_name"),
    ],
)
def test_a_misspelled_config_key_is_refused_naming_the_nearest(
    factledger: Factledger, written: str, nearest: str
) -> None:
    """`allow_private_network = true` (no s) was silently ignored."""
    factledger.home.mkdir(parents=True)
    (factledger.home / "factledger.toml").write_text(written + "\n", encoding="utf-8")
    line = _one_line_error(factledger("claims", "add", "A claim."), "unknown key")
    assert written.split(" ")[0] in line
    assert f"did you mean '{nearest}'" in line


def test_a_key_nothing_resembles_lists_the_known_keys() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'colour'.*known keys: database_url"):
        parse_config({"colour": "blue"})


def test_a_value_of_the_wrong_type_names_the_key(factledger: Factledger) -> None:
    factledger.home.mkdir(parents=True)
    (factledger.home / "factledger.toml").write_text('recheck_days = "often"\n', encoding="utf-8")
    _one_line_error(factledger("claims", "add", "A claim."), "recheck_days must be a positive number")


def test_every_config_field_has_a_docstring() -> None:
    source = (Path(__file__).resolve().parents[2] / "src/factledger/config.py").read_text()
    body = source[source.index("class ConfigFile") : source.index("_CHECKS")]
    from factledger.config import CONFIG_KEYS

    for key in CONFIG_KEYS:
        after = body[body.index(f"\n    {key}:") :].splitlines()
        assert after[2].strip().startswith('"""'), key


@pytest.mark.parametrize(
    "command",
    [["claims", "list"], ["claims", "show", "1"], ["sources", "list"], ["audit", "verify"], ["verify"]],
)
def test_a_read_on_a_missing_ledger_says_so_and_creates_nothing(tmp_path: Path, command: list[str]) -> None:
    """A mistyped --home made `claims list` quietly create a new, empty ledger."""
    home = tmp_path / "mistyped-home"
    result = Factledger(db_url=f"sqlite:///{home / 'ledger.sqlite3'}", home=home)(*command)
    line = _one_line_error(result, "no ledger at")
    assert "factledger init" in line
    assert not home.exists()


def test_a_read_on_an_empty_postgres_database_says_so(postgres_url: str, tmp_path: Path) -> None:
    result = Factledger(db_url=postgres_url, home=tmp_path / "home")("claims", "list")
    _one_line_error(result, "no ledger in this database yet")


@pytest.mark.parametrize(
    "command",
    [["init"], ["claims", "add", "A first claim."]],
)
def test_init_and_first_writes_create_the_ledger(tmp_path: Path, command: list[str]) -> None:
    home = tmp_path / "new-home"
    factledger = Factledger(db_url=f"sqlite:///{home / 'ledger.sqlite3'}", home=home)
    assert factledger(*command).exit_code == 0
    assert factledger("claims", "list").exit_code == 0
