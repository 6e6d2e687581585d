"""Running the app under uvicorn: one configuration for `serve`, `demo` and the tests' live
servers, so what is tested is what runs."""

from __future__ import annotations

import os
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from memberdesk.app import create_app
from memberdesk.config import Settings


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
    config = uvicorn_config(
        settings, host, port, app="memberdesk.app:create_app", factory=True, workers=workers
    )
    sock = config.bind_socket()
    Multiprocess(config, sockets=[sock]).run()


def serve_on(settings: Settings, sock: socket.socket) -> uvicorn.Server:
    """A server for an already bound socket (tests bind first so no one takes the port)."""
    host, port = sock.getsockname()[:2]
    return uvicorn.Server(uvicorn_config(settings, host, port))
