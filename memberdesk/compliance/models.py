"""Tables of identity, audit and retention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.compliance.enums import GrantKind, GrantStatus, Role, VerifyRunState
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum

# 64-bit on PostgreSQL (a busy centre outgrows 32-bit audit ids in months); SQLite's INTEGER
# is 64-bit already and must stay INTEGER for its rowid primary keys.
AuditId = BigInteger().with_variant(Integer(), "sqlite")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    # Member-portal accounts are tied to exactly one member record.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    # Set when an administrator resets the password: the user chooses a new one at sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in listings; the rest is never stored
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A TokenScope value: the token reaches the FHIR API's reads only. None: all the role may.
    scope: Mapped[str | None] = mapped_column(String(32))


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(32))


class IdempotencyKey(Base):
    """The answer to a create request sent with an ``Idempotency-Key`` header: a retry with the
    same key gets the same answer instead of a second record (kept a day)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(200))
    body_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    status_code: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(80))
    body: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM: answers may hold PHI
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class RoleGrant(Base):
    """A request to give an account a role that reads PHI; takes effect only when a second
    person (not the requester, not the account holder) approves it."""

    __tablename__ = "role_grants"
    __table_args__ = (Index("ix_role_grants_status_user", "status", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[GrantKind] = mapped_column(str_enum(GrantKind))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    old_role: Mapped[Role | None] = mapped_column(str_enum(Role))
    status: Mapped[GrantStatus] = mapped_column(str_enum(GrantStatus), default=GrantStatus.PENDING)
    requested_by_id: Mapped[int | None] = mapped_column(Integer)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_by_id: Mapped[int | None] = mapped_column(Integer)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_client_at", "client_addr", "at"),
        # Failures per address *and* username (the brute-force limit that spares colleagues).
        Index("ix_login_attempts_client_username_at", "client_addr", "username", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    username: Mapped[str] = mapped_column(String(64))
    client_addr: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)


class AuditEntry(Base):
    """One link of the tamper-evident audit chain (append-only; triggers refuse changes)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_at", "actor_id", "at"),
        Index("ix_audit_log_object", "object_type", "object_id"),
        # Audit search: newest first within a filter, paged by id (keyset), stays an index walk.
        Index("ix_audit_log_action_id", "action", "id"),
        Index("ix_audit_log_actor_name_id", "actor", "id"),
        # A date window's page taken from the window itself (``reports.search_audit``): the
        # ids are in the index, so it is read without touching the table.
        Index("ix_audit_log_at_id", "at", "id"),
        Index("ix_audit_log_action_at_id", "action", "at", "id"),
    )

    # Assigned by the writer under the head lock, so the chain order is the id order.
    id: Mapped[int] = mapped_column(AuditId, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # never PHI: counts, key kinds
    # Old and new values, AES-GCM encrypted; the hash covers the ciphertext.
    changes: Mapped[bytes | None] = mapped_column(LargeBinary)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditPending(Base):
    """An audit entry written by a request, waiting for the sequencer to seal it into the chain
    (see ``compliance/audit.py``); the same fields as an entry, plus the members it touched."""

    __tablename__ = "audit_pending"

    id: Mapped[int] = mapped_column(AuditId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changes: Mapped[bytes | None] = mapped_column(LargeBinary)
    member_ids: Mapped[list[int] | None] = mapped_column(JSON)


class AuditMemberAccess(Base):
    """Which members an audit entry touched: indexes "who accessed member X"."""

    __tablename__ = "audit_member_access"
    __table_args__ = (
        Index("ix_audit_member_access_member_at", "member_id", "at"),
        Index("ix_audit_member_access_member_audit", "member_id", "audit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(AuditId, ForeignKey("audit_log.id"), index=True)
    member_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditHead(Base):
    """The chain's tip; writers lock this single row, which serialises appends everywhere."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(AuditId)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed statement "the chain had N entries ending in hash H" (detects a cut-off tail)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_entry_id: Mapped[int] = mapped_column(AuditId)
    last_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_signature: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(64))


class LegalHold(Base):
    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    record_type: Mapped[str | None] = mapped_column(String(32))  # hold a whole record type
    matter: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(EncryptedString("legal_holds.reason"))
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    released_by: Mapped[str | None] = mapped_column(String(64))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was lifted (counsel's words may name the matter's people): encrypted like reason.
    release_reason: Mapped[str | None] = mapped_column(
        EncryptedString("legal_holds.release_reason")
    )


class AuditVerifyRun(Base):
    """One verification of the audit chain started from the console. Its progress lives here,
    not in a server's memory, so every app server shows the same run, and only one runs."""

    __tablename__ = "audit_verify_runs"
    __table_args__ = (
        # 1 while queued or running, else NULL: a second start while one is active collides
        # here on every server (NULLs never collide), so the chain is walked once at a time.
        UniqueConstraint("active", name="uq_audit_verify_runs_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[VerifyRunState] = mapped_column(
        str_enum(VerifyRunState), default=VerifyRunState.QUEUED
    )
    active: Mapped[int | None] = mapped_column(Integer, default=1)
    requested_by_id: Mapped[int | None] = mapped_column(Integer)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_role: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    runner: Mapped[str | None] = mapped_column(String(64))  # host:pid of the server walking it
    total: Mapped[int] = mapped_column(AuditId, default=0)  # the chain's length when it started
    checked: Mapped[int] = mapped_column(AuditId, default=0)
    checkpoints: Mapped[int] = mapped_column(Integer, default=0)
    first_bad: Mapped[int | None] = mapped_column(AuditId)
    problem: Mapped[str | None] = mapped_column(String(2000))
