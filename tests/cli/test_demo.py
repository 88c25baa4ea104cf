"""`factledger demo` as `make demo` runs it: the summary in words, and hints that work as typed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CONSOLE_SCRIPT = Path(sys.executable).with_name("factledger")


def _hint(stdout: str, label: str) -> str:
    [line] = [line for line in stdout.splitlines() if line.strip().startswith(label)]
    return line.split(label, 1)[1].strip()


def test_demo_hints_are_commands_that_work_as_typed(tmp_path: Path) -> None:
    """`make demo` printed `factledger --home .demo/demo claims list`, but factledger is in .venv/bin."""
    work = tmp_path / "checkout"
    work.mkdir()
    path_without_venv = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != CONSOLE_SCRIPT.parent
    )
    env = {**os.environ, "FACTLEDGER_HOME": ".demo", "PATH": path_without_venv}
    built = subprocess.run(
        [str(CONSOLE_SCRIPT), "demo", "--no-review"], cwd=work, env=env, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    explore = _hint(built.stdout, "explore it:")
    assert not explore.startswith("factledger ")  # not on PATH: the hint names the program's path
    listed = subprocess.run(explore, shell=True, cwd=work, env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) > 5  # the demo's claims, one a line
    accept = _hint(built.stdout, "accept it with:")
    accepted = subprocess.run(accept, shell=True, cwd=work, env=env, capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stderr
    assert "is now supported" in accepted.stdout
    counts = _hint(built.stdout, "claims by status:")
    assert "{" not in counts
    assert counts.endswith("unreviewed") or "unreviewed," in counts


def test_demo_hint_is_the_bare_name_when_the_shell_finds_it(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FACTLEDGER_HOME": str(tmp_path / "home"),
        "PATH": f"{CONSOLE_SCRIPT.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    built = subprocess.run(["factledger", "demo", "--no-review"], env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert _hint(built.stdout, "explore it:").startswith("factledger --home ")


def test_the_demo_source_stays_fetchable_while_the_review_app_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`f` on the demo claim fetched a loopback page the demo had already stopped serving (and the
    guard refused it): the claim ended `blocked ⚑ needs review`. Here the review app is replaced by
    what `f` does: capture the claim's sources now, with the app's capture options."""
    from click.testing import CliRunner

    from factledger.app.capture import capture_now, source_ids_of_claim
    from factledger.app.claims import ClaimFilter, list_claims, show_claim
    from factledger.cli import cli
    from factledger.cli import demo as demo_module
    from factledger.config import Settings
    from factledger.ledger.database import Ledger
    from factledger.tui.config import ReviewConfig

    seen: dict[str, object] = {}

    def press_f(ledger: Ledger, settings: Settings, *, allow_private_networks: bool | None = None) -> None:
        overrides = (
            {} if allow_private_networks is None else {"allow_private_networks": allow_private_networks}
        )
        config = ReviewConfig.from_settings(settings, **overrides)
        [claim] = list_claims(ledger, ClaimFilter(search=demo_module.DEMO_CLAIM_SEARCH, limit=1))
        ids = source_ids_of_claim(ledger, claim["id"])
        seen["summary"] = capture_now(ledger, "mariam", config.archive_paths, config.capture_options, ids)
        seen["claim"] = show_claim(ledger, claim["id"])

    monkeypatch.setattr(demo_module, "on_a_terminal", lambda: True)
    monkeypatch.setattr(demo_module, "run_review", press_f)
    monkeypatch.setattr("rich_click.pause", lambda **_: None)
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    summary = seen["summary"]
    assert (summary.ok, summary.refused, summary.failed) == (1, 0, 0)  # type: ignore[attr-defined]
    claim = seen["claim"]
    assert claim["needs_review"] is False  # type: ignore[index]
    assert claim["evidence"][0]["source_health"] == "ok"  # type: ignore[index]
