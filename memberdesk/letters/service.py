"""Issue, send and read letters. Services take a session and never commit: the route, command
or job that calls them owns the transaction.

The appeals domain calls, for an appeal it holds::

    letter = service.issue(session, ctx, kind=LetterKind.ACKNOWLEDGEMENT, member=member,
                           subject_type="appeal", subject_id=appeal.id, context={...})
    service.send(session, ctx, letter.id, channel=LetterChannel.MAIL)

``context`` follows ``letters.contract`` (its docstring lists every field of every kind).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.letters import compose as composing
from memberdesk.letters.enums import LetterChannel, LetterKind
from memberdesk.letters.models import Letter
from memberdesk.letters.pdf import Recipient, to_pdf
from memberdesk.members.enums import ConfidentialScope
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.sla.packs import zone_of

SUBJECT_TYPES = frozenset({"appeal", "grievance", "regulatory_inquiry", "case", "callback"})


def _address_lines(text: str) -> tuple[str, ...]:
    # A confidential address is kept as one line of text ("PO Box 12, Oakland, CA 94612"):
    # the street goes on the first line, the rest (city, state, ZIP) on the second.
    if "\n" in text:
        return tuple(p.strip() for p in text.splitlines() if p.strip())
    street, _, rest = text.partition(", ")
    return (street, rest) if rest else (street,)


def recipient_for(member: Member, *, sensitive: bool = True) -> tuple[Recipient, bool]:
    """Where the letter goes, and whether that is the confidential address.

    Civil Code 56.107: a member who asked for confidential communications gets letters about
    sensitive services at the address they chose, and every letter there when they asked for
    it for all mail. Appeal and grievance letters describe the care in question, so callers
    treat them as sensitive unless they know better."""
    name = f"{member.first_name} {member.last_name}"
    scope = member.confidential_scope
    confidential = bool(
        member.confidential_address
        and (scope == ConfidentialScope.ALL or (sensitive and scope is not None))
    )
    if confidential and member.confidential_address:
        return Recipient(name, _address_lines(member.confidential_address)), True
    city = f"{member.city}, {member.state} {member.postal_code}"
    lines = tuple(p for p in (member.address_line1, member.address_line2, city) if p)
    return Recipient(name, lines), False


def issue(
    session: Session,
    ctx: AuditContext,
    *,
    kind: LetterKind | str,
    member: Member,
    subject_type: str,
    subject_id: int,
    context: Mapping[str, Any],
    pack: str | None = None,
    sensitive: bool = True,
    at: datetime | None = None,
) -> Letter:
    """Render a letter for ``member`` about a subject, store it encrypted and audit it.

    The pack defaults to the member's (``members.packs.pack_for``); the language is the
    member's written language where a translation exists, else English with the taglines
    page led by the member's language. Refused (422, naming the field) when the context breaks
    the contract or a template is unusable; nothing is stored then."""
    try:
        kind = LetterKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in LetterKind)
        raise InvalidInput(f"must be one of {allowed}", field="kind") from None
    if subject_type not in SUBJECT_TYPES:
        raise InvalidInput(
            f"must be one of {', '.join(sorted(SUBJECT_TYPES))}", field="subject_type"
        )
    at = at or now()
    pack = pack or pack_for(member)
    zone = zone_of(pack)
    composed = composing.compose(
        kind,
        pack,
        context,
        written_language=member.written_language or composing.ENGLISH,
        letter_date=at.astimezone(zone).date(),
        zone=zone,
    )
    recipient, confidential = recipient_for(member, sensitive=sensitive)
    data, pages = to_pdf(composed, recipient)
    letter = Letter(
        kind=kind,
        pack=pack,
        language=composed.language,
        template=composed.body_template.name,
        rights_template=composed.rights_template.name,
        template_sha256=composed.template_digest,
        subject_type=subject_type,
        subject_id=subject_id,
        member_id=member.id,
        tagline_first=(
            member.written_language if member.written_language != composed.language else None
        ),
        recipient_name=recipient.name,
        recipient_address="\n".join(recipient.address_lines),
        to_confidential_address=confidential,
        pdf=base64.b64encode(data).decode("ascii"),
        size_bytes=len(data),
        pages=pages,
        created_at=at,
        created_by_id=ctx.actor_id,
    )
    session.add(letter)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.LETTER_ISSUED,
        object_type="letter",
        object_id=letter.id,
        member_ids=[member.id],
        detail={
            "kind": kind.value,
            "subject": f"{subject_type}:{subject_id}",
            "template": letter.template,
            "rights_template": letter.rights_template,
            "language": letter.language,
            "to_confidential_address": confidential,
        },
    )
    return letter


def get(session: Session, letter_id: int) -> Letter:
    """A letter by id, or 404."""
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise NotFound("no letter with this id", field="path.letter_id")
    return letter


def send(
    session: Session,
    ctx: AuditContext,
    letter_id: int,
    *,
    channel: LetterChannel | str,
    at: datetime | None = None,
) -> Letter:
    """Record that the letter went out (once); audited as ``letter.sent``."""
    letter = get(session, letter_id)
    try:
        channel = LetterChannel(channel)
    except ValueError:
        allowed = ", ".join(c.value for c in LetterChannel)
        raise InvalidInput(f"must be one of {allowed}", field="channel") from None
    if letter.sent_at is not None:
        raise Conflict("this letter was already sent", field="path.letter_id")
    letter.sent_at = at or now()
    letter.sent_by_id = ctx.actor_id
    letter.channel = channel
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.LETTER_SENT,
        object_type="letter",
        object_id=letter.id,
        member_ids=[letter.member_id],
        detail={
            "channel": channel.value,
            "to_confidential_address": letter.to_confidential_address,
        },
    )
    return letter


def read(session: Session, ctx: AuditContext, letter_id: int) -> Letter:
    """A letter's details (addressee included); the read is audited."""
    letter = get(session, letter_id)
    audit.record(
        session,
        ctx,
        AuditAction.LETTER_READ,
        object_type="letter",
        object_id=letter.id,
        member_ids=[letter.member_id],
    )
    return letter


def pdf_of(session: Session, ctx: AuditContext, letter_id: int) -> bytes:
    """The letter's PDF, decrypted; every download is audited as a PHI access."""
    letter = get(session, letter_id)
    audit.record(
        session,
        ctx,
        AuditAction.LETTER_DOWNLOADED,
        object_type="letter",
        object_id=letter.id,
        member_ids=[letter.member_id],
        detail={"kind": letter.kind.value},
    )
    return base64.b64decode(letter.pdf)


def letters_about(session: Session, subject_type: str, subject_id: int) -> list[Letter]:
    """The letters written about one subject, oldest first."""
    return list(
        session.scalars(
            select(Letter)
            .where(Letter.subject_type == subject_type, Letter.subject_id == subject_id)
            .order_by(Letter.created_at, Letter.id)
        )
    )


def sent_to_member(session: Session, member_id: int, limit: int = 100) -> list[Letter]:
    """The letters a member has been sent, newest first (what their portal shows)."""
    return list(
        session.scalars(
            select(Letter)
            .where(Letter.member_id == member_id, Letter.sent_at.is_not(None))
            .order_by(Letter.sent_at.desc(), Letter.id.desc())
            .limit(limit)
        )
    )
