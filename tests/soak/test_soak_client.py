"""The load scripts' client reuses a kept-alive connection as a browser does: a connection the server closed
meanwhile is not used, and a request whose reused connection is closed before any answer goes again, once.

A tiny scripted server on loopback plays each case: per connection, what it does with each request.
"""

import http.client
import select
import socket
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import _soak  # noqa: E402

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
CUT = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok"  # headers, then 2 of the 10 bytes promised


class ScriptedServer:
    """Accept connections one after another; on the n-th, do plan[n]'s steps to its requests in turn, then
    close it. Steps: "answer", "drop" (read the request, close without a byte), "cut" (answer cut short)."""

    def __init__(self, plan: list[list[str]]):
        self.plan = plan
        self.seen: list[tuple[int, str]] = []  # (connection number, request line) of every request read
        self.closed = threading.Event()  # the first connection has been closed
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        """Play the plan, one connection at a time."""
        for number, steps in enumerate(self.plan):
            conn, _ = self.listener.accept()
            with conn, conn.makefile("rb") as reader:
                for step in steps:
                    line = reader.readline().decode().strip()
                    length = 0
                    while (header := reader.readline()) not in (b"\r\n", b""):
                        name, _, value = header.decode().partition(":")
                        length = int(value) if name.lower() == "content-length" else length
                    reader.read(length)
                    self.seen.append((number, line))
                    if step != "drop":
                        conn.sendall(OK if step == "answer" else CUT)
            self.closed.set()
        self.listener.close()


@pytest.mark.parametrize(("plan", "outcome", "seen", "resent"), [
    # The server closed the idle connection (its keep-alive ran out): the client sees it and opens a new one.
    ([["answer"], ["answer"]], 200, [(0, "GET /first HTTP/1.1"), (1, "POST /second HTTP/1.1")], []),
    # Closed as the request arrived, before any byte of an answer: sent again once, on a new connection.
    ([["answer", "drop"], ["answer"]], 200,
     [(0, "GET /first HTTP/1.1"), (0, "POST /second HTTP/1.1"), (1, "POST /second HTTP/1.1")], [True]),
    # The new connection fails too: that is the server being down, and the client says so.
    ([["answer", "drop"], ["drop"]], http.client.RemoteDisconnected,
     [(0, "GET /first HTTP/1.1"), (0, "POST /second HTTP/1.1"), (1, "POST /second HTTP/1.1")], [True, False]),
    # The answer had begun (its headers came): never sent again.
    ([["answer", "cut"]], http.client.IncompleteRead,
     [(0, "GET /first HTTP/1.1"), (0, "POST /second HTTP/1.1")], [False]),
])
def test_a_kept_alive_connection_is_reused_as_a_browser_does(plan, outcome, seen, resent):
    server = ScriptedServer(plan)
    client = _soak.Client(server.port, _soak.Stats())
    assert client.request("first", "GET", "/first") == (200, b"ok")
    if len(plan[0]) == 1:
        assert server.closed.wait(5)
        _wait_readable(client.conn.sock)
    if isinstance(outcome, int):
        assert client.request("second", "POST", "/second", b"{}") == (outcome, b"ok")
    else:
        with pytest.raises(outcome):
            client.request("second", "POST", "/second", b"{}")
    server.thread.join(5)
    assert server.seen == seen
    assert [lost.resent for lost in client.stats.lost] == resent


def _wait_readable(sock: socket.socket) -> None:
    # The server's FIN has reached the client's socket (it would have, after a person's pause).
    assert select.select([sock], [], [], 5)[0]


@pytest.mark.parametrize(("peer", "idle"), [
    ("stays", True),
    ("closes", False),
    ("sends", False),  # bytes no request asked for: the connection is not in a state to reuse
])
def test_connected_and_idle_says_whether_a_kept_alive_connection_can_be_reused(peer, idle):
    mine, theirs = socket.socketpair()
    with mine, theirs:
        if peer == "closes":
            theirs.shutdown(socket.SHUT_WR)
        elif peer == "sends":
            theirs.sendall(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
        assert _soak.connected_and_idle(mine) is idle


def test_lost_lines_count_the_resent_and_name_each_failure():
    session = ("session", "GET", "/api/v1/session")
    lost = [_soak.Lost("patrol3", *session, "RemoteDisconnected()", 2.3, True, True, 0.001, 0.0),
            _soak.Lost("patrol4", *session, "RemoteDisconnected()", 4.5, True, True, 0.001, 0.0),
            _soak.Lost("patrol4", *session, "ConnectionRefusedError(111)", 0.0, False, False, 0.002, 0.0)]
    assert _soak.lost_lines(lost) == [
        "  sent again on a new connection, the kept-alive one closed by the server before any answer: 2 "
        "(idle 2.3–4.5 s)",
        "  connection lost: patrol4 GET /api/v1/session (session): ConnectionRefusedError(111) after 0.002 s "
        "on a new connection",
    ]
