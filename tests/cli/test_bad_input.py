"""Bad input: one line on stderr, exit code 1, and nothing written."""

from __future__ import annotations

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration


def _assert_one_line_error(result, fragment: str, code: int = 1) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("factledger: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_claim_id(factledger: Factledger) -> None:
    assert factledger("init").exit_code == 0
    _assert_one_line_error(factledger("claims", "show", "4242"), "no claim with id 4242")
    _assert_one_line_error(factledger("claims", "status", "4242", "supported"), "no claim with id 4242")
    _assert_one_line_error(
        factledger("cite", "4242", "https://example.com", "--stance", "supports"), "no claim"
    )


def _words(text: str) -> str:
    """The text of a usage error, without the box the help formatter draws around it."""
    return " ".join(text.replace("│", " ").split())


def test_an_unknown_status_or_stance_is_a_usage_error_listing_the_choices(factledger: Factledger) -> None:
    """A bad choice exited 1 in one style (`claims status`) and 2 in another (`import FORMAT`)."""
    cid = str(factledger.json("claims", "add", "A claim.")["id"])
    for args in (
        ("claims", "status", cid, "true-ish"),
        ("claims", "list", "--status", "nope"),
        ("cite", cid, "https://example.com", "--stance", "maybe"),
        ("sources", "list", "--health", "poorly"),
        ("import", "yaml", "claims.yaml"),
    ):
        result = factledger(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert "is not one of" in _words(result.stderr)
        assert "Traceback" not in result.stderr
    assert "'supported'" in _words(factledger("claims", "status", cid, "true-ish").stderr)
    assert "'refutes'" in _words(factledger("cite", cid, "https://example.com", "--stance", "maybe").stderr)
    assert factledger.json("claims", "history", cid)[-1]["kind"] == "claim.created"
    assert factledger("claims", "status", cid, "In_Review").exit_code == 0  # case does not matter


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://example.com/x", "only http and https"),
        ("https://user:pw@example.com/", "credentials"),
        ("not a url", "whitespace"),
        ("https:///nohost", "no host"),
        # Hostile forms (issue 14): on main these became sources, read as 127.0.0.1 by browsers.
        ("http://0177.0.0.1/", "ambiguous numeric host"),
        ("http://0x7f.1/", "ambiguous numeric host"),
        ("http://2130706433/", "ambiguous numeric host"),
        ("http://example.org:0/", "port 0"),
    ],
)
def test_malformed_urls_are_refused_without_a_source(factledger: Factledger, url: str, fragment: str) -> None:
    cid = str(factledger.json("claims", "add", "A claim.")["id"])
    _assert_one_line_error(factledger("cite", cid, url, "--stance", "supports"), fragment)
    assert factledger.json("sources", "list") == []


def test_search_without_words(factledger: Factledger) -> None:
    assert factledger("init").exit_code == 0
    _assert_one_line_error(factledger("claims", "list", "--search", "?!"), "no words")


def test_usage_error_exits_2(factledger: Factledger) -> None:
    result = factledger("claims", "status")
    assert result.exit_code == 2
