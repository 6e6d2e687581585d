"""What the appeal pages show, in words, built from the API views (so the page and the API
never disagree): the worklist's rows, and everything on the appeal page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import issuing, rules, views, words
from memberdesk.appeals.enums import (
    AppealState,
    DocumentKind,
    ExtensionRequestedBy,
    NoticeKind,
    NoticeMethod,
    Outcome,
    Requester,
)
from memberdesk.appeals.enums import Direction as DocDirection
from memberdesk.appeals.models import Appeal, RegulatoryInquiry
from memberdesk.appeals.schemas import AppealClockOut, AppealOut
from memberdesk.cases.enums import ClockState
from memberdesk.cases.models import Case
from memberdesk.cases.ui_forms import sentence
from memberdesk.cases.ui_views import member_name, usernames
from memberdesk.cases.words import CLOCK_STATES
from memberdesk.compliance.masking import MASKED
from memberdesk.contacts import timewords
from memberdesk.contacts.words import when
from memberdesk.members.models import Member
from memberdesk.members.words import day
from memberdesk.sla.packs import zone_of

HIDDEN = "Not shown to your role"


def shown(text: str | None) -> str:
    """Free text, or the words for text this role may not see."""
    if text is None:
        return ""
    return HIDDEN if text == MASKED else text


def deadline(c: AppealClockOut, pack: str, at: datetime) -> dict[str, Any]:
    """One clock for a page: its name, state, deadline in words and the live countdown."""
    live = c.state in (ClockState.RUNNING, ClockState.BREACHED) and c.due_at is not None
    text, late = timewords.due_words(c.due_at, at) if live and c.due_at else ("", False)
    tz = zone_of(pack)
    return {
        "name": words.clock(c.target),
        "state": CLOCK_STATES[c.state],
        "live": live,
        "late": late or c.state is ClockState.BREACHED,
        "due_iso": c.due_at.astimezone(UTC).isoformat() if c.due_at else "",
        "due_words": timewords.local_time(c.due_at, tz, at) if c.due_at else "",
        "countdown": text,
        "extended": c.extended,
        "closed": (
            ("Met " if c.state is ClockState.MET else "Stopped ")
            + timewords.local_time(c.closed_at, tz, at)
            + (" (after the deadline)" if c.due_at and c.closed_at > c.due_at else "")
        )
        if c.closed_at and c.state in (ClockState.MET, ClockState.STOPPED)
        else "",
    }


def _next(out: AppealOut, at: datetime) -> dict[str, Any] | None:
    live = [
        c for c in out.clocks if c.state in (ClockState.RUNNING, ClockState.BREACHED) and c.due_at
    ]
    if not live:
        return None
    return deadline(min(live, key=lambda c: c.due_at or at), out.pack, at)


def worklist(
    session: Session, appeals: list[Appeal], at: datetime, clinical: bool
) -> list[dict[str, Any]]:
    """The worklist's rows (already in deadline order), in words."""
    outs = views.appeal_outs(session, appeals, at, clinical)
    members = {
        m.id: m
        for m in session.scalars(
            select(Member).where(Member.id.in_({a.member_id for a in appeals}))
        )
    }
    cases = {
        c.id: c
        for c in session.scalars(select(Case).where(Case.id.in_({a.case_id for a in appeals})))
    }
    names = usernames(session, [c.assignee_id for c in cases.values()])
    return [
        {
            "id": o.id,
            "title": words.title(o.kind, o.urgency),
            "member": member_name(members.get(o.member_id)),
            "member_id": o.member_id,
            "pack": words.pack(o.pack),
            "state": words.STATES[o.state],
            "received": when(o.received_at),
            "next": _next(o, at),
            "deemed": o.deemed_exhausted,
            "held_by": names.get(cases[o.case_id].assignee_id or 0, "Nobody yet"),
        }
        for o in outs
    ]


def inquiries(session: Session, at: datetime) -> list[dict[str, Any]]:
    """Open regulatory inquiries, nearest deadline first, in words."""
    rows = session.scalars(
        select(RegulatoryInquiry)
        .where(RegulatoryInquiry.state == "open")
        .order_by(RegulatoryInquiry.response_due_at)
        .limit(100)
    ).all()
    names = usernames(session, [r.liaison_id for r in rows])
    packs: dict[int, str] = dict(
        session.execute(
            select(Case.id, Case.pack).where(Case.id.in_([r.case_id for r in rows]))
        ).all()  # type: ignore[arg-type]
    )
    out = []
    for r in rows:
        text, late = timewords.due_words(r.response_due_at, at)
        tz = zone_of(packs.get(r.case_id, rules.CALCHOICE))
        out.append(
            {
                "id": r.id,
                "case_id": r.case_id,
                "regulator": words.REGULATORS[r.regulator],
                "reference": r.reference,
                "countdown": text,
                "late": late,
                "due_iso": r.response_due_at.astimezone(UTC).isoformat(),
                "due_words": timewords.local_time(r.response_due_at, tz, at),
                "liaison": names.get(r.liaison_id or 0, "Nobody yet"),
            }
        )
    return out


def _choices(mapping: dict[Any, str]) -> dict[str, str]:
    return {k.value: v for k, v in mapping.items()}


def appeal_page(session: Session, appeal: Appeal, at: datetime, clinical: bool) -> dict[str, Any]:
    """Everything the appeal page shows, in words."""
    d = views.appeal_detail(session, appeal, at, clinical)
    member = session.get(Member, appeal.member_id)
    tz = zone_of(appeal.pack)
    try:
        rules.check_extension(
            appeal.pack,
            rules.clock_targets(appeal.pack, appeal.kind, appeal.urgency, appeal.claim_type),
            appeal.state,
            d.extension.extended_at if d.extension else None,
        )
        no_extension = ""
    except rules.RuleError:
        no_extension = _why_no_extension(d, appeal)
    rep = d.representative
    return {
        "a": d,
        "title": words.title(d.kind, d.urgency),
        "member": {"id": d.member_id, "name": member_name(member)},
        "pack": words.pack(d.pack),
        "state": words.STATES[d.state],
        "is_open": d.state is AppealState.OPEN,
        "decided": d.state is AppealState.DECIDED,
        "final": d.state in (AppealState.CLOSED, AppealState.WITHDRAWN),
        "summary": shown(d.summary),
        "received": timewords.local_time(d.received_at, tz, at),
        "channel": words.CHANNELS[d.channel]
        + (f", by {words.VIA[d.received_via]}" if d.received_via else ""),
        "filed_by": words.FILED_BY[d.filed_by],
        "rep": {
            "name": rep.name,
            "relationship": words.RELATIONSHIPS[rep.relationship],
            "document": rep.authorization_document,
            "signed": day(date.fromisoformat(rep.authorization_signed_on))
            if rep.authorization_signed_on
            else "",
        }
        if rep
        else None,
        "expedited_by": words.EXPEDITED_BY[d.expedited_by] if d.expedited_by else "",
        "clinical_urgency": shown(d.clinical_urgency),
        "claim_type": words.CLAIM_TYPES[d.claim_type] if d.claim_type else "",
        "clocks": [deadline(c, d.pack, at) for c in d.clocks],
        "deemed": timewords.local_time(d.deemed_exhausted_at, tz, at)
        if d.deemed_exhausted_at
        else "",
        "extension": {
            "amount": f"{d.extension.amount} {d.extension.unit}",
            "by": words.REQUESTED_BY[d.extension.requested_by],
            "reason": shown(d.extension.reason),
            "notice": f"{words.METHODS[d.extension.notice_method]}, "
            f"{timewords.local_time(d.extension.notice_sent_at, tz, at)}",
            "before": timewords.local_time(d.extension.due_before, tz, at),
            "after": timewords.local_time(d.extension.due_after, tz, at),
        }
        if d.extension
        else None,
        "no_extension": no_extension,
        "decision": {
            "outcome": words.OUTCOMES[d.decision.outcome],
            "rationale": shown(d.decision.rationale),
            "when": timewords.local_time(d.decision.decided_at, tz, at),
        }
        if d.decision
        else None,
        "withdrawal": {
            "by": words.FILED_BY[d.withdrawal.withdrawn_by],
            "reason": shown(d.withdrawal.reason),
            "when": timewords.local_time(d.withdrawal.withdrawn_at, tz, at),
        }
        if d.withdrawal
        else None,
        "rights": [
            {
                "title": r.title,
                "text": r.text,
                "available": r.available,
                "from": timewords.local_time(r.available_from, tz, at) if r.available_from else "",
                # A last day to ask is a day: the wall-clock time of a count of days is noise.
                "by": day(r.request_by.astimezone(tz).date()) if r.request_by else "",
                "citation": r.citation,
                "verify": r.verify,
            }
            for r in d.rights
        ],
        "steps": [
            {
                "id": s.id,
                "label": s.label,
                "required": s.required,
                "done": s.done,
                "when": when(s.done_at) if s.done_at else "",
            }
            for s in d.checklist
        ],
        "notices": [
            {
                "kind": words.NOTICES[n.kind],
                "method": words.METHODS[n.method],
                "when": timewords.local_time(n.sent_at, tz, at),
            }
            for n in d.notices
        ],
        "letters": [
            {
                "kind": words.NOTICES[NoticeKind(x.kind)],
                "value": NoticeKind(x.kind).value,
                "can_issue": NoticeKind(x.kind) in issuing.LETTER_KINDS,
                "due": timewords.local_time(x.due_by, tz, at) if x.due_by else "Promptly",
                "why": sentence(x.why),
            }
            for x in d.letters_due
        ],
        "issued": [
            {
                "id": x.id,
                "kind": words.NOTICES[NoticeKind(x.kind.value)],
                "when": timewords.local_time(x.created_at, tz, at),
                "sent": timewords.local_time(x.sent_at, tz, at) if x.sent_at else "",
                "pages": x.pages,
            }
            for x in issuing.issued(session, appeal)
        ],
        "documents": [
            {
                "kind": words.DOCUMENTS[doc.kind],
                "direction": words.DIRECTIONS[doc.direction],
                "title": shown(doc.title),
                "description": shown(doc.description),
                "clinical": doc.clinical,
                "when": when(doc.exchanged_at),
                "file": doc.case_document_id,
            }
            for doc in d.documents
        ],
        "choices": {
            "outcome": _choices(words.OUTCOMES),
            "requested_by": _choices(words.REQUESTED_BY),
            "method": _choices(words.METHODS),
            "notice": {
                k.value: v
                for k, v in words.NOTICES.items()
                if k is not NoticeKind.DELAY_NOTICE
                or rules.delay_notice_allowed(appeal.pack, appeal.kind)
            },
            "document": _choices(words.DOCUMENTS),
            "direction": _choices(words.DIRECTIONS),
            "withdrawn_by": {
                k.value: v
                for k, v in words.FILED_BY.items()
                if k is Requester.MEMBER or d.filed_by is Requester.REPRESENTATIVE
            },
        },
        "defaults": {
            "outcome": Outcome.UPHELD.value,
            "requested_by": ExtensionRequestedBy.PLAN.value,
            "method": NoticeMethod.LETTER.value,
            "document": DocumentKind.MEDICAL_RECORDS.value,
            "direction": DocDirection.RECEIVED.value,
        },
    }


def _why_no_extension(d: Any, appeal: Appeal) -> str:
    if d.extension:
        return "The one extension the rule allows has been taken."
    if appeal.state is not AppealState.OPEN:
        return "Only an open appeal can be extended."
    kind = words.KINDS[appeal.kind].lower()
    return f"The rules for {words.pack(appeal.pack)} give no extension for this {kind}."
