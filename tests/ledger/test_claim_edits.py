"""Correcting a claim in the ledger (claim_edits.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from factledger.ledger.audit_verify import verify_log as verify_chain
from factledger.ledger.bulk.document_claims import add_document_claims
from factledger.ledger.claim_edits import ClaimEdit, edit_claim
from factledger.ledger.claims import (
    ClaimDraft,
    ClaimFilter,
    add_claim,
    claim_ids_by_hash,
    claim_text_hash,
    list_claims,
    text_key,
)
from factledger.ledger.database import Ledger
from factledger.ledger.documents import add_document
from factledger.ledger.errors import InvalidInputError, NotFoundError, VersionConflictError
from factledger.ledger.models import Claim, ClaimAppearance, Event

pytestmark = pytest.mark.integration

BODY = "Officials met on Monday. Figures from the ministry show 4,100 jobs were lost in March. Then rain."
SENTENCE = "Figures from the ministry show 4,100 jobs were lost in March."


def _ingested(ledger: Ledger) -> int:
    """A claim as ingest records it: a document, a span, an appearance, a wrong speaker."""
    with ledger.write() as session:
        document, _ = add_document(session, "ingest", BODY, title="Jobs")
        start = BODY.index(SENTENCE)
        draft = ClaimDraft(
            text=SENTENCE,
            speaker="Figures",
            speaker_kind="person",
            dates=["2023-03-01/2023-03-31"],
            document_id=document.id,
            span_start=start,
            span_end=start + len(SENTENCE),
        )
        return add_claim(session, "ingest", draft).id


def _events(ledger: Ledger, claim_id: int) -> list[Event]:
    with ledger.read() as session:
        return list(session.scalars(select(Event).where(Event.claim_id == claim_id).order_by(Event.id)))


def _claim(ledger: Ledger, claim_id: int) -> Claim:
    with ledger.read() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        return claim


def test_edit_records_before_and_after_and_keeps_the_documents_sentence(ledger: Ledger) -> None:
    claim_id = _ingested(ledger)
    corrected = "The ministry said 4,100 jobs were lost in March."
    with ledger.write() as session:
        edit = ClaimEdit(
            text=corrected,
            speaker="the ministry",
            speaker_kind="organisation",
            dates=["2023-03-01/2023-03-31"],
        )
        claim = edit_claim(
            session, "mariam", claim_id, edit, rationale="speaker was a phrase", expect_version=1
        )
        assert claim.version == 2
    claim = _claim(ledger, claim_id)
    assert (claim.text, claim.speaker, claim.speaker_kind) == (corrected, "the ministry", "organisation")
    assert claim.original_text == SENTENCE
    assert claim.text_hash == text_key(claim_text_hash(corrected))
    # The document still says what it said, where it said it.
    assert BODY[claim.span_start : claim.span_end] == SENTENCE
    with ledger.read() as session:
        spans = session.execute(select(ClaimAppearance.span_start, ClaimAppearance.span_end)).all()
    assert [tuple(span) for span in spans] == [(claim.span_start, claim.span_end)]
    edited = _events(ledger, claim_id)[-1]
    assert edited.kind == "claim.edited"
    assert edited.actor == "mariam"
    assert edited.rationale == "speaker was a phrase"
    # Only what changed is recorded (the dates were given but are the same).
    assert edited.before == {
        "text": SENTENCE,
        "speaker": "Figures",
        "speaker_kind": "person",
        "version": 1,
    }
    assert edited.after == {
        "text": corrected,
        "speaker": "the ministry",
        "speaker_kind": "organisation",
        "version": 2,
    }
    with ledger.read() as session:
        assert verify_chain(session).ok


def test_full_text_search_follows_the_edit(ledger: Ledger) -> None:
    claim_id = _ingested(ledger)
    with ledger.write() as session:
        edit_claim(
            session, "mariam", claim_id, ClaimEdit(text="The ministry reported 4,100 layoffs in March.")
        )
    with ledger.read() as session:
        assert [c.id for c in list_claims(session, ClaimFilter(search="layoffs"))] == [claim_id]
        assert list_claims(session, ClaimFilter(search="figures")) == []


def test_a_second_edit_keeps_the_first_text_as_the_original(ledger: Ledger) -> None:
    claim_id = _ingested(ledger)
    with ledger.write() as session:
        edit_claim(session, "a", claim_id, ClaimEdit(text="First correction of the jobs figure."))
    with ledger.write() as session:
        edit_claim(session, "b", claim_id, ClaimEdit(text="Second correction of the jobs figure."))
    claim = _claim(ledger, claim_id)
    assert claim.original_text == SENTENCE
    assert claim.version == 3


def test_the_original_sentence_met_again_is_the_edited_claim(ledger: Ledger) -> None:
    claim_id = _ingested(ledger)
    with ledger.write() as session:
        edit_claim(session, "mariam", claim_id, ClaimEdit(text="The ministry reported 4,100 job losses."))
    other_body = f"A second story. {SENTENCE}"
    with ledger.write() as session:
        assert claim_ids_by_hash(session, [claim_text_hash(SENTENCE)]) == {
            claim_text_hash(SENTENCE): claim_id
        }
        document, _ = add_document(session, "ingest", other_body)
        start = other_body.index(SENTENCE)
        draft = ClaimDraft(
            text=SENTENCE, document_id=document.id, span_start=start, span_end=start + len(SENTENCE)
        )
        found = add_document_claims(session, "ingest", document.id, [draft])
    assert [(item.claim_id, item.created) for item in found] == [(claim_id, False)]
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 1
        assert session.scalar(select(func.count()).select_from(ClaimAppearance)) == 2


@pytest.mark.parametrize(
    "taken",
    [
        "Another claim about the harbour.",  # exactly another claim's text
        "  another CLAIM about the harbour ",  # the same once case, spaces and full stop are set aside
    ],
)
def test_a_text_another_claim_has_is_refused_and_nothing_changes(ledger: Ledger, taken: str) -> None:
    claim_id = _ingested(ledger)
    with ledger.write() as session:
        other_id = add_claim(session, "tester", ClaimDraft(text="Another claim about the harbour.")).id
    with (
        pytest.raises(InvalidInputError, match=f"claim {other_id} already says this"),
        ledger.write() as session,
    ):
        edit_claim(session, "mariam", claim_id, ClaimEdit(text=taken, speaker="the ministry"))
    claim = _claim(ledger, claim_id)
    assert (claim.text, claim.speaker, claim.version, claim.original_text) == (SENTENCE, "Figures", 1, None)
    assert [e.kind for e in _events(ledger, claim_id)] == ["claim.created"]


def test_a_text_another_claim_was_first_recorded_with_is_refused(ledger: Ledger) -> None:
    edited_id = _ingested(ledger)
    with ledger.write() as session:
        edit_claim(session, "a", edited_id, ClaimEdit(text="The ministry reported 4,100 job losses."))
        other_id = add_claim(session, "tester", ClaimDraft(text="Harbour traffic rose.")).id
    with (
        pytest.raises(InvalidInputError, match=f"claim {edited_id} already says this"),
        ledger.write() as session,
    ):
        edit_claim(session, "b", other_id, ClaimEdit(text=SENTENCE))


def test_changing_only_case_keeps_the_hash_and_is_allowed(ledger: Ledger) -> None:
    claim_id = _ingested(ledger)
    with ledger.write() as session:
        claim = edit_claim(session, "a", claim_id, ClaimEdit(text=SENTENCE.replace("Figures", "FIGURES")))
        assert claim.text_hash == text_key(claim_text_hash(SENTENCE))


def test_a_new_speaker_has_an_unknown_kind_and_an_empty_one_clears_both(ledger: Ledger) -> None:
    claim_id = _ingested(ledger)
    with ledger.write() as session:
        claim = edit_claim(session, "a", claim_id, ClaimEdit(speaker="Ana Ruiz"))
        assert (claim.speaker, claim.speaker_kind) == ("Ana Ruiz", None)
    with ledger.write() as session:
        claim = edit_claim(session, "a", claim_id, ClaimEdit(speaker_kind="person"))
        assert claim.speaker_kind == "person"
    with ledger.write() as session:
        claim = edit_claim(session, "a", claim_id, ClaimEdit(speaker=None))
        assert (claim.speaker, claim.speaker_kind) == (None, None)
    assert _events(ledger, claim_id)[-1].after == {"speaker": None, "speaker_kind": None, "version": 4}


def test_dates_are_replaced_and_an_empty_list_clears_them(ledger: Ledger) -> None:
    claim_id = _ingested(ledger)
    with ledger.write() as session:
        claim = edit_claim(
            session, "a", claim_id, ClaimEdit(dates=["2023-03-31", " 2023-03-31", "2023-04-02"])
        )
        assert claim.dates == ["2023-03-31", "2023-04-02"]
    with ledger.write() as session:
        assert edit_claim(session, "a", claim_id, ClaimEdit(dates=[])).dates is None


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (ClaimEdit(text="   "), "claim text is empty"),
        (ClaimEdit(dates=["2023-02-30"]), "'2023-02-30' is not a calendar date"),
        (ClaimEdit(dates=["2023-05-04/2023-05-01"]), "ends before it starts"),
        (ClaimEdit(dates=["March 2023"]), "is not YYYY-MM-DD"),
        (ClaimEdit(speaker_kind="company"), "speaker kind 'company' is not one of person, organisation"),
        (ClaimEdit(speaker=None, speaker_kind="person"), "has no speaker to give a kind"),
        (ClaimEdit(speaker="x" * 201), "speaker is longer than 200"),
        (ClaimEdit(text=SENTENCE, speaker="Figures"), "already has these values: nothing to change"),
        (ClaimEdit(), "nothing to change"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(ledger: Ledger, edit: ClaimEdit, message: str) -> None:
    claim_id = _ingested(ledger)
    with pytest.raises(InvalidInputError, match=message), ledger.write() as session:
        edit_claim(session, "mariam", claim_id, edit)
    claim = _claim(ledger, claim_id)
    assert (claim.text, claim.speaker, claim.dates, claim.version) == (
        SENTENCE,
        "Figures",
        ["2023-03-01/2023-03-31"],
        1,
    )
    assert len(_events(ledger, claim_id)) == 1


def test_a_stale_version_names_who_changed_the_claim(ledger: Ledger) -> None:
    claim_id = _ingested(ledger)
    with ledger.write() as session:
        edit_claim(session, "ade", claim_id, ClaimEdit(speaker="the ministry"), expect_version=1)
    with (
        pytest.raises(
            VersionConflictError, match=r"version 2, not 1: it was changed by ade at .*\(claim\.edited\)"
        ),
        ledger.write() as session,
    ):
        edit_claim(session, "mariam", claim_id, ClaimEdit(text="Lost jobs."), expect_version=1)
    assert _claim(ledger, claim_id).text == SENTENCE


def test_an_unknown_claim_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFoundError, match="no claim with id 99"), ledger.write() as session:
        edit_claim(session, "mariam", 99, ClaimEdit(text="Anything."))
