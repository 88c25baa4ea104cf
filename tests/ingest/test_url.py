"""`factledger ingest URL`: the page is archived through the archiver and the claims come from the capture."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from factledger.ledger.database import open_ledger
from factledger.ledger.models import Claim, Document, Snapshot, Source
from tests.conftest import Factledger
from tests.site_server import Page, Site

pytestmark = pytest.mark.integration

ARTICLE = """<!doctype html><html><head><meta charset="utf-8">
<title>Talks in Munich</title>
<meta property="article:published_time" content="2024-01-14T09:00:00Z">
</head><body><nav>Home | World | Opinion</nav><article>
<h1>Talks in Munich</h1>
<p>On February 18 last year, Secretary Blinken met Prime Minister Pashinyan and President Aliyev in Munich.</p>
<p>USAID Administrator Samantha Power announced $11.5 million in humanitarian aid on September 26.</p>
<p>One can conclude that the talks seemed to go well.</p>
</article><footer>Copyright the newsroom</footer></body></html>"""


def _serve_article(site: Site, path: str = "/munich") -> str:
    site.pages[path] = Page(body=ARTICLE.encode("utf-8"))
    return site.url(path)


def _rows(factledger: Factledger) -> tuple[list[Document], list[Snapshot], list[Source], list[Claim]]:
    ledger = open_ledger(factledger.db_url)
    try:
        with ledger.read() as session:
            return (
                list(session.scalars(select(Document))),
                list(session.scalars(select(Snapshot))),
                list(session.scalars(select(Source))),
                list(session.scalars(select(Claim).order_by(Claim.id))),
            )
    finally:
        ledger.close()


def test_a_url_is_archived_and_its_claims_read_from_the_capture(factledger: Factledger, site: Site) -> None:
    url = _serve_article(site)
    [report] = factledger.json("ingest", url, "--allow-private")
    assert report["already_ingested"] is False
    assert report["title"] == "Talks in Munich"
    assert report["published"] == "2024-01-14"  # from the page's meta tag
    texts = [claim["text"] for claim in report["claims"]]
    assert any(text.startswith("On February 18 last year, Secretary Blinken met") for text in texts)
    assert any("$11.5 million" in text for text in texts)
    assert not any("One can conclude" in text for text in texts)  # analysis, not a claim
    assert not any("Copyright" in text for text in texts)  # boilerplate outside the article
    blinken = next(c for c in report["claims"] if "Blinken" in c["text"])
    assert blinken["dates"] == ["2023-02-18"]  # anchored with the page's own publication date

    documents, snapshots, sources, claims = _rows(factledger)
    [document] = documents
    [snapshot] = snapshots
    [source] = sources
    assert site.hits["/munich"] == 1
    assert document.url == source.url == url
    assert snapshot.id == report["snapshot_id"]
    assert snapshot.source_id == source.id
    assert snapshot.http_status == 200
    assert snapshot.warc_filename
    assert (factledger.home / "warcs" / snapshot.warc_filename).exists()
    assert source.health == "ok"
    for claim in claims:
        if claim.role == "headline":  # a headline claim is the page's title, with no span in the body
            assert claim.text == document.title
            continue
        assert claim.span_start is not None
        assert claim.span_end is not None
        assert document.body[claim.span_start : claim.span_end] == claim.text


def test_ingesting_the_same_url_again_changes_nothing(factledger: Factledger, site: Site) -> None:
    url = _serve_article(site)
    [first] = factledger.json("ingest", url, "--allow-private")
    [again] = factledger.json("ingest", url, "--allow-private")
    assert first["claims_created"] >= 2
    assert again["already_ingested"] is True
    assert again["document_id"] == first["document_id"]
    documents, snapshots, _, claims = _rows(factledger)
    assert len(documents) == 1
    assert len(claims) == first["claims_created"]
    assert len(snapshots) == 2  # the page was captured again: an unchanged page is a revisit
    assert snapshots[1].is_revisit


def test_a_failed_fetch_is_a_one_line_error_and_stores_nothing(factledger: Factledger, site: Site) -> None:
    result = factledger("ingest", site.url("/no-such-page"), "--allow-private")
    assert result.exit_code == 1
    assert "could not archive the page (HTTP 404)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    documents, _, _, claims = _rows(factledger)
    assert documents == []
    assert claims == []


def test_a_page_over_an_extraction_bound_is_a_one_line_error(factledger: Factledger, site: Site) -> None:
    # Hostile input: a page 100,000 <div>s deep (issue 14 §2), ingested by URL.
    depth = 100_000
    body = b"<!doctype html><html><body>" + b"<div>" * depth + b"Deep text." + b"</div>" * depth
    site.pages["/deep"] = Page(body=body)
    result = factledger("ingest", site.url("/deep"), "--allow-private")
    assert result.exit_code == 1
    assert "the page was archived, but no text could be extracted (extract_limit: nesting depth > 1024)" in (
        result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1
    documents, _, _, claims = _rows(factledger)
    assert documents == []
    assert claims == []


def test_private_addresses_need_permission(factledger: Factledger, site: Site) -> None:
    url = _serve_article(site)
    refused = factledger("ingest", url)
    assert refused.exit_code == 1
    assert "loopback" in refused.stderr
    assert "--allow-private" in refused.stderr
    assert site.hits["/munich"] == 0  # refused before any request was sent

    factledger.home.mkdir(parents=True, exist_ok=True)
    (factledger.home / "factledger.toml").write_text("allow_private_networks = true\n", encoding="utf-8")
    [report] = factledger.json("ingest", url)
    assert report["claims_created"] >= 2


def test_a_bad_url_is_refused_before_any_fetch(factledger: Factledger, tmp_path: Path) -> None:
    result = factledger("ingest", "https://user:secret@example.org/page")
    assert result.exit_code == 1
    assert "credentials" in result.stderr
    documents, snapshots, sources, _ = _rows(factledger)
    assert documents == []
    assert snapshots == []
    assert sources == []
