"""URL normalization: one Source per resource, and clear refusals."""

from __future__ import annotations

import pytest

from factledger.ledger.errors import InvalidInputError
from factledger.ledger.urls import normalize_url

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM/Path", "http://example.com/Path"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80", "http://example.com/"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=abc&gclid=def", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
        ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://EXAMPLE.com./x", "https://example.com/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("  https://example.com/padded  ", "https://example.com/padded"),
    ],
)
def test_normalizes_to_one_form(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


def test_variants_of_one_resource_normalize_equal() -> None:
    variants = [
        "https://www.state.gov/release?utm_campaign=x",
        "HTTPS://WWW.STATE.GOV:443/release#top",
        "https://www.state.gov/release?fbclid=1",
    ]
    assert len({normalize_url(v) for v in variants}) == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("ftp://example.com/file", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("example.com/no-scheme", "only http and https"),
        ("http:///no-host", "no host"),
        ("https://user:secret@example.com/", "credentials"),
        ("https://user@example.com/", "credentials"),
        ("https://example.com/" + "a" * 2100, "longer than 2048"),
        ("https://exa mple.com/", "whitespace"),
        ("https://example.com:99999/", "malformed"),
        ("https://bad_host!.com/", "invalid host"),
        ("", "empty"),
    ],
)
def test_refuses_with_a_clear_message(raw: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        normalize_url(raw)


def test_refusal_never_echoes_credentials() -> None:
    with pytest.raises(InvalidInputError) as caught:
        normalize_url("https://alice:hunter2@example.com/")
    assert "hunter2" not in str(caught.value)
