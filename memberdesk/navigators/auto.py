"""The complex-needs rules over the whole book: ``flag_by_rules`` flags every member who meets
one and is not flagged yet, giving each to the navigator with the fewest members.

Run on demand (``POST /api/navigators/rules/run``, ``memberdesk navigators flag``) or by the
worker. Safe with several workers: each flag is claimed with one conditional statement.
A member a person unflagged is flagged again only on evidence that came after the unflag
(contacts and cases since then); the standing interpreter-and-disability rule never re-flags
them, or a person's decision would be undone on the next run.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from memberdesk.cases.models import Case
from memberdesk.cases.states import OPEN_STATES
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts.enums import Direction
from memberdesk.contacts.models import Contact
from memberdesk.members.models import Member
from memberdesk.navigators import rules, service
from memberdesk.navigators.enums import FlagSource, FlagState, Rule
from memberdesk.navigators.models import MemberNavigator
from memberdesk.navigators.rules import RuleConfig

RULES_ACTOR = AuditContext(actor_id=None, actor="navigator-rules", role="system")


def _not_flagged_or_since_unflag(started):  # type: ignore[no-untyped-def]
    # No flag row, or a flag a person ended before this piece of evidence.
    return or_(
        MemberNavigator.member_id.is_(None),
        and_(MemberNavigator.state == FlagState.UNFLAGGED, started > MemberNavigator.unflagged_at),
    )


def _contact_counts(session: Session, cfg: RuleConfig, now: datetime) -> dict[int, int]:
    if not cfg.contacts:
        return {}
    since = now - timedelta(days=cfg.contact_days)
    # Inbound only: the member reaching out again and again is the sign; our own callbacks
    # and letters to them are not.
    stmt = (
        select(Contact.member_id, func.count())
        .outerjoin(MemberNavigator, MemberNavigator.member_id == Contact.member_id)
        .where(
            Contact.member_id.is_not(None),
            Contact.direction == Direction.INBOUND,
            Contact.started_at >= since,
            Contact.started_at <= now,
            _not_flagged_or_since_unflag(Contact.started_at),
        )
        .group_by(Contact.member_id)
        .having(func.count() >= cfg.contacts)
    )
    return {mid: n for mid, n in session.execute(stmt) if mid is not None}


def _case_counts(session: Session, cfg: RuleConfig) -> dict[int, int]:
    if not cfg.open_cases:
        return {}
    stmt = (
        select(Case.member_id, func.count())
        .outerjoin(MemberNavigator, MemberNavigator.member_id == Case.member_id)
        .where(Case.state.in_(OPEN_STATES), _not_flagged_or_since_unflag(Case.created_at))
        .group_by(Case.member_id)
        .having(func.count() >= cfg.open_cases)
    )
    return {mid: n for mid, n in session.execute(stmt)}


def _standing_needs(session: Session, cfg: RuleConfig) -> list[int]:
    if not cfg.interpreter_disability:
        return []
    # Plain columns only: no PHI is decrypted to evaluate the rule.
    stmt = (
        select(Member.id, Member.accessibility_needs, Member.disabled_dependent)
        .outerjoin(MemberNavigator, MemberNavigator.member_id == Member.id)
        .where(
            Member.interpreter_needed.is_(True),
            Member.purged_at.is_(None),
            MemberNavigator.member_id.is_(None),
        )
    )
    return [
        mid
        for mid, needs, dependant in session.execute(stmt)
        if rules.has_disability_need(needs or [], bool(dependant))
    ]


def candidates(session: Session, now: datetime, cfg: RuleConfig) -> dict[int, list[Rule]]:
    """Members the rules would flag now, with the rules each meets."""
    contacts = _contact_counts(session, cfg, now)
    cases = _case_counts(session, cfg)
    standing = set(_standing_needs(session, cfg))
    found: dict[int, list[Rule]] = defaultdict(list)
    for mid in sorted(set(contacts) | set(cases) | standing):
        fired = rules.fired(
            cfg,
            contacts=contacts.get(mid, 0),
            open_cases=cases.get(mid, 0),
            # _standing_needs returns members with an interpreter need and a disability need.
            interpreter_needed=mid in standing,
            disability_need=mid in standing,
        )
        if fired:
            found[mid] = fired
    if found:
        # Purged (de-identified) members are past retention: nobody is to work with them.
        purged = set(
            session.scalars(
                select(Member.id).where(Member.id.in_(list(found)), Member.purged_at.is_not(None))
            )
        )
        for mid in purged:
            del found[mid]
    return dict(found)


def flag_by_rules(
    session: Session,
    now: datetime,
    *,
    config: RuleConfig | None = None,
    ctx: AuditContext = RULES_ACTOR,
    record_run: bool = False,
) -> int:
    """Flag every member the rules find (and nobody twice); returns how many were flagged.
    Thresholds from ``config``, else from the process's Settings. A run is audited when it
    flagged someone or ``record_run`` asks (a person ran it), so a worker's idle runs leave no
    trail of empty entries. Never commits."""
    if config is None:
        from memberdesk.config import get_settings

        config = RuleConfig.from_settings(get_settings())
    found = candidates(session, now, config)
    loads = service.caseloads(session) if found else {}
    flagged = 0
    # In member-id order (``candidates`` sorts), so concurrent workers wait on one another's
    # first shared member rather than each holding a row the other needs.
    for mid, fired in found.items():
        nav = service.least_loaded(loads)
        values = service.flag_values(FlagSource.RULE, fired, None, nav, None, now)
        if not service.claim_flag(session, mid, values):
            continue  # another worker flagged the member first
        if nav is not None:
            loads[nav] += 1
        service.record_flag(session, ctx, mid, FlagSource.RULE, fired, nav)
        flagged += 1
    if not (flagged or record_run):
        return 0
    audit.record(
        session,
        ctx,
        AuditAction.NAVIGATOR_RULES_RUN,
        object_type="navigator_rules",
        detail={
            "flagged": flagged,
            "contacts": config.contacts,
            "contact_days": config.contact_days,
            "open_cases": config.open_cases,
            "interpreter_disability": config.interpreter_disability,
        },
    )
    return flagged
