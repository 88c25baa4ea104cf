"""The fetcher's connection pools (archive/guard.py ``PoolPerOrigin``): one httpcore pool per origin, so
httpcore's per-request walk over its connections sees one host's few, while no more connections stay open
in all than the one pool allowed before."""

from __future__ import annotations

import httpcore
import pytest

from factledger.archive.guard import PoolPerOrigin

pytestmark = pytest.mark.unit

RESPONSE = [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"] * 3  # what each connection reads, in turn


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pools_with(made: list[httpcore.AsyncConnectionPool], max_connections: int) -> PoolPerOrigin:
    def new_pool() -> httpcore.AsyncConnectionPool:
        pool = httpcore.AsyncConnectionPool(network_backend=httpcore.AsyncMockBackend(RESPONSE))
        made.append(pool)
        return pool

    return PoolPerOrigin(new_pool, max_connections)


async def get(pools: PoolPerOrigin, url: str, *, close: bool = True) -> httpcore.Response:
    host = url.split("/")[2].encode()
    response = await pools.handle_async_request(httpcore.Request("GET", url, headers=[(b"Host", host)]))
    if close:
        body = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
        assert body == b"ok"
        await response.stream.aclose()  # type: ignore[union-attr]
    return response


def origin(host: str) -> tuple[bytes, bytes, int | None]:
    return (b"http", host.encode(), None)


@pytest.mark.anyio
async def test_each_origin_has_its_own_pool_and_reuses_its_connection() -> None:
    made: list[httpcore.AsyncConnectionPool] = []
    pools = pools_with(made, 4)
    await get(pools, "http://a.test/1")
    await get(pools, "http://a.test/2")
    await get(pools, "http://b.test/")
    assert pools.origins == [origin("a.test"), origin("b.test")]
    assert [len(pool.connections) for pool in made] == [1, 1]  # a.test's second request reused its connection
    await get(pools, "http://a.test/3")
    assert pools.origins == [origin("b.test"), origin("a.test")]  # most recently used last
    await pools.aclose()
    assert pools.origins == []
    assert [pool.connections for pool in made] == [[], []]


@pytest.mark.anyio
async def test_no_more_connections_stay_open_than_allowed() -> None:
    made: list[httpcore.AsyncConnectionPool] = []
    pools = pools_with(made, 2)
    for host in ("a.test", "b.test", "c.test"):
        await get(pools, f"http://{host}/")
    # The third connection was one too many: the pool used least recently, a.test's, was closed.
    assert pools.origins == [origin("b.test"), origin("c.test")]
    assert made[0].connections == []
    assert sum(len(pool.connections) for pool in made) == 2
    await pools.aclose()


@pytest.mark.anyio
async def test_a_pool_serving_a_request_is_never_closed() -> None:
    made: list[httpcore.AsyncConnectionPool] = []
    pools = pools_with(made, 1)
    open_response = await get(pools, "http://a.test/", close=False)
    await get(pools, "http://b.test/")
    await get(pools, "http://c.test/")
    # a.test's response is still being read: its pool stays although it is the oldest, and the others,
    # each one connection too many once their response was read, were closed instead.
    assert pools.origins == [origin("a.test")]
    assert [len(pool.connections) for pool in made] == [1, 0, 0]
    assert b"".join([chunk async for chunk in open_response.stream]) == b"ok"  # type: ignore[union-attr]
    await open_response.stream.aclose()  # type: ignore[union-attr]
    await open_response.stream.aclose()  # type: ignore[union-attr]  # a second close changes nothing
    await get(pools, "http://b.test/")
    # Released, a.test's pool is the least recently used one without a request: it gives way to b.test's.
    assert pools.origins == [origin("b.test")]
    await pools.aclose()
