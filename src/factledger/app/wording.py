"""How both front ends word a recorded change for people: values in words, never Python reprs
(``None``, ``['a', 'b']``, ``{'unreviewed': 21}``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

# Bookkeeping a person does not need to read in a change.
_HIDDEN = frozenset({"version"})
_LONG = 40


def value_in_words(value: Any, *, width: int | None = _LONG) -> str:
    """One recorded value as a person reads it: nothing for None, lists and mappings spelled out."""
    if value is None or value == "" or value == [] or value == {}:
        text = "none"
    elif isinstance(value, datetime):
        text = f"{value:%Y-%m-%d %H:%M} UTC" if value.utcoffset() is not None else f"{value:%Y-%m-%d %H:%M}"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, Mapping):
        text = ", ".join(f"{key} {value_in_words(item, width=None)}" for key, item in value.items())
    elif isinstance(value, list | tuple | set | frozenset):
        text = ", ".join(value_in_words(item, width=None) for item in value)
    else:
        text = str(value)
    if width is not None and len(text) > width:
        return text[: width - 1] + "…"
    return text


def counts_in_words(counts: Mapping[str, int]) -> str:
    """``{'unreviewed': 21, 'supported': 2}`` → ``21 unreviewed, 2 supported``."""
    return ", ".join(f"{count} {name}" for name, count in counts.items()) or "none"


def describe_change(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> str:
    """One line on what an event changed: ``status unreviewed → supported``, ``text edited``, or the
    recorded values of an event that has no before (``similar_to 4, score 91``)."""
    before, after = before or {}, after or {}
    changes = [
        f"{key} {value_in_words(before.get(key))} → {value_in_words(value)}"
        for key, value in after.items()
        if key not in _HIDDEN and key != "text" and key in before and before.get(key) != value
    ]
    if "text" in before and before["text"] != after.get("text", before["text"]):
        changes.insert(0, "text edited")
    if not changes:
        changes = [
            f"{key} {value_in_words(value, width=None)}"
            for key, value in after.items()
            if key not in _HIDDEN | {"text"}
        ]
    return ", ".join(changes)
