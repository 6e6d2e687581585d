"""The knowledge base on the agent desktop: articles in force for the call's reasons and the
case's type, in the member's language first, and the desktop's own search (the same search, with
the member's language first). Articles are the plan's guidance: nothing here reads member data
beyond the language and line of business the caller already loaded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, or_, select
from sqlalchemy.orm import Session

from memberdesk.cases.models import Case, CaseContact
from memberdesk.contacts.enums import Reason
from memberdesk.contacts.models import Contact, ContactReason
from memberdesk.kb import search, ui_views
from memberdesk.kb.enums import KbLanguage, VersionState
from memberdesk.kb.models import KbArticle, KbLabel, KbVersion
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Member

SUGGESTED = 6
FOUND = 10


def language_of(member: Member | None) -> KbLanguage:
    """The library language a member is best answered in (their spoken language when the
    library has it, else English)."""
    spoken = (member.spoken_language if member else "en") or "en"
    try:
        return KbLanguage(spoken)
    except ValueError:
        return KbLanguage.EN


def suggest(
    session: Session,
    *,
    reasons: Iterable[str],
    case_types: Iterable[str],
    language: KbLanguage,
    member: Member | None,
    at: datetime,
    limit: int = SUGGESTED,
) -> list[tuple[KbArticle, KbVersion]]:
    """Articles in force answering any of ``reasons`` or ``case_types`` (for every line or the
    member's), ``language`` first, then by title."""
    wanted = [("reason", r) for r in dict.fromkeys(reasons) if r != Reason.OTHER.value]
    wanted += [("case_type", c) for c in dict.fromkeys(case_types) if c != "other"]
    if not wanted:
        return []
    labelled = or_(
        *(
            exists().where(
                KbLabel.article_id == KbArticle.id, KbLabel.facet == f, KbLabel.value == v
            )
            for f, v in wanted
        )
    )
    line = member.line_of_business if member else None
    stmt = (
        select(KbArticle, KbVersion)
        .join(KbVersion, KbVersion.article_id == KbArticle.id)
        .where(KbVersion.state == VersionState.PUBLISHED, search.in_force(at), labelled)
        .order_by(case((KbArticle.language == language, 0), else_=1), KbVersion.title, KbArticle.id)
        .limit(limit)
    )
    if line is not None:
        stmt = stmt.where(
            or_(KbArticle.line_of_business.is_(None), KbArticle.line_of_business == line)
        )
    return [(a, v) for a, v in session.execute(stmt).all()]


def find(
    session: Session,
    query: str,
    *,
    language: KbLanguage,
    line: LineOfBusiness | None,
    at: datetime,
) -> tuple[list[tuple[KbArticle, KbVersion]], int, str | None]:
    """The desktop's search: the library's search for the member's line, the member's language
    first (each language's results keep their rank), and any spelling correction."""
    filters = search.Filters(line_of_business=line)
    hits, total, fixed = search.search_or_correct(session, query, filters, at=at, limit=FOUND * 2)
    ordered = sorted(hits, key=lambda h: h[0].language != language)  # stable: rank kept
    return ordered[:FOUND], total, fixed


def contact_reasons(session: Session, contact: Contact) -> list[str]:
    """The contact's reasons as saved so far (a call in progress holds "other" until its
    wrap-up, which suggestions skip)."""
    return [
        str(r)
        for r in session.scalars(
            select(ContactReason.reason)
            .where(ContactReason.contact_id == contact.id)
            .order_by(ContactReason.id)
        )
    ]


def _open_case_types(session: Session, member_id: int) -> list[str]:
    from memberdesk.cases.states import OPEN_STATES

    return [
        str(c)
        for c in session.scalars(
            select(Case.case_type)
            .where(Case.member_id == member_id, Case.state.in_(OPEN_STATES))
            .order_by(Case.id)
        )
    ]


def panel(
    session: Session,
    *,
    contact: Contact | None,
    member: Member | None,
    reasons: Sequence[str],
    case_types: Sequence[str],
    at: datetime,
) -> dict[str, Any]:
    """What the desktop's knowledge-base panel shows."""
    language = language_of(member)
    hits = suggest(
        session,
        reasons=reasons,
        case_types=case_types,
        language=language,
        member=member,
        at=at,
    )
    return {
        "contact_id": contact.id if contact else None,
        "language": ui_views.LANGUAGE_NAMES[language],
        "lang": language.value,
        "hits": [ui_views.hit(a, v) for a, v in hits],
        "asked": bool([r for r in reasons if r != Reason.OTHER.value] or case_types),
        "line": member.line_of_business.value if member and member.line_of_business else "",
    }


def for_call(
    session: Session,
    contact: Contact,
    member: Member | None,
    usual: Sequence[Reason],
    at: datetime,
) -> dict[str, Any]:
    """The panel for a call: its reasons so far and the member's usual reasons, and the types
    of the member's open cases."""
    reasons = contact_reasons(session, contact) + [r.value for r in usual]
    types = _open_case_types(session, member.id) if member else []
    out = panel(session, contact=contact, member=member, reasons=reasons, case_types=types, at=at)
    return {**out, "what": "call", "back": f"/desktop/calls/{contact.id}"}


def for_case(session: Session, case_row: Case, at: datetime) -> dict[str, Any]:
    """The panel for a case: its type and the reasons of the contacts linked to it (the latest
    linked contact is the one feedback is filed on)."""
    member = session.get(Member, case_row.member_id)
    linked = list(
        session.scalars(
            select(Contact)
            .join(CaseContact, CaseContact.contact_id == Contact.id)
            .where(CaseContact.case_id == case_row.id)
            .order_by(Contact.started_at.desc(), Contact.id.desc())
        )
    )
    reasons = [r for c in linked for r in contact_reasons(session, c)]
    out = panel(
        session,
        contact=linked[0] if linked else None,
        member=member,
        reasons=reasons,
        case_types=[case_row.case_type.value],
        at=at,
    )
    return {**out, "what": "case", "back": f"/cases/{case_row.id}"}
