"""Applying a planned 834: new members in bulk (encryption and blind indexes in the column
types), changes through the ORM, an audit entry for each as the system actor."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import bidx_member_number, bidx_name_dob, bidx_phone
from memberdesk.compliance.enums import AuditAction
from memberdesk.enroll.enums import (
    ChangeKind,
)
from memberdesk.enroll.plan import CHUNK, Change, Op, Planner, Progress
from memberdesk.enroll.x12 import Envelope
from memberdesk.enroll.x12_834 import File834, MemberRecord
from memberdesk.members.enums import (
    ELIGIBILITY_BENEFITS,
    CoverageSource,
    LineOfBusiness,
    Relationship,
    TerminationReason,
)
from memberdesk.members.models import CoverageSpan, EmployerGroup, Member, Plan

ENROLL_ACTOR = "memberdesk-enroll"


def actor_for(envelope: Envelope) -> AuditContext:
    """The system actor of an import, carrying the file's control numbers."""
    return AuditContext(
        actor_id=None,
        actor=ENROLL_ACTOR,
        role="system",
        request_id=f"x12:{envelope.control_number}"[:64],
    )


class Applier:
    """Writes a planned file: new members in bulk, changes through the ORM; audits each."""

    def __init__(self, session: Session, file: File834, file_id: int) -> None:
        self.session = session
        self.file = file
        self.file_id = file_id
        self.ctx = actor_for(file.envelope)
        self.at = now()
        self.groups: dict[str, int] = {}
        self.ids: dict[str, int] = {}  # member number -> internal id of members added here

    def apply(self, planner: Planner, progress: Progress) -> None:
        ops = planner.ops
        for i in range(0, len(ops), CHUNK):
            chunk = ops[i : i + CHUNK]
            adds = [(c, op) for c, op in chunk if c.kind == ChangeKind.MEMBER_ADDED]
            if adds:
                self._add_members(adds, planner.plans)
            events = []
            for change, op in chunk:
                if change.kind != ChangeKind.MEMBER_ADDED:
                    self._apply_one(change, op, planner.plans)
                events.append(self._event(change, op))
            audit.record_many(self.session, self.ctx, [e for e in events if e is not None])
            self.session.flush()
            progress(sum(1 for c, _ in chunk if c.kind != ChangeKind.ABSENT_TERMINATED))
        audit.record(
            self.session,
            self.ctx,
            AuditAction.ENROLL_FILE_APPLIED,
            object_type="enrollment_file",
            object_id=self.file_id,
            detail={
                "control": self.file.envelope.control_number,
                "members": self.file.members,
                "changes": dict(Counter(c.kind.value for c, _ in ops)),
            },
        )

    def _group_id(self, rec: MemberRecord, plans: dict[str, Plan]) -> int | None:
        if not rec.group_number:
            return None
        if rec.group_number in self.groups:
            return self.groups[rec.group_number]
        gid = self.session.scalar(
            select(EmployerGroup.id).where(EmployerGroup.group_number == rec.group_number)
        )
        if gid is None:
            # A sponsor new to memberdesk: the 834 names it but carries no contribution; the
            # plan keys that in on the group's page.
            tr = next(t for t in self.file.transactions if t.control == rec.transaction)
            begins = [
                c.begin
                for r in tr.members
                if r.group_number == rec.group_number
                for c in r.coverages
                if c.begin
            ]
            start = min(begins) if begins else self.at.date()
            group = EmployerGroup(
                group_number=rec.group_number[:16],
                name=(tr.sponsor_name or rec.group_number)[:160],
                county="",
                effective_date=start,
                renewal_month=start.month,
                contribution_employee_cents=0,
                contribution_dependents_cents=0,
            )
            self.session.add(group)
            self.session.flush()
            gid = group.id
        self.groups[rec.group_number] = gid
        return gid

    def _add_members(self, adds: Sequence[tuple[Change, Op]], plans: dict[str, Plan]) -> None:
        # Subscribers first: dependants point at them.
        ordered = sorted(adds, key=lambda a: not a[1].record.subscriber)
        for subs in (True, False):
            rows = []
            recs = [op.record for _, op in ordered if op.record.subscriber == subs]
            for rec in recs:
                rows.append(self._member_row(rec, plans))
            if not rows:
                continue
            ids = (
                self.session.execute(
                    insert(Member).returning(Member.id, sort_by_parameter_order=True), rows
                )
                .scalars()
                .all()
            )
            for rec, mid in zip(recs, ids, strict=True):
                self.ids[rec.member_number] = mid
        spans = []
        for _, op in ordered:
            rec = op.record
            for cov in rec.coverages:
                plan = plans[cov.plan_code]
                spans.append(
                    {
                        "member_id": self.ids[rec.member_number],
                        "plan_id": plan.id,
                        "effective_date": cov.begin,
                        "termination_date": cov.end,
                        "source": _source(plan),
                        "recorded_at": self.at,
                        "termination_recorded_at": self.at if cov.end else None,
                    }
                )
        if spans:
            self.session.execute(insert(CoverageSpan), spans)

    def _member_row(self, rec: MemberRecord, plans: dict[str, Plan]) -> dict[str, Any]:
        assert rec.date_of_birth is not None and rec.relationship is not None
        sub_id = None
        if not rec.subscriber:
            number = f"{rec.subscriber_number}-00"
            sub_id = self.ids.get(number) or self.session.scalar(
                select(Member.id).where(Member.member_number_bidx == bidx_member_number(number))
            )
        lob = _line_of(rec, plans)
        lang = (rec.language or "en")[:8]
        return {
            "member_number": rec.member_number,
            "member_number_bidx": bidx_member_number(rec.member_number),
            "subscriber_id": sub_id,
            "group_id": self._group_id(rec, plans),
            "line_of_business": lob,
            "relationship": rec.relationship,
            "first_name": rec.first_name,
            "last_name": rec.last_name,
            "date_of_birth": rec.date_of_birth,
            "name_dob_bidx": bidx_name_dob(rec.last_name, rec.date_of_birth),
            "sex": (rec.sex or "U")[:1],
            "address_line1": rec.address_line1,
            "address_line2": rec.address_line2,
            "city": rec.city,
            "state": rec.state[:2],
            "postal_code": rec.postal_code,
            "phone": rec.phone,
            "phone_bidx": bidx_phone(rec.phone) if rec.phone else None,
            "email": rec.email,
            "spoken_language": lang,
            "written_language": lang,
            "interpreter_needed": False,
            "accessibility_needs": [],
            "disabled_dependent": False,
            "created_at": self.at,
            "updated_at": self.at,
        }

    def _apply_one(self, change: Change, op: Op, plans: dict[str, Plan]) -> None:
        member, span, cov = op.member, op.span, op.coverage
        assert member is not None
        kind = change.kind
        if kind == ChangeKind.MEMBER_UPDATED:
            for name, value in op.fields.items():
                setattr(member, name, value)
            member.name_dob_bidx = bidx_name_dob(member.last_name, member.date_of_birth)
            if "phone" in op.fields:
                member.phone_bidx = bidx_phone(member.phone) if member.phone else None
            member.updated_at = self.at
        elif kind in (ChangeKind.COVERAGE_TERMINATED, ChangeKind.ABSENT_TERMINATED):
            assert span is not None and cov is not None
            span.termination_date = cov.end
            span.termination_reason = op.reason or TerminationReason.VOLUNTARY
            span.termination_recorded_at = self.at
        elif kind == ChangeKind.COVERAGE_REINSTATED:
            assert span is not None and cov is not None
            span.termination_date = cov.end
            span.termination_reason = None
            span.termination_recorded_at = self.at if cov.end else None
        elif kind in (ChangeKind.COVERAGE_ADDED, ChangeKind.PLAN_CHANGED):
            assert cov is not None and cov.begin is not None
            plan = plans[cov.plan_code]
            if span is not None:  # the plan it replaces ends the day before
                span.termination_date = cov.begin - timedelta(days=1)
                span.termination_reason = TerminationReason.PLAN_CHANGE
                span.termination_recorded_at = self.at
            self.session.add(
                CoverageSpan(
                    member_id=member.id,
                    plan_id=plan.id,
                    effective_date=cov.begin,
                    termination_date=cov.end,
                    source=_source(plan),
                    recorded_at=self.at,
                    termination_recorded_at=self.at if cov.end else None,
                )
            )
            if plan.benefit in ELIGIBILITY_BENEFITS:
                member.line_of_business = plan.line_of_business

    def _event(self, change: Change, op: Op) -> audit.Event | None:
        if change.kind == ChangeKind.UNCHANGED:
            return None
        mid = op.member.id if op.member is not None else self.ids.get(op.record.member_number)
        detail = {
            "x12": self.file.envelope.control_number,
            "file_id": self.file_id,
            "change": change.kind.value,
            "segment": "INS",
            "position": change.position,
            "loop": "2000",
            "retroactive": change.retroactive,
        }
        # Values (names, dates, plans) go into the encrypted ``changes``, never the detail.
        values: dict[str, Any] = {"plan": change.plan, "begin": change.begin, "end": change.end}
        if op.fields:
            values.update(op.fields)
        action = (
            AuditAction.MEMBER_CREATED
            if change.kind == ChangeKind.MEMBER_ADDED
            else AuditAction.MEMBER_UPDATED
        )
        return audit.Event(
            action,
            object_type="member",
            object_id=mid,
            member_ids=[mid] if mid else [],
            detail=detail,
            changes={"new": {k: v for k, v in values.items() if v is not None}},
        )


def _source(plan: Plan) -> CoverageSource:
    if plan.line_of_business == LineOfBusiness.OREGON_MEDICAID:
        return CoverageSource.MEDICAID_APPLICATION
    return CoverageSource.GROUP_ENROLLMENT


def _line_of(rec: MemberRecord, plans: dict[str, Plan]) -> LineOfBusiness:
    chosen = [plans[c.plan_code] for c in rec.coverages]
    main = next((p for p in chosen if p.benefit in ELIGIBILITY_BENEFITS), chosen[0])
    return LineOfBusiness(main.line_of_business)


def is_dependant(rec: MemberRecord) -> bool:
    """The record is a dependant's (not the subscriber's)."""
    return rec.relationship not in (None, Relationship.SELF)
