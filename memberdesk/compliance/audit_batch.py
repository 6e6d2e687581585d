"""Group commit of reading routes' audit entries on SQLite.

Every member 360 and search writes one audit entry, and SQLite has one write lock: with an entry
sealed in each request's own write transaction, the requests queue on that lock one by one, and
each holder keeps it for as long as the thread scheduler (the GIL) lets it finish, so under load
the lock, not the CPU, caps throughput. Here a reading route hands its entries to one writer
thread instead, and waits until they are committed before it answers (no read is shown without
its entry durable): the writer seals everything that waits into the chain in one transaction, so
a burst of reads costs one lock, one head update and one commit.

Only reading sessions use it (``Sessions`` puts the batcher in their info on SQLite), and only
before they write anything else, so an entry never leaves the transaction of a change it
records. An entry of a read that fails afterwards stays in the log: the attempt was made.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

BATCHER = "memberdesk_audit_batcher"
MAX_BATCH = 500  # entries per transaction: bounds one commit's time under a flood


class AuditBatcher:
    """One writer thread per app that seals waiting entries into the chain in batches."""

    def __init__(self, write: sessionmaker[Session], wait_s: float) -> None:
        self._write = write
        self._wait_s = wait_s
        self._cv = threading.Condition()
        self._waiting: list[tuple[list[dict[str, Any]], Future[list[int]]]] = []
        self._thread: threading.Thread | None = None
        self._closed = False

    def append(self, pending: list[dict[str, Any]]) -> list[int]:
        """Seal ``pending`` (audit rows as ``audit._pending_row`` makes them) and return their
        entry ids once committed."""
        done: Future[list[int]] = Future()
        with self._cv:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="memberdesk-audit-writer", daemon=True
                )
                self._thread.start()
            self._waiting.append((pending, done))
            self._cv.notify()
        try:
            return done.result(timeout=self._wait_s)
        except TimeoutError:
            raise sa_exc.TimeoutError("waited too long for the audit log") from None

    def close(self) -> None:
        """Seal what waits, then stop the thread (the app is shutting down; served again, it
        starts a new one)."""
        with self._cv:
            self._closed = True
            self._cv.notify()
            thread = self._thread
        if thread is not None:
            thread.join(self._wait_s)
        with self._cv:
            self._closed, self._thread = False, None

    def _take(self) -> list[tuple[list[dict[str, Any]], Future[list[int]]]]:
        with self._cv:
            while not self._waiting and not self._closed:
                self._cv.wait()
            batch: list[tuple[list[dict[str, Any]], Future[list[int]]]] = []
            size = 0
            while self._waiting and (not batch or size + len(self._waiting[0][0]) <= MAX_BATCH):
                item = self._waiting.pop(0)
                batch.append(item)
                size += len(item[0])
            return batch

    def _run(self) -> None:
        from memberdesk.compliance.audit import seal_rows  # audit imports this module

        while True:
            batch = self._take()
            if not batch:
                return  # closed, nothing left
            try:
                with self._write() as session:
                    ids = seal_rows(session, [row for rows, _ in batch for row in rows])
                    session.commit()
            except Exception as exc:  # every waiting request learns why, none hangs
                for _, done in batch:
                    done.set_exception(exc)
                continue
            start = 0
            for rows, done in batch:
                done.set_result(ids[start : start + len(rows)])
                start += len(rows)
