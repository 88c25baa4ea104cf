"""The WARC archive against the real tools: `warcio check`/`index`, read-back, rotation, repair, kill -9, pywb.

Records are written the way an archive run writes them: ``build_pair`` (what prepare.py runs in the
worker processes), then ``WarcStore.append_built`` and ``sync`` (what commit.py does for a group).
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import time
from base64 import b32encode
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from factledger.archive.objects import ObjectMissingError
from factledger.archive.warc.build import build_pair
from factledger.archive.warc.reader import read_record
from factledger.archive.warc.records import HttpExchange, RevisitTarget, WarcError, WarcLocation
from factledger.archive.warc.repair import repair, trim_uncommitted
from factledger.archive.warc.store import WarcStore, is_sealed, seal
from tests.payloads import payload_in_file
from tests.pywb_replay import pywb_missing, replaying

pytestmark = pytest.mark.integration

T0 = datetime(2024, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC)


# The `warcio` console script of this interpreter's environment (warcio has no `python -m warcio`).
WARCIO = [sys.executable, "-c", "import sys; from warcio.cli import main; sys.argv[0] = 'warcio'; main()"]


def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WARCIO, "check", "-v", str(path)], capture_output=True, text=True, check=False)


def assert_warcio_check(directory: Path) -> list[Path]:
    files = sorted(directory.glob("*.warc.gz"))
    assert files
    for path in files:
        result = warcio_check(path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "digest pass" in result.stdout
        # `warcio check` passes a file whose last record is cut short, so check the gzip members too.
        gzip.decompress(path.read_bytes())
    return files


def record_types(path: Path) -> list[str]:
    with path.open("rb") as stream:
        return [record.rec_type for record in ArchiveIterator(stream)]


def store_capture(
    store: WarcStore, exchange: HttpExchange, refers_to: RevisitTarget | None = None
) -> WarcLocation:
    """Archive one exchange as a run does: build its records, append them, sync; then a row may point at it."""
    built = build_pair(exchange, refers_to)
    location = store.append_built(built.data, built.response_length)
    store.sync()
    return location


class Captures:
    """Builds HttpExchanges whose payload files live in a temp directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    def __call__(
        self,
        payload: bytes,
        *,
        uri: str = "https://example.org/page",
        status: int = 200,
        reason: str = "OK",
        headers: list[tuple[str, str]] | None = None,
        at: datetime | None = None,
    ) -> HttpExchange:
        self.count += 1
        return HttpExchange(
            target_uri=uri,
            request_method="GET",
            request_http_version="HTTP/1.1",
            request_headers=[
                ("Host", uri.split("/")[2]),
                ("User-Agent", "factledger/test"),
                ("Accept", "*/*"),
            ],
            status=status,
            reason=reason,
            http_version="HTTP/1.1",
            response_headers=headers
            if headers is not None
            else [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(payload)))],
            payload=payload_in_file(self.directory / f"payload-{self.count}", payload),
            fetched_at=at or T0 + timedelta(minutes=self.count),
            peer_ip="127.0.0.1",
        )


@pytest.fixture
def captures(tmp_path: Path) -> Captures:
    (tmp_path / "payloads").mkdir()
    return Captures(tmp_path / "payloads")


@pytest.fixture
def warc_dir(tmp_path: Path) -> Path:
    return tmp_path / "warcs"


HTML_BODY = b"<!doctype html><html><head><title>Bridge</title></head><body><p>The bridge opens in March.</p></body></html>"
GZIPPED = gzip.compress("<html><body><p>Zipped café, kept raw.</p></body></html>".encode())


def write_mixed(store: WarcStore, captures: Captures) -> list[tuple[HttpExchange, WarcLocation]]:
    written = []
    for capture in [
        captures(HTML_BODY, uri="https://example.org/bridge?id=1"),
        captures(
            GZIPPED,
            uri="https://example.org/zipped",
            headers=[
                ("Content-Type", "text/html"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(GZIPPED))),
            ],
        ),
        captures(
            bytes(range(256)) * 40,
            uri="https://example.org/blob.bin",
            headers=[("Content-Type", "application/octet-stream")],
        ),
        captures(b"", uri="https://example.org/empty", status=204, reason="", headers=[]),
        captures(
            b"gone",
            uri="https://example.org/gone",
            status=410,
            reason="Gone",
            headers=[("Content-Type", "text/plain")],
        ),
    ]:
        written.append((capture, store_capture(store, capture)))
    return written


def test_captures_pass_warcio_check_and_read_back_byte_identical(warc_dir: Path, captures: Captures) -> None:
    with WarcStore(warc_dir, writer_name="worker-1") as store:
        written = write_mixed(store, captures)
        original_capture, original_location = written[0]
        again = captures(HTML_BODY, uri=original_capture.target_uri)
        revisit_location = store_capture(
            store, again, RevisitTarget(original_capture.target_uri, original_capture.fetched_at)
        )
    [path] = assert_warcio_check(warc_dir)
    assert re.fullmatch(r"factledger-\d{14}-worker-1-00000\.warc\.gz", path.name)
    assert record_types(path) == ["warcinfo"] + ["response", "request"] * 5 + ["revisit", "request"]

    for capture, location in written:
        stored = read_record(warc_dir, location)
        assert stored.payload == capture.payload.read()
        assert stored.status == capture.status
        assert stored.headers == list(capture.response_headers)
        assert (stored.target_uri, stored.record_type) == (capture.target_uri, "response")
    assert read_record(warc_dir, written[1][1]).payload[:2] == b"\x1f\x8b"  # Content-Encoding kept
    assert read_record(warc_dir, written[3][1]).status == 204

    revisit = read_record(warc_dir, revisit_location)
    assert revisit.is_revisit
    assert revisit.payload == b""
    assert revisit.status == 200
    assert revisit.headers == list(again.response_headers)
    assert revisit.refers_to == RevisitTarget(original_capture.target_uri, original_capture.fetched_at)
    assert read_record(warc_dir, original_location).record_id != revisit.record_id


def test_record_headers_link_request_to_response_with_warcio_digests(
    warc_dir: Path, captures: Captures
) -> None:
    capture = captures(HTML_BODY)
    with WarcStore(warc_dir, writer_name="w") as store:
        location = store_capture(store, capture)
        store_capture(store, captures(HTML_BODY), RevisitTarget(capture.target_uri, capture.fetched_at))
    path = warc_dir / location.filename
    with path.open("rb") as stream:
        records = [(r.rec_type, r.rec_headers, r.http_headers) for r in ArchiveIterator(stream)]
    (_, info, _), (_, response, http), (_, request, _), (_, revisit, _), (_, revisit_request, _) = records
    assert info.get_header("WARC-Filename") == path.name
    # Exactly the fields the archive writes, in order (WARC-Warcinfo-ID is optional in WARC 1.1 and left
    # out: each file's warcinfo record describes the records after it; see archive/warc/build.py).
    assert [name for name, _ in response.headers] == [
        "WARC-Type",
        "WARC-Record-ID",
        "WARC-Date",
        "WARC-Target-URI",
        "WARC-IP-Address",
        "WARC-Payload-Digest",
        "WARC-Block-Digest",
        "Content-Type",
        "Content-Length",
    ]
    assert re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", response.get_header("WARC-Record-ID"))
    assert response.get_header("WARC-Date") == "2024-03-01T12:01:00.250000Z"
    assert response.get_header("WARC-IP-Address") == "127.0.0.1"
    assert response.get_header("Content-Type") == "application/http; msgtype=response"
    expected_digest = "sha1:" + b32encode(hashlib.sha1(HTML_BODY).digest()).decode()
    assert response.get_header("WARC-Payload-Digest") == expected_digest
    block = http.to_bytes() + HTML_BODY  # the HTTP headers as stored, then the payload
    assert (
        response.get_header("WARC-Block-Digest") == "sha1:" + b32encode(hashlib.sha1(block).digest()).decode()
    )
    assert int(response.get_header("Content-Length")) == len(block)
    assert request.get_header("WARC-Concurrent-To") == response.get_header("WARC-Record-ID")
    assert request.get_header("WARC-IP-Address") == "127.0.0.1"
    assert (
        revisit.get_header("WARC-Profile")
        == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    )
    assert revisit.get_header("WARC-Payload-Digest") == expected_digest
    assert revisit.get_header("WARC-Refers-To-Target-URI") == capture.target_uri
    assert revisit.get_header("WARC-Refers-To-Date") == response.get_header("WARC-Date")
    assert revisit_request.get_header("WARC-Concurrent-To") == revisit.get_header("WARC-Record-ID")
    record_ids = [headers.get_header("WARC-Record-ID") for _, headers, _ in records]
    assert len(set(record_ids)) == len(records)

    index = subprocess.run(
        [*WARCIO, "index", "-f", "warc-type,warc-target-uri,offset", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert [row["warc-type"] for row in rows] == ["warcinfo", "response", "request", "revisit", "request"]
    assert int(rows[1]["offset"]) == location.offset


def test_non_ascii_header_bytes_are_kept_as_sent(warc_dir: Path, captures: Captures) -> None:
    # httpx hands over header bytes decoded as ISO-8859-1; warcio alone would percent-encode them.
    headers = [
        ("Content-Type", "application/pdf"),
        ("Content-Disposition", 'attachment; filename="caf\xe9.pdf"'),
    ]
    with WarcStore(warc_dir, writer_name="h") as store:
        location = store_capture(store, captures(b"%PDF-1.4", headers=headers))
    assert_warcio_check(warc_dir)
    raw = gzip.decompress((warc_dir / location.filename).read_bytes())
    assert b'filename="caf\xe9.pdf"\r\n' in raw
    assert read_record(warc_dir, location).headers == headers


def test_rotation_starts_every_file_with_warcinfo(warc_dir: Path, captures: Captures) -> None:
    locations = []
    with WarcStore(warc_dir, writer_name="rot", max_file_bytes=3000) as store:
        for n in range(6):
            capture = captures(os.urandom(1200), uri=f"https://example.org/{n}")
            locations.append((capture, store_capture(store, capture)))
    files = assert_warcio_check(warc_dir)
    assert len(files) >= 3
    serials = sorted(int(path.name.rsplit("-", 1)[1].split(".")[0]) for path in files)
    assert serials == list(range(len(files)))
    for path in files:
        types = record_types(path)
        assert types[0] == "warcinfo"
        assert types.count("warcinfo") == 1
        assert path.stat().st_size <= 3000 or types == ["warcinfo", "response", "request"]
    for capture, location in locations:
        assert read_record(warc_dir, location).payload == capture.payload.read()


def _three_captures(warc_dir: Path, captures: Captures) -> list[tuple[HttpExchange, WarcLocation]]:
    with WarcStore(warc_dir, writer_name="crashy") as store:
        return [
            (capture, store_capture(store, capture))
            for capture in (captures(os.urandom(5000), uri=f"https://example.org/{n}") for n in range(3))
        ]


def _assert_all_read(warc_dir: Path, written: list[tuple[HttpExchange, WarcLocation]]) -> None:
    for capture, location in written:
        assert read_record(warc_dir, location).payload == capture.payload.read()


def test_repair_truncates_an_appended_half_record(warc_dir: Path, captures: Captures) -> None:
    written = _three_captures(warc_dir, captures)
    path = warc_dir / written[0][1].filename
    good_size = path.stat().st_size
    last = written[-1][1]
    member = path.read_bytes()[last.offset : last.offset + last.length]
    with path.open("ab") as handle:
        handle.write(member[: len(member) // 2])
    # The damage is real, though `warcio check` would not notice: the torn member is an extra "record".
    with pytest.raises(EOFError):
        gzip.decompress(path.read_bytes())
    assert record_types(path)[-2:] == ["request", "response"]

    actions = repair(warc_dir)

    assert len(actions) == 1
    assert "truncated" in actions[0]
    assert path.name in actions[0]
    assert path.stat().st_size == good_size
    assert_warcio_check(warc_dir)
    _assert_all_read(warc_dir, written)
    assert repair(warc_dir) == []  # idempotent


@pytest.mark.parametrize("cut", ["mid-record", "missing-gzip-trailer"])
def test_repair_cuts_a_torn_last_record(warc_dir: Path, captures: Captures, cut: str) -> None:
    written = _three_captures(warc_dir, captures)
    path = warc_dir / written[0][1].filename
    last = written[-1][1]
    # The request record after the last response is torn; a trailer-less member still "reads" in warcio.
    end = path.stat().st_size
    os.truncate(path, end - 4 if cut == "missing-gzip-trailer" else last.offset + last.length + 20)

    assert repair(warc_dir)
    assert path.stat().st_size == last.offset + last.length
    assert_warcio_check(warc_dir)
    _assert_all_read(warc_dir, written)
    assert record_types(path)[-1] == "response"


def test_repair_deletes_files_without_a_complete_warcinfo(warc_dir: Path, captures: Captures) -> None:
    written = _three_captures(warc_dir, captures)
    path = warc_dir / written[0][1].filename
    stub = warc_dir / "factledger-20240101000000-dead-00000.warc.gz"
    stub.write_bytes(path.read_bytes()[:100])
    leftover = warc_dir / "factledger-20240101000000-dead-00001.warc.gz.creating"
    leftover.write_bytes(b"")

    actions = repair(warc_dir)

    assert not stub.exists()
    assert not leftover.exists()
    assert path.exists()
    assert len(actions) == 2
    assert all("deleted" in action for action in actions)


def test_repair_leaves_a_live_writers_file_alone(warc_dir: Path, captures: Captures) -> None:
    store = WarcStore(warc_dir, writer_name="live")
    capture = captures(HTML_BODY)
    location = store_capture(store, capture)
    path = warc_dir / location.filename
    with path.open("ab") as handle:  # looks exactly like a torn tail
        handle.write(b"\x1f\x8b\x08\x00garbage")
    size = path.stat().st_size

    assert repair(warc_dir) == [f"{path.name}: skipped, a live writer holds it"]
    assert path.stat().st_size == size

    store.close()  # the writer is gone: now it is a crashed file like any other
    assert "truncated" in repair(warc_dir)[0]
    assert read_record(warc_dir, location).payload == HTML_BODY


def _committed_captures(store: WarcStore, captures: Captures, count: int) -> list[WarcLocation]:
    """Captures stored as an archive run stores them: append, sync, then (the rows are in) committed."""
    locations = []
    for n in range(count):
        locations.append(store_capture(store, captures(os.urandom(3000), uri=f"https://example.org/s{n}")))
        store.committed()
    return locations


def _append_torn_tail(path: Path) -> int:
    """Append half a gzip member to ``path`` (whatever its mode); its size before."""
    size = path.stat().st_size
    mode = path.stat().st_mode
    path.chmod(0o644)
    with path.open("ab") as handle:
        handle.write(path.read_bytes()[-300:-150])
    path.chmod(stat.S_IMODE(mode))
    return size


def test_a_rotated_file_is_sealed_only_once_its_group_is_committed(
    warc_dir: Path, captures: Captures
) -> None:
    store = WarcStore(warc_dir, writer_name="sealer", max_file_bytes=6000)
    first = store.append_built(*_built(captures))
    second = store.append_built(*_built(captures))  # too big for the first file: it rotates mid-group
    store.sync()
    assert first.filename != second.filename
    old, current = warc_dir / first.filename, warc_dir / second.filename
    assert not is_sealed(old)  # a crash now leaves records in it that no row points at: trim must cut them

    store.committed()

    assert is_sealed(old)
    assert not is_sealed(current)  # still open for the next group
    store.append_built(*_built(captures))
    store.close()  # appended but never committed: left for the next start to trim
    assert not is_sealed(current)


def test_a_cleanly_closed_writer_seals_its_last_file(warc_dir: Path, captures: Captures) -> None:
    with WarcStore(warc_dir, writer_name="clean") as store:
        [location] = _committed_captures(store, captures, 1)
    path = warc_dir / location.filename
    assert is_sealed(path)
    assert read_record(warc_dir, location).payload  # still readable
    assert_warcio_check(warc_dir)


def test_repair_opens_only_the_files_a_crash_can_have_left_unfinished(
    warc_dir: Path, captures: Captures
) -> None:
    with WarcStore(warc_dir, writer_name="finished", max_file_bytes=6000) as store:
        _committed_captures(store, captures, 40)
    sealed = sorted(warc_dir.glob("*.warc.gz"))
    assert len(sealed) >= 20
    assert all(is_sealed(path) for path in sealed)
    # Torn tails in the sealed files: repair would cut every one of them if it read them.
    sizes = {path: _append_torn_tail(path) for path in sealed}
    # A writer killed mid-group: its file is unsealed and has a torn tail.
    crashed = WarcStore(warc_dir, writer_name="crashed")
    [location] = [store_capture(crashed, captures(HTML_BODY))]
    crashed.close()
    torn = warc_dir / location.filename
    good_size = _append_torn_tail(torn)

    actions = repair(warc_dir)

    assert len(actions) == 1
    assert actions[0].startswith(f"{torn.name}: truncated")
    assert torn.stat().st_size == good_size
    assert all(path.stat().st_size > sizes[path] for path in sealed)  # not opened, so not repaired
    assert read_record(warc_dir, location).payload == HTML_BODY


def test_trim_seals_a_dead_writers_file_so_the_next_start_skips_it(
    warc_dir: Path, captures: Captures
) -> None:
    dead = WarcStore(warc_dir, writer_name="dead")
    kept = store_capture(dead, captures(HTML_BODY))
    store_capture(dead, captures(os.urandom(2000)))  # synced, but killed before its commit
    dead.close()
    path = warc_dir / kept.filename
    assert not is_sealed(path)

    def ends(names: list[str]) -> dict[str, int]:
        return {kept.filename: kept.offset + kept.length} if kept.filename in names else {}

    assert "cut" in trim_uncommitted(warc_dir, ends)[0]
    assert is_sealed(path)
    assert trim_uncommitted(warc_dir, ends) == []
    assert read_record(warc_dir, kept).payload == HTML_BODY


def test_seal_passes_over_a_file_that_is_gone(tmp_path: Path) -> None:
    seal(tmp_path / "gone.warc.gz")  # no error: a file removed meanwhile needs no seal


def _built(captures: Captures) -> tuple[bytes, int]:
    built = build_pair(captures(os.urandom(4000)))
    return built.data, built.response_length


FAILING_APPEND = textwrap.dedent(
    """
    import json, os, resource, signal, sys
    from pathlib import Path
    from tests.archive.test_warc_store import Captures, HTML_BODY, store_capture
    from factledger.archive.warc.build import build_pair
    from factledger.archive.warc.store import WarcStore

    warc_dir, payload_dir = Path(sys.argv[1]), Path(sys.argv[2])
    captures = Captures(payload_dir)
    with WarcStore(warc_dir, writer_name="fail") as store:
        first = store_capture(store, captures(HTML_BODY))
        size = (warc_dir / first.filename).stat().st_size
        big = build_pair(captures(os.urandom(10_000)))
        # A real short write, then EFBIG (as a full disk gives ENOSPC): room for half the pair only.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + len(big.data) // 2, hard))
        try:
            store.append_built(big.data, big.response_length)
            error = None
        except OSError as exc:
            error = exc.errno
        size_after_failure = (warc_dir / first.filename).stat().st_size
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        second = store_capture(store, captures(b"after"))
    print(json.dumps([error, size, size_after_failure, second.filename, second.offset, second.length]))
    """
)


def test_a_failed_append_leaves_the_file_valid(warc_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "payloads").mkdir()
    child = subprocess.run(
        [sys.executable, "-c", FAILING_APPEND, str(warc_dir), str(tmp_path / "payloads")],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    error, size, size_after_failure, filename, offset, length = json.loads(child.stdout)
    assert error == errno.EFBIG
    assert size_after_failure == size  # the half-written pair was cut off again
    assert offset == size
    assert_warcio_check(warc_dir)
    assert read_record(warc_dir, WarcLocation(filename, offset, length)).payload == b"after"


def test_read_record_rejects_bad_locations(warc_dir: Path, captures: Captures) -> None:
    [(_, location), *_] = _three_captures(warc_dir, captures)
    with pytest.raises(WarcError, match="not a WARC file name"):
        read_record(warc_dir, WarcLocation("../etc/passwd.warc.gz", 0, 10))
    with pytest.raises(WarcError, match="is a warcinfo"):
        read_record(warc_dir, WarcLocation(location.filename, 0, location.offset))
    with pytest.raises(WarcError, match="ends before"):
        read_record(warc_dir, WarcLocation(location.filename, location.offset, 10**9))
    # A file the ledger names but the store lacks: the error names the store and the object.
    with pytest.raises(ObjectMissingError, match=f"{warc_dir} has no object factledger-nope.warc.gz"):
        read_record(warc_dir, WarcLocation("factledger-nope.warc.gz", 0, 10))


CHILD = textwrap.dedent(
    """
    import json, os, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from factledger.archive.warc.build import build_pair
    from factledger.archive.payload import Payload
    from factledger.archive.warc.records import HttpExchange
    from factledger.archive.warc.store import WarcStore

    warc_dir, payload_dir = Path(sys.argv[1]), Path(sys.argv[2])
    with WarcStore(warc_dir, writer_name="child", max_file_bytes=2_000_000) as store:
        for n in range(10_000):
            payload = os.urandom(50_000 + (n * 7919) % 150_000)
            path = payload_dir / f"p{n}"
            path.write_bytes(payload)
            exchange = HttpExchange(f"https://example.org/{n}", "GET", "HTTP/1.1", [("Host", "example.org")], 200,
                                    "OK", "HTTP/1.1", [("Content-Type", "application/octet-stream")],
                                    Payload(len(payload), "-", path=path), datetime.now(UTC))
            built = build_pair(exchange)
            location = store.append_built(built.data, built.response_length)
            store.sync()
            # The "database commit": only now may anything point at the record.
            print(json.dumps([str(path), location.filename, location.offset, location.length]), flush=True)
            store.committed()
    """
)


def test_kill_9_mid_write_then_repair(tmp_path: Path) -> None:
    warc_dir, payload_dir = tmp_path / "warcs", tmp_path / "payloads"
    payload_dir.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(warc_dir), str(payload_dir)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    committed = []
    for line in child.stdout:
        committed.append(json.loads(line))
        if len(committed) == 40:  # about 5 MB: at least two files rotated away and sealed
            break
    time.sleep(0.003 * (os.getpid() % 7))  # land somewhere inside a later write
    child.send_signal(signal.SIGKILL)
    committed.extend(json.loads(line) for line in child.stdout)  # lines already in the pipe
    child.wait()

    unsealed = {path.name for path in warc_dir.glob("*.warc.gz") if not is_sealed(path)}

    actions = repair(warc_dir)

    assert all("skipped" not in action for action in actions)
    files = assert_warcio_check(warc_dir)
    assert len(files) >= 2  # it rotated at least once before dying
    # Only the file it was writing (and one it had just rotated away from, its group uncommitted) can
    # be unfinished: every earlier file was sealed, and repair looked at no other.
    assert 1 <= len(unsealed) <= 2
    assert len(files) - len(unsealed) >= 1
    assert all(action.split(":")[0] in unsealed for action in actions)
    for payload_path, filename, offset, length in committed:
        stored = read_record(warc_dir, WarcLocation(filename, offset, length))
        assert stored.payload == Path(payload_path).read_bytes()


@pytest.mark.skipif(
    pywb_missing(),
    reason="pywb (wb-manager, wayback) is not installed; pip install pywb to run the replay test",
)
def test_pywb_replays_the_archive_byte_identical(tmp_path: Path, captures: Captures) -> None:
    warc_dir = tmp_path / "warcs"
    with WarcStore(warc_dir, writer_name="pywb") as store:
        written = write_mixed(store, captures)
        original, _ = written[0]
        later = captures(HTML_BODY, uri=original.target_uri, at=T0 + timedelta(days=30))
        store_capture(store, later, RevisitTarget(original.target_uri, original.fetched_at))
    [warc_file] = assert_warcio_check(warc_dir)
    with replaying(tmp_path / "pywb", [str(warc_file)], probe_url="example.org") as (client, base):

        def replay(timestamp: str, uri: str) -> tuple[int, bytes]:
            # Ask for gzip so pywb passes a stored gzip body through untouched, and read the raw bytes.
            request = client.build_request(
                "GET", f"{base}/{timestamp}id_/{uri}", headers={"Accept-Encoding": "gzip"}
            )
            response = client.send(request, stream=True)
            try:
                return response.status_code, b"".join(response.iter_raw())
            finally:
                response.close()

        for capture, _ in written:
            if capture.status != 200:
                continue
            status, body = replay(capture.fetched_at.strftime("%Y%m%d%H%M%S"), capture.target_uri)
            assert status == 200
            assert body == capture.payload.read(), capture.target_uri
        # The revisit replays the payload it refers to.
        status, body = replay(later.fetched_at.strftime("%Y%m%d%H%M%S"), later.target_uri)
        assert (status, body) == (200, HTML_BODY)


def test_trim_cuts_the_uncommitted_records_a_killed_writer_left(tmp_path: Path, captures: Captures) -> None:
    """Issue 14, section 6: a writer killed between its fsync and its commit leaves complete records no
    snapshot points at. The bad input: three synced pairs of which the ledger recorded two."""
    warcs = tmp_path / "warcs"
    with WarcStore(warcs, writer_name="dead-1") as store:
        first = store_capture(store, captures(b"one", uri="https://example.org/a"))
        second = store_capture(store, captures(b"two", uri="https://example.org/b"))
        store_capture(store, captures(b"three", uri="https://example.org/b"))  # synced, never committed
    [path] = warcs.glob("*.warc.gz")
    committed = {path.name: second.offset + second.length}

    actions = trim_uncommitted(warcs, lambda names: {n: committed[n] for n in names if n in committed})

    assert len(actions) == 1
    assert "cut" in actions[0]
    assert record_types(path) == ["warcinfo", "response", "request", "response", "request"]
    assert read_record(warcs, second).payload == b"two"
    assert read_record(warcs, first).payload == b"one"
    assert_warcio_check(warcs)
    # A second start finds nothing more to do.
    assert trim_uncommitted(warcs, lambda names: {n: committed[n] for n in names if n in committed}) == []


def test_trim_spares_files_the_ledger_does_not_point_into_and_a_live_writers(
    tmp_path: Path, captures: Captures
) -> None:
    """A file no snapshot points into may be another ledger's (a shared home): it is never cut or
    deleted at start. Neither is a live writer's file, whose synced group may be committing right now."""
    warcs = tmp_path / "warcs"
    with WarcStore(warcs, writer_name="other-2") as store:
        store_capture(store, captures(b"another ledger's"))
    [other] = warcs.glob("*.warc.gz")
    before = other.read_bytes()
    with WarcStore(warcs, writer_name="live-3") as live:
        location = store_capture(live, captures(b"in flight"))  # synced, its commit not yet made
        live_file = warcs / location.filename
        assert trim_uncommitted(warcs, lambda names: {live_file.name: 1}) == []
        assert record_types(live_file) == ["warcinfo", "response", "request"]
    assert other.read_bytes() == before
