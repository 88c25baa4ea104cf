"""Train the check-worthiness model and write the weights the package ships.

    make train-model        # = .venv/bin/python training/train_worthiness.py (installs the ``train`` extra)

Steps, all with a fixed seed:
1. Featurise every ClaimBuster sentence with the package's own extractor
   (``factledger.ingest.worthiness.features``), so training and inference see the same features.
2. Model selection: each candidate (feature groups x regularisation x class weighting) is fitted on three
   of four folds of whole-debate blocks and ranked on the fourth (see ``worthiness_data``); the held-out
   blocks are never looked at here. The candidate with the best mean MAP wins.
3. The decision threshold is chosen on the winner's out-of-fold scores by a rule fixed before looking:
   the cut with the best F2 (recall counts twice as much as precision: a desk would rather review an
   extra sentence than miss a claim), on a grid of 0.05.
4. The winner is refitted on every sentence and written, with its model id, the threshold, the licence
   and what produced it (``provenance``: this recipe's version, the seed, digests of the data, of every
   sentence's features and of the weights, the library versions), to
   ``src/factledger/ingest/worthiness/<model id>.json.gz``. The same run writes the same bytes.

``--report`` prints the candidates' cross-validated figures without writing anything.

``--check`` (``make check-model``) verifies that the shipped weights are what this script produces from
today's code: the data and the features must match the digests recorded at training time (features move
when ``features.py`` or the ingest modules it reads sentences with -- dates, names, speakers -- change),
and the recorded candidate, refitted on every sentence, must give the recorded weights digest and
threshold. It skips model selection (the recorded candidate is taken as chosen), so it runs in a fraction
of the training time. Exit 1 with one line saying what differs, and "run make train-model".
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from factledger.files import safe_output
from factledger.ingest.worthiness.features import extract_features
from factledger.ingest.worthiness.model import MODEL_DIR, MODEL_ID, LinearWeights, weights_digest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from worthiness_data import CV_FOLDS, DATA, Example, is_held_out, load_examples, rank_blocks

# Bumped whenever the recipe (candidates, selection, threshold rule, file layout) changes; recorded in the
# weights file so that a ledger's ``score_model`` leads back to how its weights were made.
RECIPE_VERSION = 2
SEED = 20261130
GROUPS = ("f", "w", "b", "c")
MIN_COUNT = 2  # a feature seen in one sentence only is noise and weight-file bulk
DECIMALS = 4  # weights are rounded to this many places when written: the file stays small
# liblinear's floating-point sums come out a few ulps apart on different processors (seen between an AMD
# EPYC and an Intel Xeon with the same library versions), and a weight near a rounding boundary then
# lands one unit of the last kept decimal away. The check accepts that, and nothing larger: a change of
# data, features or recipe moves weights by far more.
REFIT_TOLERANCE = 2 * 10**-DECIMALS


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
    # sha256 over every sentence's id and sorted features: equal exactly when the extractor reads every
    # training sentence the same way.
    digest: str


def featurise(examples: Sequence[Example]) -> Featurised:
    index: dict[str, int] = {}
    rows, cols, values = [], [], []
    digest = hashlib.sha256()
    for row, example in enumerate(examples):
        counts = extract_features(example.text).counts()
        digest.update(f"{example.sentence_id}\t{sorted(counts.items())!r}\n".encode())
        for name, count in counts.items():
            rows.append(row)
            cols.append(index.setdefault(name, len(index)))
            values.append(count)
    names = list(index)
    matrix = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float64), (rows, cols)), shape=(len(examples), len(names))
    )
    groups = np.asarray([name.split(":", 1)[0] for name in names])
    labels = np.asarray([example.label for example in examples])
    return Featurised(names, groups, matrix, labels, digest.hexdigest())


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


# The threshold rule, fixed before measuring: F-beta with recall weighted BETA times precision.
BETA = 2.0


@dataclass(frozen=True, slots=True)
class Cut:
    threshold: float
    precision: float
    recall: float
    f_beta: float


def threshold_table(labels: Sequence[int], probabilities: Sequence[float]) -> list[Cut]:
    """Precision, recall and F-beta of each probability cut 0.05, 0.10, ..., 0.95."""
    cuts = []
    for step in range(1, 20):
        cut = round(step / 20, 2)
        kept = [label for label, p in zip(labels, probabilities, strict=True) if p >= cut]
        true_positive = sum(kept)
        if not kept or not true_positive:
            continue
        precision = true_positive / len(kept)
        recall = true_positive / sum(labels)
        f_beta = (1 + BETA**2) * precision * recall / (BETA**2 * precision + recall)
        cuts.append(Cut(cut, precision, recall, f_beta))
    return cuts


def best_threshold(labels: Sequence[int], probabilities: Sequence[float]) -> Cut:
    """The cut with the best F-beta on out-of-fold scores (the lower cut on a tie)."""
    return max(threshold_table(labels, probabilities), key=lambda cut: (cut.f_beta, -cut.threshold))


def out_of_fold_threshold(
    candidate: Candidate, examples: Sequence[Example], data: Featurised, out_of_fold: np.ndarray | None = None
) -> Cut:
    if out_of_fold is None:
        out_of_fold = cross_validate(candidate, examples, data)[2]
    probabilities = (1 / (1 + np.exp(-out_of_fold))).tolist()
    labels = [example.label for example in examples]
    for cut in threshold_table(labels, probabilities):
        print(
            f"  cut {cut.threshold:.2f}: precision {cut.precision:.3f} recall {cut.recall:.3f} "
            f"F{BETA:g} {cut.f_beta:.3f}"
        )
    return best_threshold(labels, probabilities)


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
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--report", action="store_true", help="print the candidates' figures, write nothing")
    action.add_argument(
        "--check", action="store_true", help="verify that the shipped weights are what training gives today"
    )
    args = parser.parse_args(argv)
    if args.check:
        return check()
    np.random.seed(SEED)
    examples = load_examples()
    selection = [example for example in examples if not is_held_out(example)]
    selection_data = featurise(selection)
    winner, out_of_fold = select(selection, selection_data)
    cut = out_of_fold_threshold(winner, selection, selection_data, out_of_fold)
    print(f"threshold: {cut.threshold:.2f} (best F{BETA:g} {cut.f_beta:.3f} on out-of-fold scores)")
    if args.report:
        return 0
    everything = featurise(examples)
    model = fit(winner, everything, np.arange(len(examples)))
    write(model, winner, cut.threshold, len(examples), provenance(everything, model))
    return 0


def provenance(data: Featurised, model: LinearWeights) -> dict[str, object]:
    """What produced the weights; ``--check`` compares the digests."""
    return {
        "script": "training/train_worthiness.py",
        "recipe_version": RECIPE_VERSION,
        "seed": SEED,
        "threshold_rule": f"best F{BETA:g} on out-of-fold scores of the selection folds, 0.05 grid",
        "data_sha256": hashlib.sha256(DATA.read_bytes()).hexdigest(),
        "features_sha256": data.digest,
        "weights_sha256": weights_digest(model),
        "libraries": {name: version(name) for name in ("scikit-learn", "numpy", "scipy")},
    }


def write(
    model: LinearWeights, candidate: Candidate, threshold: float, sentences: int, made_by: dict[str, object]
) -> None:
    path = MODEL_DIR / f"{MODEL_ID}.json.gz"
    document = {
        "model_id": MODEL_ID,
        "kind": "logistic regression over binary word, word-pair, fragment and cue features",
        "candidate": candidate.name,
        "threshold": threshold,
        "trained_on": f"ClaimBuster two-class sentences ({sentences}, all debates), seed {SEED}",
        "licence": "weights derived from the ClaimBuster dataset (CC BY 4.0, see LICENSE-MODEL.md)",
        "provenance": made_by,
        "bias": model.bias,
        "weights": dict(sorted(model.weights.items())),
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    # mtime=0: the same training run writes the same bytes.
    with safe_output(path, "wb") as out:
        out.write(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(model.weights)} weights)")


def weight_differences(shipped: LinearWeights, refit: LinearWeights) -> tuple[int, float]:
    """How many weights (the bias included) differ between two fits, and the largest difference."""
    names = set(shipped.weights) | set(refit.weights)
    gaps = [abs(shipped.weights.get(name, 0.0) - refit.weights.get(name, 0.0)) for name in names]
    gaps.append(abs(shipped.bias - refit.bias))
    differing = [gap for gap in gaps if gap > 0.0]
    return len(differing), max(differing, default=0.0)


def check() -> int:
    """``--check``: 0 when today's code and data give the shipped weights, else 1 with the first difference."""
    path = MODEL_DIR / f"{MODEL_ID}.json.gz"
    shipped = json.loads(gzip.decompress(path.read_bytes()))
    recorded = shipped.get("provenance") or {}
    retrain = "run `make train-model` and commit the weights it writes"

    def fail(what: str) -> int:
        print(f"check-worthiness model {MODEL_ID}: {what}; {retrain}", file=sys.stderr)
        return 1

    if recorded.get("recipe_version") != RECIPE_VERSION:
        return fail(
            f"recipe version {recorded.get('recipe_version')} shipped, {RECIPE_VERSION} in the script"
        )
    if hashlib.sha256(DATA.read_bytes()).hexdigest() != recorded.get("data_sha256"):
        return fail(f"the training data {DATA.name} differs from the data the weights were fitted on")
    examples = load_examples()
    everything = featurise(examples)
    if everything.digest != recorded.get("features_sha256"):
        changed = "features.py or the ingest modules it reads sentences with (dates, names, speakers)"
        return fail(f"today's features of the training sentences differ from training time ({changed})")
    on_file = LinearWeights(float(shipped["bias"]), {k: float(v) for k, v in shipped["weights"].items()})
    if weights_digest(on_file) != recorded.get("weights_sha256"):
        return fail("the weights in the file do not match their recorded digest")
    candidate = next((c for c in CANDIDATES if c.name == shipped["candidate"]), None)
    if candidate is None:
        return fail(f"the recorded candidate {shipped['candidate']!r} is not in the script")
    refit = fit(candidate, everything, np.arange(len(examples)))
    if weights_digest(refit) != recorded["weights_sha256"]:
        differing, largest = weight_differences(on_file, refit)
        if largest > REFIT_TOLERANCE:
            libraries = {name: version(name) for name in ("scikit-learn", "numpy", "scipy")}
            return fail(
                f"refitting gives other weights: {differing} differ, by up to {largest:.4f} (libraries now "
                f"{libraries}, then {recorded.get('libraries')})"
            )
        print(
            f"check-worthiness model {MODEL_ID}: the refit differs from the file in {differing} weights by "
            f"at most {largest:.4f}, within this processor's rounding ({REFIT_TOLERANCE})"
        )
    selection = [example for example in examples if not is_held_out(example)]
    cut = out_of_fold_threshold(candidate, selection, featurise(selection))
    if cut.threshold != shipped["threshold"]:
        return fail(f"the threshold rule now gives {cut.threshold:.2f}, {shipped['threshold']} shipped")
    print(f"check-worthiness model {MODEL_ID}: data, features, weights and threshold reproduce")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
