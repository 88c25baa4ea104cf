"""The shipped check-worthiness model: a linear model over the features of ``features.py``.

The weights are a gzipped JSON file next to this module (written by ``training/train_worthiness.py``),
read once, with no network and no dependency beyond the standard library. A sentence's score is the
logistic of ``bias + sum(weight * value)``; because the model is linear, each feature's share of the score
is exact, and the largest shares are the reasons a reviewer sees.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import heapq
import itertools
import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factledger.ingest.dates import DateMention
from factledger.ingest.speakers import Attribution
from factledger.ingest.worthiness.features import (
    SentenceFeatures,
    extract_features,
    word_fragments,
)
from factledger.ledger.errors import LedgerError

MODEL_ID = "cw-linear-2026.12"
MODEL_DIR = Path(__file__).resolve().parent
MAX_REASONS = 5
# A share of the logit smaller than this is not worth a reviewer's attention.
MIN_REASON_SHARE = 0.05


class ModelError(LedgerError):
    """The weights file is missing or unreadable; the CLI prints the message as one line and exits 1."""


@dataclass(frozen=True, slots=True)
class LinearWeights:
    """A bias and a weight per feature name; absent features weigh nothing."""

    bias: float
    weights: dict[str, float]

    def logit(self, counts: Mapping[str, int]) -> float:
        """The raw linear score of a feature-count mapping (``SentenceFeatures.counts``)."""
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in counts.items())


@dataclass(frozen=True, slots=True)
class Scored:
    """A sentence's probability of being check-worthy and the contributions behind it, largest first."""

    value: float
    reasons: list[str] = field(default_factory=list)


class WorthinessModel:
    """Scores sentences with one set of weights; deterministic, and safe to share between calls."""

    def __init__(self, model_id: str, weights: LinearWeights, threshold: float) -> None:
        self.model_id = model_id
        self.weights = weights
        self.threshold = threshold
        # A word's weight with its fragments, kept: words repeat, and summing fragments is the costly part.
        self._word_share = functools.lru_cache(maxsize=65536)(self._word_weight)
        # The word pairs' weights by their two words: most of a sentence's pairs weigh nothing, and looking
        # them up so spares writing each one's feature name ("b:first second"; words hold no spaces).
        self._pair_weights = {
            (first, second): weight
            for name, weight in weights.weights.items()
            if name.startswith("b:")
            for first, _, second in [name[2:].partition(" ")]
        }

    def score_batch(
        self,
        sentences: Sequence[str],
        attributions: Sequence[Attribution | None] | None = None,
        dates: Sequence[Sequence[DateMention] | None] | None = None,
    ) -> list[Scored]:
        """Scores of ``sentences``, in order. ``attributions`` and ``dates`` (one item per sentence, as
        ``extract_features`` takes them) save finding speakers and dates again."""
        found: Sequence[Attribution | bool | None] = (
            attributions if attributions is not None else [True] * len(sentences)
        )
        mentions = dates if dates is not None else [None] * len(sentences)
        return [
            self._score(extract_features(sentence, attribution, sentence_dates))
            for sentence, attribution, sentence_dates in zip(sentences, found, mentions, strict=True)
        ]

    def logit(self, sentence: str) -> float:
        """The unrounded log-odds of ``sentence``: what rankings compare (stored scores are rounded)."""
        return self.weights.bias + sum(self._shares(extract_features(sentence)).values())

    def _score(self, features: SentenceFeatures) -> Scored:
        shares = self._shares(features)
        logit = self.weights.bias + sum(shares.values())
        return Scored(value=round(_logistic(logit), 3), reasons=_reasons(shares))

    def _shares(self, features: SentenceFeatures) -> dict[str, float]:
        """Each reviewer-visible label's exact share of the log-odds (its features' weights summed)."""
        weights = self.weights.weights
        shares: dict[str, float] = {}
        for name, label in features.cues.items():
            weight = weights.get(name)
            if weight:
                shares[label] = shares.get(label, 0.0) + weight
        # A word's label is the word as first written ("18", not the folded "00" it shares weights with).
        first_written = (
            dict(zip(reversed(features.words), reversed(features.shown), strict=True))
            if features.words is not features.shown
            else dict.fromkeys(features.words)
        )
        for word, written in first_written.items():
            weight = self._word_share(word)
            if weight:
                label = f"“{written or word}”"
                shares[label] = shares.get(label, 0.0) + weight
        pair_weights = self._pair_weights
        for first, second in dict.fromkeys(itertools.pairwise(features.words)):  # as word_pairs() finds them
            weight = pair_weights.get((first, second))
            if weight:
                label = f"“{first} {second}”"
                shares[label] = shares.get(label, 0.0) + weight
        return shares

    def _word_weight(self, word: str) -> float:
        weights = self.weights.weights
        return weights.get("w:" + word, 0.0) + sum(weights.get(name, 0.0) for name in word_fragments(word))


def weights_digest(weights: LinearWeights) -> str:
    """sha256 of the bias and the sorted weights as written: the training script records it in the weights
    file's ``provenance``, and ``train_worthiness.py --check`` compares a refit with it."""
    canonical = json.dumps([weights.bias, sorted(weights.weights.items())], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _logistic(logit: float) -> float:
    if logit >= 0:
        return 1 / (1 + math.exp(-logit))
    exp = math.exp(logit)
    return exp / (1 + exp)


def _reasons(shares: dict[str, float]) -> list[str]:
    """The largest contributions, for and against, as "label +0.42" (shares of the logit)."""
    # Shares too small to show are left out before ranking; the rest are ranked as plain tuples (largest
    # size first, then label), which compare without a Python key function.
    large = [
        (-abs(share), label, share)
        for label, share in shares.items()
        if not -MIN_REASON_SHARE < share < MIN_REASON_SHARE
    ]
    return [f"{label} {share:+.2f}" for _, label, share in heapq.nsmallest(MAX_REASONS, large)]


@functools.cache
def load_model(path: Path | None = None) -> WorthinessModel:
    """The shipped model (or the one at ``path``), read once per process."""
    path = path or MODEL_DIR / f"{MODEL_ID}.json.gz"
    try:
        document = json.loads(gzip.decompress(path.read_bytes()))
        return WorthinessModel(
            model_id=str(document["model_id"]),
            weights=LinearWeights(bias=float(document["bias"]), weights=_weights(document["weights"])),
            threshold=float(document["threshold"]),
        )
    except FileNotFoundError:
        raise ModelError(f"check-worthiness model not found: {path} (reinstall factledger)") from None
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError, KeyError, TypeError) as error:
        raise ModelError(f"check-worthiness model is unreadable: {path} ({type(error).__name__})") from None


def _weights(raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise TypeError("weights is not a mapping")
    return {str(name): float(weight) for name, weight in raw.items()}
