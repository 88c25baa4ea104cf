"""URL normalization: one Source per resource, however the URL was written.

Lower-case scheme and host, UTS #46 (the ``idna`` package, non-transitional, as browsers do) for
international names, default port dropped, dot segments removed from the path (RFC 3986 5.2.4,
``/a/./b/../c`` is ``/a/c``), fragment dropped, tracking parameters dropped. Anything that is not a
plain public http(s) URL is refused with a message the user can act on, including hosts that only
look like a dotted address in some parsers (``0177.0.0.1``, ``0x7f.1``, ``2130706433``: browsers read
them as 127.0.0.1, other tools as a name) and port 0.
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


def _domain_to_ascii(host: str) -> str:
    """UTS #46 processing, non-transitional (``faß.de`` stays ``faß``, as in browsers; the standard
    library's IDNA 2003 codec makes it ``fass.de``, another site). Labels that IDNA 2008 forbids but
    browsers still resolve (symbols such as ``☃.net``) are mapped by UTS #46 and Punycode-encoded, as
    the WHATWG URL standard's non-strict domain-to-ASCII does. idna and its tables load on the first
    international name: the read commands, which import this module, never meet one."""
    import idna

    try:
        return str(idna.encode(host, uts46=True, transitional=False).decode("ascii"))
    except idna.IDNAError:
        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
        return ".".join(
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
            for label in mapped.split(".")
        )


_DECIMAL_OCTET = re.compile(r"^(?:0|[1-9][0-9]{0,2})$")
_NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0[xX][0-9a-fA-F]*)$")


def _normalize_host(host: str, original: str) -> str:
    host = host.rstrip(".").lower()
    if ":" in host:  # an IPv6 literal; the address guard decides whether it may be fetched
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            raise InvalidInputError(f"invalid IPv6 address in URL: {original!r}") from None
    try:
        ascii_host = host if host.isascii() else _domain_to_ascii(host)
    except UnicodeError:  # idna.IDNAError is one
        raise InvalidInputError(f"invalid host name in URL: {original!r}") from None
    labels = ascii_host.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        _check_dotted_decimal(labels, original)
    if not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidInputError(f"invalid host name in URL: {original!r}")
    return ascii_host


def _check_dotted_decimal(labels: list[str], original: str) -> None:
    """A host whose last label is a number is an IPv4 address to a browser (WHATWG URL), in any of
    the legacy forms (octal, hex, fewer parts). Only the four-decimal form means the same to every
    tool, so only it is accepted."""
    if len(labels) == 4 and all(_DECIMAL_OCTET.match(label) and int(label) <= 255 for label in labels):
        return
    raise InvalidInputError(
        f"ambiguous numeric host in URL (octal, hex or short IPv4 forms are read differently by "
        f"different tools; write the address as four decimal numbers): {original[:80]!r}"
    )


_DOT_SEGMENT = re.compile(r"^(?:\.|%2e){1,2}$", re.IGNORECASE)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 (and WHATWG, which also counts ``%2e`` as a dot): ``/a/./b/../c`` is
    ``/a/c``; a ``..`` above the root stays at the root."""
    if "." not in path and "%2" not in path.lower():
        return path
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if _DOT_SEGMENT.match(segment):
            if segment.replace("%2e", ".").replace("%2E", ".") == ".." and len(output) > 1:
                output.pop()
            if last:
                output.append("")  # "/a/b/.." is "/a/", a directory
            continue
        output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


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
    if port == 0:
        raise InvalidInputError(f"port 0 is not a port a page can be served on: {text[:80]!r}")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"

    path = remove_dot_segments(_upper_escapes(quote(parts.path, safe=_PATH_SAFE))) if parts.path else "/"
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


# A URL whose host is plain lower-case ASCII (as normalize_url writes every name): its host is the
# text between "//" and the next "/", "?" or "#", which a match finds without a full urlsplit. A bulk
# import asks for the domain of every new source; anything else takes urlsplit.
_PLAIN_HOST = re.compile(r"https?://([a-z0-9.-]+)(?=[/?#]|\Z)")


def domain_of(normalized_url: str) -> str:
    plain = _PLAIN_HOST.match(normalized_url)
    if plain is not None:
        return plain.group(1)
    return urlsplit(normalized_url).hostname or ""
