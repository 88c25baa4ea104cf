"""Untrusted text on its way to the terminal, through the real CLI (issue 14, section 3).

Hostile input: a plain-text page whose sentence holds ESC [2J (clear screen) and an OSC 8 hyperlink, and whose
response carries a header with a C1 CSI (U+009B, sent as the byte 0x9B). On main these bytes reached
stdout raw in `ingest`'s report, `claims list`, `claims show` and `sources snapshot --show text/headers`.
"""

from __future__ import annotations

import pytest

from tests.conftest import Factledger
from tests.site_server import Page, Site

pytestmark = pytest.mark.integration

CLEAR_SCREEN = "\x1b[2J"
OSC8_LINK = "\x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\"
SENTENCE = (
    f"The ministry said spending rose by 45 percent to $3 billion in 2023{CLEAR_SCREEN}, "
    f"according to the report {OSC8_LINK}."
)
PAGE = f"Budget\n\n{SENTENCE}\n"  # plain text: HTML extraction drops ESC itself, a text page keeps it


def _assert_no_controls(output: str) -> None:
    assert "\x1b" not in output
    assert "\x9b" not in output
    assert "␛[2J" in output or "\ufffd" in output


def test_every_output_of_a_hostile_page_shows_its_controls_visibly(
    factledger: Factledger, site: Site
) -> None:
    site.pages["/budget"] = Page(
        body=PAGE.encode("utf-8"), content_type="text/plain; charset=utf-8", headers=(("X-Note", "a\x9b2Jb"),)
    )
    ingested = factledger("ingest", site.url("/budget"), "--allow-private", "--min-score", "0")
    assert ingested.exit_code == 0, ingested.stderr
    _assert_no_controls(ingested.stdout + ingested.stderr)
    assert "␛[2J" in ingested.stdout

    claims = factledger.json("claims", "list")
    claim = next(c for c in claims if "45 percent" in c["text"])
    assert CLEAR_SCREEN in claim["text"]  # stored as it came: only the terminal output is made visible

    listed = factledger("claims", "list")
    assert listed.exit_code == 0
    _assert_no_controls(listed.stdout)
    shown = factledger("claims", "show", str(claim["id"]))
    assert shown.exit_code == 0
    _assert_no_controls(shown.stdout)
    assert "␛[2J" in shown.stdout

    [snapshot] = factledger.snapshots()
    text = factledger("sources", "snapshot", str(snapshot.id), "--show", "text")
    assert text.exit_code == 0
    _assert_no_controls(text.stdout)
    assert "␛]8;;https://evil.example/" in text.stdout
    headers = factledger("sources", "snapshot", str(snapshot.id), "--show", "headers")
    assert headers.exit_code == 0
    _assert_no_controls(headers.stdout)
    assert "a\ufffd2Jb" in headers.stdout


def test_an_error_message_shows_controls_visibly(factledger: Factledger) -> None:
    # Hostile input: a URL holding ESC [2J given to `cite`; the refusal quotes it back on stderr.
    claim_id = str(factledger.json("claims", "add", "A claim.")["id"])
    result = factledger("cite", claim_id, f"ftp://x/{CLEAR_SCREEN}", "--stance", "supports")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr
