"""Correcting a claim: its text, speaker, speaker kind and dates, as one audited, versioned write.

What a document said never changes: the claim keeps its document, span and appearances (each quoting
the document's own sentence), and the first text is kept as ``original_text`` beside the correction.
The event records only the fields that changed, before and after, with the version each belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_event, lock_log
from factledger.ledger.claims import (
    SPEAKER_KINDS,
    check_expected_version,
    claim_text_hash,
    clean_claim_text,
    get_claim,
    text_key,
    write_next_version,
)
from factledger.ledger.errors import InvalidInputError
from factledger.ledger.models import Claim

MAX_SPEAKER_LENGTH = 200  # the column's width
_DATE_OR_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:/(\d{4}-\d{2}-\d{2}))?")


class Keep(Enum):
    """A field the edit leaves as it is (``None`` means "clear it")."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


@dataclass(frozen=True)
class ClaimEdit:
    """The fields to change; every other field stays. ``None`` clears a speaker or its kind, and an
    empty list clears the dates. A new speaker without a kind has an unknown kind: the old kind
    described another name."""

    text: str | Keep = KEEP
    speaker: str | Keep | None = KEEP
    speaker_kind: str | Keep | None = KEEP
    dates: Sequence[str] | Keep = KEEP


def check_claim_date(value: str) -> str:
    """An ISO date (``2023-02-18``) or a range (``2023-05-01/2023-05-04``) of real calendar days, the
    range not ending before it starts; the form claims store in ``dates``."""
    cleaned = value.strip()
    match = _DATE_OR_RANGE.fullmatch(cleaned)
    if match is None:
        raise InvalidInputError(f"date {value!r} is not YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD")
    days: list[date] = []
    for part in match.groups():
        if part is not None:
            try:
                days.append(date.fromisoformat(part))
            except ValueError:
                raise InvalidInputError(f"date {part!r} is not a calendar date") from None
    if len(days) == 2 and days[1] < days[0]:
        raise InvalidInputError(f"date range {cleaned!r} ends before it starts")
    return cleaned


def _speaker(value: str | None) -> str | None:
    cleaned = (value or "").strip()
    if len(cleaned) > MAX_SPEAKER_LENGTH:
        raise InvalidInputError(f"speaker is longer than {MAX_SPEAKER_LENGTH} characters")
    return cleaned or None


def _speaker_kind(value: str | None) -> str | None:
    cleaned = (value or "").strip().lower()
    if cleaned and cleaned not in SPEAKER_KINDS:
        raise InvalidInputError(f"speaker kind {value!r} is not one of {', '.join(SPEAKER_KINDS)}")
    return cleaned or None


def _new_values(claim: Claim, edit: ClaimEdit) -> dict[str, Any]:
    """The validated columns the edit changes (those equal to the claim's are left out)."""
    values: dict[str, Any] = {}
    if not isinstance(edit.text, Keep):
        text = clean_claim_text(edit.text)
        if text != claim.text:
            values["text"] = text
    speaker = claim.speaker
    if not isinstance(edit.speaker, Keep):
        speaker = _speaker(edit.speaker)
        if speaker != claim.speaker:
            values["speaker"] = speaker
    if not isinstance(edit.speaker_kind, Keep):
        kind = _speaker_kind(edit.speaker_kind)
        if kind is not None and speaker is None:
            raise InvalidInputError(f"claim {claim.id} has no speaker to give a kind: give a speaker too")
        if kind != claim.speaker_kind:
            values["speaker_kind"] = kind
    elif "speaker" in values and claim.speaker_kind is not None:
        values["speaker_kind"] = None
    if not isinstance(edit.dates, Keep):
        dates = list(dict.fromkeys(check_claim_date(value) for value in edit.dates))
        if dates != (claim.dates or []):
            values["dates"] = dates or None
    return values


def _check_text_is_free(session: Session, claim: Claim, text_hash: bytes) -> None:
    """Two claims never share a text: that hash is how a fact is recognised again (claims.py). The
    claims whose text key matches are checked by the full hash of their texts."""
    key = text_key(text_hash)
    candidates = session.execute(
        select(Claim.id, Claim.text, Claim.original_text)
        .where(or_(Claim.text_hash == key, Claim.original_text_hash == key), Claim.id != claim.id)
        .order_by(Claim.id)
    )
    other = next(
        (
            other_id
            for other_id, text, original in candidates
            if claim_text_hash(text) == text_hash
            or (original is not None and claim_text_hash(original) == text_hash)
        ),
        None,
    )
    if other is not None:
        raise InvalidInputError(
            f"claim {other} already says this (the same text once spaces, quotes and case are "
            f"set aside): correct that claim instead, or word this one differently"
        )


def edit_claim(
    session: Session,
    actor: str,
    claim_id: int,
    edit: ClaimEdit,
    *,
    rationale: str | None = None,
    expect_version: int | None = None,
) -> Claim:
    """Apply ``edit`` to the claim: one ``claim.edited`` event and one new version, or an error and no
    change (nothing to change, bad input, a text another claim has, a stale ``expect_version``)."""
    claim = get_claim(session, claim_id, for_update=True)
    check_expected_version(session, claim, expect_version)
    values = _new_values(claim, edit)
    if not values:
        raise InvalidInputError(f"claim {claim_id} already has these values: nothing to change")
    if "text" in values:
        # Taken before the duplicate check, so two edits cannot both give one text to two claims.
        lock_log(session)
        new_hash = claim_text_hash(values["text"])
        values["text_hash"] = text_key(new_hash)
        if new_hash != claim_text_hash(claim.text):
            _check_text_is_free(session, claim, new_hash)
        if claim.original_text is None:
            values["original_text"] = claim.text
            values["original_text_hash"] = claim.text_hash
    recorded = [field for field in ("text", "speaker", "speaker_kind", "dates") if field in values]
    before: dict[str, Any] = {field: getattr(claim, field) for field in recorded}
    before["version"] = claim.version
    write_next_version(session, claim, values)
    after: dict[str, Any] = {field: values[field] for field in recorded}
    after["version"] = claim.version
    append_event(session, actor, NewEvent("claim.edited", claim.id, before, after, rationale))
    return claim
