"""`dlcli serve`'s connections against a real server on 127.0.0.1: slow or idle clients
are cut at the header and body timeouts, hold none of the 64 request slots, and past
the connection bound the longest-idle one makes room; others are answered meanwhile."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.deploy import bar_images
from tests.helpers.servers import post_json, request, running_server

HEADER_TIMEOUT, BODY_TIMEOUT = 5, 3  # seconds; short, so slow sockets are cut soon
MAX_CONNECTIONS = 100  # more than the slow sockets below, few enough to pass cheaply


@pytest.fixture(scope="module")
def server(bars_run: Path) -> Iterator[int]:
    with running_server(bars_run, header_timeout=HEADER_TIMEOUT, body_timeout=BODY_TIMEOUT,
                        max_connections=MAX_CONNECTIONS) as port:  # fmt: skip
        yield port


SLOW_SOCKETS = 66  # more than the 64 requests handled at once
SLOW_FOR_S = 15  # each slow socket gives up after this long, closed or not


def open_slow_sockets(port: int) -> list[socket.socket]:
    """Sockets that have sent a request line and the start of a header, nothing more."""
    sockets = []
    for _ in range(SLOW_SOCKETS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sockets.append(sock)
    return sockets


def trickle_until_closed(sockets: list[socket.socket], seconds: float) -> int:
    """Send one byte a second on each socket until the server closes it or `seconds`
    pass; the number the server closed."""
    open_ones, closed, deadline = list(sockets), 0, time.monotonic() + seconds
    while open_ones and time.monotonic() < deadline:
        readable, _, _ = select.select(open_ones, [], [], 1.0)
        for sock in readable:  # the server answered or closed: either way, it let go
            open_ones.remove(sock)
            closed += 1
        for sock in list(open_ones):
            try:
                sock.send(b"a")
            except OSError:
                open_ones.remove(sock)
                closed += 1
    return closed


def test_slow_header_clients_do_not_starve_a_fresh_one(loopback, server) -> None:
    x, _ = bar_images(1, seed=6)
    sockets = open_slow_sockets(server)
    try:
        assert trickle_until_closed(sockets, 2) == 0  # all held, mid-header
        status, answer = post_json(server, {"inputs": x.tolist()})
        assert status == 200, answer
        assert request(server, "GET", "/health")[0] == 200
        assert trickle_until_closed(sockets, SLOW_FOR_S) == SLOW_SOCKETS  # timed out by it
    finally:
        for sock in sockets:
            sock.close()



def test_a_body_trickled_slower_than_the_timeout_is_cut(loopback, server) -> None:
    sock = socket.create_connection(("127.0.0.1", server), timeout=5)
    try:
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     b"application/json\r\nContent-Length: 100000\r\n\r\n{")  # fmt: skip
        assert trickle_until_closed([sock], SLOW_FOR_S) == 1
        x, _ = bar_images(1, seed=6)
        assert post_json(server, {"inputs": x.tolist()})[0] == 200
    finally:
        sock.close()


def test_past_the_connection_bound_the_longest_idle_one_makes_room(loopback, server) -> None:
    x, _ = bar_images(1, seed=6)
    idle = [socket.create_connection(("127.0.0.1", server), timeout=5)
            for _ in range(MAX_CONNECTIONS + 10)]  # fmt: skip
    try:
        status, answer = post_json(server, {"inputs": x.tolist()})
        assert status == 200, answer
        readable, _, _ = select.select(idle, [], [], 2.0)  # the server closed these
        assert len(readable) >= 10 and idle[0] in readable and idle[-1] not in readable
    finally:
        for sock in idle:
            sock.close()
