"""Audited reads and writes of contacts and callbacks, shared by the JSON API and the pages.

Audit entries name which fields changed and the member concerned, never notes, subjects or
phone numbers. Never commits: the route does, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.config import Settings
from memberdesk.contacts import callbacks, service
from memberdesk.contacts.enums import VerificationFact
from memberdesk.contacts.models import Callback, CallbackAttempt, Contact, LetterTask
from memberdesk.contacts.schemas import AttemptIn, ContactIn, ContactPatch, VoicemailIn
from memberdesk.members.models import Member
from memberdesk.surveys.service import after_contact

PHI_FIELDS = frozenset({"notes", "subject", "phone", "note"})


def _members(*ids: int | None) -> list[int]:
    return sorted({i for i in ids if i is not None})


def _safe(fields: dict[str, object]) -> dict[str, object]:
    """Changed fields for the audit log: PHI free text is named, never copied."""
    return {k: ("(text)" if k in PHI_FIELDS else v) for k, v in fields.items()}


def log_contact(session: Session, ctx: AuditContext, body: ContactIn, *, agent_id: int) -> Contact:
    """Log a contact as the signed-in agent (422 naming member_id for an unknown member)."""
    member = service.member_for_body(session, body.member_id, "body.member_id")
    contact = service.log_contact(session, body, agent_id=agent_id, member=member)
    audit.record(
        session,
        ctx,
        AuditAction.CONTACT_LOGGED,
        object_type="contact",
        object_id=contact.id,
        member_ids=_members(contact.member_id),
        changes={"new": _safe(body.model_dump(mode="json", exclude_none=True))},
    )
    after_contact(session, contact)  # a contact logged already ended may earn a survey
    return contact


def read_contact(session: Session, ctx: AuditContext, contact_id: int, path: str) -> Contact:
    """A contact, its read audited."""
    contact = service.get_contact(session, contact_id)
    audit.record(
        session,
        ctx,
        AuditAction.CONTACT_READ,
        object_type="contact",
        object_id=contact.id,
        member_ids=_members(contact.member_id),
        detail={"path": path[:120]},
    )
    return contact


def wrap_up(session: Session, ctx: AuditContext, contact_id: int, patch: ContactPatch) -> Contact:
    """Apply a wrap-up to a contact (notes appended), audited with the fields changed."""
    contact = service.get_contact(session, contact_id)
    old = service.wrap_up(session, contact, patch)
    audit.record(
        session,
        ctx,
        AuditAction.CONTACT_UPDATED,
        object_type="contact",
        object_id=contact.id,
        member_ids=_members(contact.member_id),
        changes={
            "old": _safe({k: v for k, v in old.items()}),
            "new": _safe(patch.model_dump(mode="json", exclude_unset=True, exclude_none=True)),
        },
    )
    after_contact(session, contact)  # ending the contact may earn a survey
    return contact


def verify(
    session: Session,
    ctx: AuditContext,
    contact_id: int,
    facts: Sequence[VerificationFact],
    *,
    user_id: int,
    at: datetime,
    settings: Settings,
) -> Contact:
    """Record identity verification on a contact (which facts, never their values)."""
    contact = service.get_contact(session, contact_id)
    service.verify_identity(
        contact, facts, user_id=user_id, at=at, min_facts=settings.verification_min_facts
    )
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.IDENTITY_VERIFIED,
        object_type="contact",
        object_id=contact.id,
        member_ids=_members(contact.member_id),
        detail={"facts": list(contact.verified_facts or [])},
    )
    return contact


def member_contacts(
    session: Session, ctx: AuditContext, member: Member, *, limit: int, offset: int, path: str
) -> tuple[list[Contact], int]:
    """A member's contact history page, newest first, its read audited."""
    rows, total = service.member_contacts(session, member.id, limit=limit, offset=offset)
    audit.record(
        session,
        ctx,
        AuditAction.CONTACT_LISTED,
        object_type="member",
        object_id=member.id,
        member_ids=[member.id],
        detail={"path": path[:120], "shown": len(rows)},
    )
    return rows, total


def record_voicemail(
    session: Session, ctx: AuditContext, body: VoicemailIn, *, user_id: int
) -> Callback:
    """A voicemail becomes a callback task (the phone number is never copied to the log)."""
    member = service.member_for_body(session, body.member_id, "body.member_id")
    cb = callbacks.record_voicemail(
        session,
        member=member,
        phone=body.phone,
        received_at=body.received_at,
        created_by_id=user_id,
    )
    audit.record(
        session,
        ctx,
        AuditAction.VOICEMAIL_RECORDED,
        object_type="callback",
        object_id=cb.id,
        member_ids=_members(cb.member_id),
        changes={"new": {"phone": "(text)", "received_at": cb.received_at.isoformat()}},
    )
    return cb


def read_callback(session: Session, ctx: AuditContext, callback_id: int, path: str) -> Callback:
    """A callback with its phone number, the disclosure audited."""
    cb = callbacks.get_callback(session, callback_id)
    audit.record(
        session,
        ctx,
        AuditAction.CALLBACK_READ,
        object_type="callback",
        object_id=cb.id,
        member_ids=_members(cb.member_id),
        detail={"path": path[:120]},
    )
    return cb


def record_claim(session: Session, ctx: AuditContext, cb: Callback) -> None:
    """Audit that a callback was handed to the caller (work/next calls this after claim_next)."""
    audit.record(
        session,
        ctx,
        AuditAction.CALLBACK_CLAIMED,
        object_type="callback",
        object_id=cb.id,
        member_ids=_members(cb.member_id),
    )


def record_attempt(
    session: Session,
    ctx: AuditContext,
    callback_id: int,
    body: AttemptIn,
    *,
    user_id: int,
    at: datetime,
    settings: Settings,
) -> tuple[Callback, CallbackAttempt, Contact | None, LetterTask | None]:
    """Log a callback attempt, audited with its outcome and whatever it created."""
    cb = callbacks.get_callback(session, callback_id)
    attempt, contact, letter = callbacks.record_attempt(
        session,
        cb,
        body,
        user_id=user_id,
        at=at,
        max_attempts=settings.callback_max_attempts,
        min_business_days=settings.callback_min_business_days,
    )
    audit.record(
        session,
        ctx,
        AuditAction.CALLBACK_ATTEMPTED,
        object_type="callback",
        object_id=cb.id,
        member_ids=_members(cb.member_id),
        detail={
            "outcome": body.outcome.value,
            "state": cb.state.value,
            "contact_id": contact.id if contact else None,
            "letter_task_id": letter.id if letter else None,
        },
    )
    return cb, attempt, contact, letter
