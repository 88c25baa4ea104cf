"""The CPU-heavy half of a capture, run in worker processes: WARC records built and compressed, text
extracted and stored. The result is small (compressed bytes and a text ref), so shipping it back to the
process that owns the WARC file and the database is cheap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from factledger.archive.capture_store import ArchivePaths, open_store
from factledger.archive.textstore import TextStore
from factledger.archive.warc.build import BuiltPair, build_pair
from factledger.archive.warc.records import HttpExchange, RevisitTarget
from factledger.text import extract_text
from factledger.text.extract import DEFAULT_LIMITS
from factledger.text.limits import ExtractLimits

# Bodies larger than this are archived but not read into memory for text extraction.
MAX_EXTRACT_BYTES = 20 * 1024 * 1024


# Runs in the worker process on each newly extracted text, with the store, the text's ref and the text.
# What it returns (None, or anything picklable) comes back with the capture and reaches ``after_commit``
# under the text's ref, so what was worked out where the text is need not be worked out again in the
# run's own process. It is pickled to the worker with each job, so it must be a module-level function.
TextHook = Callable[[TextStore, str, str], object]


@dataclass(frozen=True, slots=True)
class PrepareJob:
    capture: HttpExchange
    refers_to: RevisitTarget | None  # set when the payload is identical to the previous capture
    paths: ArchivePaths  # where the text goes; each worker process opens the store once
    url: str
    on_new_text: TextHook | None = None
    limits: ExtractLimits = DEFAULT_LIMITS
    extract: bool = True  # False: build the WARC records only (the extraction already went over a bound)


@dataclass(frozen=True, slots=True)
class Prepared:
    built: BuiltPair
    full_text_ref: str | None
    title: str | None
    # Why a page that should have text has none: "extract_limit" or "extract_error", and the reason.
    extract_error_kind: str | None = None
    extract_error: str | None = None
    text_derived: object = None  # what the job's ``on_new_text`` returned for the new text


def prepare_capture(job: PrepareJob) -> Prepared:
    built = build_pair(job.capture, job.refers_to)
    if job.refers_to is not None:
        return Prepared(built, None, None)  # same bytes as before: the caller reuses the earlier text
    if not job.extract:
        return Prepared(built, None, None)
    if job.capture.payload.length > MAX_EXTRACT_BYTES:
        return Prepared(built, None, None, "extract_limit", f"body larger than {MAX_EXTRACT_BYTES} bytes")
    extracted = extract_text(
        job.capture.payload.read(),
        list(job.capture.response_headers),
        url=job.url,
        main_text=False,
        limits=job.limits,
    )
    # Not fsynced here: the committer makes a whole group's texts durable at once, before the
    # snapshots that point at them are committed.
    if not extracted.full_text:
        return Prepared(built, None, extracted.title, extracted.error_kind, extracted.error)
    store = open_store(job.paths).texts
    ref = store.put(extracted.full_text, durable=False)
    derived = job.on_new_text(store, ref, extracted.full_text) if job.on_new_text is not None else None
    return Prepared(built, ref, extracted.title, text_derived=derived)
