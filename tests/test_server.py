"""`memberdesk serve`: how many processes it starts when none are asked for, and that they serve."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from pydantic import ValidationError

from memberdesk.config import Settings
from memberdesk.server import default_workers
from tests.dbutil import BACKENDS, fresh_database

MEMBERDESK = str(Path(sys.executable).with_name("memberdesk"))


def test_one_process_per_core_on_postgresql_and_one_on_sqlite() -> None:
    sqlite = Settings(database_url="sqlite:///x.db")
    pg = Settings(database_url="postgresql+psycopg://u@h/db")
    assert default_workers(sqlite, cores=8) == 1
    assert default_workers(pg, cores=2) == 2
    assert default_workers(pg, cores=None) == (os.cpu_count() or 1)


def test_a_few_route_threads_per_process_within_the_pool() -> None:
    assert Settings(database_url="sqlite:///x.db").worker_threads == 4
    assert Settings(database_url="postgresql+psycopg://u@h/db").worker_threads == 6
    assert Settings(request_threads=12).worker_threads == 12  # pool 10 + 10 leaves room
    with pytest.raises(ValidationError) as too_many:
        Settings(request_threads=19)
    (error,) = too_many.value.errors()
    assert error["loc"] == ("request_threads",)
    assert "19 threads need at least 21 pooled connections" in error["msg"]
    with pytest.raises(ValidationError) as small_pool:
        Settings(pool_size=3, pool_max_overflow=0)  # the default 4 threads do not fit
    assert small_pool.value.errors()[0]["loc"] == ("request_threads",)


def test_the_command_line_names_the_setting_that_does_not_fit(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MEMBERDESK_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "MEMBERDESK_VAR_DIR": str(tmp_path),
        "MEMBERDESK_REQUEST_THREADS": "40",
    }
    run = subprocess.run(
        [MEMBERDESK, "db", "upgrade"], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 2
    assert "MEMBERDESK_REQUEST_THREADS: 40 threads need at least 42 pooled connections" in (
        run.stderr
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("backend", BACKENDS)
def test_serve_without_workers_starts_the_default_and_answers(
    backend: str, var_dir: Path, tmp_path: Path
) -> None:
    with fresh_database(backend, var_dir, tmp_path) as settings:
        env = {
            **os.environ,
            "MEMBERDESK_DATABASE_URL": settings.database_url,
            "MEMBERDESK_VAR_DIR": str(var_dir),
            "COLUMNS": "200",
        }
        if settings.database_schema:
            env["MEMBERDESK_DATABASE_SCHEMA"] = settings.database_schema
        port = _free_port()
        proc = subprocess.Popen(
            [MEMBERDESK, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert proc.stdout is not None
            banner = proc.stdout.readline()
            expected = default_workers(settings)
            noun = "1 process" if expected == 1 else f"{expected} processes"
            assert f"serving on http://127.0.0.1:{port} in {noun}" in banner
            deadline = time.monotonic() + 30
            while True:
                try:
                    answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the server never answered"
                    time.sleep(0.2)
            assert answer.status_code == 200
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _listeners(port: int) -> list[set[int]]:
    """The listening sockets on ``port``: for each, the process ids that hold it."""
    out = subprocess.run(
        ["ss", "-Htlnp", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    return [{int(p) for p in re.findall(r"pid=(\d+)", line)} for line in out.splitlines()]


def test_several_processes_each_listen_and_one_that_dies_is_replaced(
    var_dir: Path, tmp_path: Path
) -> None:
    """With one shared socket the process that woke first took a whole burst of connections;
    each process now has its own socket on the port (the kernel spreads connections)."""
    with fresh_database("sqlite", var_dir, tmp_path) as settings:
        env = {
            **os.environ,
            "MEMBERDESK_DATABASE_URL": settings.database_url,
            "MEMBERDESK_VAR_DIR": str(var_dir),
        }
        port = _free_port()
        proc = subprocess.Popen(
            [MEMBERDESK, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def two_listeners() -> list[set[int]]:
            deadline = time.monotonic() + 60
            while True:
                found = _listeners(port)
                if len(found) == 2:
                    return found
                assert time.monotonic() < deadline, f"listeners: {found}"
                time.sleep(0.2)

        try:
            first = two_listeners()
            assert all(len(pids) == 1 for pids in first) and first[0] != first[1]
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30).status_code == 200
            (victim,) = first[0]
            os.kill(victim, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while victim in set().union(*_listeners(port)) or len(_listeners(port)) < 2:
                assert time.monotonic() < deadline, "the dead process was not replaced"
                time.sleep(0.2)
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30).status_code == 200
        finally:
            proc.terminate()
            assert proc.wait(timeout=30) == 0
        assert _listeners(port) == []


def test_serve_names_a_port_that_is_taken(var_dir: Path, tmp_path: Path) -> None:
    with fresh_database("sqlite", var_dir, tmp_path) as settings, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            "MEMBERDESK_DATABASE_URL": settings.database_url,
            "MEMBERDESK_VAR_DIR": str(var_dir),
        }
        run = subprocess.run(
            [MEMBERDESK, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in run.stderr
