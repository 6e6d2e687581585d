"""API shapes of identity and compliance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from memberdesk.compliance.enums import GrantKind, GrantStatus, Role, TokenScope
from memberdesk.compliance.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    USERNAME_MAX,
    USERNAME_MIN,
    USERNAME_PATTERN,
    USERNAME_RULE,
)
from memberdesk.schemas import Day, DbId

# The username rule, once (compliance/passwords.py), for every body that names a new account.
Username = Annotated[
    str,
    Field(
        min_length=USERNAME_MIN,
        max_length=USERNAME_MAX,
        pattern=USERNAME_PATTERN,
        description=f"Account name: {USERNAME_RULE}",
    ),
]
NewPassword = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_LENGTH,
        description=(
            f"At least {MIN_LENGTH} characters, any characters, not a common or breached "
            "password, without the username (NIST SP 800-63B-4)"
        ),
    ),
]
# What someone types at sign-in: anything up to the body limit; a name that breaks the username
# rule is simply a failed sign-in (never a 422 that would tell names apart).
SignInName = Annotated[str, Field(min_length=1, max_length=1024, description="Account name")]


class TokenRequest(BaseModel):
    username: SignInName
    password: str = Field(min_length=1, max_length=MAX_LENGTH, description="Password")
    name: str = Field(default="api", max_length=80, description="Label for the token")
    expires_days: int | None = Field(
        default=None,
        ge=1,
        le=366,
        description="Days until the token stops working (default and most: the server's "
        "MEMBERDESK_TOKEN_MAX_DAYS, 90)",
    )
    scope: TokenScope | None = Field(
        default=None,
        description="Limit the token to the FHIR API's reads (for an app you connect): "
        "patient/*.read for a member's own data, user/*.read for staff; none: everything "
        "your role may do",
    )


class TokenOut(BaseModel):
    token: str = Field(description="Bearer secret; shown once, stored only as a hash")
    prefix: str = Field(description="First characters, to recognise the token in listings")
    expires_at: datetime = Field(description="When it stops working")
    scope: str | None = Field(default=None, description="The token's scope (none: unlimited)")


class TokenInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Token id (to revoke it)")
    prefix: str = Field(description="First characters of the secret")
    name: str = Field(description="Label given at issue")
    created_at: datetime = Field(description="Issued")
    last_used_at: datetime | None = Field(description="Last use (recorded every few minutes)")
    expires_at: datetime | None = Field(description="Stops working at")
    revoked_at: datetime | None = Field(description="Revoked at")
    scope: str | None = Field(default=None, description="The token's scope (none: unlimited)")
    active: bool = Field(default=False, description="Usable now")


class PasswordChange(BaseModel):
    username: SignInName
    current_password: str = Field(min_length=1, max_length=MAX_LENGTH, description="Current")
    new_password: NewPassword


class PasswordResetOut(BaseModel):
    username: str = Field(description="Account name")
    temporary_password: str = Field(
        description="Shown once; the user must choose a new password at the next sign-in"
    )


class Enrolment(BaseModel):
    member_number: str = Field(
        min_length=1, max_length=32, description="Member ID from the ID card, e.g. 123456789-00"
    )
    last_name: str = Field(min_length=1, max_length=80, description="Last name on the card")
    date_of_birth: Day = Field(description="Date of birth (YYYY-MM-DD)")
    username: Username
    password: NewPassword


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
    username: Username
    display_name: str = Field(min_length=1, max_length=120, description="Name shown to others")
    role: Role = Field(description="Role (not member: members enrol themselves)")
    password: NewPassword
    team: str | None = Field(
        default=None, min_length=1, max_length=80, description="An existing team (staff)"
    )


class UserPatch(BaseModel):
    role: Role | None = Field(
        default=None, description="New role (a role that reads PHI waits for a second person)"
    )
    disabled: bool | None = Field(
        default=None, description="true disables the account, false enables it"
    )


class RoleGrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Grant id")
    user_id: int = Field(description="Account it is for")
    kind: GrantKind = Field(description="create (new account) or change (existing account)")
    role: Role = Field(description="Role asked for")
    old_role: Role | None = Field(description="Role before, for a change")
    status: GrantStatus = Field(description="pending, approved or rejected")
    requested_by: str = Field(description="Who asked")
    requested_at: datetime = Field(description="When")
    decided_by: str | None = Field(description="Who approved or rejected it")
    decided_at: datetime | None = Field(description="When")


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=80, description="Team name")


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Team id")
    name: str = Field(description="Team name")


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
    must_change_password: bool = Field(description="Must choose a new password to sign in")
    pending_grant: RoleGrantOut | None = Field(
        default=None, description="The role grant this change created, waiting for approval"
    )


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


class AuditPage(BaseModel):
    items: list[AuditEntryOut] = Field(description="Entries, newest first")
    limit: int = Field(description="Page size requested")
    next_before_id: int | None = Field(
        description="Pass as before_id for the next (older) page; null on the last page"
    )


class LegalHoldIn(BaseModel):
    matter: str = Field(min_length=1, max_length=120, description="Litigation or investigation")
    member_id: DbId | None = Field(default=None, description="Hold one member's records")
    record_type: str | None = Field(
        default=None, max_length=32, description="Or hold a whole record type"
    )
    reason: str | None = Field(default=None, max_length=2000, description="Why (encrypted)")


class LegalHoldRelease(BaseModel):
    reason: str | None = Field(
        default=None, max_length=2000, description="Why the hold is lifted (encrypted)"
    )


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
