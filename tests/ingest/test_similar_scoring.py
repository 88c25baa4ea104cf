"""Scoring and candidate queries for near-duplicate claims (pure functions, no database)."""

from __future__ import annotations

import pytest

from factledger.ingest.similar import SIMILARITY_THRESHOLD, search_groups, similarity
from factledger.ledger.search import search_terms

pytestmark = pytest.mark.unit

ORIGINAL = "Blinken met Pashinyan and Aliyev in Munich on February 18."


def test_small_rewordings_score_above_the_threshold() -> None:
    assert (
        similarity(ORIGINAL, "Blinken met Aliyev and Pashinyan in Munich on February 18.")
        >= SIMILARITY_THRESHOLD
    )
    assert similarity(ORIGINAL, "Blinken met with Pashinyan and Aliyev in Munich on February 18") >= 90
    assert similarity(ORIGINAL, "“Blinken met Pashinyan and Aliyev in Munich on Feb. 18.”") >= 90


def test_different_facts_in_the_same_words_score_below() -> None:
    assert similarity(ORIGINAL, "Blinken met Pashinyan in Yerevan on May 4.") < SIMILARITY_THRESHOLD
    assert similarity(ORIGINAL, "Power announced $11.5 million in humanitarian aid.") < 50
    # A claim contained in a longer one is not the same claim (token_set_ratio would say 100).
    assert similarity("Blinken met Pashinyan.", ORIGINAL) < SIMILARITY_THRESHOLD


def test_queries_use_distinctive_words_in_two_disjoint_groups() -> None:
    groups = search_groups(ORIGINAL)
    assert len(groups) == 2
    first, second = (set(group.split()) for group in groups)
    assert not first & second
    words = first | second
    assert {"pashinyan", "blinken", "february"} <= words
    assert not words & {"and", "on", "in"}  # too common or too short to narrow anything
    for group in groups:
        assert search_terms(group)  # valid full-text queries


def test_a_claim_of_only_common_words_gives_no_query() -> None:
    assert search_groups("It was said that they had it.") == []
