"""The agent desktops' screen-pop channel: what one look costs. Each app process looks for fresh
pops once per half second for every desktop it streams to (``ivr.ui.PopWatch``); the baseline,
measured in the same run, is what one look per desktop would cost (a query per agent, the
obvious design). Figures: milliseconds per half-second tick for N agents on a table holding a
day's history of pops (most opened long ago), on SQLite and, when
MEMBERDESK_BENCH_DATABASE_URL is set, PostgreSQL.

    python bench/bench_screen_pops.py [--agents 300] [--history 50000] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_cases import pg_schema  # the sibling script: a throwaway schema
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.crypto import KeyRing, install_keyring
from memberdesk.compliance.models import User
from memberdesk.config import Settings
from memberdesk.db import make_engine
from memberdesk.ivr import screen_pops
from memberdesk.ivr.models import ScreenPop
from memberdesk.migrate import upgrade


def per_agent(session: Session, agent_id: int, at) -> list[int]:  # type: ignore[no-untyped-def]
    """The baseline: one agent's fresh pops, asked for that agent alone."""
    return list(
        session.scalars(
            select(ScreenPop.id).where(
                ScreenPop.agent_id == agent_id,
                ScreenPop.opened_at.is_(None),
                ScreenPop.created_at >= at - screen_pops.FRESH,
            )
        )
    )


def run(name: str, settings: Settings, agents: int, history: int, runs: int) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    at = now()
    with Session(engine) as s:
        s.execute(
            insert(User),
            [
                {
                    "username": f"agent{i}",
                    "display_name": f"Agent {i}",
                    "role": "tier1_agent",
                    "password_hash": "-",
                }
                for i in range(agents)
            ],
        )
        ids = list(s.scalars(select(User.id).order_by(User.id)))
        rows = [
            {
                "agent_id": ids[i % agents],
                "call_ref": f"CA{i:032d}",
                # A day of calls, all opened but the last few minutes' unanswered ones.
                "created_at": at - timedelta(seconds=86_400 * (history - i) / history),
                "opened_at": None if i > history - agents // 3 else at,
            }
            for i in range(history)
        ]
        s.execute(insert(ScreenPop), rows)
        # The baseline gets the index its query would want; both get fresh statistics, as
        # autovacuum (or SQLite's ANALYZE) would give them.
        s.execute(text("CREATE INDEX bench_pops_agent ON screen_pops (agent_id, created_at)"))
        s.execute(text("ANALYZE"))
        s.commit()
    shared, single = [], []
    with Session(engine) as s:
        for _ in range(runs):
            t = time.perf_counter()
            screen_pops.fresh(s, at)
            shared.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            for agent_id in ids:
                per_agent(s, agent_id, at)
            single.append((time.perf_counter() - t) * 1000)
    engine.dispose()
    a, b = statistics.median(shared), statistics.median(single)
    print(
        f"{name}: {agents} desktops, {history} pops: one shared look {a:.2f} ms per tick; "
        f"baseline, one look per desktop {b:.2f} ms per tick ({b / a:.0f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--history", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    install_keyring(KeyRing.generate())
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Settings(database_url=f"sqlite:///{tmp}/bench.db", var_dir=Path(tmp))
        run("sqlite", sqlite, args.agents, args.history, args.runs)
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if pg:
            with pg_schema(pg) as schema:
                settings = Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp))
                run("postgresql", settings, args.agents, args.history, args.runs)


if __name__ == "__main__":
    main()
