"""A document's claims stored in one batch, and the batched candidate search, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factledger.ingest.similar import find_similar_batch
from factledger.ledger.audit import NewEvent
from factledger.ledger.audit_verify import verify_log as verify_chain
from factledger.ledger.bulk.document_claims import FoundClaim, add_document_claims
from factledger.ledger.claims import (
    ClaimDraft,
    add_claim,
    claim_history,
    claims_with_words,
)
from factledger.ledger.database import Ledger
from factledger.ledger.documents import add_document
from factledger.ledger.models import Claim, ClaimAppearance, Event
from factledger.ledger.search import search_terms

pytestmark = pytest.mark.integration

BODY = (
    "Blinken met Pashinyan in Munich on February 18. The U.S. pledged $11.5 million. "
    "Blinken met Pashinyan in Munich on February 18. Talks resumed in Geneva."
)


def _drafts(document_id: int, texts: list[str]) -> list[ClaimDraft]:
    drafts, cursor = [], 0
    for text in texts:
        start = BODY.index(text, cursor)
        cursor = start + len(text)
        drafts.append(ClaimDraft(text=text, document_id=document_id, span_start=start, span_end=cursor))
    return drafts


def test_known_texts_are_linked_and_repeats_become_appearances(ledger: Ledger) -> None:
    texts = [
        "Blinken met Pashinyan in Munich on February 18.",
        "The U.S. pledged $11.5 million.",
        "Blinken met Pashinyan in Munich on February 18.",
        "Talks resumed in Geneva.",
    ]
    with ledger.write() as session:
        known = add_claim(session, "tester", ClaimDraft(text="the U.S. pledged  $11.5 million"))
        document, _ = add_document(session, "tester", BODY)
        found = add_document_claims(session, "tester", document.id, _drafts(document.id, texts))
    assert found[1] == FoundClaim(known.id, created=False)
    assert found[0].created
    assert found[3].created
    assert found[2] == FoundClaim(found[0].claim_id, created=False)  # the same text again in the document

    with ledger.read() as session:
        claims = {claim.id: claim for claim in session.scalars(select(Claim))}
        assert len(claims) == 3
        first = claims[found[0].claim_id]
        assert (first.text, first.document_id, first.span_start, first.span_end) == (
            texts[0],
            document.id,
            0,
            47,
        )
        assert (first.status, first.version, first.needs_review) == ("unreviewed", 1, False)
        appearances = session.execute(
            select(ClaimAppearance.claim_id, ClaimAppearance.span_start, ClaimAppearance.span_end).order_by(
                ClaimAppearance.span_start
            )
        ).all()
        assert [tuple(row) for row in appearances] == [
            (found[index].claim_id, start, start + len(texts[index]))
            for index, start in ((0, 0), (1, 48), (2, 80), (3, 128))
        ]
        kinds = [event.kind for event in claim_history(session, found[0].claim_id)]
        assert kinds == ["claim.created", "claim.appeared"]
        assert [event.kind for event in claim_history(session, known.id)] == [
            "claim.created",
            "claim.appeared",
        ]
        assert verify_chain(session).ok

    with ledger.write() as session:
        again = add_document_claims(session, "tester", document.id, _drafts(document.id, texts))
    assert again == [FoundClaim(item.claim_id, created=False) for item in found]
    with ledger.read() as session:
        assert len(session.scalars(select(ClaimAppearance.id)).all()) == 4  # nothing recorded twice
        assert len(claim_history(session, found[0].claim_id)) == 2
        assert verify_chain(session).ok


def test_a_batch_claim_is_compared_only_with_claims_older_than_it(ledger: Ledger) -> None:
    first = "Blinken met Pashinyan in Munich on February 18."
    second = "Blinken met Pashinyan in Munich on 18 February."
    with ledger.write() as session:
        ids = [add_claim(session, "tester", ClaimDraft(text=text)).id for text in (first, second)]
        found = find_similar_batch(session, [(ids[0], first), (ids[1], second)])
    assert found[ids[0]] == []
    assert [item.id for item in found[ids[1]]] == [ids[0]]


def test_claims_with_words_finds_the_oldest_claims_holding_every_word(ledger: Ledger) -> None:
    texts = [
        "The U.S. pledged $11.5 million to Armenia.",
        "Blinken met Pashinyan in Munich.",
        "Blinken's meeting with Aliyev was cancelled.",
        "Pashinyan and Aliyev met in Granada in October 2023.",
        "USAID announced 11.5 million in aid.",
        "BLINKEN MET PASHINYAN AGAIN.",
    ]
    groups = ["blinken", "blin", "pashinyan met", "u s", "11 5", "aliyev", "meet", "nowhere"]
    with ledger.write() as session:
        ids = [add_claim(session, "tester", ClaimDraft(text=text)).id for text in texts]
        found = claims_with_words(session, groups, 2)
    # Whole words in any case ("blin" and "meet" are only parts of words), oldest first, at most two.
    words_of = [set(search_terms(text)) for text in texts]
    expected = [
        [(ids[i], texts[i]) for i in range(len(texts)) if set(search_terms(group)) <= words_of[i]][:2]
        for group in groups
    ]
    assert found == expected
    assert [len(rows) for rows in found] == [2, 0, 2, 1, 2, 2, 0, 0]


def test_follow_up_events_are_recorded_right_after_their_claim(ledger: Ledger) -> None:
    texts = ["Blinken met Pashinyan in Munich on February 18.", "The U.S. pledged $11.5 million."]

    def note_each(found: list[FoundClaim]) -> dict[int, list[NewEvent]]:
        return {
            item.claim_id: [NewEvent("claim.noted", item.claim_id, None, {"n": 1}, "seen")] for item in found
        }

    with ledger.write() as session:
        document, _ = add_document(session, "tester", BODY)
        found = add_document_claims(
            session, "tester", document.id, _drafts(document.id, texts), follow_up=note_each
        )
    with ledger.read() as session:
        events = session.scalars(select(Event).where(Event.claim_id.is_not(None)).order_by(Event.id)).all()
        assert [(event.kind, event.claim_id) for event in events] == [
            ("claim.created", found[0].claim_id),
            ("claim.noted", found[0].claim_id),
            ("claim.created", found[1].claim_id),
            ("claim.noted", found[1].claim_id),
        ]
        assert verify_chain(session).ok


def test_a_document_event_left_pending_is_recorded_with_the_batch(ledger: Ledger) -> None:
    with ledger.write() as session:
        pending: list[NewEvent] = []
        document, created = add_document(session, "tester", BODY, pending_events=pending)
        assert created
        assert [event.kind for event in pending] == ["document.ingested"]
        assert add_document_claims(session, "tester", document.id, [], leading_events=pending) == []
    with ledger.read() as session:
        assert [event.kind for event in session.scalars(select(Event))] == ["document.ingested"]
        assert verify_chain(session).ok
