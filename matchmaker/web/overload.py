"""Overload: answer "busy, retry" at once instead of letting every request wait.

Past its ceiling a process does not slow down gracefully: requests queue in its event
loop (pages run on it or wait for its threads) and each one waits behind all the others,
until clients time out. This guard sheds load before that, in two cases:

* too many requests in flight in this process (``max_inflight``);
* the event loop is late: a monitor task asks to wake every ``TICK`` seconds, and when it
  wakes more than ``max_lag`` late, the queue ahead of it is that long (reads are then
  shed for ``HOLD`` seconds, while the queue drains).

Past either check, at most ``max_active`` requests are inside the application at once;
the others wait their turn without holding anything. Pages run on the event loop and
a request holds a pooled database connection from its first query to its commit,
across the awaits in between; without this bound, enough requests interleaving at
those awaits took every connection of the pool, and the next one waited for a
connection on the loop itself, where no holder could run to give one back: every
request of the process then hung (seen at scale 10 with 400 users). A request holds
at most two connections (its session, and the error page's own), so ``max_active``
of 6 stays within the engine's default pool of 15.

A shed request gets a 503 with ``Retry-After`` in a few microseconds: a bilingual page
that retries by itself, or JSON under ``/api``. Only reads are shed: a form post carries
what someone typed, so it always waits its turn. Static files are cheap and never shed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

log = logging.getLogger("matchmaker.overload")

TICK = 0.05  # seconds between the monitor's wake-ups
HOLD = 1.0  # seconds a late loop keeps shedding after the monitor saw it late
RETRY_AFTER = 2  # seconds
ACTIVE = 6  # requests inside the application at once (see above)

_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{retry}">
<title>Hệ thống đang bận · Busy</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;
color:#1d2733}}h1{{color:#0b6e4f;font-size:1.4rem}}p{{line-height:1.5}}</style></head>
<body><h1>Hệ thống đang bận</h1>
<p>Rất nhiều người đang mở trang cùng lúc. Trang sẽ tự tải lại sau {retry} giây.</p>
<h1 lang="en">The site is busy</h1>
<p lang="en">Many people are opening pages at once. This page reloads by itself in {retry}
seconds.</p></body></html>
"""


class OverloadGuard:
    """ASGI middleware: sheds reads when this process is past its ceiling."""

    def __init__(
        self, app: ASGIApp, *, max_inflight: int, max_lag: float, max_active: int = ACTIVE
    ) -> None:
        self.app = app
        self.max_inflight = max_inflight
        self.max_lag = max_lag
        self.max_active = max_active
        self._slots: asyncio.Semaphore | None = None  # made in the loop that serves
        self.inflight = 0
        self.lag = 0.0  # how late the monitor last woke, in seconds
        self.late_until = 0.0  # monotonic time until which the loop counts as late
        self.shed = 0
        self._monitor: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._monitor is None or self._monitor.done():
            self._monitor = asyncio.get_running_loop().create_task(self._watch())
        if self._busy() and _sheddable(scope):
            self.shed += 1
            if self.shed == 1 or self.shed % 100 == 0:
                log.warning(
                    "overloaded: %d requests shed so far (in flight %d, loop %.0f ms late)",
                    self.shed,
                    self.inflight,
                    1000 * self.lag,
                )
            await _answer_busy(scope, send)
            return
        if _static(scope):  # no database, never shed: not counted against the others
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_active)
        self.inflight += 1
        try:
            async with self._slots:
                await self.app(scope, receive, send)
        finally:
            self.inflight -= 1

    def _busy(self) -> bool:
        return self.inflight >= self.max_inflight or time.monotonic() < self.late_until

    async def _watch(self) -> None:
        while True:
            start = time.monotonic()
            await asyncio.sleep(TICK)
            now = time.monotonic()
            self.lag = max(0.0, now - start - TICK)
            if self.lag > self.max_lag:  # the queue was that long: let it drain a while
                self.late_until = now + HOLD


def _static(scope: Scope) -> bool:
    return str(scope.get("path", "")).startswith("/static/")


def _sheddable(scope: Scope) -> bool:
    return scope.get("method") in ("GET", "HEAD") and not _static(scope)


async def _answer_busy(scope: Scope, send: Send) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"retry-after", str(RETRY_AFTER).encode()),
        (b"cache-control", b"no-store"),
    ]
    body: bytes
    if scope.get("path", "").startswith("/api"):
        payload: dict[str, Any] = {
            "status_code": 503,
            "code": "busy",
            "detail": "The server is busy; retry in a few seconds.",
        }
        body = json.dumps(payload).encode()
        headers.append((b"content-type", b"application/json"))
    else:
        body = _PAGE.format(retry=RETRY_AFTER).encode()
        headers.append((b"content-type", b"text/html; charset=utf-8"))
    headers.append((b"content-length", str(len(body)).encode()))
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 503,
        "headers": headers,
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)
