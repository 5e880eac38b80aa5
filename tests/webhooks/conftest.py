"""A local group-chat bot for the webhook tests: http.server on 127.0.0.1 in a thread, recording what it
gets."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class Bot:
    """What the receiver answers (statuses in turn, then 200), how long it sleeps, and what it received."""

    def __init__(self):
        self.statuses: list[int] = []
        self.sleep = 0.0
        self.secret = ""  # set: check DingTalk's signature as DingTalk does, errcode 310000 when wrong
        self.received: list[dict] = []
        self.url = ""

    def verified(self, query: dict) -> bool:
        """Say whether the query's timestamp and sign are DingTalk's signature with the bot's secret."""
        timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
        signed = f"{timestamp}\n{self.secret}".encode()
        digest = hmac.new(self.secret.encode(), signed, hashlib.sha256).digest()
        recent = timestamp.isdigit() and abs(time.time() * 1000 - int(timestamp)) < 3_600_000
        return recent and hmac.compare_digest(sign, base64.b64encode(digest).decode())


def _handler(bot: Bot):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's name)
            time.sleep(bot.sleep)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            query = parse_qs(urlsplit(self.path).query)  # parse_qs undoes the URL encoding of sign
            bot.received.append({"path": urlsplit(self.path).path, "query": query, "body": body,
                                 "content_type": self.headers["Content-Type"]})
            status = bot.statuses.pop(0) if bot.statuses else 200
            answer = {"errcode": 0, "errmsg": "ok"}
            if bot.secret and not bot.verified(query):
                answer = {"errcode": 310000, "errmsg": "sign not match"}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def bot():
    """Start a local bot; yield it (its `url` is where to send)."""
    made = Bot()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(made))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    made.url = f"http://127.0.0.1:{server.server_port}/robot/send?access_token=abc"
    yield made
    server.shutdown()
    thread.join()
