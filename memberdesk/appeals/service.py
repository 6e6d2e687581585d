"""Appeal intake and reading: the governing pack from the member, the clocks of the pack's
targets started at receipt on a Tier 3 case, the representative's authorisation required.

Takes a session and never commits (the route, command or job does, once). Every change is
audited here with the member it concerns and no free text (that is PHI).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import rules
from memberdesk.appeals.enums import AppealKind, AppealState, ExpeditedBy, Requester, Urgency
from memberdesk.appeals.models import Appeal
from memberdesk.appeals.schemas import AppealIn
from memberdesk.cases import clocks, records
from memberdesk.cases import service as cases
from memberdesk.cases.enums import CaseState, CaseType, EscalationReason, Priority
from memberdesk.cases.models import Case, CaseClock
from memberdesk.cases.states import OPEN_STATES, TOP_TIER
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.members.models import Member

# The one seam to the member's line of business: tests select a pack by replacing this name in
# this module only, until members carry their line (memberdesk.members.packs).
from memberdesk.members.packs import pack_for

APPEAL_STEPS_DONE_AT_INTAKE = ("record_receipt",)


def record(
    session: Session, ctx: AuditContext, action: AuditAction, appeal: Appeal, **kw: Any
) -> None:
    """Audit a change of ``appeal`` (with its member)."""
    audit.record(
        session,
        ctx,
        action,
        object_type="appeal",
        object_id=appeal.id,
        member_ids=[appeal.member_id],
        **kw,
    )


def get_appeal(session: Session, appeal_id: int, *, lock: bool = False) -> Appeal:
    """An appeal by id (locked for update when ``lock``: writers of one appeal take turns)."""
    stmt = select(Appeal).where(Appeal.id == appeal_id)
    if lock:
        stmt = stmt.with_for_update(of=Appeal)
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound("no appeal with this id", field="path.appeal_id")
    return found


def case_of(session: Session, appeal: Appeal, *, lock: bool = False) -> Case:
    """The Tier 3 case the appeal is worked on."""
    return cases.get_case(session, appeal.case_id, lock=lock)


def targets_of(appeal: Appeal) -> tuple[str, ...]:
    """The pack targets the appeal's clocks run on."""
    return rules.clock_targets(appeal.pack, appeal.kind, appeal.urgency, appeal.claim_type)


def appeal_clocks(appeal: Appeal, case: Case) -> list[CaseClock]:
    """The appeal's regulatory clocks among its case's clocks, in the order they started."""
    wanted = set(targets_of(appeal))
    return [c for c in case.clocks if c.target in wanted and c.pack == appeal.pack]


def _check_representative(body: AppealIn) -> None:
    if body.filed_by is Requester.REPRESENTATIVE:
        if body.representative is None:
            raise InvalidInput(
                "filed by a representative: name them, with the member's authorisation",
                field="body.representative",
            )
        if body.representative.authorization is None:
            raise InvalidInput(
                "a representative needs the member's authorisation on file (which document, "
                "and the date it was signed)",
                field="body.representative.authorization",
            )
    elif body.representative is not None:
        raise InvalidInput(
            "give a representative only when filed_by is representative",
            field="body.representative",
        )


def _check_urgency(body: AppealIn) -> None:
    if body.urgency is Urgency.STANDARD and body.expedited_by is not None:
        raise InvalidInput(
            "expedited_by is for an expedited request only", field="body.expedited_by"
        )


def _work_case(
    session: Session, ctx: AuditContext, body: AppealIn, pack: str, at: datetime
) -> Case:
    """The case the appeal is worked on: the one named (moved up to Tier 3), or a new one."""
    kind_type = CaseType(body.kind.value)
    if body.case_id is None:
        return cases.create_case(
            session,
            ctx,
            member_id=body.member_id,
            case_type=kind_type,
            summary=f"{body.kind.value.capitalize()} received",
            priority=Priority.URGENT if body.urgency is Urgency.EXPEDITED else Priority.HIGH,
            contact_id=None,
            at=at,
            tier=TOP_TIER,
            pack=pack,
        )
    case = cases.get_case(session, body.case_id, lock=True)
    if case.member_id != body.member_id:
        raise InvalidInput("the case is another member's", field="body.case_id")
    if case.case_type not in (CaseType.APPEAL, CaseType.GRIEVANCE):
        raise InvalidInput("link an appeal or grievance case", field="body.case_id")
    if case.state not in OPEN_STATES:
        raise Conflict(f"the case is {case.state}; reopen it first", field="body.case_id")
    if case.pack != pack:
        raise Conflict(
            "the case runs on another policy pack than the member's; open a new case",
            field="body.case_id",
        )
    if session.scalar(select(Appeal.id).where(Appeal.case_id == case.id)) is not None:
        raise Conflict("the case already has an appeal", field="body.case_id")
    while case.tier < TOP_TIER:
        cases.escalate(
            session,
            ctx,
            case,
            EscalationReason.FORMAL_APPEAL,
            f"Formal {body.kind.value} received: worked at Tier 3",
            at,
        )
    return case


def intake(session: Session, ctx: AuditContext, body: AppealIn, at: datetime) -> Appeal:
    """Receive an appeal or grievance: check it, open (or link) its Tier 3 case, start the pack's
    clocks at the receipt time, tick the packet's receipt step, audit it."""
    member = session.get(Member, body.member_id)
    if member is None:
        raise InvalidInput("no member with this id", field="body.member_id")
    problem = rules.received_problem(body.received_at, at)
    if problem:
        raise InvalidInput(problem, field="body.received_at")
    _check_representative(body)
    _check_urgency(body)
    pack = pack_for(member)
    try:
        track = rules.track(pack, body.kind, body.urgency, body.claim_type)
    except rules.RuleError as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    case = _work_case(session, ctx, body, pack, at)
    rep, auth = body.representative, body.representative and body.representative.authorization
    appeal = Appeal(
        case_id=case.id,
        member_id=member.id,
        kind=body.kind,
        urgency=body.urgency,
        channel=body.channel,
        received_via=body.received_via,
        received_at=body.received_at,
        pack=pack,
        claim_type=body.claim_type,
        summary=body.summary,
        filed_by=body.filed_by,
        rep_name=rep.name if rep else None,
        rep_relationship=rep.relationship if rep else None,
        rep_authorization=auth.document if auth else None,
        rep_authorized_on=auth.signed_on if auth else None,
        expedited_by=(body.expedited_by or ExpeditedBy(body.filed_by.value))
        if body.urgency is Urgency.EXPEDITED
        else None,
        clinical_urgency=body.clinical_urgency,
        state=AppealState.OPEN,
        created_by_id=ctx.actor_id,
        created_at=at,
        updated_at=at,
    )
    session.add(appeal)
    session.flush()
    if body.case_id is None:
        # A new case's summary stays free of the member's words: case readers without the
        # appeal permissions see only what it is and where to look. (A linked case keeps its
        # own summary: it is the record of how the appeal came to Tier 3.)
        case.summary = (
            f"{_kind_words(body.kind)} {appeal.id} ({body.urgency.value}): see the appeal"
        )
    for target in track.targets:
        # The regulatory clocks run from receipt, not from when it was keyed in.
        clocks.start(case, target, body.received_at)
    session.flush()
    for step in APPEAL_STEPS_DONE_AT_INTAKE:
        records.tick_step(session, ctx, case, step, at)
    record(
        session,
        ctx,
        AuditAction.APPEAL_RECEIVED,
        appeal,
        changes={
            "new": {
                "kind": body.kind.value,
                "urgency": body.urgency.value,
                "channel": body.channel.value,
                "pack": pack,
                "filed_by": body.filed_by.value,
                "received_at": body.received_at.isoformat(),
            }
        },
        detail={"case_id": case.id, "targets": list(track.targets)},
    )
    return appeal


def _kind_words(kind: AppealKind) -> str:
    return "Appeal" if kind is AppealKind.APPEAL else "Grievance"


def resolve_case(
    session: Session, ctx: AuditContext, case: Case, note: str, at: datetime, *, close: bool
) -> None:
    """Resolve (and close) the appeal's case once the appeal no longer needs work."""
    if case.state in OPEN_STATES:
        cases.change_state(session, ctx, case, CaseState.RESOLVED, note, at, by_record=True)
    if close and case.state is CaseState.RESOLVED:
        cases.change_state(session, ctx, case, CaseState.CLOSED, None, at, by_record=True)
