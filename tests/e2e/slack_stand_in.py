"""A local stand-in for Slack's Web API that records every call, and helpers to sign requests."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

SIGNING_SECRET = "stand-in-signing-secret"
BOT_TOKEN = "stand-in-bot-token"
BOT_USER = "UBOT0001"


class SlackWebApi:
    """Answers chat.postMessage, chat.update and conversations.open like Slack does and keeps every call."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.sequence = 0
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                # slack_sdk sends some methods' arguments in the query string (conversations.open).
                path, _, query = self.path.partition("?")
                body.update({k: v[0] for k, v in parse_qs(query).items()})
                method = path.rsplit("/", 1)[-1]
                with api.lock:
                    if method == "conversations.open":
                        # The direct message with that person, as Slack names one: D + an id of its own.
                        answer = {"ok": True, "channel": {"id": direct_message_with(body.get("users", ""))}}
                    else:
                        api.sequence += 1
                        answer = {"ok": True, "channel": body.get("channel"), "ts": f"1800000000.{api.sequence:06d}"}
                    # What was sent, and the timestamp Slack gave the posted message (`posted_ts`).
                    api.calls.append(
                        {
                            "method": method,
                            "auth": self.headers.get("Authorization"),
                            **body,
                            "posted_ts": answer.get("ts"),
                        }
                    )
                answer = json.dumps(answer)
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


def message_event(text: str, channel: str, user: str = "U123", **event_fields) -> dict:
    """A message event as Slack posts it (a direct message unless `event_fields` say otherwise)."""
    event = {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text}
    event.update(ts=f"{time.time():.6f}", **event_fields)
    return {
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10]}",
        "authorizations": [{"user_id": BOT_USER, "is_bot": True}],
        "event": event,
    }


def direct_message_with(user: str) -> str:
    """The id of the stand-in's direct message with a person."""
    return "D" + hashlib.sha1(user.encode()).hexdigest()[:8].upper()


def signed_headers(body: bytes, content_type: str, secret: str = SIGNING_SECRET, age: int = 0) -> dict:
    timestamp = str(int(time.time()) - age)
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}
