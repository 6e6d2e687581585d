"""Tables of the kpi domain: call records (imported, or fed live as events), their half-hour
rollups, and agents' time by state.

The rollups are what reports read: one row per pack, queue, agent and half hour, holding the
counters of ``formulas.CallTally``, added to as calls arrive, so a month's figures by queue or
agent are a sum over a few thousand rows instead of a scan of every call.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.db import Base, UTCDateTime


class CallImport(Base):
    """One imported file: who, when, which pack's thresholds counted it, and how many rows."""

    __tablename__ = "call_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    pack: Mapped[str] = mapped_column(String(32))
    threshold_seconds: Mapped[float] = mapped_column(Float)
    short_abandon_seconds: Mapped[float] = mapped_column(Float)
    calls: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    imported_by: Mapped[str] = mapped_column(String(64))


class CallRow(Base):
    """One call offered to a queue, as the telephony platform reported it."""

    __tablename__ = "call_records"
    __table_args__ = (Index("ix_call_records_pack_offered_at", "pack", "offered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("call_imports.id"), index=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    pack: Mapped[str] = mapped_column(String(32))
    queue: Mapped[str] = mapped_column(String(64))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    talk_seconds: Mapped[float] = mapped_column(Float)
    hold_seconds: Mapped[float] = mapped_column(Float)
    wrap_seconds: Mapped[float] = mapped_column(Float)
    agent_ref: Mapped[str | None] = mapped_column(String(64))
    # The caller's member ID as the platform sent it: PHI, so encrypted.
    member_ref: Mapped[str | None] = mapped_column(EncryptedString("call_records.member_ref"))


class CallStats(Base):
    """The counters of every call offered to ``queue`` in one half hour, by the agent who took
    it (``NO_AGENT`` for calls nobody answered)."""

    __tablename__ = "call_interval_stats"
    __table_args__ = (
        UniqueConstraint("pack", "queue", "agent_ref", "interval_start", name="uq_call_interval"),
        Index("ix_call_interval_stats_pack_interval_start", "pack", "interval_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pack: Mapped[str] = mapped_column(String(32))
    queue: Mapped[str] = mapped_column(String(64))
    agent_ref: Mapped[str] = mapped_column(String(64))
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    offered: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    short_abandoned: Mapped[int] = mapped_column(Integer)
    answered_within: Mapped[int] = mapped_column(Integer)
    wait_seconds: Mapped[float] = mapped_column(Float)
    handle_seconds: Mapped[float] = mapped_column(Float)
    transferred: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    warm_transferred: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class FeedEvent(Base):
    """One event from the live telephony feed, kept once per idempotency key: a call's or an
    agent's state is always folded again from all of its events (``live``)."""

    __tablename__ = "kpi_events"
    __table_args__ = (Index("ix_kpi_events_agent_ref_at", "agent_ref", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    pack: Mapped[str] = mapped_column(String(32))
    call_id: Mapped[str | None] = mapped_column(String(64), index=True)
    queue: Mapped[str | None] = mapped_column(String(64))
    agent_ref: Mapped[str | None] = mapped_column(String(64))
    member_ref: Mapped[str | None] = mapped_column(EncryptedString("kpi_events.member_ref"))
    warm: Mapped[bool] = mapped_column(Boolean, default=False)
    wrap_seconds: Mapped[float | None] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class LiveCallRow(Base):
    """A call fed live, as its events so far describe it, and what it adds to the rollups:
    the rollups hold exactly the ``contribution`` of each row, so a late event corrects them by
    the difference."""

    __tablename__ = "live_calls"
    __table_args__ = (Index("ix_live_calls_pack_state", "pack", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    pack: Mapped[str] = mapped_column(String(32))
    threshold_seconds: Mapped[float] = mapped_column(Float)
    short_abandon_seconds: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str | None] = mapped_column(String(64))
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agent_ref: Mapped[str | None] = mapped_column(String(64))
    member_ref: Mapped[str | None] = mapped_column(EncryptedString("live_calls.member_ref"))
    talk_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    hold_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    wrap_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    warm_transfers: Mapped[int] = mapped_column(Integer, default=0)


class AgentStatus(Base):
    """An agent's latest state (from the latest of its events by time, not by arrival)."""

    __tablename__ = "agent_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_ref: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    event_key: Mapped[str] = mapped_column(String(128))


class AgentSeconds(Base):
    """Seconds an agent spent in one state in one half hour (occupancy's denominator)."""

    __tablename__ = "agent_state_seconds"
    __table_args__ = (
        UniqueConstraint("agent_ref", "interval_start", "state", name="uq_agent_state_seconds"),
        Index("ix_agent_state_seconds_interval_start", "interval_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_ref: Mapped[str] = mapped_column(String(64))
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))
    seconds: Mapped[float] = mapped_column(Float)
