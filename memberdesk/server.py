"""Running the app under uvicorn: one configuration for `serve`, `demo` and the tests' live
servers, so what is tested is what runs."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from memberdesk.app import create_app
from memberdesk.config import Settings

logger = logging.getLogger(__name__)


def uvicorn_config(
    settings: Settings, host: str, port: int, app: Any = None, **extra: Any
) -> uvicorn.Config:
    """The server's configuration: our logging, no access log of its own, proxies trusted only
    when named in MEMBERDESK_TRUSTED_PROXIES."""
    trusted = settings.trusted_proxies
    return uvicorn.Config(
        app if app is not None else create_app(settings),
        host=host,
        port=port,
        # Our loggers (redaction filter, JSON option); our middleware writes the access line
        # with the route's template and the request ID instead of uvicorn's raw path.
        log_config=None,
        access_log=False,
        # X-Forwarded-For from anyone but a named proxy is a forged client address: it would
        # dodge the sign-in limits and put a false address in the audit log.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        timeout_graceful_shutdown=10,
        **extra,
    )


def default_workers(settings: Settings, cores: int | None = None) -> int:
    """Server processes when none are asked for: one per core on PostgreSQL, since Python runs
    one thread at a time per process (a 2-core machine served about 30% more member 360s with
    two); one on SQLite, whose single write lock two processes could only share by polling."""
    if settings.is_sqlite:
        return 1
    return max(1, cores if cores is not None else os.cpu_count() or 1)


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve until interrupted, in ``workers`` processes.

    Python runs one thread at a time per process, so a busy centre wants a process per core.
    Each process builds the app from the environment (the same settings), runs its own worker
    jobs (safe side by side) and, on SQLite, queues its own writers; SQLite then arbitrates
    between the few processes.
    """
    if workers <= 1:
        uvicorn.Server(uvicorn_config(settings, host, port)).run()
        return
    _supervise(host, port, workers)


def listening_socket(host: str, port: int, shared: bool = False) -> socket.socket:
    """A TCP socket bound to ``host:port``; ``shared``: one of several processes' sockets on
    the same port (SO_REUSEPORT), among which the kernel spreads new connections evenly."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _serve_one(host: str, port: int) -> None:
    """One of ``serve``'s processes: its own socket on the shared port, the app from the
    environment."""
    from memberdesk.config import get_settings

    sock = listening_socket(host, port, shared=True)
    uvicorn.Server(uvicorn_config(get_settings(), host, port)).run(sockets=[sock])


def _supervise(host: str, port: int, workers: int) -> None:
    """Run ``workers`` server processes, each listening on its own socket, until SIGINT or
    SIGTERM; a process that dies is started again.

    uvicorn's own supervisor hands every process one shared socket, and the process that woke
    first accepted a whole burst of connections: 100 clients connecting at once split about
    60/40 and at worst far worse, and the busier process's clients waited longer."""
    # Fail now, clearly, if the port is taken (a bound socket that never listens gets no
    # connections, so the check steals none from the processes).
    listening_socket(host, port, shared=True).close()
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> multiprocessing.process.BaseProcess:
        child = spawn.Process(target=_serve_one, args=(host, port), name="memberdesk-server")
        child.start()
        return child

    def stop(_sig: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    children = [start() for _ in range(workers)]
    failed = False
    while not failed and not stopping.wait(1.0):
        for i, child in enumerate(children):
            if child.is_alive():
                continue
            # One that could not start (the app failed its start-up) would fail again.
            failed = child.exitcode == STARTUP_FAILURE
            logger.warning("server process %s ended (code %s)", child.pid, child.exitcode)
            if not failed:
                children[i] = start()
    for child in children:
        child.terminate()  # SIGTERM: each finishes its requests (graceful shutdown)
    for child in children:
        child.join()
    if failed:
        raise SystemExit(STARTUP_FAILURE)


def serve_on(settings: Settings, sock: socket.socket) -> uvicorn.Server:
    """A server for an already bound socket (tests bind first so no one takes the port)."""
    host, port = sock.getsockname()[:2]
    return uvicorn.Server(uvicorn_config(settings, host, port))
