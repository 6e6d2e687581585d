"""JSON routes of the contacts domain: contacts, identity verification, one-contact resolution,
voicemail callbacks, letter tasks and portal secure messages. Every read and change is audited.

Contact-scoped reads (``GET /api/contacts/{id}``) do not require the caller to have been
verified: the contact record holds what the agent recorded, not the member's details, and QA
and supervisors read contacts long after the call. Disclosure of member details during a call is
guarded where it happens, on the agent desktop, with ``service.require_verified``.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.config import Settings
from memberdesk.contacts import access, callbacks, service
from memberdesk.contacts.enums import CallbackState, LetterState
from memberdesk.contacts.schemas import (
    AttemptIn,
    CallbackDetail,
    CallbackOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactSummary,
    FcrOut,
    LetterTaskOut,
    MessageIn,
    MessageOut,
    VerificationIn,
    VoicemailIn,
    When,
)
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.members import service as members_service
from memberdesk.members.api import own_member, own_member_id
from memberdesk.members.packs import pack_for
from memberdesk.schemas import LimitQ, OffsetQ, Page, id_path

router = APIRouter(prefix="/api", route_class=DbRoute)
ContactId = Annotated[int, id_path("contact")]
CallbackId = Annotated[int, id_path("callback")]
LetterId = Annotated[int, id_path("letter task")]
MemberId = Annotated[int, id_path("member")]
Reader = Annotated[Principal, requires(Permission.CONTACT_READ)]
Writer = Annotated[Principal, requires(Permission.CONTACT_WRITE)]
SelfReader = Annotated[Principal, requires(Permission.SELF_READ)]
SelfWriter = Annotated[Principal, requires(Permission.SELF_WRITE)]
CONTACTS: list[str | Enum] = ["contacts"]
CALLBACKS: list[str | Enum] = ["callbacks"]
PORTAL: list[str | Enum] = ["member portal"]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _out(session: Any, request: Request, contact: Any) -> ContactOut:
    return service.contact_out(
        session, contact, window_days=_settings(request).fcr_window_days, now=now()
    )


@router.post(
    "/contacts", response_model=ContactOut, status_code=201, summary="Log a contact", tags=CONTACTS
)
def log_contact(
    body: ContactIn, session: SessionDep, request: Request, principal: Writer
) -> ContactOut:
    """Record a contact on any channel as the signed-in agent. 422 naming the field for an
    unknown member, an end before the start, negative seconds or an unknown reason code."""
    contact = access.log_contact(
        session, audit_ctx(request, principal), body, agent_id=principal.user_id
    )
    out = _out(session, request, contact)
    session.commit()
    return out


@router.get("/contacts/fcr", response_model=FcrOut, summary="One-contact resolution", tags=CONTACTS)
def fcr_report(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    start: Annotated[When, Query(description="Period start, ISO 8601 with offset")],
    end: Annotated[When, Query(description="Period end (exclusive), with offset")],
) -> FcrOut:
    """Counts and rate of contacts resolved on first contact among those started in the period
    (a repeat by the same member on the same reason within the window undoes a resolution)."""
    window = _settings(request).fcr_window_days
    tally = service.fcr_period(session, start, end, window_days=window, now=now())
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.FCR_REPORT,
        object_type="report",
        object_id="fcr",
        detail={"start": start.isoformat(), "end": end.isoformat(), "contacts": tally.contacts},
    )
    session.commit()
    return FcrOut(
        start=start,
        end=end,
        window_days=window,
        contacts=tally.contacts,
        marked_resolved=tally.marked_resolved,
        resolved=tally.resolved,
        not_resolved=tally.not_resolved,
        pending=tally.pending,
        rate=tally.rate,
    )


@router.get(
    "/contacts/{contact_id}", response_model=ContactOut, summary="One contact", tags=CONTACTS
)
def get_contact(
    contact_id: ContactId, session: ReadingSessionDep, request: Request, principal: Reader
) -> ContactOut:
    """The contact, its identity verification and its one-contact resolution (audited)."""
    contact = access.read_contact(
        session, audit_ctx(request, principal), contact_id, request.url.path
    )
    out = _out(session, request, contact)
    session.commit()
    return out


@router.patch(
    "/contacts/{contact_id}", response_model=ContactOut, summary="Wrap up a contact", tags=CONTACTS
)
def wrap_up(
    contact_id: ContactId,
    body: ContactPatch,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> ContactOut:
    """Set the end, handle seconds, disposition or resolution; notes are appended to the
    earlier ones, never replace them."""
    contact = access.wrap_up(session, audit_ctx(request, principal), contact_id, body)
    out = _out(session, request, contact)
    session.commit()
    return out


@router.post(
    "/contacts/{contact_id}/verification",
    response_model=ContactOut,
    summary="Record identity verification",
    tags=CONTACTS,
)
def verify(
    contact_id: ContactId,
    body: VerificationIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> ContactOut:
    """Record which identity facts the caller confirmed (at least two different ones by
    default). 409 on a contact with no member yet."""
    contact = access.verify(
        session,
        audit_ctx(request, principal),
        contact_id,
        body.facts,
        user_id=principal.user_id,
        at=now(),
        settings=_settings(request),
    )
    out = _out(session, request, contact)
    session.commit()
    return out


@router.get(
    "/members/{member_id}/contacts",
    response_model=Page[ContactSummary],
    summary="A member's contact history",
    tags=CONTACTS,
)
def member_contacts(
    member_id: MemberId,
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[ContactSummary]:
    """The member's contacts, newest first (audited)."""
    member = members_service.get_member(session, member_id)
    rows, total = access.member_contacts(
        session,
        audit_ctx(request, principal),
        member,
        limit=limit,
        offset=offset,
        path=request.url.path,
    )
    users = service.usernames(session, [c.agent_id for c in rows])
    items = [service.summary(c, users) for c in rows]
    session.commit()
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/voicemails",
    response_model=CallbackOut,
    status_code=201,
    summary="Record a voicemail",
    tags=CALLBACKS,
)
def record_voicemail(
    body: VoicemailIn, session: SessionDep, request: Request, principal: Writer
) -> Any:
    """The voicemail becomes a callback task due by the member's pack's voicemail_return
    target: close of the same business day, or of the next one when left after close."""
    cb = access.record_voicemail(
        session, audit_ctx(request, principal), body, user_id=principal.user_id
    )
    out = callbacks.callback_out(cb)
    session.commit()
    return out


@router.get(
    "/callbacks", response_model=Page[CallbackOut], summary="Voicemail callbacks", tags=CALLBACKS
)
def list_callbacks(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    state: Annotated[CallbackState | None, Query(description="Only this state")] = None,
    mine: Annotated[bool, Query(description="Only callbacks assigned to me")] = False,
    due_today: Annotated[
        bool, Query(description="Only those due by the end of today (pack calendar)")
    ] = False,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[CallbackOut]:
    """Callbacks by deadline, earliest first: ids, deadlines, state and attempts (no phone
    numbers; open one to see its number)."""
    rows, total = callbacks.list_callbacks(
        session,
        state=state,
        assigned_to=principal.user_id if mine else None,
        due_before=callbacks.end_of_local_day(now(), pack_for(None)) if due_today else None,
        limit=limit,
        offset=offset,
    )
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.CALLBACK_LISTED,
        object_type="callback_list",
        member_ids=sorted({c.member_id for c in rows if c.member_id is not None}),
        detail={"shown": len(rows), "total": total},
    )
    items = [CallbackOut.model_validate(callbacks.callback_out(c)) for c in rows]
    session.commit()
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/callbacks/{callback_id}",
    response_model=CallbackDetail,
    summary="One callback, with the number to call",
    tags=CALLBACKS,
)
def get_callback(
    callback_id: CallbackId, session: ReadingSessionDep, request: Request, principal: Reader
) -> CallbackDetail:
    """The callback, its phone number and its attempts (the disclosure is audited)."""
    cb = access.read_callback(session, audit_ctx(request, principal), callback_id, request.url.path)
    out = callbacks.callback_detail(cb)
    session.commit()
    return out


class AttemptResult(BaseModel):
    callback: CallbackOut = Field(description="The callback after the attempt")
    attempt_id: int = Field(description="The attempt recorded")
    contact_id: int | None = Field(
        description="Outbound phone contact, when the member was reached"
    )
    letter_task_id: int | None = Field(description="Letter task, when phone attempts ran out")


@router.post(
    "/callbacks/{callback_id}/attempts",
    response_model=AttemptResult,
    status_code=201,
    summary="Log a callback attempt",
    tags=CALLBACKS,
)
def record_attempt(
    callback_id: CallbackId,
    body: AttemptIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> AttemptResult:
    """reached completes the callback and records the outbound call; after 3 failed attempts
    over at least 2 business days (configurable) a letter task is created. 409 once closed."""
    cb, attempt, contact, letter = access.record_attempt(
        session,
        audit_ctx(request, principal),
        callback_id,
        body,
        user_id=principal.user_id,
        at=now(),
        settings=_settings(request),
    )
    result = AttemptResult(
        callback=CallbackOut.model_validate(callbacks.callback_out(cb)),
        attempt_id=attempt.id,
        contact_id=contact.id if contact else None,
        letter_task_id=letter.id if letter else None,
    )
    session.commit()
    return result


@router.get("/letters", response_model=Page[LetterTaskOut], summary="Letter tasks", tags=CALLBACKS)
def list_letters(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    state: Annotated[LetterState | None, Query(description="Only this state")] = None,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[LetterTaskOut]:
    """Letters to send after failed callbacks, oldest first."""
    rows, total = callbacks.list_letters(session, state=state, limit=limit, offset=offset)
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.LETTER_LISTED,
        object_type="letter_list",
        member_ids=sorted({r.member_id for r in rows if r.member_id is not None}),
        detail={"shown": len(rows), "total": total},
    )
    items = [callbacks.letter_out(r) for r in rows]
    session.commit()
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/letters/{letter_id}/sent",
    response_model=LetterTaskOut,
    summary="Mark a letter sent",
    tags=CALLBACKS,
)
def letter_sent(
    letter_id: LetterId, session: SessionDep, request: Request, principal: Writer
) -> LetterTaskOut:
    """Completes the letter task and records an outbound letter contact. 409 if already sent."""
    letter = callbacks.complete_letter(session, letter_id, user_id=principal.user_id, at=now())
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.LETTER_SENT,
        object_type="letter_task",
        object_id=letter.id,
        member_ids=sorted({letter.member_id} if letter.member_id else set()),
        detail={"contact_id": letter.contact_id},
    )
    out = callbacks.letter_out(letter)
    session.commit()
    return out


@router.post(
    "/me/messages",
    response_model=MessageOut,
    status_code=201,
    summary="Send member services a secure message",
    tags=PORTAL,
)
def send_message(
    body: MessageIn, session: SessionDep, request: Request, principal: SelfWriter
) -> MessageOut:
    """Becomes an inbound portal contact on your record, answered within one business day."""
    member = own_member(session, principal)
    contact = service.send_message(session, member, subject=body.subject, body=body.body, at=now())
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.PORTAL_MESSAGE_SENT,
        object_type="contact",
        object_id=contact.id,
        member_ids=[member.id],
        changes={"new": {"subject": "(text)", "body": "(text)"}},
    )
    out = service.message_out(contact)
    session.commit()
    return out


@router.get(
    "/me/messages",
    response_model=Page[MessageOut],
    summary="My secure messages",
    tags=PORTAL,
)
def my_messages(
    session: ReadingSessionDep,
    request: Request,
    principal: SelfReader,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[MessageOut]:
    """Your own messages, newest first: subject, when sent, status and the reply due date."""
    member_id = own_member_id(principal)
    rows, total = service.my_messages(session, member_id, limit=limit, offset=offset)
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.PORTAL_MESSAGES_READ,
        object_type="member",
        object_id=member_id,
        member_ids=[member_id],
        detail={"shown": len(rows)},
    )
    items = [service.message_out(c) for c in rows]
    session.commit()
    return Page(items=items, total=total, limit=limit, offset=offset)
