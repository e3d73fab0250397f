from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server API
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        server = self.server
        server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "json": json.loads(body.decode("utf-8"))}
        )
        status, payload = (
            server.responses.pop(0) if server.responses else (200, {"errcode": 0, "errmsg": "ok"})
        )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1 recording every JSON POST; queue responses in ``server.responses``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests, server.responses = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
