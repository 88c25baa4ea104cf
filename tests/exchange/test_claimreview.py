"""ClaimReview JSON-LD: export of verdicts, import of what fact-checkers publish, and the round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from factledger.ledger.claims import ClaimDraft, add_claim
from factledger.ledger.database import open_ledger
from factledger.ledger.documents import add_document
from tests.conftest import Factledger

pytestmark = pytest.mark.integration

VERDICTS = {
    "supported": {
        "@type": "Rating",
        "ratingValue": 5,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "True",
    },
    "mixed": {
        "@type": "Rating",
        "ratingValue": 3,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Mixed",
    },
    "refuted": {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    },
    "unverifiable": {"@type": "Rating", "bestRating": 5, "worstRating": 1, "alternateName": "Unproven"},
}


def _claim_with_verdict(factledger: Factledger, text: str, status: str, *extra: str) -> int:
    claim_id = int(factledger.json("claims", "add", text, *extra)["id"])
    assert factledger("claims", "status", str(claim_id), "in_review").exit_code == 0
    if status != "in_review":
        assert factledger("claims", "status", str(claim_id), status, "--note", "checked").exit_code == 0
    return claim_id


def _verdict_day(factledger: Factledger, claim_id: int) -> str:
    history = factledger.json("claims", "history", str(claim_id))
    return str([e for e in history if e["kind"] == "claim.status_changed"][-1]["at"])[:10]


def _export(factledger: Factledger, *args: str) -> Any:
    result = factledger("export", "claimreview", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_export_maps_each_verdict(factledger: Factledger) -> None:
    ids = {status: _claim_with_verdict(factledger, f"Claim that is {status}.", status) for status in VERDICTS}
    _claim_with_verdict(factledger, "Still being checked.", "in_review")
    factledger("claims", "add", "Never looked at.")
    reviews = _export(factledger)
    assert [r["claimReviewed"] for r in reviews] == [f"Claim that is {s}." for s in VERDICTS]
    for status, review in zip(VERDICTS, reviews, strict=True):
        assert review["reviewRating"] == VERDICTS[status], status
        assert review["url"] == f"https://example.org/claims/{ids[status]}"
        assert review["datePublished"] == _verdict_day(factledger, ids[status])
    assert "ratingValue" not in reviews[3]["reviewRating"]


def test_export_one_claim_is_a_complete_object(factledger: Factledger) -> None:
    claim_id = _claim_with_verdict(
        factledger,
        "Power announced $11.5 million in aid.",
        "supported",
        "--speaker",
        "Samantha Power",
        "--date",
        "2023-09-25",
    )
    factledger("cite", str(claim_id), "https://www.usaid.gov/news", "--stance", "supports")
    assert factledger("claims", "edit", str(claim_id), "--speaker-kind", "person").exit_code == 0
    review = _export(factledger, "--claim", str(claim_id))
    assert review == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://example.org/claims/{claim_id}",
        "claimReviewed": "Power announced $11.5 million in aid.",
        # The evidence URL is what the claim was checked against, not where it appeared: no appearance.
        # The date the claim is about (2023-09-25) is not when it was published, which is unknown here.
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Samantha Power"}},
        "author": {"@type": "Organization", "name": "factledger", "url": "https://example.org"},
        "reviewRating": VERDICTS["supported"],
        "datePublished": _verdict_day(factledger, claim_id),
    }


def test_export_of_a_claim_without_verdict_is_an_error(factledger: Factledger, tmp_path: Path) -> None:
    claim_id = _claim_with_verdict(factledger, "Still being checked.", "in_review")
    result = factledger("export", "claimreview", "--claim", str(claim_id), "-o", str(tmp_path / "x.json"))
    assert result.exit_code == 1
    assert f"claim {claim_id} is in_review: ClaimReview publishes verdicts only" in result.stderr
    assert not (tmp_path / "x.json").exists()
    assert _export(factledger) == []  # and the whole export skips it


def test_publisher_settings_and_first_appearance(factledger: Factledger) -> None:
    factledger.home.mkdir(parents=True)
    (factledger.home / "factledger.toml").write_text(
        'publisher_name = "Desk Check"\npublisher_url = "https://desk.example/"\n', encoding="utf-8"
    )
    ledger = open_ledger(factledger.db_url)
    try:
        with ledger.write() as session:
            first, _ = add_document(session, "tester", "Body one.", url="https://news.example/story-1")
            draft = ClaimDraft("Body one.", document_id=first.id, span_start=0, span_end=9)
            claim_id = add_claim(session, "tester", draft).id
    finally:
        ledger.close()
    factledger("claims", "status", str(claim_id), "refuted")
    review = _export(factledger, "--claim", str(claim_id))
    assert review["author"] == {"@type": "Organization", "name": "Desk Check", "url": "https://desk.example"}
    assert review["url"] == f"https://desk.example/claims/{claim_id}"
    story = {"@type": "CreativeWork", "url": "https://news.example/story-1"}
    assert review["itemReviewed"]["firstAppearance"] == story
    assert review["itemReviewed"]["appearance"] == [story]
    (factledger.home / "factledger.toml").write_text(
        'claimreview_base_url = "https://desk.example/fact-checks"\n', encoding="utf-8"
    )
    assert _export(factledger)[0]["url"] == f"https://desk.example/fact-checks/{claim_id}"


# ------------------------------------------------------------------ import

POLITIFACT_LIKE = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "datePublished": "2023-03-02",
    "url": "https://www.politifact.example/factchecks/2023/mar/02/senator/aid-claim/",
    "author": {"@type": "Organization", "name": "PolitiFact", "url": "https://www.politifact.example"},
    "claimReviewed": "The aid package was three times larger than last year's.",
    "reviewRating": {"@type": "Rating", "alternateName": "Mostly False"},
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "A. Senator", "jobTitle": "Senator"},
        "datePublished": "2023-02-18T14:00:00-05:00",
        "appearance": {"@type": "CreativeWork", "url": "https://video.example/watch?v=1"},
    },
}
HALF_TRUE = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://checker.example/half",
    "author": [{"@type": "Organization", "name": "Checker"}],
    "claimReviewed": "Unemployment fell every month last year.",
    "reviewRating": {
        "@type": "Rating",
        "ratingValue": "3",
        "bestRating": "6",
        "worstRating": "1",
        "alternateName": "Half True",
    },
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization", "name": "Ministry of Labour"}},
}
WAPO_GRAPH = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebPage", "@id": "https://paper.example/fact-checker/#webpage", "name": "Fact Checker"},
        {
            "@type": ["ClaimReview"],
            "url": "https://paper.example/fact-checker/pinocchios",
            "author": {"@type": "Organization", "name": "The Paper"},
            "claimReviewed": "The bridge cost $4 billion.",
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": 1,
                "bestRating": 5,
                "worstRating": 1,
                "alternateName": "Four Pinocchios",
            },
        },
    ],
}


def _write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def _claims_by_text(factledger: Factledger) -> dict[str, dict[str, Any]]:
    return {c["text"]: c for c in factledger.json("claims", "list")}


def test_import_a_single_object(factledger: Factledger, tmp_path: Path) -> None:
    result = factledger(
        "import", "claimreview", str(_write(tmp_path / "one.json", POLITIFACT_LIKE)), "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["claims_created"] == 1
    [claim] = factledger.json("claims", "list")
    assert claim["status"] == "mixed"
    assert claim["speaker"] == "A. Senator"
    assert claim["dates"] == ["2023-02-18"]
    assert claim["rationale"] == (
        'ClaimReview by PolitiFact: "Mostly False" '
        "(https://www.politifact.example/factchecks/2023/mar/02/senator/aid-claim/)"
    )
    [evidence] = factledger.json("claims", "show", str(claim["id"]))["evidence"]
    assert (evidence["url"], evidence["stance"], evidence["note"]) == (
        "https://www.politifact.example/factchecks/2023/mar/02/senator/aid-claim/",
        "context",
        "fact-check",
    )


def test_import_a_list_and_a_graph(factledger: Factledger, tmp_path: Path) -> None:
    assert (
        factledger(
            "import", "claimreview", str(_write(tmp_path / "list.json", [POLITIFACT_LIKE, HALF_TRUE]))
        ).exit_code
        == 0
    )
    result = factledger("import", "claimreview", str(_write(tmp_path / "graph.json", WAPO_GRAPH)), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["claims_created"] == 1  # the WebPage node is skipped
    claims = _claims_by_text(factledger)
    assert {text: c["status"] for text, c in claims.items()} == {
        "The aid package was three times larger than last year's.": "mixed",
        "Unemployment fell every month last year.": "mixed",
        "The bridge cost $4 billion.": "refuted",  # 1 of 5, whatever the name says
    }
    assert claims["Unemployment fell every month last year."]["speaker"] == "Ministry of Labour"
    assert claims["The bridge cost $4 billion."]["rationale"].startswith(
        'ClaimReview by The Paper: "Four Pinocchios"'
    )


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"@type": "WebPage", "name": "no reviews here"}, "no ClaimReview objects found among 1 item(s)"),
        (
            [POLITIFACT_LIKE, _with(HALF_TRUE, reviewRating={"alternateName": "Satire"})],
            "item 2, field 'reviewRating.alternateName': cannot tell which status 'Satire'",
        ),
        ([POLITIFACT_LIKE, _with(HALF_TRUE, reviewRating=None)], "item 2, field 'reviewRating'"),
        ([POLITIFACT_LIKE, _with(HALF_TRUE, claimReviewed="  ")], "item 2, field 'claimReviewed'"),
        ([POLITIFACT_LIKE, _with(HALF_TRUE, url="javascript:alert(1)")], "item 2, field 'url'"),
        (
            [POLITIFACT_LIKE, _with(HALF_TRUE, reviewRating={"ratingValue": 9})],
            "item 2, field 'reviewRating.ratingValue': 9 is outside",
        ),
        (
            [POLITIFACT_LIKE, _with(HALF_TRUE, itemReviewed={"datePublished": "March 2023"})],
            "item 2, field 'itemReviewed.datePublished'",
        ),
        (
            {"@graph": [{"@type": "WebPage"}, _with(HALF_TRUE, reviewRating={})]},
            "item 2, field 'reviewRating'",
        ),
    ],
)
def test_bad_reviews_import_nothing_and_name_the_item(
    factledger: Factledger, tmp_path: Path, document: object, fragment: str
) -> None:
    result = factledger("import", "claimreview", str(_write(tmp_path / "bad.json", document)))
    assert result.exit_code == 1
    assert fragment in result.stderr
    lines = result.stderr.strip().splitlines()
    if fragment.startswith("item"):  # the bad item on a line of its own, then the summary
        assert len(lines) == 2
        assert fragment in lines[0]
        assert "1 bad item" in lines[1]
        assert "nothing imported" in lines[1]
    else:  # a file with no items to report is one line
        assert len(lines) == 1
    assert factledger.json("claims", "list") == []
    assert factledger.json("sources", "list") == []


def test_not_json_is_refused(factledger: Factledger, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"@type": "ClaimReview",\n', encoding="utf-8")
    result = factledger("import", "claimreview", str(path))
    assert result.exit_code == 1
    assert "line 3: not valid JSON" in result.stderr


def test_round_trip_into_an_empty_ledger(factledger: Factledger, tmp_path: Path) -> None:
    for status in VERDICTS:
        _claim_with_verdict(factledger, f"Claim that is {status}.", status, "--speaker", "Ann")
    _claim_with_verdict(factledger, "Not published.", "in_review")
    out = tmp_path / "reviews.json"
    assert factledger("export", "claimreview", "-o", str(out)).exit_code == 0
    fresh = Factledger(db_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}", home=tmp_path / "fresh")
    assert fresh("import", "claimreview", str(out)).exit_code == 0

    def shape(ledger: Factledger) -> list[tuple[str, str, str | None]]:
        claims = ledger.json("claims", "list")
        return [(c["text"], c["status"], c["speaker"]) for c in claims if c["status"] in VERDICTS]

    assert shape(fresh) == shape(factledger)
    assert len(shape(fresh)) == 4
    assert len(fresh.json("claims", "list")) == 4
