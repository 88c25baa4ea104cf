"""Correcting a claim: the use-case behind `factledger claims edit` and the review app's ``e`` form.

Both front ends hand over what the reviewer typed as an ``EditRequest``; the ledger validates and
writes it (ledger/claim_edits.py) in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from factledger.ledger import claim_edits
from factledger.ledger.claims import get_claim
from factledger.ledger.database import Ledger
from factledger.ledger.serialize import claim_summary


@dataclass(frozen=True)
class EditRequest:
    """What a reviewer typed. ``None`` leaves a field as it is; an empty speaker or speaker kind clears
    it, and dates that are all empty clear the dates."""

    text: str | None = None
    speaker: str | None = None
    speaker_kind: str | None = None
    dates: Sequence[str] | None = None

    def as_edit(self) -> claim_edits.ClaimEdit:
        keep = claim_edits.KEEP
        return claim_edits.ClaimEdit(
            text=keep if self.text is None else self.text,
            speaker=keep if self.speaker is None else self.speaker,
            speaker_kind=keep if self.speaker_kind is None else self.speaker_kind,
            dates=keep if self.dates is None else [value for value in self.dates if value.strip()],
        )


def split_dates(typed: str) -> list[str]:
    """The dates of a one-line field: separated by commas or spaces (a range has no space in it)."""
    return typed.replace(",", " ").split()


def edit_claim(
    ledger: Ledger,
    actor: str,
    claim_id: int,
    request: EditRequest,
    *,
    note: str | None = None,
    expect_version: int | None = None,
) -> dict[str, Any]:
    """Correct the claim; returns its summary (ledger/serialize.py) at the new version."""
    rationale = note.strip() if note and note.strip() else None
    with ledger.write() as session:
        claim = claim_edits.edit_claim(
            session, actor, claim_id, request.as_edit(), rationale=rationale, expect_version=expect_version
        )
        return claim_summary(claim)


def current_values(ledger: Ledger, claim_id: int) -> EditRequest:
    """The claim's editable fields as they are now, to fill the form with."""
    with ledger.read() as session:
        claim = get_claim(session, claim_id)
        return EditRequest(
            text=claim.text,
            speaker=claim.speaker or "",
            speaker_kind=claim.speaker_kind or "",
            dates=list(claim.dates or []),
        )
