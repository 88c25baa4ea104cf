"""Fixtures the integration tests share: a local test web site on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.site_server import Site, serve_site


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as running:
        yield running
