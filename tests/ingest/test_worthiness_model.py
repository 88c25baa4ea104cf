"""The shipped check-worthiness model: loading, exact reasons, determinism, batches."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from factledger.ingest.scoring import DEFAULT_MIN_SCORE, MODEL_ID, score_sentence, score_sentences
from factledger.ingest.worthiness import model as model_module
from factledger.ingest.worthiness.features import extract_features
from factledger.ingest.worthiness.model import ModelError, load_model, weights_digest
from factledger.ledger.errors import LedgerError

pytestmark = pytest.mark.unit

SENTENCES = [
    "Unemployment has fallen to 5.1 percent, the lowest level in fifteen years.",
    "I think we should be proud of what this town has built.",
    "Thank you.",
    "My opponent voted against the hospital funding bill four times in 2019.",
    "During her visit Power announced $11.5 million in humanitarian assistance.",
    "Will the scheme survive the next election?",
]


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    load_model.cache_clear()
    yield
    load_model.cache_clear()


def test_shipped_weights_load_and_are_small() -> None:
    model = load_model()
    path = model_module.MODEL_DIR / f"{MODEL_ID}.json.gz"
    assert model.model_id == MODEL_ID
    assert path.stat().st_size < 3 * 1024 * 1024
    assert len(model.weights.weights) > 1000


def test_default_threshold_is_the_one_measured_in_training() -> None:
    assert load_model().threshold == DEFAULT_MIN_SCORE


def test_shipped_weights_record_what_produced_them() -> None:
    path = model_module.MODEL_DIR / f"{MODEL_ID}.json.gz"
    document = json.loads(gzip.decompress(path.read_bytes()))
    made_by = document["provenance"]
    assert made_by["script"] == "training/train_worthiness.py"
    assert isinstance(made_by["seed"], int)
    assert "F2" in made_by["threshold_rule"]
    # The data digest is that of the training data in the repository, and the weights digest that of the
    # weights in the file: `make check-model` goes further and refits them.
    data = Path(__file__).resolve().parents[2] / "training" / "claimbuster" / "claimbuster_2class.json"
    assert made_by["data_sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert made_by["weights_sha256"] == weights_digest(load_model().weights)
    assert len(made_by["features_sha256"]) == 64


def test_scores_are_probabilities_recorded_with_the_model() -> None:
    for score in score_sentences(SENTENCES):
        assert 0.0 <= score.value <= 1.0
        assert score.model == MODEL_ID


def test_figures_and_records_rank_above_opinion_and_courtesy() -> None:
    scores = {
        sentence: score.value for sentence, score in zip(SENTENCES, score_sentences(SENTENCES), strict=True)
    }
    assert scores[SENTENCES[0]] > DEFAULT_MIN_SCORE
    assert scores[SENTENCES[3]] > DEFAULT_MIN_SCORE
    for low in (SENTENCES[1], SENTENCES[2], SENTENCES[5]):
        assert scores[low] < DEFAULT_MIN_SCORE
        assert scores[low] < min(scores[SENTENCES[0]], scores[SENTENCES[3]])


def test_reasons_are_the_exact_largest_shares_of_the_linear_score() -> None:
    model = load_model()
    for sentence in SENTENCES:
        features = extract_features(sentence)
        # The per-word decomposition the model uses equals the plain dot product over all features.
        assert model.logit(sentence) == pytest.approx(model.weights.logit(features.counts()), abs=1e-9)
        reasons = score_sentence(sentence).reasons
        shares = [float(reason.rsplit(" ", 1)[1]) for reason in reasons]
        assert shares == sorted(shares, key=abs, reverse=True)
        assert len(reasons) <= model_module.MAX_REASONS
    percent = score_sentence(SENTENCES[0]).reasons
    assert any(reason.startswith("quantity (percent) +") for reason in percent), percent


def test_scoring_is_deterministic_within_and_across_processes() -> None:
    first = [(score.value, score.reasons) for score in score_sentences(SENTENCES)]
    assert first == [(score.value, score.reasons) for score in score_sentences(SENTENCES)]
    program = (
        "import json, sys; from factledger.ingest.scoring import score_sentences; "
        "print(json.dumps([[s.value, s.reasons] for s in score_sentences(json.loads(sys.argv[1]))]))"
    )
    other = subprocess.run(
        [sys.executable, "-c", program, json.dumps(SENTENCES)], capture_output=True, text=True, check=True
    )
    assert [tuple(row) for row in json.loads(other.stdout)] == first


def test_a_batch_scores_each_sentence_as_alone() -> None:
    batch = score_sentences(SENTENCES)
    assert batch == [score_sentence(sentence) for sentence in SENTENCES]
    assert score_sentences([]) == []


def test_missing_weights_file_is_one_clear_error(tmp_path: Path, fresh_cache: None) -> None:
    with pytest.raises(ModelError) as raised:
        load_model(tmp_path / "absent.json.gz")
    assert isinstance(raised.value, LedgerError)  # the CLI prints it as one line and exits 1
    assert (
        str(raised.value)
        == f"check-worthiness model not found: {tmp_path / 'absent.json.gz'} (reinstall factledger)"
    )


@pytest.mark.parametrize(
    "content",
    [
        b"not gzip at all",
        gzip.compress(b"{not json"),
        gzip.compress(json.dumps({"model_id": "x", "bias": 0.0}).encode()),  # no weights
        gzip.compress(json.dumps({"model_id": "x", "bias": 0.0, "threshold": 0.5, "weights": [1]}).encode()),
        gzip.compress(
            json.dumps({"model_id": "x", "bias": "high", "threshold": 0.5, "weights": {}}).encode()
        ),
        gzip.compress(b'{"model_id": "x"}')[:-6],  # truncated
    ],
    # Named ids: the gzip header holds the time, so ids from the bytes would differ between xdist workers.
    ids=["not-gzip", "not-json", "no-weights", "weights-a-list", "bias-not-a-number", "truncated"],
)
def test_corrupt_weights_file_is_one_clear_error(tmp_path: Path, fresh_cache: None, content: bytes) -> None:
    path = tmp_path / "model.json.gz"
    path.write_bytes(content)
    with pytest.raises(ModelError) as raised:
        load_model(path)
    message = str(raised.value)
    assert message.startswith(f"check-worthiness model is unreadable: {path} (")
    assert "\n" not in message
