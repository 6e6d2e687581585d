"""Issuing, sending and reading letters on a real database: the language chosen, the address
chosen, the PDF encrypted at rest, every step audited, bad context refused with nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import LargeBinary, func, select, type_coerce
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import PHI_ACCESS_ACTIONS, AuditAction
from memberdesk.compliance.models import AuditEntry, AuditMemberAccess
from memberdesk.errors import Conflict, InvalidInput
from memberdesk.letters import service
from memberdesk.letters.enums import LetterChannel, LetterKind
from memberdesk.letters.models import Letter
from memberdesk.members.enums import ConfidentialScope
from memberdesk.members.models import Member
from tests import factories as f
from tests.letters.conftest import APPEAL_ID, STAFF, context, issue
from tests.letters.helpers import pages_text


def audited(db: Session, action: AuditAction, letter: Letter) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == action.value, AuditEntry.object_id == str(letter.id)
            )
        )
    )


def test_a_spanish_member_gets_a_spanish_letter_with_its_versions_recorded(
    db: Session, spanish_member: Member
) -> None:
    letter = issue(db, spanish_member)
    assert (letter.language, letter.tagline_first) == ("es", None)
    assert letter.template == "acknowledgement/es/v1"
    assert letter.rights_template == "rights/calchoice/es/v1"
    assert len(letter.template_sha256) == 64
    assert (letter.subject_type, letter.subject_id) == ("appeal", APPEAL_ID)
    assert letter.pages >= 2 and letter.sent_at is None
    text = " ".join(pages_text(service.pdf_of(db, STAFF, letter.id)))
    assert "Recibimos su apelación" in text and "Revisión Médica Independiente" in text
    assert "Lucía Quintanilla" in text and "1 Test Way" in text
    [entry] = audited(db, AuditAction.LETTER_ISSUED, letter)
    assert entry.detail["template"] == "acknowledgement/es/v1"
    assert "Quintanilla" not in str(entry.detail)


def test_a_language_without_a_translation_is_english_led_by_its_tagline(db: Session) -> None:
    member = f.member(db, written_language="vi")
    letter = issue(db, member, LetterKind.RESOLUTION, ctx=context(LetterKind.RESOLUTION))
    assert (letter.language, letter.tagline_first) == ("en", "vi")
    last = pages_text(service.pdf_of(db, STAFF, letter.id))[-1]
    assert "CHÚ Ý: Nếu bạn nói Tiếng Việt" in last


def test_the_pdf_is_encrypted_at_rest(db: Session, spanish_member: Member) -> None:
    letter = issue(db, spanish_member)
    db.flush()
    raw = db.scalar(select(type_coerce(Letter.pdf, LargeBinary)).where(Letter.id == letter.id))
    assert raw is not None and len(raw) > 1000
    assert b"%PDF" not in raw and b"JVBERi" not in raw  # nor its base64
    name = db.scalar(
        select(type_coerce(Letter.recipient_name, LargeBinary)).where(Letter.id == letter.id)
    )
    assert name is not None and b"Quintanilla" not in name
    assert service.pdf_of(db, STAFF, letter.id).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("scope", "sensitive", "confidential"),
    [
        (ConfidentialScope.SENSITIVE_SERVICES, True, True),
        (ConfidentialScope.SENSITIVE_SERVICES, False, False),
        (ConfidentialScope.ALL, False, True),
        (None, True, False),
    ],
)
def test_the_confidential_address_is_used_when_the_member_asked(
    db: Session, scope: ConfidentialScope | None, sensitive: bool, confidential: bool
) -> None:
    member = f.member(
        db,
        confidential_address="PO Box 7731, Berkeley, CA 94701",
        confidential_scope=scope,
    )
    letter = issue(db, member, sensitive=sensitive)
    assert letter.to_confidential_address is confidential
    first_page = pages_text(service.pdf_of(db, STAFF, letter.id))[0]
    if confidential:
        assert letter.recipient_address.splitlines() == ["PO Box 7731", "Berkeley, CA 94701"]
        assert "PO Box 7731" in first_page and "1 Test Way" not in first_page
    else:
        assert "1 Test Way" in first_page and "PO Box 7731" not in first_page


def test_reading_and_sending_are_audited_as_phi_access(db: Session, spanish_member: Member) -> None:
    letter = issue(db, spanish_member)
    service.pdf_of(db, STAFF, letter.id)
    service.read(db, STAFF, letter.id)
    service.send(db, STAFF, letter.id, channel=LetterChannel.MAIL)
    for action in (
        AuditAction.LETTER_ISSUED,
        AuditAction.LETTER_DOWNLOADED,
        AuditAction.LETTER_READ,
        AuditAction.LETTER_SENT,
    ):
        assert action in PHI_ACCESS_ACTIONS
        [entry] = audited(db, action, letter)
        access = db.scalars(
            select(AuditMemberAccess.member_id).where(AuditMemberAccess.audit_id == entry.id)
        ).all()
        assert access == [spanish_member.id]
    assert letter.sent_at is not None and letter.channel is LetterChannel.MAIL
    with pytest.raises(Conflict):
        service.send(db, STAFF, letter.id, channel="portal")
    assert service.letters_about(db, "appeal", APPEAL_ID) == [letter]
    assert service.sent_to_member(db, spanish_member.id) == [letter]


def test_a_context_missing_a_field_is_refused_and_nothing_is_stored(
    db: Session, spanish_member: Member
) -> None:
    before = db.scalar(select(func.count()).select_from(Letter))
    ctx = context(LetterKind.EXTENSION)
    del ctx["new_due_at"]
    with pytest.raises(InvalidInput) as err:
        issue(db, spanish_member, LetterKind.EXTENSION, ctx=ctx)
    assert err.value.field == "context.new_due_at"
    with pytest.raises(InvalidInput) as err:
        service.issue(
            db,
            STAFF,
            kind="apology",
            member=spanish_member,
            subject_type="appeal",
            subject_id=1,
            context={},
        )
    assert err.value.field == "kind"
    assert db.scalar(select(func.count()).select_from(Letter)) == before


def test_the_pack_can_be_given_by_the_subject(db: Session, spanish_member: Member) -> None:
    letter = issue(
        db,
        spanish_member,
        LetterKind.DEEMED_EXHAUSTION,
        pack="oregon-medicaid",
        ctx=context(LetterKind.DEEMED_EXHAUSTION),
    )
    assert letter.rights_template == "rights/oregon-medicaid/es/v1"
    text = " ".join(pages_text(service.pdf_of(db, STAFF, letter.id)))
    assert "audiencia imparcial estatal" in text
