"""JSON from a file a user was given, parsed without letting it crash or stall the import.

``json.loads`` on its own turns hostile input into exceptions that are not parse errors: a value nested
100,000 deep raises RecursionError, an integer of more than 4,300 digits raises ValueError (Python's
limit on int-from-string conversion), and ``NaN``/``Infinity`` (not JSON) are accepted. ``parse_json``
turns each of these into a ``JsonInputError`` that names the field (a path such as
``evidence[0].score``) where it can, so the importers report it by line and field like any other error.

Integers longer than ``MAX_INT_DIGITS`` are refused: no field of a claim needs one, and an integer of a
few hundred digits already overflows a float (``float(10**400)`` raises OverflowError).

Most lines are parsed by orjson (about four times faster than the json module, which an import of a
million claims feels), and only where its answer is the json module's: orjson refuses what json would
turn into an error here or accepts differently (NaN, numbers beyond a float, lone surrogates), and such
text takes the json path, which gives the same value or error as before. The one value orjson accepts
but reads differently is an integer beyond 64 bits (a float to orjson); a result holding a float that
large is parsed again by json. tests/exchange/test_json_input.py checks that both paths agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

import orjson

MAX_INT_DIGITS: Final = 300
MAX_DEPTH: Final = 64
# orjson reads an integer outside the 64-bit range as a float; any float at least this large may be one.
_FLOAT_FROM_BIG_INT: Final = float(2**63)


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
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # the json module says why (or accepts it: NaN, lone surrogates, 1e400)
        else:
            if _is_plain(value, 1):
                return value
        # Counting brackets is a C loop: text that cannot nest past MAX_DEPTH needs no depth walk.
        return self._parse_with_json(text, text.count("[") + text.count("{") <= MAX_DEPTH)

    def _parse_with_json(self, text: str, shallow: bool) -> Any:
        self._unusable = False
        try:
            value = self._decoder.decode(text)
        except RecursionError:
            raise JsonInputError(
                _key_before_deep_run(text), f"nested more than {MAX_DEPTH} levels deep"
            ) from None
        # The walk runs only on text that could nest too deep at all.
        if not shallow:
            field, too_deep = _deepest(value)
            if too_deep:
                raise JsonInputError(field, f"nested more than {MAX_DEPTH} levels deep")
        if self._unusable:
            for path, item in _walk(value):
                if isinstance(item, _Unusable):
                    raise JsonInputError(path or None, item.reason)
        return value


def _is_plain(value: Any, depth: int) -> bool:
    """Whether orjson's value is surely json's and needs no depth check: False for a float that may
    have been a big integer, and for nesting past MAX_DEPTH (the json path then says where). Written
    as a loop that skips strings first: it runs on every line of an import."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind is not float or abs(value) < _FLOAT_FROM_BIG_INT
    if depth > MAX_DEPTH:
        return False
    for item in items:
        if type(item) is str:
            continue
        # A list of objects (a claim's evidence) is walked here, two levels in one call: a call per
        # list and per object costs more than the strings they hold.
        if type(item) is list and depth + 2 <= MAX_DEPTH:
            for inner in item:
                if type(inner) is dict:
                    for leaf in inner.values():
                        if type(leaf) is not str and not _is_plain(leaf, depth + 3):
                            return False
                elif type(inner) is not str and not _is_plain(inner, depth + 2):
                    return False
        elif not _is_plain(item, depth + 1):
            return False
    return True


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
