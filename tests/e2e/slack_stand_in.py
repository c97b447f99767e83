"""A local stand-in for Slack's Web API that records every call, and helpers to sign requests."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

SIGNING_SECRET = "stand-in-signing-secret"
BOT_TOKEN = "stand-in-bot-token"
BOT_USER = "UBOT0001"


class SlackWebApi:
    """Answers chat.postMessage like Slack does and keeps what was posted."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                with api.lock:
                    api.calls.append(
                        {"method": self.path.rsplit("/", 1)[-1], "auth": self.headers.get("Authorization"), **body}
                    )
                answer = json.dumps({"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def posts(self, channel: str) -> list[dict]:
        with self.lock:
            return [c for c in self.calls if c["method"] == "chat.postMessage" and c.get("channel") == channel]

    def close(self) -> None:
        self.server.shutdown()


def signed_headers(body: bytes, content_type: str, secret: str = SIGNING_SECRET, age: int = 0) -> dict:
    timestamp = str(int(time.time()) - age)
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}
