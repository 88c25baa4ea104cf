"""Near-duplicates: an exact match is linked, a near-duplicate is suggested, candidates come from search."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from factledger.ingest import similar
from factledger.ledger.claims import claims_with_words, normalize_claim_text
from factledger.ledger.database import open_ledger
from tests.conftest import Factledger

pytestmark = pytest.mark.integration

FIRST = "date 2024-01-14 Secretary Blinken met Prime Minister Pashinyan and President Aliyev in Munich on February 18."
NEAR = "date 2024-02-01 Secretary Blinken met President Aliyev and Prime Minister Pashinyan in Munich on February 18."
OTHER = (
    "date 2024-02-02 USAID Administrator Samantha Power announced $11.5 million in humanitarian aid on May 4."
)


def _ingest(factledger: Factledger, path: Path, text: str) -> dict[str, Any]:
    """The --json report of ingesting ``text``: a JSON object, indexed as the CLI writes it."""
    path.write_text(text + "\n", encoding="utf-8")
    report: dict[str, Any]
    [report] = factledger.json("ingest", str(path), "--min-score", "0")
    return report


def test_a_near_duplicate_is_suggested_and_recorded(factledger: Factledger, tmp_path: Path) -> None:
    first = _ingest(factledger, tmp_path / "a.txt", FIRST)
    [original] = first["claims"]
    assert original["similar_to"] == []

    second = _ingest(factledger, tmp_path / "b.txt", NEAR)
    [near] = second["claims"]
    assert near["new"] is True  # not the same normalised text, so not linked automatically
    [suggestion] = near["similar_to"]
    assert suggestion["id"] == original["id"]
    assert 90 <= suggestion["score"] <= 100  # the same words reordered

    history = factledger.json("claims", "history", str(near["id"]))
    similar_events = [event for event in history if event["kind"] == "claim.similar"]
    assert len(similar_events) == 1
    assert similar_events[0]["after"] == {"similar_to": original["id"], "score": suggestion["score"]}
    assert factledger("audit", "verify").exit_code == 0

    plain = factledger("ingest", str(tmp_path / "b.txt"))
    assert plain.exit_code == 0  # already ingested: the report says so and nothing changes


def test_unrelated_and_exact_matches_are_not_suggestions(factledger: Factledger, tmp_path: Path) -> None:
    first = _ingest(factledger, tmp_path / "a.txt", FIRST)
    other = _ingest(factledger, tmp_path / "c.txt", OTHER)
    assert other["claims"][0]["similar_to"] == []
    exact = _ingest(factledger, tmp_path / "d.txt", FIRST.replace("2024-01-14", "2024-03-01") + " More.")
    linked = [c for c in exact["claims"] if not c["new"]]
    assert [c["id"] for c in linked] == [first["claims"][0]["id"]]
    assert linked[0]["similar_to"] == []


def test_the_table_output_names_the_similar_claim(factledger: Factledger, tmp_path: Path) -> None:
    _ingest(factledger, tmp_path / "a.txt", FIRST)
    (tmp_path / "b.txt").write_text(NEAR + "\n", encoding="utf-8")
    result = factledger("ingest", str(tmp_path / "b.txt"), "--min-score", "0")
    assert result.exit_code == 0
    assert "look like existing ones" in result.stderr
    assert "#1 (" in result.stdout + result.stderr


def test_candidates_come_from_bounded_searches(
    factledger: Factledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 120 claims that all share the distinctive words: a scan would score every one of them.
    rows = [
        {"text": f"Secretary Blinken met Prime Minister Pashinyan in Munich, meeting number {n}."}
        for n in range(120)
    ]
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    assert factledger("import", "jsonl", str(path)).exit_code == 0

    seen: list[tuple[list[str], int]] = []

    def spy(session: Session, searches: Sequence[str], limit: int) -> list[list[tuple[int, str]]]:
        seen.append((list(searches), limit))
        return claims_with_words(session, searches, limit)

    monkeypatch.setattr(similar, "claims_with_words", spy)
    ledger = open_ledger(factledger.db_url)
    try:
        with ledger.read() as session:
            found = similar.find_similar(
                session, "Secretary Blinken met Prime Minister Pashinyan in Munich, meeting number 7!"
            )
    finally:
        ledger.close()
    assert seen
    assert all(searches for searches, _ in seen)
    assert sum(len(searches) * limit for searches, limit in seen) <= similar.MAX_CANDIDATES
    assert found
    assert found[0].score >= 90
    assert len(found) <= similar.MAX_SUGGESTIONS


def test_batched_scoring_matches_pairwise_similarity(factledger: Factledger, tmp_path: Path) -> None:
    # The scorer meets each text's candidates in one rapidfuzz call; a reference scores the same
    # candidates pair by pair with similarity(). Reordered, edited, shortened and unrelated claims.
    base = [
        "Secretary Blinken met Prime Minister Pashinyan and President Aliyev in Munich on February 18.",
        "Unemployment rose to 4.1% in the three months to September, the statistics office said.",
        "The council voted 7-2 to close the bus depot by June 2025, saving 1.2 million euros a year.",
        "Acme Rail will cut 900 jobs after losing the northern franchise, the company said on Tuesday.",
    ]
    variants = []
    for n, text in enumerate(base):
        words = text.rstrip(".").split()
        variants += [
            text,
            " ".join(reversed(words)) + ".",
            text.replace(" the ", " a ", 1),
            " ".join(words[:-2]) + ".",
            text.replace("1", "2").replace("9", "8"),
            f"{text} It was the {n + 1}th such report this year.",
            " ".join(words[1:]) + ".",
            text.upper(),
        ]
    rows = [{"text": text} for text in dict.fromkeys(variants)]
    path = tmp_path / "varied.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    assert factledger("import", "jsonl", str(path)).exit_code == 0

    def reference(session: Session, text: str) -> list[similar.SimilarClaim]:
        normalised = normalize_claim_text(text)
        scores: dict[int, float] = {}
        searches = similar.search_groups(text)
        for found_rows in claims_with_words(session, searches, similar.MAX_CANDIDATES // 2):
            for claim_id, other in found_rows:
                if claim_id not in scores and normalize_claim_text(other) != normalised:
                    scores[claim_id] = similar.similarity(text, other)
        kept = sorted((-score, claim_id) for claim_id, score in scores.items() if score >= 90)
        return [similar.SimilarClaim(claim_id, -score) for score, claim_id in kept][: similar.MAX_SUGGESTIONS]

    queries = [*base, *(text.replace(" on ", " on the ", 1) for text in base), "Nothing alike at all here."]
    ledger = open_ledger(factledger.db_url)
    try:
        with ledger.read() as session:
            results = [(similar.find_similar(session, text), reference(session, text)) for text in queries]
    finally:
        ledger.close()
    for fast, expected in results:
        assert fast == expected
    assert sum(len(fast) for fast, _ in results) >= len(base)  # the comparison covered real suggestions


def _search_groups_as_first_written(text: str) -> list[str]:
    """search_groups as it was first written (ranked with an explicit position key): the reference."""
    words = list(dict.fromkeys(word.casefold() for word in similar._WORD.findall(text)))
    distinctive = [w for w in words if w not in similar._COMMON and (len(w) > 2 or w.isdigit())]
    ranked = sorted(distinctive, key=lambda word: (-len(word), words.index(word)))[: 2 * similar._GROUP_WORDS]
    if not ranked:
        return []
    return [" ".join(group) for group in (ranked[0::2], ranked[1::2]) if group]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "the and of",
        "Ines Moreau met Blinken in Munich on February 18, 2024, to discuss the 2023 ceasefire.",
        "Acme Acme ACME acme sold 4,200 units in 12 countries: Straße STRASSE straße and İstanbul.",
        "abc def ghi jkl mno pqr stu vwx: words of one length, in the order written, many more than six.",
        *[
            line
            for path in sorted((Path(__file__).resolve().parents[1] / "fixtures" / "news").glob("*.txt"))
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ][:200],
    ],
)
def test_search_groups_rank_longest_words_first_then_as_written(text: str) -> None:
    assert similar.search_groups(text) == _search_groups_as_first_written(text)
