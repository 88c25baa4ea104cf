"""WACZ 1.1.1 evidence bundles: the archived captures of the sources that claims cite, packaged for replay.

Layout (https://specs.webrecorder.net/wacz/1.1.1/):

    archive/data.warc.gz        the captures' records, copied byte for byte from the WARC store
    indexes/index.cdx           CDXJ, sorted, offsets into data.warc.gz (written by cdxj-indexer)
    pages/pages.jsonl           one page per captured URL: its latest capture's time and the source title
    factledger/claims.jsonl     the selected claims with their evidence, in the JSONL exchange format
    factledger/snapshots.jsonl  the ledger's record of each capture, tied to its WARC record id
    datapackage.json            every file above with its sha256 and size
    datapackage-digest.json     the sha256 of datapackage.json

The members are built in a scratch directory beside the output, and the zip is written through
``factledger.files.safe_output`` (a temporary file renamed into place), so a failure leaves no partial
file behind.
"""

from __future__ import annotations

import hashlib
import json
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from cdxj_indexer.main import CDXJIndexer  # type: ignore[import-untyped]
from sqlalchemy.orm import Session

from factledger import __version__
from factledger.archive.objects import LocalObjects, ObjectStore
from factledger.archive.warc.records import WarcError
from factledger.exchange.jsonl import iter_export, write_jsonl
from factledger.exchange.wacz_captures import Page, copy_captures, write_pages
from factledger.exchange.wacz_records import StoreReader
from factledger.files import check_writable_name, safe_output
from factledger.ledger.claims import get_claim
from factledger.ledger.errors import LedgerError

WACZ_VERSION: Final = "1.1.1"
WARC_NAME: Final = "data.warc.gz"
WARC_PATH: Final = "archive/" + WARC_NAME
INDEX_PATH: Final = "indexes/index.cdx"
PAGES_PATH: Final = "pages/pages.jsonl"
# Our own files live in a directory of their own: the spec forbids extra files in archive/, indexes/
# and pages/.
CLAIMS_PATH: Final = "factledger/claims.jsonl"
SNAPSHOTS_PATH: Final = "factledger/snapshots.jsonl"
DATAPACKAGE: Final = "datapackage.json"
DATAPACKAGE_DIGEST: Final = "datapackage-digest.json"
_COPY_CHUNK: Final = 1024 * 1024


class BundleError(LedgerError):
    """The bundle cannot be written: nothing archived to put in it, or the WARC store is damaged."""


@dataclass(frozen=True)
class WaczSummary:
    path: Path
    claims: int
    captures: int
    requests: int
    pages: int
    bytes: int | None  # None when the output is a FIFO or a device
    # Revisit records whose original (full) capture is not archived: they cannot be replayed.
    unresolved_revisits: int


def _write_index(warc: Path, index: Path) -> None:
    # cdxj-indexer is what py-wacz itself indexes with: its SURT keys and fields are the ones pywb and
    # ReplayWeb.page look up. ``filename`` is relative to archive/, as WACZ readers expect.
    CDXJIndexer(str(index), [str(warc)], sort=True, post_append=True, filename=WARC_NAME).process_all()


def _zip_member(
    bundle: zipfile.ZipFile, arcname: str, source: Path, stored: bool, when: datetime
) -> dict[str, Any]:
    """Copy ``source`` into the zip as ``arcname`` and return its datapackage resource entry."""
    info = zipfile.ZipInfo(arcname, date_time=when.timetuple()[:6])
    # Already-compressed data must stay STORED so readers can seek into it with range requests.
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    size = source.stat().st_size
    digest = hashlib.sha256()
    with source.open("rb") as src, bundle.open(info, "w", force_zip64=size >= zipfile.ZIP64_LIMIT) as dst:
        while chunk := src.read(_COPY_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
    return {
        "name": Path(arcname).name,
        "path": arcname,
        "hash": "sha256:" + digest.hexdigest(),
        "bytes": size,
    }


def _zip_json(bundle: zipfile.ZipFile, arcname: str, data: bytes, when: datetime) -> None:
    info = zipfile.ZipInfo(arcname, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    bundle.writestr(info, data)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _datapackage(
    resources: list[dict[str, Any]], claim_id: int | None, claims: int, created: datetime
) -> dict[str, Any]:
    if claim_id is not None:
        title = f"factledger evidence for claim {claim_id}"
    else:
        title = f"factledger evidence for {claims} claim{'s' if claims != 1 else ''}"
    return {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title,
        "description": (
            "Archived captures of the sources cited by the claims in `factledger/claims.jsonl`, "
            "with the ledger's record of each capture in `factledger/snapshots.jsonl`."
        ),
        "created": _rfc3339(created),
        "software": f"factledger {__version__}",
        "resources": resources,
    }


def write_wacz(
    session: Session,
    warcs: ObjectStore | Path,
    output: Path,
    *,
    claim_id: int | None = None,
    created: datetime | None = None,
) -> WaczSummary:
    """Write the evidence bundle for one claim (or all) to ``output``, atomically."""
    if claim_id is not None:
        get_claim(session, claim_id)  # NotFoundError for an unknown id
    output = Path(output)
    check_writable_name(output)
    created = created or datetime.now(UTC)
    reader = StoreReader(LocalObjects(warcs) if isinstance(warcs, Path) else warcs)
    # The members are as large as the captures: build them beside the output (its disk has room for the
    # bundle), unless the output is a device or a FIFO, whose directory is no place for files.
    beside = output.parent if not output.exists() or output.is_file() else None
    with tempfile.TemporaryDirectory(dir=beside, prefix=f".{output.name[:64]}.") as scratch_dir:
        scratch = Path(scratch_dir)
        files = {
            arcname: scratch / arcname.replace("/", "_")
            for arcname in (WARC_PATH, INDEX_PATH, PAGES_PATH, CLAIMS_PATH, SNAPSHOTS_PATH)
        }
        pages: dict[str, Page] = {}
        try:
            with (
                files[WARC_PATH].open("wb") as warc_out,
                files[SNAPSHOTS_PATH].open("w", encoding="utf-8") as snapshots_out,
            ):
                copied = copy_captures(session, reader, claim_id, warc_out, snapshots_out, pages)
        except WarcError as exc:
            raise BundleError(f"cannot copy the archived captures: {exc}") from None
        finally:
            reader.close()
        if copied.captures == 0:
            which = f"claim {claim_id} cites" if claim_id is not None else "the ledger's claims cite"
            raise BundleError(
                f"nothing to bundle: no archived capture of any source {which} (run `factledger archive run`)"
            )
        _write_index(files[WARC_PATH], files[INDEX_PATH])
        with files[PAGES_PATH].open("w", encoding="utf-8") as out:
            write_pages(pages, out)
        with files[CLAIMS_PATH].open("w", encoding="utf-8") as out:
            claims = write_jsonl(iter_export(session, claim_id), out)

        with safe_output(output, "wb") as zipped, zipfile.ZipFile(zipped, "w", allowZip64=True) as bundle:
            resources = [
                _zip_member(bundle, arcname, path, arcname == WARC_PATH, created)
                for arcname, path in files.items()
            ]
            datapackage = json.dumps(
                _datapackage(resources, claim_id, claims, created), ensure_ascii=False, indent=2
            ).encode("utf-8")
            _zip_json(bundle, DATAPACKAGE, datapackage, created)
            digest = {"path": DATAPACKAGE, "hash": "sha256:" + hashlib.sha256(datapackage).hexdigest()}
            _zip_json(bundle, DATAPACKAGE_DIGEST, json.dumps(digest, indent=2).encode("utf-8"), created)
    written = output.stat()
    return WaczSummary(
        path=output,
        claims=claims,
        captures=copied.captures,
        requests=copied.requests,
        pages=len(pages),
        bytes=written.st_size if stat.S_ISREG(written.st_mode) else None,
        unresolved_revisits=copied.unresolved_revisits,
    )
