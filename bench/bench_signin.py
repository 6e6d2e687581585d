"""Sign-in timing: does the response time tell whether a username exists? (issue 8.4)

Signs in through the real app (HTTP via the ASGI test client, real Argon2id parameters from the
settings, 64 MiB / t=3 by default) on a temporary SQLite database, alternating, many times:

- a username that does not exist;
- a real username with a wrong password;
- (baseline) a real username with the right password.

Prints the median and p90 of each path side by side, the unknown/wrong ratio (1.00 means no
oracle), and how well a threshold on the time alone separates the two failure paths (50% is a
coin toss; the issue measured 32 of 32 = 100% before the fix). Usage:

    python bench/bench_signin.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from memberdesk.app import create_app
from memberdesk.compliance import accounts
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.crypto import load_and_install
from memberdesk.compliance.enums import Role
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.migrate import upgrade

PASSWORD = "a long enough passphrase"


def best_split(a: list[float], b: list[float]) -> float:
    """Share of samples a single time threshold classifies correctly (the attacker's best)."""
    best = 0.0
    for t in sorted(a + b):
        right = sum(x <= t for x in a) + sum(x > t for x in b)
        best = max(best, right / (len(a) + len(b)), 1 - right / (len(a) + len(b)))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    os.environ.pop("MEMBERDESK_KEYRING", None)
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp) / "var"
        settings = Settings(
            database_url=f"sqlite:///{tmp}/signin.db",
            var_dir=var,
            login_rate_limit=10_000,  # measure the check itself, not the throttles
            lockout_threshold=10_000,
            anonymous_rate=10_000,
        )
        load_and_install(var)
        engine = make_engine(settings)
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            accounts.create_user(
                session,
                settings,
                SYSTEM,
                username="real-agent",
                display_name="Real",
                role=Role.TIER1_AGENT,
                password=PASSWORD,
            )
            session.commit()
        app = create_app(settings, engine=engine, background=False)
        times: dict[str, list[float]] = {"unknown user": [], "wrong password": [], "right": []}
        bodies = {
            "unknown user": {"username": "no-such-user", "password": "wrong password 123"},
            "wrong password": {"username": "real-agent", "password": "wrong password 123"},
            "right": {"username": "real-agent", "password": PASSWORD},
        }
        with TestClient(app) as client:
            for body in bodies.values():  # warm-up: dummy hash, caches, connections
                client.post("/api/auth/token", json=body)
            for _ in range(args.rounds):
                for name, body in bodies.items():
                    t0 = time.perf_counter()
                    client.post("/api/auth/token", json=body)
                    times[name].append((time.perf_counter() - t0) * 1000)
        engine.dispose()
    print(
        f"sign-in through the app, Argon2id t={settings.argon2_time_cost} "
        f"m={settings.argon2_memory_kib} KiB p={settings.argon2_parallelism}, "
        f"{args.rounds} rounds, SQLite"
    )
    print(f"{'path':<16}{'median ms':>12}{'p90 ms':>10}")
    for name, xs in times.items():
        p90 = statistics.quantiles(xs, n=10)[-1]
        label = name if name != "right" else "right (baseline)"
        print(f"{label:<16}{statistics.median(xs):>12.1f}{p90:>10.1f}")
    ratio = statistics.median(times["unknown user"]) / statistics.median(times["wrong password"])
    split = best_split(times["unknown user"], times["wrong password"])
    print(f"unknown / wrong median ratio: {ratio:.2f} (1.00 = no oracle; before the fix ~1.8)")
    print(f"best single-threshold classification of the two failure paths: {split:.0%}")


if __name__ == "__main__":
    main()
