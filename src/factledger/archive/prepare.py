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

# Bodies larger than this are archived but not read into memory for text extraction.
MAX_EXTRACT_BYTES = 20 * 1024 * 1024


# Runs in the worker process on each newly extracted text, with the store, the text's ref and the text.
# It is pickled to the worker with each job, so it must be a module-level function.
TextHook = Callable[[TextStore, str, str], None]


@dataclass(frozen=True, slots=True)
class PrepareJob:
    capture: HttpExchange
    refers_to: RevisitTarget | None  # set when the payload is identical to the previous capture
    paths: ArchivePaths  # where the text goes; each worker process opens the store once
    url: str
    on_new_text: TextHook | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    built: BuiltPair
    full_text_ref: str | None
    title: str | None


def prepare_capture(job: PrepareJob) -> Prepared:
    built = build_pair(job.capture, job.refers_to)
    if job.refers_to is not None:
        return Prepared(built, None, None)  # same bytes as before: the caller reuses the earlier text
    size = job.capture.payload_path.stat().st_size
    if size > MAX_EXTRACT_BYTES:
        return Prepared(built, None, None)
    extracted = extract_text(
        job.capture.payload_path.read_bytes(),
        list(job.capture.response_headers),
        url=job.url,
        main_text=False,
    )
    # Not fsynced here: the committer makes a whole group's texts durable at once, before the
    # snapshots that point at them are committed.
    if not extracted.full_text:
        return Prepared(built, None, extracted.title)
    store = open_store(job.paths).texts
    ref = store.put(extracted.full_text, durable=False)
    if job.on_new_text is not None:
        job.on_new_text(store, ref, extracted.full_text)
    return Prepared(built, ref, extracted.title)
