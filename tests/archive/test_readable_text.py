"""One main-text path: ingest and ``sources snapshot --show main`` read the same readable record, kept
under the capture's payload digest, and ``snapshots.main_text_ref`` is no longer written."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from factledger.archive.runner import ArchivePaths
from factledger.archive.textstore import TextStore
from factledger.text import ReadableText
from tests.conftest import Factledger
from tests.site_server import Page, Site

pytestmark = pytest.mark.integration

ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><title>Bridge news</title></head>
<body><nav>Home | World | Opinion</nav><article><h1>Bridge news</h1>
<p>The city council said on Monday that the old river bridge will reopen to traffic in May after two
years of repairs, and that tolls will not be charged during the first month.</p>
<p>Officials expect about twelve thousand vehicles a day to cross it once the work is finished.</p>
</article><footer>Copyright the newsroom</footer></body></html>"""


def test_show_main_reads_the_record_ingest_kept(factledger: Factledger, site: Site) -> None:
    site.pages["/bridge"] = Page(body=ARTICLE.encode("utf-8"))
    [report] = factledger.json("ingest", site.url("/bridge"), "--allow-private")
    [snapshot] = factledger.snapshots()
    assert snapshot.id == report["snapshot_id"]
    # The capture itself is gone: what --show main prints can only come from the record ingest kept.
    (ArchivePaths.under(factledger.home).warcs / str(snapshot.warc_filename)).unlink()

    shown = factledger("sources", "snapshot", str(snapshot.id), "--show", "main")

    assert shown.exit_code == 0, shown.stderr
    assert "the old river bridge will reopen to traffic in May" in shown.stdout
    assert "Copyright the newsroom" not in shown.stdout  # main text, not the full text
    assert "showing the full text" not in shown.stderr
    [after] = factledger.snapshots()
    assert after.main_text_ref is None


def test_show_main_derives_and_keeps_the_record_on_first_use(factledger: Factledger, site: Site) -> None:
    cid = str(factledger.json("claims", "add", "The bridge reopens in May.")["id"])
    factledger("cite", cid, site.url("/bridge"), "--stance", "supports")
    site.pages["/bridge"] = Page(body=ARTICLE.encode("utf-8"))
    factledger.archive()
    [snapshot] = factledger.snapshots()
    texts = TextStore(ArchivePaths.under(factledger.home).texts)
    assert snapshot.payload_sha256 is not None
    assert texts.get_readable(snapshot.payload_sha256, snapshot.content_type) is None

    first = factledger("sources", "snapshot", str(snapshot.id), "--show", "main")

    kept = texts.get_readable(snapshot.payload_sha256, snapshot.content_type)
    assert kept is not None
    assert kept.main
    assert kept.text is not None
    assert kept.text.strip() in first.stdout
    assert "Copyright the newsroom" not in first.stdout
    [after] = factledger.snapshots()
    assert after.main_text_ref is None


def test_a_readable_record_kept_before_main_was_recorded_is_derived_again(tmp_path: Path) -> None:
    texts = TextStore(tmp_path)
    digest = "ab" * 32
    texts.put_readable(digest, "text/html", ReadableText("html", "Main text.", "A title", date(2024, 1, 14)))
    assert texts.get_readable(digest, "text/html") == ReadableText(
        "html", "Main text.", "A title", date(2024, 1, 14), True
    )
    record = json.loads(texts.get_sidecar(digest, "readable") or b"{}")
    del record["main"]
    texts.put_sidecar(digest, "readable", json.dumps(record).encode("utf-8"))

    assert texts.get_readable(digest, "text/html") is None
