"""JsonParser's fast path (orjson) gives exactly what its json path gives: the same value, or the same
error, for any text. The json path is what every line went through before the fast path existed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factledger.exchange.json_input import MAX_DEPTH, JsonInputError, JsonParser


def _outcome(parse: Any, text: str) -> tuple[str, str]:
    """The value's repr with its types (1 and 1.0 and True differ), or the error's kind and message."""
    try:
        value = parse(text)
    except (JsonInputError, ValueError, RecursionError) as exc:
        return type(exc).__name__, str(exc)
    return "value", _typed_repr(value)


def _typed_repr(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{key!r}:{_typed_repr(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_typed_repr(item) for item in value) + "]"
    return f"{type(value).__name__}({value!r})"


def _json_path(text: str) -> Any:
    shallow = text.count("[") + text.count("{") <= MAX_DEPTH
    return JsonParser()._parse_with_json(text, shallow)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
# Bits of JSON syntax and the numbers and escapes where parsers disagree, shuffled into near-JSON.
FRAGMENTS = st.sampled_from(
    [
        "{", "}", "[", "]", ",", ":", '"', "\\", " ", "\n", "a", '"k"', "0", "-", "1", ".", "e", "E", "+",
        "NaN", "Infinity", "-Infinity", "1e400", "18446744073709551616", "-9223372036854775809",
        "9223372036854775808", "\\ud800", "\\udc00", "\\u0000", "\\ud83d\\ude00", "\x01", "\ufeff", "é",
        "true", "null", "1" * 301, "-0", "0.1",
    ]
)  # fmt: skip


# No deadline: under a loaded machine one example can take longer than Hypothesis's 200 ms default.
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.unit
@RELAXED
@given(JSON_VALUES)
def test_both_paths_agree_on_json_documents(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert _outcome(JsonParser().parse, text) == _outcome(_json_path, text)


@pytest.mark.unit
@RELAXED
@given(st.lists(FRAGMENTS, max_size=30).map("".join))
@example('{"score": 18446744073709551616}')  # orjson: a float; json: the integer
@example('{"score": -9223372036854775809}')
@example('{"score": 1e400}')  # orjson refuses; json: inf
@example('{"text": "\\ud800"}')  # orjson refuses; json: a lone surrogate (refused later, by field)
@example('{"score": NaN}')
@example("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
@example("[" * MAX_DEPTH + "]" * MAX_DEPTH)
@example('{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}")
# A list of objects is walked two levels at a time: a big integer in one, and objects at the last
# level allowed and one past it.
@example('{"evidence": [{"url": "u", "score": 18446744073709551616}]}')
@example('{"evidence": ["u", {"score": [1.5, 1e300]}, 2]}')
@example("[" * (MAX_DEPTH - 2) + '[{"n": 1}]' + "]" * (MAX_DEPTH - 2))
@example("[" * (MAX_DEPTH - 1) + '[{"n": 1}]' + "]" * (MAX_DEPTH - 1))
@example("[" * (MAX_DEPTH - 3) + '[{"n": [1]}]' + "]" * (MAX_DEPTH - 3))
@example("[" * (MAX_DEPTH - 2) + '[{"n": [1]}]' + "]" * (MAX_DEPTH - 2))
@example("[" * (MAX_DEPTH - 2) + '[{"n": 9223372036854775808}]' + "]" * (MAX_DEPTH - 2))
def test_both_paths_agree_on_near_json(text: str) -> None:
    assert _outcome(JsonParser().parse, text) == _outcome(_json_path, text)


@pytest.mark.unit
def test_a_big_integer_stays_an_integer() -> None:
    assert JsonParser().parse('{"n": 18446744073709551616}') == {"n": 18446744073709551616}
    assert type(JsonParser().parse('{"n": -9223372036854775809}')["n"]) is int
