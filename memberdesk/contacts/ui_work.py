"""The desktop's other pages: callbacks due today (attempts from the page), letters to send after
failed callbacks, a member's portal messages with replies, and the member portal's "Message
member services". Same services, rules and audit as the JSON API.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.masking import mask_payload
from memberdesk.compliance.permissions import policy
from memberdesk.contacts import access, callbacks, desk, service
from memberdesk.contacts import words as contact_words
from memberdesk.contacts.enums import AttemptOutcome, CallbackState, LetterState, Reason
from memberdesk.contacts.models import Callback, LetterTask
from memberdesk.contacts.schemas import AttemptIn, MessageIn
from memberdesk.contacts.timewords import due_words, local_time
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.language import N_
from memberdesk.language import gettext as _
from memberdesk.members import service as members_service
from memberdesk.members.api import own_member, own_member_id
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.members.words import PACIFIC
from memberdesk.schemas import id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.CONTACT_READ)]
Agent = Annotated[Principal, requires(Permission.CONTACT_WRITE)]
SelfReader = Annotated[Principal, requires(Permission.SELF_READ)]
SelfWriter = Annotated[Principal, requires(Permission.SELF_WRITE)]
CallbackId = Annotated[int, id_path("callback")]
LetterId = Annotated[int, id_path("letter task")]
MemberId = Annotated[int, id_path("member")]
ContactId = Annotated[int, id_path("contact")]
SHOWN = 100

DONE = {
    "attempt": N_("Attempt recorded."),
    "reached": N_("Call-back done: the call is in the member's contact history."),
    "letter_due": N_("That was the last phone attempt: a letter is now due (see Letters to send)."),
    "letter": N_("Letter marked sent."),
    "replied": N_("Reply sent. The message is marked answered."),
    "sent": N_("Message sent. We will reply by the date shown below."),
}


def _name(member: Member | None) -> str:
    return f"{member.first_name} {member.last_name}" if member else "Caller not identified"


def work_counts(session: Session, at: datetime) -> dict[str, int]:
    """Counts for the desktop (no member data): callbacks due today, overdue, letters to send."""
    end = callbacks.end_of_local_day(at, pack_for(None))
    open_cb = (Callback.state == CallbackState.OPEN,)
    due = session.scalar(
        select(func.count()).select_from(Callback).where(*open_cb, Callback.due_at < end)
    )
    late = session.scalar(
        select(func.count()).select_from(Callback).where(*open_cb, Callback.due_at < at)
    )
    letters = session.scalar(
        select(func.count()).select_from(LetterTask).where(LetterTask.state == LetterState.OPEN)
    )
    return {"due": due or 0, "overdue": late or 0, "letters": letters or 0}


# --- callbacks due today -----------------------------------------------------------------------


def _callback_row(cb: Callback, member: Member | None, at: datetime) -> dict[str, Any]:
    due, late = due_words(cb.due_at, at)
    return {
        "id": cb.id,
        "member_id": cb.member_id,
        "name": _name(member),
        "due": local_time(cb.due_at, desk.callback_tz(cb), at),
        "due_words": due,
        "overdue": late,
        "left": local_time(cb.received_at, desk.callback_tz(cb), at),
        "attempts": cb.attempt_count,
        "state": contact_words.CALLBACK_STATES[cb.state],
    }


def _outcomes() -> list[tuple[str, str]]:
    return [(o.value, contact_words.OUTCOMES[o]) for o in AttemptOutcome]


def _callbacks_list(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    errors: dict[int, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    at = now()
    ctx = audit_ctx(request, principal)
    rows, total = desk.due_today(session, ctx, at=at, limit=SHOWN)
    letters = desk.open_letters(session, ctx, limit=SHOWN)
    people = desk.names(session, [c.member_id for c in rows] + [x.member_id for x in letters])
    session.commit()
    return render(
        request,
        "contacts/callbacks.html",
        principal,
        status=status,
        done=DONE.get(done or ""),
        errors=errors or {},
        rows=[_callback_row(c, people.get(c.member_id or 0), at) for c in rows],
        total=total,
        letters=[
            {
                "id": x.id,
                "member_id": x.member_id,
                "name": _name(people.get(x.member_id or 0)),
                "since": local_time(x.created_at, PACIFIC, at),
            }
            for x in letters
        ],
        outcomes=_outcomes(),
    )


@router.get("/desktop/callbacks")
def callbacks_page(
    request: Request, session: ReadingSessionDep, principal: Reader, done: str | None = None
) -> HTMLResponse:
    """Callbacks due today (overdue marked), an attempt from each row, and letters to send."""
    return _callbacks_list(request, session, principal, done=done)


def _callback_page(
    request: Request,
    session: Session,
    principal: Principal,
    callback_id: int,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    at = now()
    cb = access.read_callback(session, audit_ctx(request, principal), callback_id, request.url.path)
    member = session.get(Member, cb.member_id) if cb.member_id else None
    phone = mask_payload({"phone": cb.phone}, policy(principal.role).mask)["phone"]
    users = service.usernames(session, [a.user_id for a in cb.attempts])
    session.commit()
    tz = desk.callback_tz(cb)
    return render(
        request,
        "contacts/callback.html",
        principal,
        status=status,
        done=DONE.get(done or ""),
        cb=_callback_row(cb, member, at),
        is_open=cb.state == CallbackState.OPEN,
        phone=_phone_words(phone),
        attempts=[
            {
                "at": local_time(a.at, tz, at),
                "outcome": contact_words.OUTCOMES[a.outcome],
                "by": users.get(a.user_id or 0, "—"),
            }
            for a in cb.attempts
        ],
        outcomes=_outcomes(),
        reasons=[(r.value, contact_words.REASONS[r]) for r in Reason],
        errors=errors or {},
        typed=typed or {},
    )


def _phone_words(phone: str) -> str:
    if len(phone) == 10 and phone.isdigit():
        return f"({phone[:3]}) {phone[3:6]}-{phone[6:]}"
    return phone


@router.get("/desktop/callbacks/{callback_id}")
def callback_page(
    callback_id: CallbackId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: str | None = None,
) -> HTMLResponse:
    """One callback: the number to call (its disclosure audited), attempts so far, the form."""
    return _callback_page(request, session, principal, callback_id, done=done)


@router.post("/desktop/callbacks/{callback_id}/attempts")
def record_attempt(
    callback_id: CallbackId,
    request: Request,
    session: SessionDep,
    principal: Agent,
    outcome: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    reasons: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    resolved: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Record what happened on a call-back attempt, from the list or the callback's page."""
    known = {r.value for r in Reason}
    picked = [r for r in dict.fromkeys(reasons) if r in known]
    typed = {"outcome": outcome, "note": note[:4000], "reasons": picked, "resolved": resolved}
    fields: dict[str, Any] = {"outcome": outcome, "resolved": resolved == "yes"}
    if note.strip():
        fields["note"] = note.strip()
    if picked:
        fields["reasons"] = picked
    try:
        body = AttemptIn.model_validate(fields)
        cb, _, contact, letter = access.record_attempt(
            session,
            audit_ctx(request, principal),
            callback_id,
            body,
            user_id=principal.user_id,
            at=now(),
            settings=request.app.state.settings,
        )
    except ValidationError as exc:
        errors = {
            "outcome" if "outcome" in map(str, e["loc"]) else "note": (
                "Choose what happened on the call."
                if "outcome" in map(str, e["loc"])
                else "A note can be at most 4,000 characters."
            )
            for e in exc.errors()
        }
        status = 422
    except MemberdeskError as exc:
        if exc.status_code not in (409, 422):
            raise
        closed = "This callback is already closed: no more attempts can be recorded."
        errors = {"outcome": closed if exc.status_code == 409 else _sentence(exc.message)}
        status = exc.status_code
    else:
        session.commit()
        code = "reached" if contact else "letter_due" if letter else "attempt"
        if back == "list":
            return RedirectResponse(f"/desktop/callbacks?done={code}", status_code=303)
        return RedirectResponse(f"/desktop/callbacks/{cb.id}?done={code}", status_code=303)
    if back == "list":  # said beside the row it is about, on the list the agent was using
        problem = next(iter(errors.values()))
        return _callbacks_list(
            request, session, principal, status=status, errors={callback_id: problem}
        )
    return _callback_page(
        request, session, principal, callback_id, status=status, errors=errors, typed=typed
    )


def _sentence(message: str) -> str:
    text = message.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


@router.post("/desktop/letters/{letter_id}/sent")
def letter_sent(
    letter_id: LetterId, request: Request, session: SessionDep, principal: Agent
) -> Response:
    """Mark a letter sent; it is recorded as an outbound letter in the member's history."""
    desk.letter_sent(
        session, audit_ctx(request, principal), letter_id, user_id=principal.user_id, at=now()
    )
    session.commit()
    return RedirectResponse("/desktop/callbacks?done=letter#letters", status_code=303)


# --- a member's portal messages (staff) --------------------------------------------------------


def _thread_rows(threads: list[desk.Thread], tz: tzinfo, at: datetime) -> list[dict[str, Any]]:
    rows = []
    for t in threads:
        m = t.message
        answered = m.answered_at is not None
        due = m.reply_due_at
        rows.append(
            {
                "id": m.id,
                "subject": m.subject or _("(no subject)"),
                "body": m.notes or "",
                "sent": local_time(m.started_at, tz, at),
                "answered": answered,
                "status": (
                    _("Answered %(when)s") % {"when": local_time(m.answered_at, tz, at)}
                    if m.answered_at
                    else _("Waiting for a reply")
                ),
                "due": local_time(due, tz, at) if due else None,
                "due_words": due_words(due, at) if due and not answered else None,
                "replies": [
                    {"when": local_time(r.started_at, tz, at), "text": r.notes or ""}
                    for r in t.replies
                ],
            }
        )
    return rows


def _messages_page(
    request: Request,
    session: Session,
    principal: Principal,
    member_id: int,
    *,
    status: int = 200,
    errors: dict[int, str] | None = None,
    typed: dict[int, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    at = now()
    member = members_service.get_member(session, member_id)
    threads = desk.member_threads(
        session, audit_ctx(request, principal), member, awaiting=False, path=request.url.path
    )
    session.commit()
    rows = _thread_rows(threads, service.pack_tz(member), at)
    rows.sort(key=lambda r: r["answered"])  # awaiting first, each group newest first
    return render(
        request,
        "contacts/messages.html",
        principal,
        status=status,
        member=member,
        rows=rows,
        waiting=sum(1 for r in rows if not r["answered"]),
        errors=errors or {},
        typed=typed or {},
        done=DONE.get(done or ""),
    )


@router.get("/members/{member_id}/messages")
def member_messages(
    member_id: MemberId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: str | None = None,
) -> HTMLResponse:
    """A member's secure messages, those awaiting a reply first, with a reply form each."""
    return _messages_page(request, session, principal, member_id, done=done)


@router.post("/members/{member_id}/messages/{contact_id}/reply")
def reply(
    member_id: MemberId,
    contact_id: ContactId,
    request: Request,
    session: SessionDep,
    principal: Agent,
    text: Annotated[str, Form()] = "",
) -> Response:
    """Answer a portal message (an outbound portal contact that marks it answered)."""
    member = members_service.get_member(session, member_id)
    body = text.strip()
    problem = None
    if not body:
        problem = "Write the reply before sending it."
    elif len(body) > 4000:
        problem = "A reply can be at most 4,000 characters."
    if problem:
        return _messages_page(
            request,
            session,
            principal,
            member.id,
            status=422,
            errors={contact_id: problem},
            typed={contact_id: text[:4000]},
        )
    desk.reply(
        session,
        audit_ctx(request, principal),
        member,
        contact_id,
        text=body,
        agent_id=principal.user_id,
        at=now(),
    )
    session.commit()
    return RedirectResponse(
        f"/members/{member.id}/messages?done=replied#message-{contact_id}", status_code=303
    )


# --- the member portal -------------------------------------------------------------------------


def _portal_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    at = now()
    member_id = own_member_id(principal)
    member = members_service.get_member(session, member_id)
    threads = desk.own_threads(session, member_id, limit=SHOWN)
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.PORTAL_MESSAGES_READ,
        object_type="member",
        object_id=member_id,
        member_ids=[member_id],
        detail={"shown": len(threads)},
    )
    session.commit()
    return render(
        request,
        "contacts/my_messages.html",
        principal,
        status=status,
        rows=_thread_rows(threads, service.pack_tz(member), at),
        errors=errors or {},
        typed=typed or {},
        done=_(DONE[done]) if done in DONE else None,
    )


@router.get("/me/messages")
def my_messages(
    request: Request, session: ReadingSessionDep, principal: SelfReader, done: str | None = None
) -> HTMLResponse:
    """The member's own secure messages: sent when, answered or not, the reply due by when."""
    return _portal_page(request, session, principal, done=done)


@router.post("/me/messages")
def send_message(
    request: Request,
    session: SessionDep,
    principal: SelfWriter,
    subject: Annotated[str, Form()] = "",
    message: Annotated[str, Form()] = "",
) -> Response:
    """ "Message member services": an inbound portal contact due for a reply."""
    typed = {"subject": subject[:200], "message": message[:4000]}
    try:
        body = MessageIn.model_validate({"subject": subject.strip(), "body": message.strip()})
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            if "subject" in map(str, e["loc"]):
                errors["subject"] = _("Write a subject of at most 200 characters.")
            else:
                errors["message"] = _("Write your message (at most 4,000 characters).")
        return _portal_page(request, session, principal, status=422, errors=errors, typed=typed)
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
    session.commit()
    return RedirectResponse("/me/messages?done=sent", status_code=303)
