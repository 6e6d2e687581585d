"""The wallboard's update latency: how long after an event is posted it shows on an open board.

A real `memberdesk serve` (SQLite always; PostgreSQL too when MEMBERDESK_BENCH_DATABASE_URL is
set) with one board open on its server-sent-event stream. Once a second a marker call is
offered to a queue of its own; the latency is from posting it to the first board received that
shows that queue. Measured twice in the same run:
- baseline: nothing else happening;
- under load: a telephony feed posting 200 events a second (calls offered, answered, held,
  ended, in 50 queues; 500 agents changing state), in batches of 10 every 50 ms.
Printed: p50, p95 and worst latency, the events per second actually taken, errors, and the size
of the board (50 queues, 500 agents). Goal: within 2 s. Never a pass/fail test.

Usage: python bench/bench_wallboard.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp
from bench_load import Server, start
from sqlalchemy import text

from memberdesk.compliance import accounts, auth
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker

QUEUES = [f"queue-{i:02d}" for i in range(50)]
AGENTS = [f"agent-{i:03d}" for i in range(500)]
STATES = ["ready", "not_ready", "break", "wrap", "ready", "ready"]


def telephony_token(settings: Settings) -> str:
    engine = make_engine(settings)
    with make_sessionmaker(engine)() as session:
        user = accounts.create_user(
            session,
            settings,
            SYSTEM,
            username="bench-telephony",
            display_name="Telephony",
            role=Role.TELEPHONY,
            password=secrets.token_urlsafe(18),
        )
        token, _ = auth.create_token(session, SYSTEM, user, "bench")
        session.commit()
    engine.dispose()
    return token


def iso(at: datetime) -> str:
    return at.isoformat()


class Feed:
    """Events of a busy centre: each call offered, answered a few seconds later, sometimes held,
    ended; agents changing state."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = 0
        self.open: list[tuple[str, str]] = []  # (call, agent) being talked to

    def batch(self, size: int) -> list[dict[str, Any]]:
        out = []
        at = datetime.now(UTC)
        while len(out) < size:
            self.n += 1
            key = f"e{self.n}"
            roll = self.rng.random()
            if roll < 0.15:
                out.append(
                    {
                        "id": key,
                        "type": self.rng.choice(STATES),
                        "at": iso(at),
                        "agent_id": self.rng.choice(AGENTS),
                    }
                )
            elif (roll < 0.45 or not self.open) and len(out) + 2 <= size:
                call = f"c{self.n}"
                out.append(
                    {
                        "id": key,
                        "type": "offered",
                        "at": iso(at - timedelta(seconds=8)),
                        "call_id": call,
                        "queue": self.rng.choice(QUEUES),
                    }
                )
                agent = self.rng.choice(AGENTS)
                out.append(
                    {
                        "id": key + "a",
                        "type": "answered",
                        "at": iso(at),
                        "call_id": call,
                        "agent_id": agent,
                    }
                )
                self.open.append((call, agent))
            elif self.open:
                call, _ = self.open.pop(self.rng.randrange(len(self.open)))
                out.append(
                    {"id": key, "type": "ended", "at": iso(at), "call_id": call, "wrap_seconds": 30}
                )
        return out


async def read_boards(
    http: aiohttp.ClientSession, srv: Server, seen: list[tuple[float, str]]
) -> None:
    """Keep every board the stream sends, with the time it arrived."""
    headers = {"Authorization": f"Bearer {srv.token}"}
    while True:
        async with http.get(srv.base + "/wallboard/stream", headers=headers) as resp:
            data: list[str] = []
            async for raw in resp.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
                elif not line and data:
                    seen.append((time.monotonic(), "\n".join(data)))
                    data = []


async def send_load(
    http: aiohttp.ClientSession, srv: Server, token: str, until: float, stats: dict[str, int]
) -> None:
    feed = Feed(1)
    headers = {"Authorization": f"Bearer {token}"}
    tick = time.monotonic()
    while time.monotonic() < until:
        events = feed.batch(10)
        async with http.post(
            srv.base + "/api/kpi/events", json={"events": events}, headers=headers
        ) as resp:
            await resp.read()
            key = "ok" if resp.status == 200 else f"error {resp.status}"
            stats[key] = stats.get(key, 0) + len(events)
        tick += 0.05
        await asyncio.sleep(max(0.0, tick - time.monotonic()))


async def markers(
    http: aiohttp.ClientSession,
    srv: Server,
    token: str,
    seen: list[tuple[float, str]],
    count: int,
    tag: str,
) -> list[float]:
    """Post one marker call a second; the latency of each until a board shows it."""
    headers = {"Authorization": f"Bearer {token}"}
    out = []
    for k in range(count):
        queue = f"marker-{tag}-{k}"
        event = {
            "id": queue,
            "type": "offered",
            "at": iso(datetime.now(UTC)),
            "call_id": queue,
            "queue": queue,
        }
        mark = len(seen)
        sent = time.monotonic()
        async with http.post(
            srv.base + "/api/kpi/events", json={"events": [event]}, headers=headers
        ) as resp:
            await resp.read()
        needle = f'data-queue="{queue}"'
        while True:
            hit = next((t for t, html in seen[mark:] if needle in html), None)
            if hit is not None:
                out.append(hit - sent)
                break
            if time.monotonic() - sent > 30:
                out.append(float("inf"))
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - sent)))
    return out


def summary(label: str, latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return (
        f"  {label:<28} p50 {statistics.median(ms):7.0f} ms   p95 {p95:7.0f} ms   "
        f"worst {ms[-1]:7.0f} ms   ({len(ms)} markers)"
    )


async def measure(srv: Server, token: str, seconds: float) -> None:
    timeout = aiohttp.ClientTimeout(total=None, sock_read=60)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        seen: list[tuple[float, str]] = []
        reader = asyncio.create_task(read_boards(http, srv, seen))
        while not seen:
            await asyncio.sleep(0.05)
        idle = await markers(http, srv, token, seen, max(5, int(seconds / 2)), "idle")
        stats: dict[str, int] = {}
        started = time.monotonic()
        until = started + seconds
        load = asyncio.create_task(send_load(http, srv, token, until, stats))
        busy = await markers(http, srv, token, seen, int(seconds) - 1, "busy")
        await load
        elapsed = time.monotonic() - started
        reader.cancel()
        print(summary("baseline (no other events)", idle))
        print(summary("under the event stream", busy))
        taken = stats.get("ok", 0)
        errors = sum(v for k, v in stats.items() if k != "ok")
        print(f"  event stream: {taken / elapsed:,.0f} events/s taken, {errors} in errors")
        print(f"  the last board: {len(seen[-1][1]) / 1024:,.0f} KiB; boards received {len(seen)}")


def run(label: str, settings: Settings, seconds: float) -> None:
    print(f"== {label}")
    srv = start(settings, members=200)
    try:
        token = telephony_token(settings)
        asyncio.run(measure(srv, token, seconds))
    finally:
        srv.proc.terminate()
        srv.proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(f"wallboard latency: {args.seconds:.0f} s under load, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        run(
            "SQLite",
            Settings(database_url=f"sqlite:///{tmp}/board.db", var_dir=Path(tmp) / "var-sqlite"),
            args.seconds,
        )
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL")
            return
        schema = f"board_{secrets.token_hex(3)}"
        admin = make_engine(Settings(database_url=pg))
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            settings = Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp) / "v")
            run("PostgreSQL", settings, args.seconds)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
