"""The origin server for archive_bench.py: N pre-built HTML pages over 8 loopback hosts, with latency.

Run on its own (it prints "ready PORT" once every socket listens, then serves until stdin closes or a
signal arrives):

    .venv/bin/python tests/bench/archive_origin.py [--pages N] [--hosts 8] [--latency 0.05]

Page i lives at http://127.0.0.<1 + i % hosts>:PORT/news/<i>.html (every host answers every path; the
URL list spreads the pages round-robin). Each page is about 60 KB of distinct, realistic HTML: a head with
meta tags, style and script, a nav, an article of paragraphs with inline links and emphasis, a list, a table
and a footer. Responses and their headers are built before "ready", so serving a request is a dictionary
look-up, the latency sleep and one write: the origin stays cheap next to the client it is measuring.

HTTP/1.1 with keep-alive and Content-Length; GET and HEAD; anything else unknown is a 404. One more path,
LARGE_PATH, streams LARGE_BYTES (1 GiB) without a Content-Length and closes the connection at the end,
for the size-cap measurement: a body whose size is not declared has to be stopped while it streams.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import os
import random
import signal
import socket
import sys

DEFAULT_PAGES = 2000
DEFAULT_HOSTS = 8
DEFAULT_LATENCY = 0.05
PAGE_BYTES = 60_000
PATH_TEMPLATE = "/news/{:05d}.html"
LARGE_PATH = "/large.bin"
LARGE_BYTES = 1024**3

WORDS = str.split("""
the of and to in a is that for on was with as by at from it are be has have this were not but their its
more than had been which an or they who all after over about last per one new would will year said two
most every since between under into out up only also could three those there these while during because
government tax taxes percent million billion people state city country president minister senator budget
jobs unemployment inflation crime police school schools students teachers hospital health vaccine doctors
nurses patients wages workers economy growth prices housing rent homes energy oil gas electricity climate
emissions carbon coal wind solar water drought flood farmers immigration border migrants refugees asylum
election voters ballots turnout polls campaign party congress parliament council mayor governor court
judge law laws bill rules ban funding spending deficit debt interest rates bank banks loans mortgage
pension benefits welfare poverty income families children women men youth elderly deaths cases murders
arrests prison sentences fraud corruption contracts companies profits exports imports trade tariffs
factories manufacturing industry farms food fuel transport roads rail trains buses airport flights
traffic accidents safety military troops army navy defence weapons security internet broadband phones
data privacy science research universities tuition graduates doubled tripled halved increased decreased
rose fell dropped climbed grew shrank cut raised lowered highest lowest record largest smallest annual
monthly weekly national federal regional local rural urban public private foreign domestic official
officials report reports survey study studies figures statistics census agency department ministry spent
paid received lost gained created destroyed built closed opened promised claimed announced according
""")
NAMES = str.split("""
Alex Maria John Fatima Wei Olga Pedro Amara Liam Sofia Noah Aisha James Elena David Priya Carlos Hannah
Ahmed Lucia Peter Mei Samuel Ingrid Omar Chloe Daniel Yuki Robert Leila Thomas Grace Ivan Nadia Michael
""")
SURNAMES = str.split("""
Smith Garcia Chen Okafor Novak Silva Johnson Kowalski Nguyen Muller Rossi Haddad Tanaka Brown Patel
Ivanova Martin Jensen Lopez Mensah Schmidt Costa Kim Dubois Larsen Moreau Wilson Khan Hughes Ortiz
""")
SECTIONS = ["News", "Politics", "Economy", "Health", "World", "Local", "Science", "Data", "Fact check"]
STYLE = """
body{font-family:Georgia,serif;margin:0;color:#222;background:#fff}header,footer{background:#f3f3f3;
padding:1em 2em}nav a{margin-right:1em;color:#06c;text-decoration:none}article{max-width:42em;margin:2em
auto;line-height:1.6}h1{font-size:2.2em;line-height:1.2}.byline{color:#666;font-size:.9em}table{border-
collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}.related li{margin:.3em 0}
"""
SCRIPT = """
window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());
(function(){var s=document.createElement('script');s.async=true;s.src='/static/app.js';
document.head.appendChild(s)})();
"""


def page_path(index: int) -> str:
    return PATH_TEMPLATE.format(index)


def page_url(index: int, port: int, hosts: int = DEFAULT_HOSTS) -> str:
    return f"http://127.0.0.{1 + index % hosts}:{port}{page_path(index)}"


class PageWriter:
    """Deterministic pages: the same seed and index always give the same bytes."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def _sentence(self, rng: random.Random) -> str:
        words = rng.choices(WORDS, k=rng.randint(8, 26))
        if rng.random() < 0.35:
            words.insert(rng.randrange(len(words)), f"{rng.randint(2, 980)}{rng.choice(['', '%', ',000'])}")
        if rng.random() < 0.25:
            position = rng.randrange(len(words))
            words[position] = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
        words[0] = words[0].capitalize()
        return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])

    def _paragraph(self, rng: random.Random, index: int) -> str:
        sentences = [html.escape(self._sentence(rng)) for _ in range(rng.randint(3, 7))]
        pieces = []
        for sentence in sentences:
            roll = rng.random()
            if roll < 0.15:
                target = rng.randint(0, 99_999)
                words = sentence.split(" ")
                cut = rng.randint(1, max(1, len(words) - 3))
                sentence = (
                    " ".join(words[:cut])
                    + f' <a href="/news/{target:05d}.html">{" ".join(words[cut : cut + 3])}</a> '
                    + " ".join(words[cut + 3 :])
                )
            elif roll < 0.25:
                sentence = f"<b>{sentence}</b>"
            elif roll < 0.3:
                sentence = f"<em>{sentence}</em>"
            pieces.append(sentence)
        return f'<p id="p{index}">' + " ".join(pieces) + "</p>\n"

    def page(self, index: int, target_bytes: int = PAGE_BYTES) -> bytes:
        rng = random.Random(self.seed * 1_000_003 + index)
        title = html.escape(self._sentence(rng).rstrip(".?!"))
        author = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
        section = rng.choice(SECTIONS)
        date = f"20{rng.randint(18, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        head = (
            "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
            f"<title>{title} | The Daily Record</title>\n"
            f'<meta name="description" content="{html.escape(self._sentence(rng))}">\n'
            f'<meta name="author" content="{author}">\n'
            f'<meta property="article:published_time" content="{date}T08:00:00Z">\n'
            f"<style>{STYLE}</style>\n<script>{SCRIPT}</script>\n</head>\n<body>\n"
            "<header><nav>"
            + "".join(f'<a href="/section/{s.lower().replace(" ", "-")}">{s}</a>' for s in SECTIONS)
            + "</nav></header>\n<main>\n<article>\n"
            f"<h1>{title}</h1>\n"
            f'<p class="byline">By <a href="/people/{author.lower().replace(" ", "-")}">{author}</a>, '
            f"{section} desk. Published <time>{date}</time>. Story {index}.</p>\n"
        )
        tail = (
            '</article>\n<aside class="related"><h2>Related</h2><ul>'
            + "".join(
                f'<li><a href="/news/{rng.randint(0, 99_999):05d}.html">'
                f"{html.escape(self._sentence(rng))}</a></li>"
                for _ in range(6)
            )
            + "</ul></aside>\n</main>\n<footer><p>&copy; The Daily Record. "
            '<a href="/about">About</a> <a href="/corrections">Corrections</a></p></footer>\n'
            '<template id="share"><div class="share">Share this story</div></template>\n'
            "</body>\n</html>\n"
        )
        body: list[str] = [head]
        size = len(head) + len(tail)
        block = 0
        while size < target_bytes:
            block += 1
            if block % 11 == 0:
                piece = self._list(rng)
            elif block % 17 == 0:
                piece = self._table(rng)
            elif block % 7 == 0:
                piece = f"<h2>{html.escape(self._sentence(rng).rstrip('.?!'))}</h2>\n"
            else:
                piece = self._paragraph(rng, block)
            body.append(piece)
            size += len(piece)
        body.append(tail)
        return "".join(body).encode("utf-8")

    def _list(self, rng: random.Random) -> str:
        items = "".join(f"<li>{html.escape(self._sentence(rng))}</li>" for _ in range(rng.randint(3, 6)))
        return f"<ul>{items}</ul>\n"

    def _table(self, rng: random.Random) -> str:
        rows = "".join(
            f"<tr><td>{rng.choice(WORDS).capitalize()}</td><td>{rng.randint(1, 9999):,}</td>"
            f"<td>{rng.uniform(-20, 20):.1f}%</td></tr>"
            for _ in range(rng.randint(4, 9))
        )
        return f"<table><tr><th>Item</th><th>Count</th><th>Change</th></tr>{rows}</table>\n"


def build_responses(pages: int, seed: int) -> dict[bytes, bytes]:
    """Path -> the complete HTTP/1.1 response (status line, headers and body)."""
    writer = PageWriter(seed)
    responses = {}
    for index in range(pages):
        body = writer.page(index)
        head = (
            "HTTP/1.1 200 OK\r\n"
            "Server: archive-bench-origin\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Cache-Control: max-age=300\r\n"
            f'ETag: "{seed:x}-{index:x}"\r\n'
            "\r\n"
        )
        responses[page_path(index).encode("ascii")] = head.encode("ascii") + body
    return responses


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n"
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Origin:
    def __init__(self, responses: dict[bytes, bytes], latency: float) -> None:
        self.responses = responses
        self.latency = latency
        self.served = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                request_line, _, rest = head.partition(b"\r\n")
                parts = request_line.split(b" ")
                if len(parts) != 3:
                    writer.write(BAD_REQUEST)
                    return
                method, target, version = parts
                lowered = rest.lower()
                keep_alive = (
                    b"connection: keep-alive" in lowered
                    if version == b"HTTP/1.0"
                    else b"connection: close" not in lowered
                )
                await asyncio.sleep(self.latency)
                if target == LARGE_PATH.encode() and method == b"GET":
                    await self._stream_large(writer)
                    return
                response = self.responses.get(target.split(b"?", 1)[0], NOT_FOUND)
                if method == b"HEAD":
                    response = response[: response.index(b"\r\n\r\n") + 4]
                writer.write(response)
                await writer.drain()
                self.served += 1
                if not keep_alive:
                    return
        except ConnectionError:
            return
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _stream_large(self, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        )
        block = random.Random(7).randbytes(1024 * 1024)  # incompressible, so no layer can shrink it
        for _ in range(LARGE_BYTES // len(block)):
            writer.write(block)
            await writer.drain()  # raises ConnectionError once the client stops reading and closes
        self.served += 1


def free_port(hosts: int) -> int:
    """A port that is free on every 127.0.0.x address used (checked, then released)."""
    for _ in range(50):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
        probe.close()
        if _free_everywhere(hosts, port):
            return port
    raise RuntimeError("no port free on all the loopback addresses")


def _free_everywhere(hosts: int, port: int) -> bool:
    bound = []
    try:
        for host in range(1, hosts + 1):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            bound.append(sock)
            sock.bind((f"127.0.0.{host}", port))
    except OSError:
        return False
    finally:
        for sock in bound:
            sock.close()
    return True


async def serve(pages: int, hosts: int, latency: float, seed: int, port: int) -> None:
    origin = Origin(build_responses(pages, seed), latency)
    port = port or free_port(hosts)
    servers = [
        await asyncio.start_server(origin.handle, f"127.0.0.{host}", port, backlog=1024, reuse_address=True)
        for host in range(1, hosts + 1)
    ]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # The parent closes our stdin when it is done (or dies): stop then too, never linger as an orphan.
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not os.read(sys.stdin.fileno(), 1) else None)
    print(f"ready {port}", flush=True)
    await stop.wait()
    for server in servers:
        server.close()
    print(f"served {origin.served}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES)
    parser.add_argument("--hosts", type=int, default=DEFAULT_HOSTS, help="127.0.0.1 .. 127.0.0.N")
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY, help="seconds before each response")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--port", type=int, default=0, help="default: a free one, the same on every host")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.pages, args.hosts, args.latency, args.seed, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
