"""Connections and requests bounded so that idle or slow clients cannot starve others.

uvicorn alone reads a request head for as long as the client takes, and its
`limit_concurrency` counts open connections: 64 sockets trickling one header byte at a
time got every other client a 503 for as long as they were held. Here a request's head
must arrive within `header_timeout` seconds (from the connection, or from the previous
answer on a kept-alive one) and its body within `body_timeout` of the head, else the
connection is closed; the 503 limit counts requests being handled, not connections;
and past `max_connections` open ones the longest-waiting connection that has not sent
a request head is closed to make room.
"""

from __future__ import annotations

from typing import Any

import h11
from starlette.responses import JSONResponse
from uvicorn.protocols.http.h11_impl import H11Protocol


def guarded_protocol(header_timeout: float, body_timeout: float, max_connections: int) -> type:
    """uvicorn's h11 protocol with the deadlines and the connection bound above."""

    class GuardedH11Protocol(H11Protocol):
        waiting_since: float | None = None  # loop time since it waits for a request head
        deadline: Any = None

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._expect(h11.IDLE, header_timeout)
            if len(self.connections) > max_connections:
                _close_longest_waiting(self.connections)

        def handle_events(self) -> None:
            was = self.conn.their_state
            super().handle_events()
            if self.conn.their_state is not was:
                if self.conn.their_state is h11.SEND_BODY:  # the head is in: now the body
                    self._expect(h11.SEND_BODY, body_timeout)
                elif self.conn.their_state is h11.IDLE:  # a pipelined request was answered
                    self._expect(h11.IDLE, header_timeout)
                else:
                    self._cancel()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                self._expect(h11.IDLE, header_timeout)  # the next request's head

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel()
            super().connection_lost(exc)

        def _expect(self, state: Any, seconds: float) -> None:
            """Close the connection unless the client has left `state` in `seconds`."""
            self._cancel()
            self.waiting_since = self.loop.time() if state is h11.IDLE else None
            self.deadline = self.loop.call_later(seconds, self._expire, state)

        def _expire(self, state: Any) -> None:
            if self.conn.their_state is state and not self.transport.is_closing():
                self.transport.close()  # a request's handler sees the client as gone

        def _cancel(self) -> None:
            self.waiting_since = None
            if self.deadline is not None:
                self.deadline.cancel()
                self.deadline = None

    return GuardedH11Protocol


def _close_longest_waiting(connections: set[Any]) -> None:
    waiting = [c for c in connections if getattr(c, "waiting_since", None) is not None]
    if waiting:
        oldest = min(waiting, key=lambda c: c.waiting_since)
        oldest._cancel()
        oldest.transport.close()


class RequestLimit:
    """ASGI middleware: at most `limit` requests handled at once; one more is a 503 at
    once, not a queue. A request counts from its complete head to its answer."""

    def __init__(self, app: Any, limit: int):
        self.app, self.limit, self.in_flight = app, limit, 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            busy = {"error": f"the server is handling {self.limit} requests already; retry"}
            await JSONResponse(busy, 503, {"Retry-After": "1"})(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
