"""Redirect following, checked hop by hop: every URL the fetcher requests passes through ``checked_url``.

A Location must be http(s), name a host and carry no credentials; a loop or a chain longer than the cap ends
the fetch. URLs that reach a record or a message are ``redacted`` of any credentials first.
"""

from __future__ import annotations

import httpx

from factledger.archive.errors import ErrorKind
from factledger.archive.fetch_response import FetchFailure

__all__ = ["REDIRECT_STATUSES", "checked_url", "redacted", "redirect_target"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def redirect_target(
    current: httpx.URL, location: str, seen: set[httpx.URL], hops: int, max_redirects: int
) -> httpx.URL:
    """The next URL to request after a redirect from ``current``, or a ``FetchFailure`` saying why not."""
    try:
        target = checked_url(current.join(location.strip()), "bad_redirect").copy_with(fragment=None)
    except httpx.InvalidURL:
        raise FetchFailure("bad_redirect", "redirect Location is not a valid URL") from None
    if target in seen:
        raise FetchFailure("redirect_loop", f"redirect loop back to {redacted(target)}")
    if hops > max_redirects:
        raise FetchFailure("too_many_redirects", f"more than {max_redirects} redirects")
    return target


def checked_url(url: str | httpx.URL, kind: ErrorKind) -> httpx.URL:
    """``url`` parsed, if the fetcher may request it; otherwise a ``FetchFailure`` of ``kind``."""
    what = "redirect Location" if kind == "bad_redirect" else "URL"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchFailure(kind, f"{what} is not a valid URL") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchFailure(kind, f"{what} is not http(s) (scheme {parsed.scheme!r})")
    if not parsed.host:
        raise FetchFailure(kind, f"{what} has no host")
    if parsed.userinfo:
        raise FetchFailure(kind, f"{what} carries credentials: {redacted(parsed)}")
    return parsed


def redacted(url: httpx.URL) -> str:
    """``url`` as text, without any username or password."""
    if url.userinfo:
        url = url.copy_with(username=None, password=None)
    return str(url)
