"""Ingest quality on the hand-annotated news fixtures (tests/fixtures/news/): what `factledger ingest FILE`
stores, compared with the gold annotations written before the rules were tuned.

Run it directly (pytest does not collect it):

    .venv/bin/python tests/bench/ingest_eval.py [--verbose] [--fixtures DIR]

Each article goes through the real path: ``read_document`` then ``ingest_document`` into a fresh SQLite
ledger, and the stored Document and Claims are compared with ``<slug>.gold.json`` (format in
tests/fixtures/news/README.md):

- recall: gold claims stored as claims. A stored claim matches a gold sentence when its text is the
  sentence, or ends with it (a dateline or a "NAME:" turn label left in front costs the metadata figure,
  not recall);
- opinions rejected: annotated opinions that no stored claim contains;
- speakers right: of the gold claims found, those whose speaker is the gold one (case, a leading "the" and
  a leading honorific such as "Dr." ignored; no speaker where gold has none), and whose kind
  (person | organisation) is the gold kind as well for the stricter figure;
- dates right: of the gold claims found that mention a date, those whose stored dates are exactly the
  gold set; a gold claim without dates counts in "no spurious dates" when ingest gave it any;
- metadata lines not claims: byline, dateline and "Published" lines that no stored claim contains;
- headline not a body claim: the gold title is in no stored claim but the one linked as the headline
  (which the other figures leave out);
- document metadata right: title, author, place and date of the stored Document, each against gold.

A measurement, not a test: it prints figures and the aims, and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from factledger.ingest.pipeline import DEFAULT_MIN_SCORE
from factledger.ingest.reader import read_document
from factledger.ingest.service import ingest_document
from factledger.ledger.database import open_ledger
from factledger.ledger.models import Claim

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "news"
AIMS = {"recall": 0.90, "opinions rejected": 0.80, "speakers right": 0.85, "dates right": 0.85}
_HONORIFICS = ("dr. ", "prof. ", "mr. ", "mrs. ", "ms. ", "sen. ", "rep. ", "gov. ")
DOCUMENT_FIELDS = ("title", "author", "place", "date")


@dataclass
class Tally:
    """Right / total for one figure, with what went wrong for --verbose."""

    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, miss: str) -> None:
        self.total += 1
        if ok:
            self.right += 1
        else:
            self.misses.append(miss)

    def merge(self, other: Tally) -> None:
        self.right += other.right
        self.total += other.total

    def cell(self) -> str:
        return f"{self.right}/{self.total}" if self.total else "-"

    def share(self) -> float:
        return self.right / self.total if self.total else 1.0


FIGURES = (
    "recall",
    "opinions rejected",
    "speaker names right",
    "speakers right",
    "dates right",
    "no spurious dates",
    "metadata lines not claims",
    "headline not a body claim",
    "document metadata right",
)


@dataclass(frozen=True)
class StoredClaim:
    text: str
    speaker: str | None
    speaker_kind: str | None
    dates: list[str]
    role: str | None = None


def _squash(text: str) -> str:
    return " ".join(text.split())


def _speaker_key(name: str | None) -> str | None:
    if not name:
        return None
    key = _squash(name).lower().replace("’", "'")
    for prefix in ("the ", *_HONORIFICS):
        key = key.removeprefix(prefix)
    return key


def _latest_month_day(month_day: str, today: date) -> date:
    """The most recent ``--MM-DD`` (ISO 8601's date without a year) on or before ``today``.

    A gold date written so is a dateline without a year: the article was dated on its day in the year
    it was read, which the annotation cannot fix in advance.
    """
    month, day = (int(part) for part in month_day.removeprefix("--").split("-"))
    this_year = date(today.year, month, day)
    return this_year if this_year <= today else date(today.year - 1, month, day)


def ingest_fixture(path: Path, workdir: Path) -> tuple[dict[str, Any], list[StoredClaim]]:
    """What `factledger ingest PATH` stores for one article: its Document's metadata and its claims."""
    ledger = open_ledger(f"sqlite:///{workdir / (path.stem + '.sqlite3')}")
    try:
        source = read_document(path)
        with ledger.write() as session:
            report = ingest_document(session, "eval", source, DEFAULT_MIN_SCORE)
            document = report.document
            metadata = {
                "title": document.title,
                "author": getattr(document, "author", None),
                "place": getattr(document, "place", None),
                "date": document.published.isoformat() if document.published else None,
            }
            claims = [
                StoredClaim(
                    text=claim.text,
                    speaker=claim.speaker,
                    speaker_kind=getattr(claim, "speaker_kind", None),
                    dates=list(claim.dates or []),
                    role=claim.role,
                )
                for claim in session.scalars(select(Claim).where(Claim.document_id == document.id))
            ]
    finally:
        ledger.close()
    return metadata, claims


def evaluate(gold: dict[str, Any], metadata: dict[str, Any], claims: list[StoredClaim]) -> dict[str, Tally]:
    tallies = {name: Tally() for name in FIGURES}
    # The headline's claim is linked as the headline: it is scored by the next figure, not as a sentence.
    stored = [(_squash(claim.text), claim) for claim in claims if claim.role != "headline"]
    title = gold["document"]["title"]
    if title:
        tallies["headline not a body claim"].add(
            not any(_squash(title) in squashed for squashed, _ in stored),
            f"headline kept as a body claim: {title}",
        )
    for item in gold["claims"]:
        text = _squash(item["text"])
        found = next((claim for squashed, claim in stored if squashed == text), None) or next(
            (claim for squashed, claim in stored if squashed.endswith(text)), None
        )
        tallies["recall"].add(found is not None, f"missed: {text}")
        if found is None:
            continue
        name_ok = _speaker_key(found.speaker) == _speaker_key(item["speaker"])
        kind_ok = item["speaker"] is None or found.speaker_kind == item["speaker_kind"]
        shown = (
            f"{found.speaker!r} ({found.speaker_kind}) for gold {item['speaker']!r} ({item['speaker_kind']})"
        )
        tallies["speaker names right"].add(name_ok, f"speaker {shown}: {text[:70]}")
        tallies["speakers right"].add(name_ok and kind_ok, f"speaker {shown}: {text[:70]}")
        if item["dates"]:
            tallies["dates right"].add(
                set(found.dates) == set(item["dates"]),
                f"dates {found.dates} for gold {item['dates']}: {text[:60]}",
            )
        else:
            tallies["no spurious dates"].add(not found.dates, f"dates {found.dates} for none: {text[:60]}")
    for opinion in gold["opinions"]:
        text = _squash(opinion)
        tallies["opinions rejected"].add(
            not any(text in squashed for squashed, _ in stored), f"kept opinion: {text}"
        )
    for line in gold["metadata_lines"]:
        text = _squash(line)
        tallies["metadata lines not claims"].add(
            not any(text in squashed for squashed, _ in stored), f"metadata line kept: {text}"
        )
    for name in DOCUMENT_FIELDS:
        expected, got = gold["document"][name], metadata[name]
        if name == "date" and isinstance(expected, str) and expected.startswith("--"):
            expected = _latest_month_day(expected, date.today()).isoformat()
        same = (expected or None) == (got or None) or (
            isinstance(expected, str)
            and isinstance(got, str)
            and _squash(expected).lower() == _squash(got).lower()
        )
        tallies["document metadata right"].add(same, f"document {name}: {got!r} for gold {expected!r}")
    return tallies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--verbose", action="store_true", help="list every miss under its article")
    args = parser.parse_args()
    paths = sorted(args.fixtures.glob("*.txt"))
    if not paths:
        print(f"no fixtures in {args.fixtures}", file=sys.stderr)
        return 1
    totals = {name: Tally() for name in FIGURES}
    short = ("recall", "opin.", "spk", "spk+kind", "dates", "no-spur", "meta", "headline", "doc")
    print(f"{'article':<30} " + " ".join(f"{label:>8}" for label in short))
    with tempfile.TemporaryDirectory(prefix="ingest-eval-") as tmp:
        for path in paths:
            gold = json.loads(path.with_suffix(".gold.json").read_text(encoding="utf-8"))
            metadata, claims = ingest_fixture(path, Path(tmp))
            tallies = evaluate(gold, metadata, claims)
            print(f"{path.stem[:30]:<30} " + " ".join(f"{tallies[name].cell():>8}" for name in FIGURES))
            if args.verbose:
                for name in FIGURES:
                    for miss in tallies[name].misses:
                        print(f"    {miss}")
            for name in FIGURES:
                totals[name].merge(tallies[name])
    print(f"\noverall on {len(paths)} articles:")
    for name in FIGURES:
        tally = totals[name]
        aim = AIMS.get(name) or AIMS.get(name.replace(" names", ""))
        target = (
            f"  (aim >= {aim:.0%}: {'PASS' if tally.share() >= aim else 'FAIL'})"
            if aim is not None and name in AIMS
            else ""
        )
        print(f"  {name:<28} {tally.cell():>8}  {tally.share():6.1%}{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
