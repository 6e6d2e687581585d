"""QA figures over a year of evaluations: 200 agents, 20 evaluated contacts each a month (48,000
evaluations, every tenth under 80% with its corrective assignment). Measures, on SQLite and
PostgreSQL:

- ``reports.results`` for a quarter (agent and team averages against 90%) beside a plain
  ``GROUP BY agent_id`` average in SQL measured in the same run;
- ``reports.audit_report`` for a half-year beside the same plain query over six months;
- ``sample.draw_sample`` of a month (5 per agent from 80 contacts each: 16,000 contacts) beside
  a plain read of that month's contact ids.

SQLite (temporary file) always; PostgreSQL (throwaway schema) when
MEMBERDESK_BENCH_DATABASE_URL is set. Usage:

    python bench/bench_qa.py [--agents 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_cases import pg_schema  # the sibling script: a throwaway schema
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.crypto import KeyRing, install_keyring
from memberdesk.compliance.models import Team, User
from memberdesk.config import Settings
from memberdesk.contacts.models import Contact
from memberdesk.db import make_engine
from memberdesk.migrate import upgrade
from memberdesk.quality import reports, sample
from memberdesk.quality.demo import ensure_default_scorecard
from memberdesk.quality.models import CorrectiveAssignment, Evaluation
from memberdesk.quality.service import get_scorecard, month_bounds

YEAR = 2026
PER_MONTH = 20
SAMPLE_CONTACTS = 80  # contacts per agent in the month the sample is drawn from


def load(engine: Engine, agents: int, seed: int = 5) -> None:
    """Teams, agents, a year of evaluated contacts, and one month of unevaluated contacts."""
    rng = random.Random(seed)
    at = datetime.now(UTC)
    with Session(engine) as session:
        card = ensure_default_scorecard(session) or get_scorecard(session, None, "card")
        session.execute(insert(Team), [{"id": t + 1, "name": f"Team {t + 1}"} for t in range(10)])
        session.execute(
            insert(User),
            [
                {
                    "id": 1000 + a,
                    "username": f"agent{a}",
                    "display_name": f"Agent {a}",
                    "role": "tier1_agent",
                    "team_id": a % 10 + 1,
                    "password_hash": "x",
                    "created_at": at,
                }
                for a in range(agents)
            ],
        )
        contacts, evals, owed = [], [], []
        cid = eid = 0
        for month in range(1, 13):
            start, _ = month_bounds(f"{YEAR}-{month:02d}")
            for a in range(agents):
                for k in range(PER_MONTH):
                    cid += 1
                    eid += 1
                    began = start + timedelta(hours=k * 30 + a % 7)
                    contacts.append(
                        {
                            "id": cid,
                            "agent_id": 1000 + a,
                            "channel": "phone",
                            "direction": "inbound",
                            "started_at": began,
                            "resolved": True,
                            "interpreter_used": False,
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
                    score = round(
                        rng.uniform(55, 79.9) if eid % 10 == 0 else rng.uniform(80, 100), 2
                    )
                    evals.append(
                        {
                            "id": eid,
                            "scorecard_id": card.id,
                            "contact_id": cid,
                            "agent_id": 1000 + a,
                            "kind": "targeted",
                            "state": "scored",
                            "period": f"{YEAR}-{month:02d}",
                            "evaluator_id": None,
                            "score": score,
                            "auto_failed": False,
                            "scored_at": began + timedelta(days=1),
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
                    if score < 80:
                        due = began + timedelta(days=15)
                        owed.append(
                            {
                                "evaluation_id": eid,
                                "agent_id": 1000 + a,
                                "state": rng.choice(["open", "completed"]),
                                "pack": "calchoice",
                                "target": "qa_corrective_training",
                                "policy_version": "bench",
                                "started_at": began + timedelta(days=1),
                                "due_at": due,
                                "completed_at": due - timedelta(days=rng.choice([-2, 3])),
                                "created_at": at,
                            }
                        )
        # The month the sample is drawn from: contacts nobody has evaluated yet.
        start, _ = month_bounds(f"{YEAR + 1}-01")
        for a in range(agents):
            for k in range(SAMPLE_CONTACTS):
                cid += 1
                contacts.append(
                    {
                        "id": cid,
                        "agent_id": 1000 + a,
                        "channel": "phone",
                        "direction": "inbound",
                        "started_at": start + timedelta(hours=k * 8),
                        "resolved": True,
                        "interpreter_used": False,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
        for chunk in range(0, len(contacts), 5000):
            session.execute(insert(Contact), contacts[chunk : chunk + 5000])
        for chunk in range(0, len(evals), 5000):
            session.execute(insert(Evaluation), evals[chunk : chunk + 5000])
        session.execute(insert(CorrectiveAssignment), owed)
        session.commit()
        if engine.dialect.name == "postgresql":
            for table in ("contacts", "qa_evaluations", "qa_corrective_assignments"):
                # Rows were inserted with their ids: move each sequence past them.
                seq = f"pg_get_serial_sequence('{table}', 'id')"
                session.execute(text(f"SELECT setval({seq}, (SELECT max(id) FROM {table}))"))
            session.execute(text("ANALYZE"))
            session.commit()


def plain_average(session: Session, first: str, last: str) -> list[tuple[int, float]]:
    """The baseline: the database averages each agent's scores, nothing else."""
    return list(
        session.execute(
            select(Evaluation.agent_id, func.avg(Evaluation.score))
            .where(Evaluation.period >= first, Evaluation.period <= last)
            .group_by(Evaluation.agent_id)
        ).all()
    )


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def line(label: str, values: list[float], base: list[float]) -> str:
    m, b = statistics.median(values), statistics.median(base)
    return f"  {label}: median {m:.1f} ms; plain SQL baseline {b:.1f} ms (x{m / b:.1f})"


def run(name: str, settings: Settings, agents: int, runs: int) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    t0 = time.perf_counter()
    load(engine, agents)
    n = agents * PER_MONTH * 12
    print(
        f"{name}: {n:,} evaluations of {agents} agents loaded in {time.perf_counter() - t0:.1f} s"
    )
    now = datetime.now(UTC)
    with Session(engine) as session:
        q = timed(lambda: reports.results(session, None, f"{YEAR}-04", f"{YEAR}-06"), runs)
        qb = timed(lambda: plain_average(session, f"{YEAR}-04", f"{YEAR}-06"), runs)
        h = timed(lambda: reports.audit_report(session, None, YEAR, 1, now), runs)
        hb = timed(lambda: plain_average(session, f"{YEAR}-01", f"{YEAR}-06"), runs)
        report = reports.audit_report(session, None, YEAR, 1, now)
        evaluated = sum(r.evaluations for r in report.rows)
        owed = sum(r.corrective for r in report.rows)
        print(f"  audit rows {len(report.rows)}, evaluations {evaluated:,}, corrective {owed:,}")
    print(line("results for a quarter", q, qb))
    print(line("semi-annual audit", h, hb))
    start, end = month_bounds(f"{YEAR + 1}-01")
    draws, base = [], []
    for seed in range(runs):
        with Session(engine) as session:
            t1 = time.perf_counter()
            drawn = sample.draw_sample(session, SYSTEM, f"{YEAR + 1}-01", 5, seed, now)
            draws.append((time.perf_counter() - t1) * 1000)
            session.rollback()  # every run draws from the same untouched month
            base += timed(
                lambda: list(
                    session.scalars(
                        select(Contact.id).where(
                            Contact.started_at >= start, Contact.started_at < end
                        )
                    )
                ),
                1,
            )
    print(f"  sample drew {len(drawn.evaluation_ids):,} for {drawn.agents} agents")
    print(line("monthly sample draw", draws, base))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=200, help="agents")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each")
    args = parser.parse_args()
    install_keyring(KeyRing.generate())
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Settings(database_url=f"sqlite:///{tmp}/bench.db", var_dir=Path(tmp))
        run("sqlite", sqlite, args.agents, args.runs)
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL")
            return
        with pg_schema(pg) as schema:
            settings = Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp))
            run("postgresql", settings, args.agents, args.runs)


if __name__ == "__main__":
    main()
