"""URL normalization: one Source per resource, and clear refusals."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from factledger.ledger.errors import InvalidInputError
from factledger.ledger.urls import domain_of, normalize_url

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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Dot segments (RFC 3986 5.2.4); on main `/a/./b/../c` and `/a/c` were two sources.
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://example.com/../../x", "https://example.com/x"),
        ("https://example.com/a/%2e%2E/b", "https://example.com/b"),
        ("https://example.com/.well-known/x", "https://example.com/.well-known/x"),
        # UTS #46, non-transitional: on main the IDNA 2003 codec mapped faß.de to fass.de, another site.
        ("https://faß.de/", "https://xn--fa-hia.de/"),
        ("https://FASS.de/", "https://fass.de/"),
        ("https://☃.net/", "https://xn--n3h.net/"),
        ("http://127.0.0.1/", "http://127.0.0.1/"),
    ],
)
def test_dot_segments_and_international_names(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://0x7f.1/", "http://2130706433/", "http://1.2.3.04/"],
)
def test_numeric_hosts_other_than_dotted_decimal_are_refused(raw: str) -> None:
    # Hostile input: IPv4 in octal, hex or short forms; browsers read each as an address, other tools
    # as a host name, so one URL would name two things.
    with pytest.raises(InvalidInputError, match="ambiguous numeric host"):
        normalize_url(raw)


def test_port_zero_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="port 0"):
        normalize_url("http://example.com:0/a")


_URL_BITS = st.sampled_from(
    ["http", "https", "HTTP", "://", "/", "?", "#", ":", "@", "[", "]", ".", "-", "a", "Z", "0", "é", " ", "\t",
     "\n", "\x00", "::1", "8080", "xn--bcher-kva", "example.org"]
)  # fmt: skip


@pytest.mark.unit
@settings(deadline=None)
@given(st.lists(_URL_BITS, max_size=16).map("".join))
@example("http://example.org")
@example("https://ex\tample.org/a")  # urlsplit drops the tab
@example(" https://example.org/")
@example("https://[::1]:8080/x")
def test_domain_of_is_urlsplits_hostname(url: str) -> None:
    """domain_of's shortcut for plain hosts gives what urlsplit gives, on any text (normalized or not)."""
    try:
        expected = urlsplit(url).hostname or ""
    except ValueError as exc:
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            domain_of(url)
        return
    assert domain_of(url) == expected
    try:
        normalized = normalize_url(url)
    except InvalidInputError:
        return
    assert domain_of(normalized) == (urlsplit(normalized).hostname or "")
