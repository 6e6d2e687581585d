"""Load: member search and the member 360 under 10, 50, 100 and 200 concurrent clients.

A real `memberdesk serve` process on a seeded 15,000-member book (SQLite always; PostgreSQL too
when MEMBERDESK_BENCH_DATABASE_URL is set), driven by a bounded closed-loop generator (aiohttp):
each client sends its next request when the last one is answered, for a fixed time, with a
per-request time limit. Printed per engine, route and level: req/s, p50, p95, p99 and errors
(any answer but 2xx, or no answer in time).

Baselines measured in the same run:
- throughput at 10 clients: at 200 it must be at least that (the server saturates, never
  collapses);
- the authenticated p95 with no flood, beside the same clients' p95 while 120 unauthenticated
  clients flood /healthz and send bogus tokens (goal: at most 2x);
- 20 concurrent writers: every acknowledged write is in the database afterwards and
  `memberdesk audit verify` passes.
Usage: python bench/bench_load.py [--seconds 10] [--levels 10,50,100,200] [--members 15000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from sqlalchemy import func, select, text

from memberdesk.clock import today_utc
from memberdesk.compliance import accounts, auth
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.crypto import load_and_install
from memberdesk.compliance.enums import Role
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.enums import Relationship
from memberdesk.members.models import LifeEvent, Member
from memberdesk.members.seed import run_seed
from memberdesk.migrate import upgrade
from memberdesk.server import default_workers

REQUEST_LIMIT_S = 30.0
ROOT = Path(__file__).resolve().parents[1]
MEMBERDESK = str(Path(sys.executable).with_name("memberdesk"))


@dataclass
class Tally:
    """Latencies of answered requests and the count of failures."""

    ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, status: str, ms: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status.startswith("2"):
            self.ms.append(ms)
        else:
            self.errors += 1

    def pct(self, p: float) -> float:
        if not self.ms:
            return float("nan")
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[bytes]
    token: str
    numbers: list[str]
    ids: list[int]
    settings: Settings


Req = Callable[[aiohttp.ClientSession, random.Random], Any]


async def _client(
    http: aiohttp.ClientSession, make: Req, tally: Tally, until: float, seed: int
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            async with make(http, rng) as resp:
                await resp.read()
                status = str(resp.status)
        except TimeoutError:
            status = "timeout"
        except aiohttp.ClientError as exc:
            status = type(exc).__name__
        tally.add(status, (time.perf_counter() - started) * 1000)


async def drive(groups: list[tuple[int, Req, Tally]], seconds: float) -> float:
    """Run every group of clients at once for ``seconds``; returns the elapsed time."""
    limit = sum(n for n, _, _ in groups)
    conn = aiohttp.TCPConnector(limit=limit, force_close=False)
    timeout = aiohttp.ClientTimeout(total=REQUEST_LIMIT_S)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as http:
        started = time.monotonic()
        until = started + seconds
        tasks = [
            _client(http, make, tally, until, seed=1000 * g + i)
            for g, (n, make, tally) in enumerate(groups)
            for i in range(n)
        ]
        await asyncio.gather(*tasks)
        return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(settings: Settings, members: int) -> tuple[str, list[str], list[int]]:
    """Migrate, seed, and create an agent with a token; returns token, member IDs, ids."""
    load_and_install(settings.var_dir)
    engine = make_engine(settings)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    run_seed(sessions, members=members, seed=1)
    with sessions() as session:
        user = accounts.create_user(
            session,
            settings,
            SYSTEM,
            username="load-agent",
            display_name="Load Agent",
            role=Role.TIER1_AGENT,
            password=secrets.token_urlsafe(18),
            team="Load",
        )
        token, _ = auth.create_token(session, SYSTEM, user, "load")
        session.commit()
        picks = session.scalars(
            select(Member).where(Member.relationship == Relationship.SELF).limit(2000)
        ).all()
        numbers = [m.member_number for m in picks]
        ids = [m.id for m in picks]
    engine.dispose()
    return token, numbers, ids


def env_for(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["MEMBERDESK_DATABASE_URL"] = settings.database_url
    env["MEMBERDESK_VAR_DIR"] = str(settings.var_dir)
    env["MEMBERDESK_LOG_LEVEL"] = "WARNING"
    if settings.database_schema:
        env["MEMBERDESK_DATABASE_SCHEMA"] = settings.database_schema
    return env


def start(settings: Settings, members: int, workers: int | None = None) -> Server:
    token, numbers, ids = prepare(settings, members)
    port = free_port()
    proc = subprocess.Popen(
        [MEMBERDESK, "serve", "--port", str(port)]
        + (["--workers", str(workers)] if workers else []),
        env=env_for(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "died") from None
            time.sleep(0.2)
    return Server(base, proc, token, numbers, ids, settings)


def search_req(srv: Server) -> Req:
    headers = {"Authorization": f"Bearer {srv.token}"}

    def make(http: aiohttp.ClientSession, rng: random.Random) -> Any:
        body = {"member_number": rng.choice(srv.numbers)}
        return http.post(f"{srv.base}/api/members/search", json=body, headers=headers)

    return make


def m360_req(srv: Server) -> Req:
    headers = {"Authorization": f"Bearer {srv.token}"}

    def make(http: aiohttp.ClientSession, rng: random.Random) -> Any:
        return http.get(f"{srv.base}/api/members/{rng.choice(srv.ids)}", headers=headers)

    return make


def healthz_req(srv: Server) -> Req:
    def make(http: aiohttp.ClientSession, rng: random.Random) -> Any:
        return http.get(f"{srv.base}/healthz")

    return make


def bogus_req(srv: Server) -> Req:
    def make(http: aiohttp.ClientSession, rng: random.Random) -> Any:
        headers = {"Authorization": f"Bearer mdt_{secrets.token_urlsafe(32)}"}
        body = {"member_number": "123456789-01"}
        return http.post(f"{srv.base}/api/members/search", json=body, headers=headers)

    return make


def writer_req(srv: Server, acked: list[int]) -> Req:
    """Each request records a new life event on its own (member, date); 201s are counted."""
    headers = {"Authorization": f"Bearer {srv.token}"}
    counter = iter(range(10**9))
    today = today_utc()

    class _Post:
        def __init__(self, http: aiohttp.ClientSession) -> None:
            i = next(counter)
            member = srv.ids[i % len(srv.ids)]
            when = today - timedelta(days=1 + i // len(srv.ids))
            self.cm = http.post(
                f"{srv.base}/api/members/{member}/life-events",
                json={"event_type": "permanent_move", "event_date": when.isoformat()},
                headers=headers,
            )

        async def __aenter__(self) -> aiohttp.ClientResponse:
            resp = await self.cm.__aenter__()
            if resp.status == 201:
                acked.append(1)
            return resp

        async def __aexit__(self, *exc: object) -> None:
            await self.cm.__aexit__(*exc)

    def make(http: aiohttp.ClientSession, rng: random.Random) -> Any:
        return _Post(http)

    return make


def line(label: str, n: int, tally: Tally, elapsed: float) -> str:
    done = len(tally.ms) + tally.errors
    other = {k: v for k, v in tally.statuses.items() if not k.startswith("2")}
    return (
        f"{label:<28} {n:>4} clients: {done / elapsed:7.1f} req/s  p50 {tally.pct(0.5):7.0f} ms  "
        f"p95 {tally.pct(0.95):7.0f} ms  p99 {tally.pct(0.99):7.0f} ms  errors {tally.errors}"
        + (f" {other}" if other else "")
    )


def run_engine(label: str, settings: Settings, args: argparse.Namespace) -> None:
    srv = start(settings, args.members, args.workers)
    print(f"[{label}] {args.workers or default_workers(settings)} server process(es)", flush=True)
    try:
        routes = {"search": search_req(srv), "member 360": m360_req(srv)}
        # Warm-up: first requests pay imports and caches.
        asyncio.run(drive([(4, routes["member 360"], Tally())], 2))
        rates: dict[str, dict[int, float]] = {}
        p95_alone = 0.0
        for name, make in routes.items():
            rates[name] = {}
            for n in args.levels:
                tally = Tally()
                elapsed = asyncio.run(drive([(n, make, tally)], args.seconds))
                rates[name][n] = (len(tally.ms) + tally.errors) / elapsed
                print(f"[{label}] " + line(name, n, tally, elapsed), flush=True)
                if name == "search" and n == 10:
                    p95_alone = tally.pct(0.95)
            lo, hi = min(args.levels), max(args.levels)
            print(
                f"[{label}] {name}: {rates[name][hi]:.1f} req/s at {hi} clients vs baseline "
                f"{rates[name][lo]:.1f} req/s at {lo} ({rates[name][hi] / rates[name][lo]:.2f}x)"
            )
        flood_auth, flood_h, flood_b = Tally(), Tally(), Tally()
        elapsed = asyncio.run(
            drive(
                [
                    (10, routes["search"], flood_auth),
                    (60, healthz_req(srv), flood_h),
                    (60, bogus_req(srv), flood_b),
                ],
                args.seconds,
            )
        )
        print(f"[{label}] " + line("search during flood", 10, flood_auth, elapsed))
        print(f"[{label}] " + line("  flood: /healthz", 60, flood_h, elapsed))
        print(f"[{label}] " + line("  flood: bogus tokens (401)", 60, flood_b, elapsed))
        print(
            f"[{label}] authenticated p95 under flood {flood_auth.pct(0.95):.0f} ms vs baseline "
            f"{p95_alone:.0f} ms alone ({flood_auth.pct(0.95) / p95_alone:.2f}x)"
        )
        acked: list[int] = []
        before = count_events(settings)
        wt = Tally()
        elapsed = asyncio.run(drive([(20, writer_req(srv, acked), wt)], args.seconds))
        print(f"[{label}] " + line("writers (life events)", 20, wt, elapsed))
        stored = count_events(settings) - before
    finally:
        srv.proc.terminate()
        try:
            srv.proc.wait(30)
        except subprocess.TimeoutExpired:
            srv.proc.kill()
            srv.proc.wait()
    verify = subprocess.run(
        [MEMBERDESK, "audit", "verify"],
        env=env_for(settings),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    print(
        f"[{label}] writes acknowledged {len(acked)}, new rows found {stored}"
        f"; audit verify exit {verify.returncode}: {verify.stdout.strip().splitlines()[-1:]}"
    )


def count_events(settings: Settings) -> int:
    engine = make_engine(settings)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(LifeEvent)).scalar_one()
    engine.dispose()
    return int(n)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--levels", default="10,50,100,200")
    parser.add_argument("--members", type=int, default=15000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument(
        "--workers", type=int, help="memberdesk serve --workers (default: as serve chooses)"
    )
    args = parser.parse_args()
    args.levels = [int(x) for x in args.levels.split(",")]
    engines = args.engines.split(",")
    print(
        f"load: {args.seconds:.0f} s per run, {os.cpu_count()} cores, {args.members:,} members, "
        f"server processes: {args.workers or 'as memberdesk serve chooses'}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in engines:
            settings = Settings(
                database_url=f"sqlite:///{tmp}/load.db", var_dir=Path(tmp) / "var-sqlite"
            )
            run_engine("sqlite", settings, args)
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if "postgresql" not in engines:
            return
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL")
            return
        schema = f"load_{secrets.token_hex(3)}"
        admin = make_engine(Settings(database_url=pg))
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            settings = Settings(
                database_url=pg, database_schema=schema, var_dir=Path(tmp) / "var-pg"
            )
            run_engine("postgresql", settings, args)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
