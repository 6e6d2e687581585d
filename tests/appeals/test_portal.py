"""The member's own appeals and grievances in the portal, in Spanish: filing one online (bad input
named beside its field, nothing stored), where it stands and when we will decide in words, the
letters sent about it; a member sees only their own; every listing is audited."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.appeals.enums import (
    AppealKind,
    ClaimType,
    IntakeChannel,
    ReceivedVia,
    Requester,
    Urgency,
)
from memberdesk.appeals.models import Appeal
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Member
from tests import factories as f
from tests.appeals.conftest import on_line
from tests.cases.test_pages import person as person  # the fixture


def _count(db: Session, member_id: int) -> int:
    return int(db.scalar(select(func.count(Appeal.id)).where(Appeal.member_id == member_id)) or 0)


def test_a_spanish_reader_files_a_grievance_and_reads_its_letter(  # type: ignore[no-untyped-def]
    person,
    db: Session,
) -> None:
    member = db.get(Member, f.oregon_book(db, members=3)[0])
    assert member is not None
    member.written_language = "es"
    db.flush()
    me = person(Role.MEMBER, member_id=member.id)
    page = me.get("/me/appeals")
    assert page.status_code == 200
    assert '<html lang="es">' in page.text and "Mis apelaciones y quejas" in page.text
    assert 'href="/me/appeals">Mis apelaciones</a>' in page.text
    assert "No ha presentado ninguna apelación ni queja." in page.text

    # Bad input: each problem beside its field, in Spanish, nothing stored.
    bad = me.post("/me/appeals", data={"kind": "", "summary": "  "})
    assert bad.status_code == 422
    assert 'id="kind-error">Elija si es una queja o una apelación' in bad.text
    assert 'id="summary-error">Cuéntenos de qué se trata' in bad.text
    fast = me.post(
        "/me/appeals",
        data={"kind": "appeal", "summary": "Me negaron la resonancia", "urgency": "expedited"},
    )
    assert fast.status_code == 422 and 'id="clinical_urgency-error"' in fast.text
    assert "Me negaron la resonancia" in fast.text  # what was typed is kept
    assert _count(db, member.id) == 0

    filed = me.post(
        "/me/appeals",
        data={
            "kind": "grievance",
            "summary": "El transporte no llegó a mi cita",
            "urgency": "standard",
        },
    )
    page = me.follow(filed)
    assert "La recibimos." in page
    [appeal] = db.scalars(select(Appeal).where(Appeal.member_id == member.id)).all()
    assert appeal.kind is AppealKind.GRIEVANCE and appeal.urgency is Urgency.STANDARD
    assert appeal.channel is IntakeChannel.WRITTEN and appeal.received_via is ReceivedVia.PORTAL
    assert appeal.filed_by is Requester.MEMBER and appeal.pack == "oregon-medicaid"
    assert f"Queja número {appeal.id}" in page and "La estamos revisando" in page
    assert "Decidiremos a más tardar el" in page and "hora del Pacífico" in page
    assert "El transporte no llegó a mi cita" in page

    # Tier 3 sends the acknowledgement; the member reads it from the page.
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    analyst.follow(analyst.post(f"/appeals/{appeal.id}/letters/acknowledgement"))
    page = me.get("/me/appeals").text
    assert "Cartas que le enviamos" in page and "Recibimos su solicitud" in page
    letter_id = int(page.split('href="/api/me/letters/')[1].split("/")[0])
    pdf = me.get(f"/api/me/letters/{letter_id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # Another member sees none of it; staff have no portal page.
    other = db.get(Member, f.oregon_book(db, members=3)[1])
    assert other is not None and other.id != member.id
    them = person(Role.MEMBER, member_id=other.id)
    theirs = them.get("/me/appeals").text
    assert "El transporte" not in theirs and "transport" not in theirs.lower()
    assert them.get(f"/api/me/letters/{letter_id}/pdf").status_code == 404
    assert analyst.get("/me/appeals").status_code == 403

    listed = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "appeal.listed", AuditEntry.actor_id == me.user_id
        )
    ).all()
    assert listed and all(e.object_id == str(member.id) for e in listed)


def test_english_words_for_an_english_reader(person, db: Session) -> None:  # type: ignore[no-untyped-def]
    member = db.get(Member, f.oregon_book(db, members=3)[2])
    assert member is not None
    member.written_language = "en"
    db.flush()
    me = person(Role.MEMBER, member_id=member.id)
    page = me.follow(
        me.post(
            "/me/appeals", data={"kind": "appeal", "summary": "Denied MRI", "urgency": "standard"}
        )
    )
    assert "My appeals and grievances" in page and "We are reviewing it" in page
    assert "We will decide by" in page


def test_an_erisa_member_is_asked_when_the_care_was(person, db: Session) -> None:  # type: ignore[no-untyped-def]
    member = on_line(db, f.member(db, last_name="Erisaportal"), LineOfBusiness.ERISA_GROUP)
    me = person(Role.MEMBER, member_id=member.id)
    page = me.get("/me/appeals?lang=en").text
    assert 'name="claim_type"' in page and 'value="grievance"' not in page
    # A grievance (typed by hand) is refused in words the member can act on; nothing stored.
    refused = me.post("/me/appeals", data={"kind": "grievance", "summary": "Slow answer"})
    assert refused.status_code == 422
    assert 'id="kind-error">Your plan reviews requests like this as appeals' in refused.text
    missing = me.post("/me/appeals", data={"kind": "appeal", "summary": "Denied surgery"})
    assert missing.status_code == 422 and 'id="claim_type-error"' in missing.text
    assert _count(db, member.id) == 0
    me.follow(
        me.post(
            "/me/appeals",
            data={"kind": "appeal", "summary": "Denied surgery", "claim_type": "pre_service"},
        )
    )
    [appeal] = db.scalars(select(Appeal).where(Appeal.member_id == member.id)).all()
    assert appeal.pack == "erisa-group" and appeal.claim_type is ClaimType.PRE_SERVICE
