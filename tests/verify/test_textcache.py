"""Normalized snapshot texts stored beside the text: the sidecar round trip, and normalizing only once."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from factledger.archive.textstore import TextStore
from factledger.verify import textcache
from factledger.verify.locate import locate_quote
from factledger.verify.normalize import NORMALIZATION_VERSION, NormalizedText, normalize_for_matching
from factledger.verify.textcache import (
    SIDECAR_KIND,
    NormalizedTextCache,
    decode_normalized,
    encode_normalized,
    load_normalized,
    normalized_text,
    store_normalized,
)

pytestmark = pytest.mark.unit

TEXT = (
    "“Curly” quotes — dashes… and a recog-\nnised word;\u00a0non-breaking\u200bspaces.\n\n"
    "Straße in Kraków, café\u0301, 東京では 2024 年に. "
) * 50


@pytest.fixture
def store(tmp_path: Path) -> TextStore:
    return TextStore(tmp_path / "texts")


class NormalizeSpy:
    """Counts calls to normalize_for_matching made to build snapshot texts (not quotes)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> NormalizedText:
        self.calls += 1
        return normalize_for_matching(text)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> NormalizeSpy:
    counting = NormalizeSpy()
    monkeypatch.setattr(textcache, "normalize_for_matching", counting)
    return counting


def assert_same(loaded: NormalizedText | None, fresh: NormalizedText) -> None:
    assert loaded is not None
    assert loaded.text == fresh.text
    assert loaded.original_length == fresh.original_length
    assert loaded.offsets() == fresh.offsets()
    assert loaded.mapping_bytes() == fresh.mapping_bytes()


def test_sidecar_round_trip(store: TextStore) -> None:
    ref = store.put(TEXT)
    fresh = normalize_for_matching(TEXT)
    assert load_normalized(store, ref) is None  # nothing stored yet
    store_normalized(store, ref, fresh)
    path = store.sidecar_path(ref, SIDECAR_KIND)
    assert path.name == f"{ref}.norm.gz"
    assert path.parent == store.path_for(ref).parent
    assert_same(load_normalized(store, ref), fresh)
    assert store.get(ref) == TEXT  # the text itself is untouched
    # The same answers from the stored form as from the original text.
    for quote in (
        "curly quotes - dashes...",
        "recognised word; non-breaking",
        "kraków, café",
        "東京では 2024",
    ):
        assert locate_quote(quote, load_normalized(store, ref) or TEXT) == locate_quote(quote, TEXT)


def test_empty_text_round_trips(store: TextStore) -> None:
    ref = store.put("")
    store_normalized(store, ref, normalize_for_matching(""))
    assert_same(load_normalized(store, ref), normalize_for_matching(""))


def test_a_sidecar_that_cannot_be_trusted_reads_as_absent_and_is_rebuilt(
    store: TextStore, spy: NormalizeSpy
) -> None:
    ref = store.put(TEXT)
    other = store.put("another page")
    good = encode_normalized(ref, normalize_for_matching(TEXT))
    path = store.sidecar_path(ref, SIDECAR_KIND)
    path.parent.mkdir(parents=True, exist_ok=True)
    for damaged in (
        gzip.compress(good)[:-9],  # truncated: the gzip trailer is gone
        b"not gzip at all",
        gzip.compress(good[:20]),  # a header with nothing after it
        gzip.compress(b"XXXX" + good[4:]),  # not our format
    ):
        path.write_bytes(damaged)
        assert load_normalized(store, ref) is None
    assert decode_normalized(other, good) is None  # another text's sidecar, copied under this name
    path.unlink()
    assert_same(normalized_text(store, ref), normalize_for_matching(TEXT))
    assert spy.calls == 1
    assert load_normalized(store, ref) is not None


def test_sidecars_from_older_normalization_rules_are_rebuilt(
    store: TextStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = store.put(TEXT)
    normalized_text(store, ref)
    monkeypatch.setattr(textcache, "NORMALIZATION_VERSION", NORMALIZATION_VERSION + 1)
    assert load_normalized(store, ref) is None


def test_a_second_check_of_the_same_snapshot_does_not_normalize_again(
    store: TextStore, spy: NormalizeSpy
) -> None:
    ref = store.put(TEXT)
    first = NormalizedTextCache(store)
    first.get(ref)
    first.get(ref)
    assert spy.calls == 1  # the first run normalized and stored it
    second = NormalizedTextCache(store)  # a later run, a fresh process cache
    assert_same(second.get(ref), normalize_for_matching(TEXT))
    assert spy.calls == 1
    assert (second.loads, second.hits) == (1, 0)


def test_the_cache_keeps_only_the_most_recently_used(store: TextStore, spy: NormalizeSpy) -> None:
    refs = [store.put(f"page number {n}") for n in range(4)]
    cache = NormalizedTextCache(store, capacity=2)
    for ref in refs[:2]:
        cache.get(ref)
    cache.get(refs[0])  # now the most recent
    cache.get(refs[2])  # evicts refs[1]
    assert len(cache) == 2
    assert (cache.loads, cache.hits) == (3, 1)
    cache.get(refs[0])
    assert cache.hits == 2
    cache.get(refs[1])
    assert cache.loads == 4
    assert spy.calls == 3  # refs[1] came back from its sidecar, not from normalizing
    with pytest.raises(ValueError, match="at least one"):
        NormalizedTextCache(store, capacity=0)


def test_sidecar_kinds_are_checked(store: TextStore) -> None:
    ref = store.put("x")
    for kind in ("txt", "../etc", "Norm", ""):
        with pytest.raises(ValueError, match="not a sidecar kind"):
            store.sidecar_path(ref, kind)
    assert store.get_sidecar(ref, "other") is None
    store.put_sidecar(ref, "other", b"payload")
    assert store.get_sidecar(ref, "other") == b"payload"
    assert not list(store.path_for(ref).parent.glob("*.tmp"))


def test_the_quote_hook_sends_the_sidecar_bytes_and_they_arrive_as_the_normalized_text(
    store: TextStore,
) -> None:
    # The archiver's workers send the hook's result back pickled: it must arrive as the NormalizedText
    # (the group's checks use it from memory), equal to normalizing the text again, and the sidecar
    # must hold the same bytes. A run of few sources passes it without pickling: decoded() then.
    import pickle

    text = "The mayor said the “bridge” would open — on time — in 2026.\n\nCafé prices rose."
    ref = store.put(text)
    sent = textcache.normalize_new_text(store, ref, text)
    assert isinstance(sent, textcache.EncodedNormalized)
    arrived = pickle.loads(pickle.dumps(sent, protocol=5))
    assert isinstance(arrived, NormalizedText)
    assert arrived == normalize_for_matching(text) == sent.decoded()
    assert textcache.load_normalized(store, ref) == arrived
    assert textcache.normalize_new_text(store, ref, text) is None  # normalized once
