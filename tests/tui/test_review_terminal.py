"""The real `factledger review` command in a real terminal (tmux), on the demo ledger."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        TMUX is None, reason="tmux is not installed (apt-get install -y tmux): the terminal test cannot run"
    ),
]
FACTLEDGER = str(Path(sys.executable).with_name("factledger"))


def _capture(session: str) -> str:
    assert TMUX is not None
    return subprocess.run(
        [TMUX, "capture-pane", "-t", session, "-p"], capture_output=True, text=True, check=False
    ).stdout


def _wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_review_command_shows_claims_and_quits_on_q(tmp_path: Path) -> None:
    assert TMUX is not None
    home = tmp_path / "home"
    env = {**os.environ, "FACTLEDGER_HOME": str(home), "FACTLEDGER_REVIEWER": "mariam"}
    built = subprocess.run([FACTLEDGER, "demo", "--no-review"], env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    database = f"sqlite:///{home / 'demo' / 'ledger.sqlite3'}"
    exit_file = tmp_path / "exit-code"
    command = f"{shlex.quote(FACTLEDGER)} --db {shlex.quote(database)} review; echo $? > {shlex.quote(str(exit_file))}"
    session = f"factledger-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [
            TMUX,
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "120",
            "-y",
            "40",
            "-e",
            f"FACTLEDGER_HOME={home}",
            "-e",
            "TERM=xterm-256color",
            command,
        ],
        check=True,
        env=env,
    )
    try:
        assert _wait_for(
            # The claims table and the detail pane of the top-ranked claim, both read from the ledger.
            lambda: (
                bool(re.search(r"\d+ claims", _capture(session)))
                and bool(re.search(r"Claim \d+\s+unreviewed", _capture(session)))
            ),
            60,
        ), _capture(session)
        screen = _capture(session)
        assert "factledger review" in screen
        assert re.search(r"\d+ claims", screen)
        assert "Traceback" not in screen
        subprocess.run([TMUX, "send-keys", "-t", session, "q"], check=True)
        assert _wait_for(exit_file.exists, 30), _capture(session)
        time.sleep(0.2)
        assert exit_file.read_text().strip() == "0"
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True, check=False)


def test_f_in_the_demo_fetches_the_demo_source_again(tmp_path: Path) -> None:
    """`factledger demo` opens the review app; `f` on the demo claim must capture its source again.

    The bad demo stopped serving its loopback page before the app opened and left the app's address
    guard closed, so `f` ended with the source `blocked` and the claim flagged ⚑ needs review."""
    from sqlalchemy import select

    from factledger.ledger.database import open_ledger
    from factledger.ledger.models import Claim, Snapshot, Source

    assert TMUX is not None
    home = tmp_path / "home"
    exit_file = tmp_path / "exit-code"
    command = f"{shlex.quote(FACTLEDGER)} demo; echo $? > {shlex.quote(str(exit_file))}"
    session = f"factledger-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "FACTLEDGER_HOME": str(home), "FACTLEDGER_REVIEWER": "mariam"}
    subprocess.run(
        [
            *(TMUX, "new-session", "-d", "-s", session, "-x", "120", "-y", "40"),
            *(
                "-e",
                f"FACTLEDGER_HOME={home}",
                "-e",
                "FACTLEDGER_REVIEWER=mariam",
                "-e",
                "TERM=xterm-256color",
            ),
            command,
        ],
        check=True,
        env=env,
    )

    def keys(*typed: str) -> None:
        assert TMUX is not None
        subprocess.run([TMUX, "send-keys", "-t", session, *typed], check=True)

    try:
        # The demo's summary waits for a key before the app takes the screen.
        assert _wait_for(lambda: "press any key to open the review app" in _capture(session), 120), _capture(
            session
        )
        keys("Enter")
        assert _wait_for(lambda: re.search(r"Claim \d+\s+unreviewed", _capture(session)), 120), _capture(
            session
        )
        keys("/")
        assert _wait_for(lambda: "Search claim text" in _capture(session), 20), _capture(session)
        keys("-l", "Power announced humanitarian")
        keys("Enter")
        # The one match (of 21) in the table and the detail pane (f before that finds no claim selected).
        assert _wait_for(
            lambda: (
                bool(re.search(r"·\s+1 claims\s+·", _capture(session)))
                and bool(re.search(r"Claim \d+\s+unreviewed", _capture(session)))
            ),
            20,
        ), _capture(session)
        keys("f")
        assert _wait_for(lambda: "sources captured" in _capture(session), 60), _capture(session)
        notice = _capture(session)
        assert "1 of 1 sources captured" in notice, notice
        keys("q")
        assert _wait_for(exit_file.exists, 30), _capture(session)
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True, check=False)
    ledger = open_ledger(f"sqlite:///{home / 'demo' / 'ledger.sqlite3'}")
    try:
        with ledger.read() as db:
            [source] = db.scalars(select(Source)).all()
            assert (source.health, source.url.startswith("http://127.0.0.1:")) == ("ok", True)
            assert len(db.scalars(select(Snapshot).where(Snapshot.source_id == source.id)).all()) == 2
            flagged = db.scalars(select(Claim.id).where(Claim.needs_review.is_(True))).all()
            assert flagged == []
    finally:
        ledger.close()
