"""ClaimReview says what the ledger knows: the speaker's kind, when the claim was published, and a
warning while the publisher is a placeholder. Through the real command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from factledger.ledger.claims import ClaimDraft, add_claim
from factledger.ledger.database import open_ledger
from factledger.ledger.documents import add_document
from tests.conftest import Factledger

pytestmark = pytest.mark.integration

STORY = "Vilnius, 3 March 2024. The ministry said 4,100 jobs were lost in February."
SENTENCE = "The ministry said 4,100 jobs were lost in February."
PUBLISHER = 'publisher_name = "Desk Check"\npublisher_url = "https://desk.example"\n'


def _claim_in(factledger: Factledger, body: str, published: date | None, **draft: Any) -> int:
    ledger = open_ledger(factledger.db_url)
    try:
        with ledger.write() as session:
            document, _ = add_document(
                session, "ingest", body, url="https://news.example/a", published=published
            )
            start = body.index(SENTENCE)
            claim = add_claim(
                session,
                "ingest",
                ClaimDraft(
                    SENTENCE,
                    document_id=document.id,
                    span_start=start,
                    span_end=start + len(SENTENCE),
                    **draft,
                ),
            )
            return claim.id
    finally:
        ledger.close()


def _review(factledger: Factledger, claim_id: int, tmp_path: Path) -> tuple[dict[str, Any], str]:
    assert factledger("claims", "status", str(claim_id), "refuted").exit_code == 0
    out = tmp_path / "review.json"
    result = factledger("export", "claimreview", "--claim", str(claim_id), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8")), result.stderr


def _configured(factledger: Factledger) -> None:
    factledger.home.mkdir(parents=True, exist_ok=True)
    (factledger.home / "factledger.toml").write_text(PUBLISHER, encoding="utf-8")


def test_an_organisation_is_published_as_an_organization_on_the_day_its_document_was(
    factledger: Factledger, tmp_path: Path
) -> None:
    _configured(factledger)
    claim_id = _claim_in(
        factledger,
        STORY,
        date(2024, 3, 3),
        speaker="the ministry",
        speaker_kind="organisation",
        dates=["2024-02-01/2024-02-29"],
    )
    review, stderr = _review(factledger, claim_id, tmp_path)
    item = review["itemReviewed"]
    assert item["author"] == {"@type": "Organization", "name": "the ministry"}
    # When it was said (the article's date), not the month the claim is about.
    assert item["datePublished"] == "2024-03-03"
    assert "placeholder" not in stderr


def test_a_corrected_speaker_kind_reaches_the_export(factledger: Factledger, tmp_path: Path) -> None:
    _configured(factledger)
    claim_id = _claim_in(factledger, STORY, date(2024, 3, 3), speaker="Figures", speaker_kind="person")
    edited = factledger(
        "claims", "edit", str(claim_id), "--speaker", "Ministry of Economy", "--speaker-kind", "organisation"
    )
    assert edited.exit_code == 0, edited.stderr
    review, _ = _review(factledger, claim_id, tmp_path)
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Ministry of Economy"}
    assert review["claimReviewed"] == SENTENCE


def test_the_earliest_dated_appearance_is_when_it_was_published(
    factledger: Factledger, tmp_path: Path
) -> None:
    _configured(factledger)
    claim_id = _claim_in(factledger, STORY, date(2024, 3, 3), speaker="Ana Ruiz", speaker_kind="person")
    ledger = open_ledger(factledger.db_url)
    try:
        from factledger.ledger.bulk.document_claims import add_document_claims

        earlier = f"Wire, 2 March 2024. {SENTENCE}"
        with ledger.write() as session:
            document, _ = add_document(session, "ingest", earlier, published=date(2024, 3, 2))
            start = earlier.index(SENTENCE)
            draft = ClaimDraft(
                SENTENCE, document_id=document.id, span_start=start, span_end=start + len(SENTENCE)
            )
            assert add_document_claims(session, "ingest", document.id, [draft])[0].claim_id == claim_id
    finally:
        ledger.close()
    review, _ = _review(factledger, claim_id, tmp_path)
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Ana Ruiz"}
    assert review["itemReviewed"]["datePublished"] == "2024-03-02"


def test_an_undated_document_and_an_unknown_kind_guess_nothing(
    factledger: Factledger, tmp_path: Path
) -> None:
    _configured(factledger)
    claim_id = _claim_in(factledger, STORY, None, speaker="the ministry", dates=["2024-02-01/2024-02-29"])
    review, _ = _review(factledger, claim_id, tmp_path)
    assert review["itemReviewed"]["author"] == {"name": "the ministry"}
    assert "datePublished" not in review["itemReviewed"]


def test_the_placeholder_publisher_is_warned_about_on_stderr(factledger: Factledger, tmp_path: Path) -> None:
    claim_id = _claim_in(factledger, STORY, date(2024, 3, 3))
    review, stderr = _review(factledger, claim_id, tmp_path)
    assert "warning: the publisher is still the placeholder (factledger, https://example.org)" in stderr
    assert "publisher_name and publisher_url in factledger.toml" in stderr
    assert review["author"]["url"] == "https://example.org"  # the export itself still happens
    # A publisher name of one's own with the example URL is still a placeholder.
    factledger.home.mkdir(parents=True, exist_ok=True)
    (factledger.home / "factledger.toml").write_text('publisher_name = "Desk Check"\n', encoding="utf-8")
    whole = factledger("export", "claimreview", "-o", str(tmp_path / "all.json"))
    assert whole.exit_code == 0
    assert "placeholder" in whole.stderr
