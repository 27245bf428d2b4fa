"""A real HTTP receiver on loopback for webhook tests: a threaded server that records
every request (headers and raw body) and answers with the statuses it is given."""

from __future__ import annotations

import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Answers each POST with the next of ``statuses`` (200 once they are used up)."""

    def __init__(self, statuses=(), headers=None):
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses = list(statuses)
        self.extra = dict(headers or {})
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                for name, value in receiver.extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                receiver.arrived.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mm?source=test"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def verified(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does: recompute the signature and compare in constant time."""
    stamp = headers["X-Mentormatch-Timestamp"]
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + mac.hexdigest(), headers["X-Mentormatch-Signature"])
