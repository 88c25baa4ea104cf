"""A web page's headline from its ``<title>``, without the site's name that most sites add to it.

A page's ``<title>`` is usually "Headline | Site", "Headline - Section - Site" or "Site - Headline". The
document's title, and the headline claim made from it, should be the headline alone: a reviewer checks
what the page says, not the site's name.

Only a segment that names the site is removed, and the site is known from the page's URL: a segment
whose words spell one of the host's labels ("BBC News" on www.bbc.co.uk, "The New York Times" on
nytimes.com, "AP News" on apnews.com). A separator inside a headline ("Dow falls 500 points - biggest
drop since 2020") is left alone, because its segments name no site. Without a URL (a saved HTML file)
the title is kept as written.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# " | ", " - ", " – ", " — ", " · ", " • ", " :: " between spaces: the separators sites put between a
# headline and their name. A colon is not one of them: "Minister: we will cut taxes" is a headline.
_SEPARATOR = re.compile(r"(\s+(?:[|\-–—·•]|::)\s+)")
_WORD = re.compile(r"[^\W_]+")
# Host labels that say how the site is served, not what it is called.
_SERVING_LABELS = frozenset({"www", "www1", "www2", "m", "mobile", "amp", "edition", "beta", "en"})
# A site's name is a few words; a longer segment is part of the headline.
_MAX_SITE_WORDS = 6
# A word of the segment that a host label contains ("times" in "nytimes") must be this long, so that
# "the" or "of" never makes a segment look like a site's name.
_MIN_SHARED_WORD = 4


def headline_of_page_title(title: str, url: str | None) -> str:
    """``title`` without the leading or trailing segments that name the site at ``url``."""
    labels = _host_labels(url)
    if not labels:
        return title
    parts = _SEPARATOR.split(title)  # [segment, separator, segment, ...]
    while len(parts) > 2 and _names_site(parts[-1], labels):
        del parts[-2:]
    while len(parts) > 2 and _names_site(parts[0], labels):
        del parts[:2]
    return "".join(parts).strip()


def _host_labels(url: str | None) -> tuple[str, ...]:
    if not url:
        return ()
    host = urlsplit(url).hostname or ""
    if not host or host.replace(".", "").isdigit() or ":" in host:  # an IP address names no site
        return ()
    labels = host.lower().split(".")[:-1]  # the top-level domain names no site
    return tuple(
        label.replace("-", "") for label in labels if label not in _SERVING_LABELS and len(label) >= 2
    )


def _names_site(segment: str, labels: tuple[str, ...]) -> bool:
    words = _WORD.findall(segment.lower())
    if not words or len(words) > _MAX_SITE_WORDS:
        return False
    joined = "".join(words)
    if len(joined) < 2:
        return False
    for label in labels:
        if len(label) < 3 and joined != label:
            continue  # "co" of .co.uk, "de" of a language subdomain: too short to match inside words
        if label in joined or joined in label:
            return True
        if any(len(word) >= _MIN_SHARED_WORD and word in label for word in words):
            return True
    return False
