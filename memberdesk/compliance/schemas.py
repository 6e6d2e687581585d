"""API shapes of identity and compliance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from memberdesk.compliance.enums import Role


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64, description="Account name")
    password: str = Field(min_length=1, max_length=1024, description="Password")
    name: str = Field(default="api", max_length=80, description="Label for the token")
    expires_days: int | None = Field(
        default=90, ge=1, le=366, description="Days until the token stops working"
    )


class TokenOut(BaseModel):
    token: str = Field(description="Bearer secret; shown once, stored only as a hash")
    prefix: str = Field(description="First characters, to recognise the token in listings")
    expires_at: datetime | None = Field(description="When it stops working")


class Profile(BaseModel):
    user_id: int = Field(description="User id")
    username: str = Field(description="Account name")
    role: Role = Field(description="Role in the permission matrix")
    team_id: int | None = Field(description="Team, for staff")
    member_id: int | None = Field(description="Member record, for portal accounts")
    permissions: list[str] = Field(description="What this role may do")
    masked_fields: dict[str, str] = Field(description="Member fields shown reduced to this role")
    via: str = Field(description="session or token")
    csrf_token: str | None = Field(description="Send as X-CSRF-Token on writes (sessions only)")


class UserIn(BaseModel):
    username: str = Field(
        min_length=3,
        max_length=64,
        pattern=r"^[a-z0-9._-]+$",
        description="Lower-case account name",
    )
    display_name: str = Field(min_length=1, max_length=120, description="Name shown to others")
    role: Role = Field(description="Role")
    password: str = Field(min_length=12, max_length=1024, description="At least 12 characters")
    team: str | None = Field(default=None, max_length=80, description="Team name (staff)")
    member_id: int | None = Field(default=None, description="Member record (portal accounts)")


class UserPatch(BaseModel):
    role: Role | None = Field(default=None, description="New role")
    disabled: bool | None = Field(default=None, description="true disables the account")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="User id")
    username: str = Field(description="Account name")
    display_name: str = Field(description="Name shown to others")
    role: Role = Field(description="Role")
    team_id: int | None = Field(description="Team")
    disabled: bool = Field(description="Account disabled")
    locked_until: datetime | None = Field(description="Locked after failed sign-ins until")
    last_login_at: datetime | None = Field(description="Last successful sign-in")


class AccessRowOut(BaseModel):
    at: str = Field(description="When (UTC)")
    audit_id: int = Field(description="Audit entry")
    actor: str = Field(description="Who")
    role: str = Field(description="Their role then")
    action: str = Field(description="What they did")
    purpose: str = Field(description="Purpose of use they declared")
    member_id: int = Field(description="Internal member id")
    member_number: str | None = Field(description="Member ID (null once de-identified)")
    member_name: str | None = Field(description="Member name (null once de-identified)")
    request_id: str | None = Field(description="Request id, to join with server logs")
    client_addr: str | None = Field(description="Client address")


class AuditEntryOut(BaseModel):
    id: int = Field(description="Position in the chain")
    at: datetime = Field(description="When")
    actor: str = Field(description="Who")
    role: str = Field(description="Their role")
    action: str = Field(description="What")
    object_type: str | None = Field(description="Kind of object")
    object_id: str | None = Field(description="Object id")
    purpose: str = Field(description="Purpose of use")
    request_id: str | None = Field(description="Request id")
    client_addr: str | None = Field(description="Client address")
    detail: dict[str, Any] | None = Field(description="Non-PHI detail (counts, hashed terms)")
    changes: dict[str, Any] | None = Field(description="Old and new values, decrypted")
    hash: str = Field(description="SHA-256 of this entry, chained to the previous one")


class VerifyOut(BaseModel):
    ok: bool = Field(description="The chain is intact")
    entries: int = Field(description="Entries checked")
    checkpoints: int = Field(description="Signed checkpoints checked")
    first_bad_entry: int | None = Field(description="First entry that fails")
    problem: str | None = Field(description="What is wrong")


class LegalHoldIn(BaseModel):
    matter: str = Field(min_length=1, max_length=120, description="Litigation or investigation")
    member_id: int | None = Field(default=None, description="Hold one member's records")
    record_type: str | None = Field(default=None, description="Or hold a whole record type")
    reason: str | None = Field(default=None, max_length=2000, description="Why (encrypted)")


class LegalHoldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Hold id")
    matter: str = Field(description="Matter")
    member_id: int | None = Field(description="Member held")
    record_type: str | None = Field(description="Record type held")
    placed_by: str = Field(description="Who placed it")
    placed_at: datetime = Field(description="When")
    released_at: datetime | None = Field(description="When released")


class RetentionOut(BaseModel):
    dry_run: bool = Field(description="Nothing was changed")
    cutoffs: dict[str, str] = Field(description="Records before these dates have expired")
    counts: dict[str, int] = Field(description="Records purged or de-identified (or that would be)")
    held: dict[str, int] = Field(description="Expired records kept because of a legal hold")
    held_types: list[str] = Field(description="Record types under a hold as a whole")
