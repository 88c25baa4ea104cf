"""URL normalization: one Source per resource, however the URL was written.

Lower-case scheme and host, IDNA (UTS #46 via the stdlib codec) for international names, default
port dropped, fragment dropped, tracking parameters dropped. Anything that is not a plain public
http(s) URL is refused with a message the user can act on.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlsplit, urlunsplit

from factledger.ledger.errors import InvalidInputError

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_eid", "igshid"})
# Characters that stay as they are in a path: unreserved, sub-delims, ':' '@' '/' and '%' (already escaped).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/:@!$'()*+,;-._~%?"
# \s matches exactly what str.isspace() accepts; plus the C0 control characters.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_HOST_LABEL = re.compile(r"^[a-z0-9-]{1,63}$")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMETERS


def _normalize_host(host: str, original: str) -> str:
    host = host.rstrip(".").lower()
    if ":" in host:  # an IPv6 literal; the address guard decides whether it may be fetched
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            raise InvalidInputError(f"invalid IPv6 address in URL: {original!r}") from None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInputError(f"invalid host name in URL: {original!r}") from None
    labels = ascii_host.split(".")
    if not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidInputError(f"invalid host name in URL: {original!r}")
    return ascii_host


def _upper_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda match: match.group(0).upper(), text)


def normalize_url(raw: str) -> str:
    """Return the canonical form of ``raw`` or raise InvalidInputError saying why it is refused."""
    text = raw.strip()
    if not text:
        raise InvalidInputError("empty URL")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidInputError(f"URL is longer than {MAX_URL_LENGTH} characters ({len(text)})")
    if _SPACE_OR_CONTROL.search(text):
        raise InvalidInputError(f"URL contains whitespace or control characters: {text[:80]!r}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidInputError(f"malformed URL {text[:80]!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        shown = scheme or "none"
        raise InvalidInputError(f"only http and https URLs can be sources (scheme: {shown}): {text[:80]!r}")
    if parts.username is not None or parts.password is not None:
        raise InvalidInputError("URLs with credentials (user:password@) are refused; remove them")
    if not parts.hostname:
        raise InvalidInputError(f"URL has no host: {text[:80]!r}")
    host = _normalize_host(parts.hostname, text)
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"

    path = _upper_escapes(quote(parts.path, safe=_PATH_SAFE)) if parts.path else "/"
    query_pairs = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    ]
    query = urlencode(query_pairs, quote_via=quote, safe=_QUERY_SAFE)
    normalized = urlunsplit(SplitResult(scheme, netloc, path, query, ""))
    if len(normalized) > MAX_URL_LENGTH:
        # The message keeps its British spelling: what a user sees does not change with a code rename.
        raise InvalidInputError(f"URL is longer than {MAX_URL_LENGTH} characters once normalised")
    return normalized


def domain_of(normalized_url: str) -> str:
    return urlsplit(normalized_url).hostname or ""
