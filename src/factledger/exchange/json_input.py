"""JSON from a file a user was given, parsed without letting it crash or stall the import.

``json.loads`` on its own turns hostile input into exceptions that are not parse errors: a value nested
100,000 deep raises RecursionError, an integer of more than 4,300 digits raises ValueError (Python's
limit on int-from-string conversion), and ``NaN``/``Infinity`` (not JSON) are accepted. ``parse_json``
turns each of these into a ``JsonInputError`` that names the field (a path such as
``evidence[0].score``) where it can, so the importers report it by line and field like any other error.

Integers longer than ``MAX_INT_DIGITS`` are refused: no field of a claim needs one, and an integer of a
few hundred digits already overflows a float (``float(10**400)`` raises OverflowError).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

MAX_INT_DIGITS: Final = 300
MAX_DEPTH: Final = 64


class JsonInputError(ValueError):
    def __init__(self, field: str | None, message: str, *, lineno: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.lineno = lineno  # the line within the parsed text, for a whole-file document


class _Unusable:
    """Stands in for a number the parser met but the importer cannot use; located after the parse."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class JsonParser:
    """``json.loads`` with the hostile cases above refused as JsonInputError (JSONDecodeError, a
    subclass of ValueError, still says what is malformed). One parser per file: its decoder is built
    once, as ``json.loads`` does for its default arguments."""

    def __init__(self) -> None:
        self._unusable = False
        self._decoder = json.JSONDecoder(parse_int=self._int, parse_constant=self._constant)

    def _int(self, digits: str) -> int | _Unusable:
        if len(digits) > MAX_INT_DIGITS:
            self._unusable = True
            return _Unusable(f"an integer of {len(digits.lstrip('-'))} digits is too large")
        return int(digits)

    def _constant(self, name: str) -> _Unusable:
        self._unusable = True
        return _Unusable(f"{name} is not a JSON number")

    def parse(self, text: str) -> Any:
        self._unusable = False
        try:
            value = self._decoder.decode(text)
        except RecursionError:
            raise JsonInputError(
                _key_before_deep_run(text), f"nested more than {MAX_DEPTH} levels deep"
            ) from None
        # Counting brackets is a C loop; the walk runs only on text that could nest too deep at all.
        if text.count("[") + text.count("{") > MAX_DEPTH:
            field, too_deep = _deepest(value)
            if too_deep:
                raise JsonInputError(field, f"nested more than {MAX_DEPTH} levels deep")
        if self._unusable:
            for path, item in _walk(value):
                if isinstance(item, _Unusable):
                    raise JsonInputError(path or None, item.reason)
        return value


def parse_json(text: str) -> Any:
    """One document parsed by a JsonParser of its own."""
    return JsonParser().parse(text)


_DEEP_RUN = re.compile(r'"((?:[^"\\]|\\.){0,200})"\s*:\s*(?:[\[{]\s*){' + str(MAX_DEPTH) + "}")


def _key_before_deep_run(text: str) -> str | None:
    """The key whose value opens the first long run of brackets: where the parser gave up."""
    match = _DEEP_RUN.search(text)
    return match.group(1) if match else None


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every value in document order, iteratively (the nesting is already bounded)."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        here, item = stack.pop()
        yield here, item
        if isinstance(item, dict):
            stack.extend(reversed([(f"{here}.{key}" if here else str(key), v) for key, v in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{here}[{i}]", v) for i, v in enumerate(item)]))


def _deepest(value: Any) -> tuple[str | None, bool]:
    """Whether ``value`` nests deeper than MAX_DEPTH, and the field where it first does."""
    if not isinstance(value, dict | list):
        return None, False
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, here = stack.pop()
        if depth > MAX_DEPTH:
            return here.split("[")[0].split(".")[0] or None, True
        if isinstance(item, dict):
            stack.extend(
                (v, depth + 1, f"{here}.{k}" if here else str(k))
                for k, v in item.items()
                if isinstance(v, dict | list)
            )
        elif isinstance(item, list):
            stack.extend(
                (v, depth + 1, f"{here}[{i}]") for i, v in enumerate(item) if isinstance(v, dict | list)
            )
    return None, False
