"""The ClaimBuster sentences, their split by whole debates, and the ranking metrics (MAP, P@10).

Shared by the training script (``train_worthiness.py``) and the evaluation
(``tests/bench/checkworthiness_eval.py``), so both split and measure the same way.

Debates are not marked in the data, but ``sentence_id`` numbers sentences in debate order, so a range of
ids is (nearly) a whole debate. A *block* is the 1,000 ids ``[k*1000, (k+1)*1000)``: about one debate's
worth (the 14,993 labelled sentences span ids 16-34,458 over some 35 blocks). A block boundary can cut a
debate in two, so a few sentences of one debate may sit on both sides of a split; never a random sentence.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "claimbuster" / "claimbuster_2class.json"
BLOCK_SIZE = 1000
# Held out from training and model selection alike: every fifth block, ids [4000, 5000), [9000, 10000),
# ..., [34000, 35000). The evaluation reports these; the shipped model is refitted on every block.
HELD_OUT_EVERY = 5
HELD_OUT_REMAINDER = 4
CV_FOLDS = 4  # model selection: the remaining blocks, fold = block number mod 4


@dataclass(frozen=True, slots=True)
class Example:
    sentence_id: int
    text: str
    label: int

    @property
    def block(self) -> int:
        return self.sentence_id // BLOCK_SIZE


def load_examples(path: Path = DATA) -> list[Example]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    examples = [Example(int(row["sentence_id"]), str(row["text"]), int(row["label"])) for row in rows]
    return sorted(examples, key=lambda example: example.sentence_id)


def is_held_out(example: Example) -> bool:
    return example.block % HELD_OUT_EVERY == HELD_OUT_REMAINDER


def held_out_ranges(examples: Sequence[Example]) -> list[tuple[int, int]]:
    blocks = sorted({example.block for example in examples if is_held_out(example)})
    return [(block * BLOCK_SIZE, (block + 1) * BLOCK_SIZE - 1) for block in blocks]


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """AP of one ranked document (ties broken by document order, as a stable sort leaves them)."""
    order = sorted(range(len(labels)), key=lambda index: -scores[index])
    hits, total = 0, 0.0
    for rank, index in enumerate(order, start=1):
        if labels[index]:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def precision_at(labels: Sequence[int], scores: Sequence[float], k: int = 10) -> float:
    order = sorted(range(len(labels)), key=lambda index: -scores[index])[:k]
    return sum(labels[index] for index in order) / k


@dataclass(frozen=True, slots=True)
class Ranking:
    """MAP and mean P@10 over documents (here, debate blocks), as the CLEF CheckThat! labs report them."""

    map: float
    p_at_10: float
    documents: int
    sentences: int


def rank_documents(
    documents: dict[str, list[tuple[int, float]]],
) -> Ranking:
    """``documents`` maps a document to its (label, score) pairs."""
    aps, p10s, sentences = [], [], 0
    for pairs in documents.values():
        labels = [label for label, _ in pairs]
        scores = [score for _, score in pairs]
        if not any(labels):
            continue
        aps.append(average_precision(labels, scores))
        p10s.append(precision_at(labels, scores))
        sentences += len(pairs)
    if not aps:
        return Ranking(math.nan, math.nan, 0, 0)
    return Ranking(sum(aps) / len(aps), sum(p10s) / len(p10s), len(aps), sentences)


def rank_blocks(examples: Sequence[Example], scores: Sequence[float]) -> Ranking:
    documents: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for example, score in zip(examples, scores, strict=True):
        documents[str(example.block)].append((example.label, score))
    return rank_documents(documents)


def baseline_scores(name: str, texts: Sequence[str], seed: int = 0) -> list[float]:
    """The two reference orderings of the issue: random, and "has a digit, then length"."""
    if name == "random":
        generator = random.Random(seed)
        return [generator.random() for _ in texts]
    if name == "digit then length":
        return [
            (1.0 if any(ch.isdigit() for ch in text) else 0.0) * 1000 + len(text) / 1000 for text in texts
        ]
    raise ValueError(name)


Scorer = Callable[[Sequence[str]], list[float]]
