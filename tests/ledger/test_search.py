"""Full-text search: word-prefix AND matching, identical on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration

CLAIMS = [
    "Blinken noted that significant progress has been made in the last two months.",
    "Power announced $11.5 million in humanitarian aid for Nagorno-Karabakh refugees.",
    "The ministers met at the George Shultz National Training Center.",
    "U.S. officials said the parties are “really within reach of an agreement.”",
    "Mirzoyan and Bayramov held talks in Washington on May 1-4.",
    "Le ministre a déclaré que l'accord était proche.",
    "Переговоры прошли в Вашингтоне.",
]
QUERIES = {
    "blinken": [1],
    "BLINKEN progress": [1],
    "progress blinken": [1],
    "agree": [4],
    "11.5 million": [2],
    "u.s. officials": [4],
    "nagorno karabakh": [2],
    "Washington talks": [5],
    "met": [3],
    "déclaré": [6],
    "Вашингтоне": [7],
    "the": [1, 3, 4],
    "shultz refugees": [],
    "zebra": [],
}


def _load(factledger: Factledger) -> None:
    for text in CLAIMS:
        assert factledger("claims", "add", text).exit_code == 0


@pytest.mark.parametrize(("query", "expected"), sorted(QUERIES.items()))
def test_search_matches_words(factledger: Factledger, query: str, expected: list[int]) -> None:
    _load(factledger)
    found = [c["id"] for c in factledger.json("claims", "list", "--search", query)]
    assert found == expected


def test_search_is_the_same_on_both_engines(postgres_url: str, tmp_path: Path) -> None:
    sqlite = Factledger(db_url=f"sqlite:///{tmp_path / 's.sqlite3'}", home=tmp_path / "s")
    postgres = Factledger(db_url=postgres_url, home=tmp_path / "p")
    _load(sqlite)
    _load(postgres)
    for query in QUERIES:
        on_sqlite = [c["text"] for c in sqlite.json("claims", "list", "--search", query)]
        on_postgres = [c["text"] for c in postgres.json("claims", "list", "--search", query)]
        assert on_sqlite == on_postgres, query


def test_search_follows_status_changes_and_combines_with_filters(factledger: Factledger) -> None:
    _load(factledger)
    factledger("claims", "status", "3", "in_review")
    assert [
        c["id"] for c in factledger.json("claims", "list", "--search", "the", "--status", "in_review")
    ] == [3]
