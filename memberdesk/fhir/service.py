"""Reads behind the FHIR API: who may see what (the compartment), the queries, the audit.

A member's token reaches their own compartment only (SMART's ``patient/*.read``): their
Patient, their Coverage, the payers and plans, and their own employer group. Staff holding
``member.read`` reach every member (``user/*.read``), one search or read at a time: a search
names an identifier, ids or a beneficiary; there is no bulk listing of patients. Every read
and search of member data is audited with the members shown; search values are kept as blind
indexes only. Never commits: the route does, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.crypto import bidx_member_number
from memberdesk.compliance.deps import Forbidden
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.permissions import policy
from memberdesk.errors import NotFound
from memberdesk.fhir import mapping
from memberdesk.fhir.search import (
    BadSearch,
    Search,
    numeric_id,
    patient_reference,
    prefixed_id,
    token,
)
from memberdesk.members.models import Carrier, CoverageSpan, EmployerGroup, Member, Plan


@dataclass(frozen=True)
class Compartment:
    """What one caller may see: everything (staff), or one member's own data."""

    member_id: int | None  # None: every member (staff)

    def sees(self, member_id: int) -> bool:
        """Whether the caller may see this member's data."""
        return self.member_id is None or self.member_id == member_id


def compartment(principal: Principal) -> Compartment:
    """The caller's compartment, decided by the permission matrix (never by the role's name)."""
    pol = policy(principal.role)
    if pol.mask:
        # FHIR resources carry whole records; a role that sees members masked has no use of
        # them (and a partial Patient would look complete to a client).
        raise Forbidden("your role sees member records masked; the FHIR API gives whole records")
    if pol.allows(Permission.MEMBER_READ):
        return Compartment(None)
    if pol.allows(Permission.SELF_READ) and principal.member_id is not None:
        return Compartment(principal.member_id)
    raise Forbidden("this account is not linked to a member record")


@dataclass
class Found:
    """One page of a search: resources as dicts, and how many match in all."""

    resources: list[dict[str, Any]]
    total: int


def _page(items: list[dict[str, Any]], search: Search) -> Found:
    return Found(items[search.offset : search.offset + search.count], len(items))


def _live_member(session: Session, member_id: int) -> Member | None:
    # A record retention de-identified has no identifiers left: not a Patient any more.
    member = (
        session.scalars(
            select(Member).where(Member.id == member_id).options(joinedload(Member.coverage))
        )
        .unique()
        .one_or_none()
    )
    return member if member is not None and member.purged_at is None else None


def _audit_read(session: Session, ctx: AuditContext, member: Member, path: str) -> None:
    audit.record(
        session,
        ctx,
        AuditAction.MEMBER_READ,
        object_type="member",
        object_id=member.id,
        member_ids=[member.id],
        detail={"path": path[:120]},
    )


def _audit_search(
    session: Session, ctx: AuditContext, key: str, shown: list[int], term: str | None = None
) -> None:
    detail: dict[str, Any] = {"key": key, "results": len(shown)}
    if term is not None:
        detail["term_hash"] = term
    audit.record(
        session,
        ctx,
        AuditAction.MEMBER_SEARCH,
        object_type="member_search",
        member_ids=sorted(set(shown)),
        detail=detail,
    )


# --- Patient ---------------------------------------------------------------------------------


def read_patient(
    session: Session, ctx: AuditContext, comp: Compartment, fhir_id: str, path: str
) -> dict[str, Any]:
    """One Patient by id; 404 for an unknown id and for anyone outside the compartment."""
    member_id = numeric_id(fhir_id)
    member = _live_member(session, member_id) if member_id and comp.sees(member_id) else None
    if member is None:
        raise NotFound("no Patient with this id", field="path.id")
    _audit_read(session, ctx, member, path)
    return mapping.patient(member)


def search_patients(
    session: Session, ctx: AuditContext, comp: Compartment, search: Search
) -> Found:
    """Patients by identifier (the member ID) or _id; a member's bare search is themselves."""
    ids: list[int] = []
    key, term = "fhir_patient", None
    identifiers = search.values("identifier")
    if identifiers is not None:
        key = "fhir_identifier"
        hashes = []
        for value in identifiers:
            system, code = token(value)
            if system in (None, mapping.SID_MEMBER) and code:
                hashes.append(bidx_member_number(code))
        term = ",".join(sorted(h.hex() for h in hashes))
        found = session.scalars(select(Member.id).where(Member.member_number_bidx.in_(hashes)))
        ids = list(found) if hashes else []
    if (given := search.values("_id")) is not None:
        wanted = {i for i in map(numeric_id, given) if i is not None}
        ids = sorted(wanted & set(ids)) if identifiers is not None else sorted(wanted)
    if identifiers is None and search.values("_id") is None:
        if comp.member_id is None:
            raise _needs_filter("Patient", "identifier or _id")
        ids = [comp.member_id]
    members = [m for m in (_live_member(session, i) for i in ids if comp.sees(i)) if m]
    _audit_search(session, ctx, key, [m.id for m in members], term)
    return _page([mapping.patient(m) for m in members], search)


def _needs_filter(kind: str, names: str) -> BadSearch:
    return BadSearch(f"a search of {kind} needs {names} (no bulk listing)", field="query")


# --- Coverage --------------------------------------------------------------------------------


def read_coverage(
    session: Session, ctx: AuditContext, comp: Compartment, fhir_id: str, today: date, path: str
) -> dict[str, Any]:
    """One Coverage (a coverage span) by id."""
    span_id = numeric_id(fhir_id)
    span = session.get(CoverageSpan, span_id) if span_id else None
    member = _live_member(session, span.member_id) if span and comp.sees(span.member_id) else None
    if span is None or member is None:
        raise NotFound("no Coverage with this id", field="path.id")
    _audit_read(session, ctx, member, path)
    return mapping.coverage(span, member, today)


def search_coverage(
    session: Session, ctx: AuditContext, comp: Compartment, search: Search, today: date
) -> Found:
    """Coverage by beneficiary / patient (a Patient reference) or _id, oldest first."""
    refs = [*(search.values("beneficiary") or []), *(search.values("patient") or [])]
    span_ids = search.values("_id")
    if not refs and span_ids is None:
        if comp.member_id is None:
            raise _needs_filter("Coverage", "beneficiary, patient or _id")
        refs = [str(comp.member_id)]
    member_ids = {patient_reference(r) for r in refs} - {None}
    query = select(CoverageSpan).order_by(CoverageSpan.member_id, CoverageSpan.effective_date)
    if refs:
        query = query.where(CoverageSpan.member_id.in_(member_ids))
    if span_ids is not None:
        query = query.where(CoverageSpan.id.in_({numeric_id(v) for v in span_ids} - {None}))
    spans = [s for s in session.scalars(query.order_by(CoverageSpan.id)) if comp.sees(s.member_id)]
    members: dict[int, Member | None] = {}
    out = []
    for span in spans:
        if span.member_id not in members:
            members[span.member_id] = _live_member(session, span.member_id)
        member = members[span.member_id]
        if member is not None:
            out.append(mapping.coverage(span, member, today))
    _audit_search(session, ctx, "fhir_coverage", [i for i, m in members.items() if m])
    return _page(out, search)


# --- Organization and InsurancePlan (no member data: not audited as reads of members) --------


def _own_group_id(session: Session, comp: Compartment) -> int | None:
    if comp.member_id is None:
        return None
    return session.scalar(select(Member.group_id).where(Member.id == comp.member_id))


def read_organization(
    session: Session, comp: Compartment, fhir_id: str, today: date
) -> dict[str, Any]:
    """A payer (``carrier-N``) or an employer group (``group-N``); a member sees their own
    group only."""
    carrier_id = prefixed_id(fhir_id, mapping.CARRIER_PREFIX)
    if carrier_id is not None and (carrier := session.get(Carrier, carrier_id)) is not None:
        return mapping.carrier_organization(carrier)
    group_id = prefixed_id(fhir_id, mapping.GROUP_PREFIX)
    visible = comp.member_id is None or group_id == _own_group_id(session, comp)
    group = session.get(EmployerGroup, group_id) if group_id is not None and visible else None
    if group is None:
        raise NotFound("no Organization with this id", field="path.id")
    return mapping.group_organization(group, today)


def search_organizations(session: Session, comp: Compartment, search: Search, today: date) -> Found:
    """Payers and employer groups by _id or identifier (carrier code, group number), or all
    of them (a member: the payers and their own group), payers first."""
    carriers = select(Carrier).order_by(Carrier.id)
    groups = select(EmployerGroup).order_by(EmployerGroup.id)
    if comp.member_id is not None:
        groups = groups.where(EmployerGroup.id == _own_group_id(session, comp))
    if (ids := search.values("_id")) is not None:
        carriers = carriers.where(
            Carrier.id.in_({prefixed_id(v, mapping.CARRIER_PREFIX) for v in ids} - {None})
        )
        groups = groups.where(
            EmployerGroup.id.in_({prefixed_id(v, mapping.GROUP_PREFIX) for v in ids} - {None})
        )
    if (idents := search.values("identifier")) is not None:
        tokens = [token(v) for v in idents]
        carriers = carriers.where(
            Carrier.code.in_([c for s, c in tokens if s in (None, mapping.SID_CARRIER)])
        )
        groups = groups.where(
            EmployerGroup.group_number.in_([c for s, c in tokens if s in (None, mapping.SID_GROUP)])
        )
    n_carriers = session.scalar(select(func.count()).select_from(carriers.subquery())) or 0
    n_groups = session.scalar(select(func.count()).select_from(groups.subquery())) or 0
    start, end = search.offset, search.offset + search.count
    out = [
        mapping.carrier_organization(c)
        for c in session.scalars(carriers.offset(start).limit(max(0, end - start)))
    ]
    if end > n_carriers:
        g_start = max(0, start - n_carriers)
        g_rows = session.scalars(groups.offset(g_start).limit(search.count - len(out)))
        out += [mapping.group_organization(g, today) for g in g_rows]
    return Found(out[: search.count], n_carriers + n_groups)


def read_plan(session: Session, fhir_id: str) -> dict[str, Any]:
    """One InsurancePlan by id."""
    plan_id = numeric_id(fhir_id)
    plan = session.get(Plan, plan_id) if plan_id else None
    if plan is None:
        raise NotFound("no InsurancePlan with this id", field="path.id")
    return mapping.insurance_plan(plan)


def search_plans(session: Session, search: Search) -> Found:
    """Every plan (public: its benefits and costs), or by _id or identifier (plan code)."""
    query = select(Plan).order_by(Plan.id)
    if (ids := search.values("_id")) is not None:
        query = query.where(Plan.id.in_({numeric_id(v) for v in ids} - {None}))
    if (idents := search.values("identifier")) is not None:
        codes = [c for s, c in map(token, idents) if s in (None, mapping.SID_PLAN)]
        query = query.where(Plan.code.in_(codes))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.offset(search.offset).limit(search.count))
    return Found([mapping.insurance_plan(p) for p in rows], total)
