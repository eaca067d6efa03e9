"""A real HTTP server on 127.0.0.1 that plays the publishers' part in tests and benchmarks."""

from __future__ import annotations

import gzip
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    gzip: bool = False
    # Seconds to wait between chunks of `chunk_size` bytes (simulates a slow server).
    drip_delay: float = 0.0
    chunk_size: int = 1024
    delay_before_headers: float = 0.0


Handler = Callable[[BaseHTTPRequestHandler], Route]


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        # Clients that hang up early (body caps, timeouts) are the point of many tests.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class PublisherServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route | Handler] = {}
        self.requests: list[SeenRequest] = []
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append(SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    route = Route(b"not found", status=404, content_type="text/plain")
                elif callable(route):
                    route = route(self)
                server._respond(self, route)

        self._httpd = _QuietServer((host, 0), _Handler)
        self._httpd.daemon_threads = True
        self.host, self.port = self._httpd.server_address[:2]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> PublisherServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", **options: object) -> str:
        self.routes[path] = Route(body=body.encode() if isinstance(body, str) else body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.routes[path] = Route(status=status, headers={"Location": location}, content_type="text/plain")
        return self.url(path)

    def hits(self, path: str) -> list[SeenRequest]:
        return [request for request in self.requests if request.path == path]

    @staticmethod
    def _respond(handler: BaseHTTPRequestHandler, route: Route) -> None:
        if route.delay_before_headers:
            time.sleep(route.delay_before_headers)
        if route.etag and handler.headers.get("If-None-Match") == route.etag:
            handler.send_response(304)
            handler.send_header("ETag", route.etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = gzip.compress(route.body) if route.gzip else route.body
        try:
            handler.send_response(route.status)
            handler.send_header("Content-Type", route.content_type)
            handler.send_header("Content-Length", str(len(body)))
            if route.gzip:
                handler.send_header("Content-Encoding", "gzip")
            if route.etag:
                handler.send_header("ETag", route.etag)
            for name, value in route.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if not route.drip_delay:
                handler.wfile.write(body)
                return
            for start in range(0, len(body), route.chunk_size):
                handler.wfile.write(body[start : start + route.chunk_size])
                handler.wfile.flush()
                time.sleep(route.drip_delay)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should for slow or oversized responses


def rss_feed(title: str, site_url: str, items: list[dict], published=None) -> str:
    """An RSS 2.0 document; each item: title, link, guid (optional), description (optional)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(site_url)}</link><description>test feed</description>",
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>")
        parts.append(f"<guid>{escape(item.get('guid', item['link']))}</guid>")
        if item.get("description"):
            parts.append(f"<description>{escape(item['description'])}</description>")
        if item.get("published"):
            parts.append(f"<pubDate>{format_datetime(item['published'])}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)
