"""What the case pages show, built from the audited services' records: every code turned into
words, every deadline into a time and a countdown (``data-due`` for the page's script)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.cases import clocks, documents, routing, views, words
from memberdesk.cases.enums import CaseState, ClockState, EscalationReason, TransferStatus
from memberdesk.cases.models import Case, CaseClock, Queue, Transfer
from memberdesk.cases.states import ALLOWED, OPEN_STATES, TIER3_REASONS, TIER3_TYPES, TOP_TIER
from memberdesk.compliance.models import User
from memberdesk.contacts import words as contact_words
from memberdesk.contacts.enums import Channel
from memberdesk.contacts.models import Contact
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import ROLE_NAMES

LINKABLE_CONTACTS = 20
STAFF_SHOWN = 200
MEDIA_WORDS = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/tiff": "TIFF image",
    "text/plain": "Text file",
}


def member_name(member: Member | None) -> str:
    """``First Last`` (the member's name is PHI: only on pages whose read is audited)."""
    return f"{member.first_name} {member.last_name}" if member else "Unknown member"


def size_words(n: int) -> str:
    """``12 KB`` / ``840 bytes``."""
    return f"{n:,} bytes" if n < 1024 else f"{n / 1024:,.0f} KB"


def usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Usernames of the given accounts (staff names, not member data)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(wanted))).all())


def clock_row(row: CaseClock, at: datetime) -> dict[str, Any]:
    """One clock: its name, state and deadline in words, and the ISO time the script counts to."""
    state = clocks.shown_state(row, at)
    tz = zone_of(row.pack)
    live = state in (ClockState.RUNNING, ClockState.BREACHED) and row.due_at is not None
    text, late = words.countdown(row.due_at, at) if live and row.due_at else ("", False)
    return {
        "name": words.clock_name(row.target),
        "state": words.CLOCK_STATES[state],
        "live": live,
        "due_iso": row.due_at.astimezone(UTC).isoformat() if row.due_at else "",
        "due_words": words.local_time(row.due_at, tz) if row.due_at else "",
        "countdown": text,
        "late": late or state is ClockState.BREACHED,
        "closed": (
            words.CLOCK_ENDED.get(state, "{}").format(words.local_time(row.closed_at, tz))
            if row.closed_at
            else ""
        ),
    }


def next_clock(case: Case, at: datetime) -> dict[str, Any] | None:
    """The case's most urgent running clock (what a list shows), or None."""
    live = [
        c
        for c in case.clocks
        if c.state in (ClockState.RUNNING, ClockState.BREACHED) and c.due_at is not None
    ]
    if not live:
        return None
    return clock_row(min(live, key=lambda c: c.due_at or at), at)


def case_line(case: Case, at: datetime, names: dict[int, str]) -> dict[str, Any]:
    """A case as one line of a list: number, what, state, where, who, next deadline."""
    return {
        "id": case.id,
        "type": words.CASE_TYPES[case.case_type],
        "priority": words.PRIORITIES[case.priority],
        "urgent": case.priority.value in ("high", "urgent"),
        "state": words.STATES[case.state],
        "tier": words.TIERS.get(case.tier, f"Tier {case.tier}"),
        "queue": case.queue.name,
        "assignee": names.get(case.assignee_id or 0, "Nobody yet"),
        "assignee_id": case.assignee_id,
        "clock": next_clock(case, at),
    }


def _transfer_row(t: Transfer, names: dict[int, str], queues: dict[int, str]) -> dict[str, Any]:
    to = (
        names.get(t.to_user_id, "another agent")
        if t.to_user_id
        else f"the {queues.get(t.to_queue_id or 0, 'other')} queue"
    )
    return {
        "id": t.id,
        "case_id": t.case_id,
        "to": to,
        "from": names.get(t.from_user_id, "another agent"),
        "warm": t.warm,
        "kind": "Warm transfer" if t.warm else "Cold transfer",
        "summary": t.context_summary,
        "question": t.member_question,
        "status": words.TRANSFERS[t.status],
        "pending": t.status is TransferStatus.PENDING,
        "reason": t.decline_reason,
        "when": contact_words.when(t.created_at),
    }


def transfer_rows(session: Session, transfers: list[Transfer]) -> list[dict[str, Any]]:
    """Transfers in words (who to, warm or cold, the coaching question)."""
    names = usernames(session, [u for t in transfers for u in (t.to_user_id, t.from_user_id)])
    queues = dict(session.execute(select(Queue.id, Queue.name)).all())
    return [_transfer_row(t, names, queues) for t in transfers]


def escalation_reasons(case: Case) -> list[tuple[str, str]]:
    """The reasons this case may be escalated for (Tier 2 -> 3: regulatory work only)."""
    if case.tier == 2 and case.case_type not in TIER3_TYPES:
        allowed: Iterable[EscalationReason] = [r for r in EscalationReason if r in TIER3_REASONS]
    else:
        allowed = EscalationReason
    return [(r.value, words.REASONS[r]) for r in allowed]


def staff_choices(session: Session, exclude: int | None) -> list[tuple[int, str]]:
    """Enabled staff who work cases, as (id, ``username (role)``)."""
    rows = session.execute(
        select(User.id, User.username, User.role)
        .where(User.role.in_(list(routing.ROLE_TIERS)), User.disabled.is_(False))
        .order_by(User.username)
        .limit(STAFF_SHOWN)
    ).all()
    return [(uid, f"{name} ({ROLE_NAMES[role]})") for uid, name, role in rows if uid != exclude]


def case_page(session: Session, case: Case, at: datetime, me: int) -> dict[str, Any]:
    """Everything the case page shows, in words."""
    detail = views.case_detail(session, case, at)
    member = session.get(Member, case.member_id)
    docs = documents.list_documents(session, case.id)
    transfers = list(
        session.scalars(select(Transfer).where(Transfer.case_id == case.id).order_by(Transfer.id))
    )
    names = usernames(
        session,
        [case.assignee_id]
        + [n.author_id for n in detail.notes]
        + [h.actor_id for h in detail.handoffs]
        + [h.to_user_id for h in detail.handoffs],
    )
    queues = dict(session.execute(select(Queue.id, Queue.name)).all())
    linked = {c.contact_id for c in detail.contacts}
    recent = session.scalars(
        select(Contact)
        .where(Contact.member_id == case.member_id)
        .order_by(Contact.started_at.desc())
        .limit(LINKABLE_CONTACTS)
    ).all()
    is_open = case.state in OPEN_STATES
    from memberdesk.appeals.links import appeal_of_case  # appeals builds on cases

    return {
        "appeal_id": appeal_of_case(session, case.id) if case.case_type in TIER3_TYPES else None,
        "case": case_line(case, at, names),
        "summary": case.summary,
        "opened": contact_words.when(case.created_at),
        "is_open": is_open,
        "mine": case.assignee_id == me,
        "member": {"id": case.member_id, "name": member_name(member)},
        "clocks": [clock_row(c, at) for c in case.clocks],
        "checklist_title": _template_title(detail.checklist.template),
        "steps": [
            {
                "id": s.id,
                "label": s.label,
                "required": s.required,
                "done": s.done,
                "when": contact_words.when(s.done_at) if s.done_at else "",
            }
            for s in detail.checklist.steps
        ],
        "notes": [
            {
                "id": n.id,
                "kind": words.NOTE_KINDS.get(n.kind, "Note"),
                "text": n.text,
                "author": names.get(n.author_id or 0, "the system"),
                "when": contact_words.when(n.created_at),
                "corrects": n.corrects,
            }
            for n in detail.notes
        ],
        "handoffs": [
            {
                "kind": words.HANDOFFS[h.kind],
                "move": _move_words(
                    h.from_tier, h.to_tier, h.to_queue_id, h.to_user_id, names, queues
                ),
                "reason": _reason_words(h.reason),
                "rationale": h.rationale,
                "who": names.get(h.actor_id or 0, "memberdesk (automatic)"),
                "when": contact_words.when(h.at),
            }
            for h in detail.handoffs
        ],
        "contacts": [
            {
                "how": contact_words.CHANNELS[Channel(c.channel)],
                "when": contact_words.when(c.started_at),
            }
            for c in detail.contacts
        ],
        "linkable": [
            (
                c.id,
                f"{contact_words.how(c.channel, c.direction)}, {contact_words.when(c.started_at)}",
            )
            for c in recent
            if c.id not in linked
        ],
        "documents": [
            {
                "id": d.id,
                "name": d.filename,
                "type": MEDIA_WORDS.get(d.content_type, "File"),
                "size": size_words(d.size_bytes),
                "when": contact_words.when(d.uploaded_at),
            }
            for d in docs
        ],
        "transfers": transfer_rows(session, transfers),
        "pending_transfer": any(t.status is TransferStatus.PENDING for t in transfers),
        "next_states": [(s.value, words.STATES[s]) for s in _ordered(ALLOWED[case.state])],
        "reasons": escalation_reasons(case),
        "can_escalate": is_open and case.tier < TOP_TIER,
        "next_tier": words.TIERS.get(case.tier + 1, "the next tier"),
        "can_deescalate": is_open and case.tier > 1,
        "staff": staff_choices(session, me),
        "queues": [
            (q.id, q.name)
            for q in session.scalars(
                select(Queue).where(Queue.tier == case.tier, Queue.active.is_(True))
            )
        ],
    }


def _ordered(states: Iterable[CaseState]) -> list[CaseState]:
    return [s for s in CaseState if s in set(states)]


def _template_title(name: str | None) -> str | None:
    from memberdesk.cases.checklists import templates

    template = templates().get(name) if name else None
    return template.title if template else None


def _reason_words(reason: str | None) -> str:
    if reason is None:
        return ""
    try:
        return words.REASONS[EscalationReason(reason)]
    except ValueError:
        return {
            "handoff_deadline": "Hand-off deadline passed",
            "work_next": "Taken with Get next",
            "supervisor": "Reassigned by a supervisor",
            "warm_transfer": "Warm transfer",
            "cold_transfer": "Cold transfer",
        }.get(reason, "")


def _move_words(
    from_tier: int,
    to_tier: int,
    to_queue: int | None,
    to_user: int | None,
    names: dict[int, str],
    queues: dict[int, str],
) -> str:
    if to_user is not None:
        return f"to {names.get(to_user, 'another agent')}"
    where = queues.get(to_queue or 0, "")
    if from_tier != to_tier:
        return f"Tier {from_tier} to Tier {to_tier}" + (f" ({where})" if where else "")
    return f"to the {where} queue" if where else ""


def held_counts(session: Session, user_ids: list[int]) -> dict[int, int]:
    """Open cases each of these staff holds."""
    if not user_ids:
        return {}
    return dict(
        session.execute(  # type: ignore[arg-type]
            select(Case.assignee_id, func.count())
            .where(Case.assignee_id.in_(user_ids), Case.state.in_(OPEN_STATES))
            .group_by(Case.assignee_id)
        ).all()
    )
