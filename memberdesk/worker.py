"""Background jobs: the audit sequencer, the SLA sweep, Medicaid appeals deemed exhausted,
overdue policy sign-offs, survey invitations and housekeeping.

``memberdesk worker`` runs them in the foreground; ``memberdesk serve`` runs the same loop in a
thread for the embedded default. Several workers may run against one PostgreSQL: every job is
safe to run concurrently (the sequencer serialises on the audit head row; the SLA sweep fires
each event by a conditional UPDATE, see ``memberdesk.sla.sweep``; purges are plain deletes of
expired rows).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, delete, select

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.models import AuditPending, IdempotencyKey
from memberdesk.config import get_settings
from memberdesk.db import Sessions

log = logging.getLogger("memberdesk.worker")
IDEMPOTENCY_KEEP = timedelta(hours=24)
NAVIGATOR_RULES_EVERY = 900.0
# After a wake-up, wait this long so one sealing transaction takes many requests' entries.
GATHER_SECONDS = 0.02


@dataclass
class Job:
    """A periodic task: ``run`` returns True when it did work (and may have more)."""

    name: str
    every: float
    run: Callable[[Sessions], bool]
    next_at: float = 0.0


def seal_audit(sessions: Sessions) -> bool:
    """Seal committed pending audit entries into the chain, one batch per transaction."""
    with sessions.read() as read:
        if read.scalar(select(AuditPending.id).limit(1)) is None:
            return False  # the common case: nothing waits, and no lock was taken
    with sessions.write() as session:
        sealed = audit.seal_pending(session)
        session.commit()
    return sealed == audit.SEAL_BATCH


def purge_idempotency_keys(sessions: Sessions) -> bool:
    """Forget stored answers to retried requests after a day."""
    with sessions.write() as session:
        session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < now() - IDEMPOTENCY_KEEP)
        )
        session.commit()
    return False


def flag_navigators(sessions: Sessions) -> bool:
    """Run the member-navigator complex-needs rules (each member is flagged once, whatever
    other workers do; see ``memberdesk.navigators.auto``)."""
    from memberdesk.navigators.auto import flag_by_rules  # the domains' models: only when it runs

    with sessions.write() as session:
        n = flag_by_rules(session, now())
        session.commit()
    if n:
        log.info("navigator rules flagged %d member(s)", n)
    return False


class SlaSweep:
    """The SLA sweep as a job: fires due warnings, breaches and automatic escalations."""

    def __init__(self, engine: Engine, batch: int, fired: Callable[[], None]) -> None:
        # On PostgreSQL the sweep's audit entries wait for the sequencer, as requests' do, so
        # concurrent workers never queue on the chain's head while they hold due rows.
        self.sessions = Sessions(
            engine, info={audit.DEFER_SEALING: engine.dialect.name == "postgresql"}
        )
        self.batch = batch
        self.fired = fired

    def __call__(self, _: Sessions) -> bool:
        from memberdesk.sla.sweep import sweep  # the domains' models: only when it runs

        with self.sessions.write() as session:
            result = sweep(session, batch=self.batch)
        if result.total:
            log.info(
                "SLA sweep fired %d: %s",
                result.total,
                ", ".join(f"{n} {k}" for k, n in result.fired.items() if n),
            )
            self.fired()
        return False  # a sweep drains everything due before it returns


class AppealSweep:
    """Deemed exhaustion as a job: a Medicaid appeal past its deadline undecided is flagged,
    once, however many workers run (see ``memberdesk.appeals.sweep``)."""

    def __init__(self, engine: Engine, fired: Callable[[], None]) -> None:
        self.sessions = Sessions(
            engine, info={audit.DEFER_SEALING: engine.dialect.name == "postgresql"}
        )
        self.fired = fired

    def __call__(self, _: Sessions) -> bool:
        from memberdesk.appeals.sweep import sweep  # the domains' models: only when it runs

        with self.sessions.write() as session:
            flagged = sweep(session, now())
        if flagged:
            log.info("appeals deemed exhausted: %d", flagged)
            self.fired()
        return False  # a sweep drains everything due before it returns


class SignoffSweep:
    """Overdue policy sign-offs as a job: a regulatory article change still unpublished at its
    ``policy_signoff`` deadline is flagged once, however many workers run (see
    ``memberdesk.kb.signoff``)."""

    def __init__(self, engine: Engine, fired: Callable[[], None]) -> None:
        self.sessions = Sessions(
            engine, info={audit.DEFER_SEALING: engine.dialect.name == "postgresql"}
        )
        self.fired = fired

    def __call__(self, _: Sessions) -> bool:
        from memberdesk.kb.signoff import sweep  # the domains' models: only when it runs

        with self.sessions.write() as session:
            flagged = sweep(session, now())
        if flagged:
            log.info("policy sign-offs overdue: %d", flagged)
            self.fired()
        return False  # a sweep drains everything due before it returns


class SurveySend:
    """The survey sender as a job: invitations due go out through the configured sender
    (see ``memberdesk.surveys.sender``; safe with several workers)."""

    def __init__(self, engine: Engine, fired: Callable[[], None]) -> None:
        self.sessions = Sessions(
            engine, info={audit.DEFER_SEALING: engine.dialect.name == "postgresql"}
        )
        self.fired = fired

    def __call__(self, _: Sessions) -> bool:
        from memberdesk.surveys.sender import BATCH, make_sender, send_due

        settings = get_settings()
        sender = make_sender(settings, self.sessions.write)
        counts = send_due(self.sessions.write, settings, sender, at=now())
        if counts["sent"]:
            log.info("survey invitations sent: %d", counts["sent"])
            self.fired()
        return sum(counts.values()) >= BATCH  # a full batch: more may be waiting


class Worker:
    """Runs the jobs until stopped; ``kick`` wakes the audit sequencer at once."""

    def __init__(
        self, engine: Engine, seal_every: float = 0.5, sweep_every: float | None = None
    ) -> None:
        settings = get_settings()
        self.sessions = Sessions(engine)
        self.jobs = [
            Job("audit sequencer", seal_every, seal_audit),
            Job(
                "SLA sweep",
                sweep_every if sweep_every is not None else settings.sla_sweep_seconds,
                SlaSweep(engine, settings.sla_sweep_batch, self.kick),
            ),
            Job(
                "appeal deadlines",
                sweep_every if sweep_every is not None else settings.sla_sweep_seconds,
                AppealSweep(engine, self.kick),
            ),
            Job(
                "policy sign-offs",
                sweep_every if sweep_every is not None else settings.sla_sweep_seconds,
                SignoffSweep(engine, self.kick),
            ),
            Job("idempotency purge", 600.0, purge_idempotency_keys),
            # Contacts and cases accrue slowly: a quarter-hour is soon enough for a new flag.
            Job("navigator rules", NAVIGATOR_RULES_EVERY, flag_navigators),
            Job("survey invitations", settings.survey_send_seconds, SurveySend(engine, self.kick)),
        ]
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        """New pending audit entries were committed: seal them soon."""
        self.jobs[0].next_at = 0.0
        self._wake.set()

    def run_pending(self) -> None:
        """Run every job that is due (and again while it reports more work)."""
        for job in self.jobs:
            if time.monotonic() < job.next_at:
                continue
            try:
                while job.run(self.sessions) and not self._stop.is_set():
                    pass
                job.next_at = time.monotonic() + job.every
            except Exception as exc:
                # A lost database must not kill the loop: log once per failure, retry later.
                log.warning("%s failed (%s); retrying", job.name, type(exc).__name__)
                job.next_at = time.monotonic() + max(job.every, 2.0)

    def run_forever(self) -> None:
        """Loop until ``stop``."""
        while not self._stop.is_set():
            self.run_pending()
            wait = min(job.next_at for job in self.jobs) - time.monotonic()
            if self._wake.wait(max(wait, 0.0)):
                self._wake.clear()
                self._stop.wait(GATHER_SECONDS)
        self.run_pending()  # last seal on the way out

    def start(self) -> None:
        """Run in a daemon thread."""
        self._thread = threading.Thread(target=self.run_forever, name="memberdesk-worker")
        self._thread.daemon = True
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop and wait for the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
