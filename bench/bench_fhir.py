"""The FHIR Patient Access API through the app (in-process, SQLite): median and p95 of a
member's Patient read, Coverage search and a staff Patient search by member ID, beside the
member's own record from the portal API (``GET /api/me``, the member 360) measured in the same
run. Every FHIR answer is built as FHIR and validated by ``fhir.resources`` before it goes out;
``build only`` is that step alone (mapping + validation, no HTTP, no database), to show its share.

Usage:

    python bench/bench_fhir.py [--members 2000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy import select

from memberdesk.app import create_app
from memberdesk.clock import now
from memberdesk.compliance import accounts, auth
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.crypto import load_and_install
from memberdesk.compliance.enums import Role
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.fhir import bundle, mapping
from memberdesk.members.models import Member
from memberdesk.members.seed import run_seed
from memberdesk.migrate import upgrade


def timed(rounds: int, call: Callable[[], object]) -> list[float]:
    call()  # warm-up
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    os.environ.pop("MEMBERDESK_KEYRING", None)
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp) / "var"
        settings = Settings(database_url=f"sqlite:///{tmp}/fhir.db", var_dir=var)
        load_and_install(var)
        engine = make_engine(settings)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        run_seed(sessions, members=args.members, seed=5)
        with sessions() as session:
            member = session.scalars(select(Member).order_by(Member.id).limit(1)).one()
            mid, number = member.id, member.member_number
            tokens = {}
            for role, linked in ((Role.MEMBER, mid), (Role.TIER1_AGENT, None)):
                user = accounts.create_user(
                    session,
                    settings,
                    SYSTEM,
                    username=f"bench-{role.value}",
                    display_name="Bench",
                    role=role,
                    password="a long enough passphrase",
                    member_id=linked,
                )
                tokens[role] = auth.create_token(session, SYSTEM, user, "bench")[0]
            session.commit()
            member = session.get(Member, mid)
            assert member is not None
            spans = list(member.coverage)

            def build() -> None:
                for resource in [mapping.patient(member), *(
                    mapping.coverage(s, member, now().date()) for s in spans
                )]:  # fmt: skip
                    bundle.resource_response(resource)

            build_ms = timed(args.rounds, build)
        app = create_app(settings, engine=engine, background=False)
        as_member = {"Authorization": f"Bearer {tokens[Role.MEMBER]}"}
        as_agent = {"Authorization": f"Bearer {tokens[Role.TIER1_AGENT]}"}
        with TestClient(app) as c:
            figures = {
                "/api/me (baseline)": timed(
                    args.rounds, lambda: c.get("/api/me", headers=as_member)
                ),
                "Patient read": timed(
                    args.rounds, lambda: c.get(f"/fhir/Patient/{mid}", headers=as_member)
                ),
                "Coverage search": timed(
                    args.rounds, lambda: c.get("/fhir/Coverage", headers=as_member)
                ),
                "Patient?identifier= (agent)": timed(
                    args.rounds,
                    lambda: c.post(
                        "/fhir/Patient/_search", data={"identifier": number}, headers=as_agent
                    ),
                ),
            }
        engine.dispose()
    print(
        f"FHIR API through the app, SQLite, {args.members} members, {args.rounds} rounds; "
        f"the member has {len(spans)} coverage span(s)"
    )
    print(f"{'request':<30}{'median ms':>11}{'p95 ms':>9}")
    for name, xs in figures.items():
        p95 = statistics.quantiles(xs, n=20)[-1]
        print(f"{name:<30}{statistics.median(xs):>11.2f}{p95:>9.2f}")
    p95 = statistics.quantiles(build_ms, n=20)[-1]
    print(f"{'build only (Patient+Coverage)':<30}{statistics.median(build_ms):>11.2f}{p95:>9.2f}")
    base = statistics.median(figures["/api/me (baseline)"])
    print(f"Patient read / baseline: {statistics.median(figures['Patient read']) / base:.2f}")


if __name__ == "__main__":
    main()
