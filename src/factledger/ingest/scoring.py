"""Check-worthiness: how likely a fact-checker would check a sentence, with the reasons why.

The score is the probability given by the learned model of ``factledger.ingest.worthiness`` (a linear
model trained on human-labelled debate sentences; ``training/train_worthiness.py`` fits it and
``tests/bench/checkworthiness_eval.py`` measures it). Its ``reasons`` are the features that moved this
sentence's score most, each with its exact share of the model's log-odds ("quantity (percent) +0.61",
"“think” -0.48"), so a reviewer can see which words raised or lowered it. ``model`` names the weights
that scored it; claims keep it (``score_model``), and ``factledger rescore`` brings old scores up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from factledger.ingest.dates import DateMention
from factledger.ingest.speakers import Attribution
from factledger.ingest.worthiness.model import MODEL_ID, ModelError, load_model

# The probability above which a sentence becomes a candidate claim. A desk would rather review an extra
# sentence than miss a claim, so the rule, fixed before measuring, is the cut with the best F2 (recall
# weighted twice precision) on out-of-fold ClaimBuster scores (whole-debate folds, training blocks only;
# ``training/train_worthiness.py`` prints the table and writes the cut into the weights file, and a test
# checks the two agree). For cw-linear-2026.12: 0.15, precision 0.547 and recall 0.862 out of fold (best
# F1 would be 0.30: precision 0.710, recall 0.734). The news fixtures are the evaluation, never the tuning.
# A desk that wants fewer sentences passes a higher ``--min-score``.
DEFAULT_MIN_SCORE = 0.15

__all__ = ["DEFAULT_MIN_SCORE", "MODEL_ID", "ModelError", "Score", "score_sentence", "score_sentences"]


@dataclass(frozen=True, slots=True)
class Score:
    value: float
    reasons: list[str] = field(default_factory=list)
    model: str = MODEL_ID


def score_sentences(
    sentences: Sequence[str],
    attributions: Sequence[Attribution | None] | None = None,
    dates: Sequence[Sequence[DateMention] | None] | None = None,
) -> list[Score]:
    """Scores of ``sentences`` in one batch, in order.

    ``attributions`` (one per sentence, as ``find_attribution`` found them) saves finding speakers again;
    ``dates`` (one per sentence: ``find_dates`` against the publication day, or ``None`` when there is no
    such day) saves finding dates again. Raises ``ModelError`` when the shipped weights are missing or
    unreadable.
    """
    model = load_model()
    return [
        Score(value=scored.value, reasons=scored.reasons, model=model.model_id)
        for scored in model.score_batch(sentences, attributions, dates)
    ]


def score_sentence(sentence: str) -> Score:
    """The score of one sentence; ``score_sentences`` is cheaper for many."""
    return score_sentences([sentence])[0]
