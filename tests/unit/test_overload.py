"""The overload guard: reads are answered "busy, retry" at once past the ceiling, writes
always wait their turn, and the guard stops shedding when the process has caught up."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from matchmaker.web.overload import HOLD, OverloadGuard


class Downstream:
    """An ASGI app standing in for the site: "/slow" waits until released, "/block"
    holds the event loop as a heavy page rendered on it does."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.served: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/slow":
            await self.release.wait()
        if scope["path"] == "/block":
            time.sleep(0.8)
        self.served.append(f"{scope['method']} {scope['path']}")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def call(app: Any, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "http", "method": method, "path": path, "headers": []}, receive, send)
    headers = {k.decode(): v.decode() for k, v in sent[0].get("headers", [])}
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


def test_past_the_in_flight_limit_reads_are_shed_and_writes_wait() -> None:
    async def scenario() -> None:
        site = Downstream()
        guard = OverloadGuard(site, max_inflight=1, max_lag=10)
        first = asyncio.create_task(call(guard, "/slow"))
        await asyncio.sleep(0.01)
        status, headers, body = await call(guard, "/me/agenda")
        assert status == 503
        assert headers["retry-after"] == "2"
        assert "Hệ thống đang bận" in body.decode() and "The site is busy" in body.decode()
        api_status, api_headers, api_body = await call(guard, "/api/event")
        assert api_status == 503 and api_headers["content-type"] == "application/json"
        assert json.loads(api_body)["code"] == "busy"
        assert (await call(guard, "/static/css/app.css"))[0] == 200
        # a form post carries what someone typed: it is served, never thrown away
        assert (await call(guard, "/requests/new", method="POST"))[0] == 200
        site.release.set()
        assert (await first)[0] == 200
        assert (await call(guard, "/me/agenda"))[0] == 200
        assert site.served == [
            "GET /static/css/app.css",
            "POST /requests/new",
            "GET /slow",
            "GET /me/agenda",
        ]
        assert guard.shed == 2

    asyncio.run(scenario())


def test_a_late_event_loop_sheds_reads_until_it_has_caught_up() -> None:
    async def scenario() -> None:
        site = Downstream()
        guard = OverloadGuard(site, max_inflight=100, max_lag=0.3)
        assert (await call(guard, "/"))[0] == 200  # the monitor starts with the first request
        await asyncio.sleep(0.01)
        assert (await call(guard, "/block"))[0] == 200  # the loop stood still 0.8 s
        await asyncio.sleep(0.1)  # the monitor wakes, late
        assert (await call(guard, "/directory"))[0] == 503
        await asyncio.sleep(HOLD + 0.3)
        assert (await call(guard, "/directory"))[0] == 200

    asyncio.run(scenario())


def test_at_most_max_active_requests_are_inside_the_app_and_the_rest_wait_their_turn() -> None:
    """Each request inside the app may hold a pooled database connection across its
    awaits: bounding them bounds the connections, so the pool is never found empty."""

    async def scenario() -> None:
        site = Downstream()
        guard = OverloadGuard(site, max_inflight=100, max_lag=10, max_active=2)
        held = [asyncio.create_task(call(guard, "/slow")) for _ in range(2)]
        waiting = asyncio.create_task(call(guard, "/me/agenda"))
        written = asyncio.create_task(call(guard, "/requests/new", method="POST"))
        await asyncio.sleep(0.05)
        assert site.served == []  # both slots taken: the read and the write wait, unshed
        assert guard.inflight == 4 and guard.shed == 0
        assert (await call(guard, "/static/css/app.css"))[0] == 200  # no slot needed
        site.release.set()
        assert [(await t)[0] for t in (*held, waiting, written)] == [200] * 4
        assert sorted(site.served[1:]) == [
            "GET /me/agenda", "GET /slow", "GET /slow", "POST /requests/new",
        ]  # fmt: skip

    asyncio.run(scenario())
