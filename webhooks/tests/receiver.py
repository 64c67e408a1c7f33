"""A webhook receiver on loopback: a real HTTP server in a thread that records what arrives and
answers as the test tells it (200, 503, or hold the request until released)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def verified_with(self, secret: str) -> dict:
        """The body, once `standardwebhooks` accepts its signature for the secret."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    url: str = ""
    status: int = 200
    received: list[Received] = field(default_factory=list)
    # Set while requests must wait: the receiver has them and does not answer.
    holding: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)

    def reset(self) -> None:
        self.status = 200
        self.received.clear()
        self.holding.clear()
        self.released.clear()
        self.held.clear()

    def ids(self) -> list[str]:
        return [r.webhook_id for r in self.received]


def receiver_start() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if receiver.holding.is_set():
                receiver.held.set()
                receiver.released.wait(timeout=60)
            receiver.received.append(
                Received(headers={k.lower(): v for k, v in self.headers.items()}, body=body)
            )
            self.send_response(receiver.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_port}/hooks"
    return receiver, server


@contextlib.contextmanager
def receiver_running(settings) -> Iterator[Receiver]:
    """A receiver for one test, with loopback and http allowed for it by pytest's `settings`."""
    settings.PORTAL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.PORTAL_WEBHOOKS_ALLOW_HTTP = True
    receiver, server = receiver_start()
    try:
        yield receiver
    finally:
        receiver.released.set()
        server.shutdown()
