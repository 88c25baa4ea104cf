"""Train the check-worthiness model and write the weights the package ships.

    make train-model        # = .venv/bin/python training/train_worthiness.py (installs the ``train`` extra)

Steps, all with a fixed seed:
1. Featurise every ClaimBuster sentence with the package's own extractor
   (``factledger.ingest.worthiness.features``), so training and inference see the same features.
2. Model selection: each candidate (feature groups x regularisation x class weighting) is fitted on three
   of four folds of whole-debate blocks and ranked on the fourth (see ``worthiness_data``); the held-out
   blocks are never looked at here. The candidate with the best mean MAP wins.
3. The winner is refitted on every sentence and written, with its model id, the decision threshold chosen
   on the cross-validated scores, the provenance, the licence and the citation, to
   ``src/factledger/ingest/worthiness/<model id>.json.gz``.

``--report`` prints the candidates' cross-validated figures without writing anything.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from factledger.files import safe_output
from factledger.ingest.worthiness.features import extract_features
from factledger.ingest.worthiness.model import MODEL_DIR, MODEL_ID, LinearWeights

sys.path.insert(0, str(Path(__file__).resolve().parent))
from worthiness_data import CV_FOLDS, Example, is_held_out, load_examples, rank_blocks

SEED = 20261130
GROUPS = ("f", "w", "b", "c")
MIN_COUNT = 2  # a feature seen in one sentence only is noise and weight-file bulk
DECIMALS = 4  # weights are rounded to this many places when written: the file stays small


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    groups: tuple[str, ...]
    # Feature-group scale: fragments are many per word, so they are damped against words and cues.
    scale: dict[str, float]
    c: float
    balanced: bool = True
    # Ensemble: this share of the final logit comes from a cues-only model. Both are linear over the same
    # features, so their weighted mean is one linear model and the reasons stay exact.
    cue_share: float = 0.0


CANDIDATES = (
    Candidate("cues only", ("f",), {"f": 1.0}, 1.0),
    Candidate("words", ("w",), {"w": 1.0}, 0.3),
    Candidate("words+pairs", ("w", "b"), {"w": 1.0, "b": 1.0}, 0.3),
    Candidate("words+pairs+fragments", ("w", "b", "c"), {"w": 1.0, "b": 1.0, "c": 0.3}, 0.3),
    Candidate("all, C=0.03", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.3}, 0.03),
    Candidate("all, C=0.05", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.3}, 0.05),
    Candidate("all, C=0.1", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.3}, 0.1),
    Candidate(
        "all, C=0.1, unweighted", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.3}, 0.1, balanced=False
    ),
    Candidate(
        "all, C=0.1 + cues-only (1/4)", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.3}, 0.1, cue_share=0.25
    ),
    Candidate(
        "all, C=0.1 + cues-only (1/2)", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.3}, 0.1, cue_share=0.5
    ),
    Candidate("all, C=0.3", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.3}, 0.3),
    Candidate("all, C=1", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.3}, 1.0),
    Candidate(
        "all, C=0.3, unweighted", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.3}, 0.3, balanced=False
    ),
    Candidate("all, C=0.3, cues x2", GROUPS, {"f": 2.0, "w": 1.0, "b": 1.0, "c": 0.3}, 0.3),
    Candidate("all, C=0.3, fragments x0.15", GROUPS, {"f": 1.0, "w": 1.0, "b": 1.0, "c": 0.15}, 0.3),
)


@dataclass(frozen=True)
class Featurised:
    """Every feature of every sentence, counted once: columns are feature names, rows are sentences."""

    names: list[str]
    groups: np.ndarray  # each column's group letter ("f", "w", "b", "c")
    counts: sparse.csr_matrix
    labels: np.ndarray


def featurise(examples: Sequence[Example]) -> Featurised:
    index: dict[str, int] = {}
    rows, cols, values = [], [], []
    for row, example in enumerate(examples):
        for name, count in extract_features(example.text).counts().items():
            rows.append(row)
            cols.append(index.setdefault(name, len(index)))
            values.append(count)
    names = list(index)
    counts = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float64), (rows, cols)), shape=(len(examples), len(names))
    )
    groups = np.asarray([name.split(":", 1)[0] for name in names])
    return Featurised(names, groups, counts, np.asarray([example.label for example in examples]))


def fit(candidate: Candidate, data: Featurised, rows: np.ndarray) -> LinearWeights:
    """``candidate`` fitted on the sentences ``rows`` of ``data``."""
    if not candidate.cue_share:
        return fit_one(candidate, data, rows)
    main = fit_one(replace(candidate, cue_share=0.0), data, rows)
    cues = fit_one(Candidate("cues", ("f",), {"f": 1.0}, 1.0, candidate.balanced), data, rows)
    share = candidate.cue_share
    names = set(main.weights) | set(cues.weights)
    return LinearWeights(
        bias=round((1 - share) * main.bias + share * cues.bias, DECIMALS),
        weights={
            name: round(
                (1 - share) * main.weights.get(name, 0.0) + share * cues.weights.get(name, 0.0), DECIMALS
            )
            for name in sorted(names)
        },
    )


def fit_one(candidate: Candidate, data: Featurised, rows: np.ndarray) -> LinearWeights:
    counts = data.counts[rows]
    seen_in = np.asarray((counts > 0).sum(axis=0)).ravel()
    columns = np.flatnonzero(np.isin(data.groups, candidate.groups) & (seen_in >= MIN_COUNT))
    scale = np.asarray([candidate.scale[group] for group in data.groups[columns]])
    classifier = LogisticRegression(
        C=candidate.c,
        class_weight="balanced" if candidate.balanced else None,
        solver="liblinear",
        max_iter=1000,
        random_state=SEED,
    )
    classifier.fit(counts[:, columns] @ sparse.diags(scale), data.labels[rows])
    # The group scale is folded into the weights, so inference multiplies by the raw counts.
    weights = np.round(classifier.coef_[0] * scale, DECIMALS)
    return LinearWeights(
        bias=round(float(classifier.intercept_[0]), DECIMALS),
        weights={
            data.names[column]: float(w) for column, w in zip(columns, weights, strict=True) if w != 0.0
        },
    )


def logits(model: LinearWeights, data: Featurised, rows: np.ndarray) -> np.ndarray:
    vector = np.asarray([model.weights.get(name, 0.0) for name in data.names])
    return np.asarray(data.counts[rows] @ vector).ravel() + model.bias


def cross_validate(
    candidate: Candidate, examples: Sequence[Example], data: Featurised
) -> tuple[float, float, np.ndarray]:
    """Mean MAP and P@10 over the folds, and each sentence's out-of-fold logit."""
    out_of_fold = np.zeros(len(examples))
    blocks = np.asarray([example.block for example in examples])
    maps, p10s = [], []
    for fold in range(CV_FOLDS):
        train = np.flatnonzero(blocks % CV_FOLDS != fold)
        test = np.flatnonzero(blocks % CV_FOLDS == fold)
        out_of_fold[test] = logits(fit(candidate, data, train), data, test)
        ranking = rank_blocks([examples[int(i)] for i in test], out_of_fold[test].tolist())
        maps.append(ranking.map)
        p10s.append(ranking.p_at_10)
    return sum(maps) / len(maps), sum(p10s) / len(p10s), out_of_fold


def best_threshold(labels: Sequence[int], probabilities: Sequence[float]) -> tuple[float, float]:
    """The probability cut with the best F1 on out-of-fold scores (rounded to 0.05): (threshold, F1)."""
    best = (0.5, 0.0)
    for step in range(1, 20):
        cut = step / 20
        kept = [label for label, p in zip(labels, probabilities, strict=True) if p >= cut]
        true_positive = sum(kept)
        if not kept or not true_positive:
            continue
        precision = true_positive / len(kept)
        recall = true_positive / sum(labels)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best[1]:
            best = (cut, f1)
    return best


def select(examples: Sequence[Example], data: Featurised) -> tuple[Candidate, np.ndarray]:
    print(f"model selection: {len(examples)} sentences, {CV_FOLDS} folds of whole-debate blocks")
    print(f"  {'candidate':<34} {'MAP':>6} {'P@10':>6}")
    results = []
    for candidate in CANDIDATES:
        mean_map, mean_p10, out_of_fold = cross_validate(candidate, examples, data)
        print(f"  {candidate.name:<34} {mean_map:6.3f} {mean_p10:6.3f}", flush=True)
        results.append((mean_map, candidate, out_of_fold))
    _, winner, out_of_fold = max(results, key=lambda result: result[0])
    print(f"chosen: {winner.name}")
    return winner, out_of_fold


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="print the candidates' figures, write nothing")
    args = parser.parse_args(argv)
    np.random.seed(SEED)
    examples = load_examples()
    selection = [example for example in examples if not is_held_out(example)]
    winner, out_of_fold = select(selection, featurise(selection))
    probabilities = (1 / (1 + np.exp(-out_of_fold))).tolist()
    threshold, f1 = best_threshold([example.label for example in selection], probabilities)
    print(f"threshold: {threshold:.2f} (best F1 {f1:.3f} on out-of-fold scores)")
    if args.report:
        return 0
    everything = featurise(examples)
    model = fit(winner, everything, np.arange(len(examples)))
    write(model, winner, threshold, len(examples))
    return 0


def write(model: LinearWeights, candidate: Candidate, threshold: float, sentences: int) -> None:
    path = MODEL_DIR / f"{MODEL_ID}.json.gz"
    document = {
        "model_id": MODEL_ID,
        "kind": "logistic regression over binary word, word-pair, fragment and cue features",
        "candidate": candidate.name,
        "threshold": threshold,
        "trained_on": f"ClaimBuster two-class sentences ({sentences}, all debates), seed {SEED}",
        "licence": "weights derived from the ClaimBuster dataset (CC BY 4.0, see LICENSE-MODEL.md)",
        "bias": model.bias,
        "weights": dict(sorted(model.weights.items())),
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    # mtime=0: the same training run writes the same bytes.
    with safe_output(path, "wb") as out:
        out.write(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(model.weights)} weights)")


if __name__ == "__main__":
    raise SystemExit(main())
