"""Count the bytes Chromium really transfers, in every target (pages, the service worker, dedicated workers).

Not a benchmark itself (`make bench` runs it too: it only defines things and exits). Used by field_load.py.
Playwright's CDP sessions see a page alone, and its browser-level session cannot route messages to the
targets it attaches (flatten mode), so this talks the DevTools protocol itself over a WebSocket (a small
client on the standard library: no package to install), as ../shared/TESTING.md describes: browser-level
`Target.setAutoAttach` (flatten, wait for the debugger), `Network.enable` in each attached target (and
auto-attach inside it, for the workers it starts), then the sum of `encodedDataLength` of
`Network.loadingFinished` (or of what had come when a request ended otherwise: a 304 the worker answers from
its own copy), leaving out answers that came from the service worker or the disk cache (the network bytes of
a service worker's answer are counted in the worker's own target).
"""

import base64
import json
import os
import socket
import struct
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

# Every target, paused until its network is counted (so its first requests are not missed).
ATTACH = {"autoAttach": True, "flatten": True, "waitForDebuggerOnStart": True}


class WebSocket:
    """A minimal WebSocket client (RFC 6455): text frames out (masked), frames in, enough for DevTools."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError(head.decode(errors="replace"))
        self.lock = threading.Lock()

    def send(self, text: str) -> None:
        """Send one text frame."""
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            length = bytes([0x80 | n])
        elif n < 65536:
            length = struct.pack("!BH", 0x80 | 126, n)
        else:
            length = struct.pack("!BQ", 0x80 | 127, n)
        head = bytes([0x81]) + length
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        with self.lock:
            self.sock.sendall(head + mask + masked)

    def _read(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("closed")
            out += chunk
        return out

    def receive(self) -> str:
        """Return the next whole text message (fragments joined)."""
        message = b""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError("closed")
            if opcode in (0x9, 0xA):  # ping, pong: DevTools sends none we must answer for this use
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()


@dataclass
class Transfer:
    """One response as the network delivered it: which target fetched it, its URL and status, its bytes."""

    target: str
    url: str
    status: int
    bytes: int
    initiator: str = ""  # what asked: "parser", "script app.js:212", "other" (a worker's own fetch: "script")


def _initiator(initiator: dict) -> str:
    """Return what asked for a request: its kind, and for a script the file and line of the call."""
    frames = [f for f in (initiator.get("stack") or {}).get("callFrames", []) if f.get("url")]
    if frames:
        top = frames[0]
        return f"script {top['url'].rsplit('/', 1)[-1].split('?')[0]}:{top['lineNumber'] + 1}"
    return initiator.get("type", "")


class NetworkCounter:
    """Attach to every target of a Chromium (DevTools WebSocket URL) and record what each fetched."""

    def __init__(self, browser_ws: str):
        self.ws = WebSocket(browser_ws)
        self.next_id = 0
        self.kinds: dict[str, str] = {}
        self.targets: set[str] = set()
        self.pending: dict[tuple, dict] = {}
        self.asked_by: dict[tuple, str] = {}
        self.transfers: list[Transfer] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()
        self._send("Target.setAutoAttach", ATTACH)

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> None:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))

    def _listen(self) -> None:
        try:
            while True:
                self._event(json.loads(self.ws.receive()))
        except (ConnectionError, OSError):
            return

    def _event(self, message: dict) -> None:
        method, params, session = message.get("method"), message.get("params", {}), message.get("sessionId")
        if method == "Target.attachedToTarget":
            child, target = params["sessionId"], params["targetInfo"]
            if target["targetId"] in self.targets:  # attached again through another target: counted once
                self._send("Runtime.runIfWaitingForDebugger", {}, child)
                return
            self.targets.add(target["targetId"])
            self.kinds[child] = target["type"]
            self._send("Network.enable", {}, child)
            # The workers a page or worker starts attach to it, not to the browser: ask each target too.
            self._send("Target.setAutoAttach", ATTACH, child)
            self._send("Runtime.runIfWaitingForDebugger", {}, child)
        elif method == "Network.requestWillBeSent":
            with self.lock:
                self.asked_by[(session, params["requestId"])] = _initiator(params.get("initiator") or {})
        elif method == "Network.responseReceived":
            response = params["response"]
            with self.lock:
                self.pending[(session, params["requestId"])] = {
                    "url": response["url"], "status": response["status"],
                    "received": int(response.get("encodedDataLength") or 0),
                    "skip": response.get("fromServiceWorker") or response.get("fromDiskCache")
                    or response.get("fromPrefetchCache")}
        elif method == "Network.requestServedFromCache":
            with self.lock:
                self.pending.setdefault((session, params["requestId"]), {})["skip"] = True
        elif method == "Network.dataReceived":
            with self.lock:
                seen = self.pending.get((session, params["requestId"]))
                if seen is not None:
                    seen["received"] = seen.get("received", 0) + int(params.get("encodedDataLength") or 0)
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            # A 304 the worker answers from its own copy ends "failed" (its empty body is never read): its
            # headers came over the network all the same, and count.
            with self.lock:
                seen = self.pending.pop((session, params["requestId"]), None)
                asked_by = self.asked_by.pop((session, params["requestId"]), "")
                if seen and seen.get("url") and not seen.get("skip"):
                    size = params.get("encodedDataLength", seen.get("received", 0))
                    self.transfers.append(Transfer(self.kinds.get(session, "?"), seen["url"], seen["status"],
                                                   int(size), asked_by))

    def take(self) -> list[Transfer]:
        """Return the transfers recorded since the last call, and start counting afresh."""
        with self.lock:
            taken, self.transfers = self.transfers, []
        return taken

    def close(self) -> None:
        """Stop listening."""
        self.ws.close()
