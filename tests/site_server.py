"""A small threaded HTTP origin on 127.0.0.1 for archive-run tests: pages whose content and status the
test can change between runs, and a count of hits per path (to prove each source is fetched once)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()  # more response headers, e.g. a Content-Encoding


@dataclass
class Site:
    port: int = 0
    pages: dict[str, Page] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def html(self, path: str, text: str, *, status: int = 200, delay: float = 0.0) -> str:
        body = f"<!doctype html><html><head><title>{path}</title></head><body><p>{text}</p></body></html>"
        self.pages[path] = Page(status=status, body=body.encode("utf-8"), delay=delay)
        return self.url(path)


@contextmanager
def serve_site() -> Iterator[Site]:
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            import time

            path = self.path.split("?")[0]
            with site.lock:
                site.hits[path] += 1
            page = site.pages.get(path, Page(status=404, body=b"not found", content_type="text/plain"))
            if page.delay:
                time.sleep(page.delay)
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            for name, value in page.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(page.body)

        def log_message(self, format: str, *args: object) -> None:
            return

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # the default backlog of 5 refuses connections when many workers start

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
