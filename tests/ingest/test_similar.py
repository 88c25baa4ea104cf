"""Near-duplicates: an exact match is linked, a near-duplicate is suggested, candidates come from search."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from factledger.ingest import similar
from factledger.ledger.claims import claims_with_words
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
