"""Seeding speed, member search and the member 360 (median, p95 per request).

Runs on SQLite (15,000 members) always; on PostgreSQL (15,000 and 1,000,000 members) when
MEMBERDESK_BENCH_DATABASE_URL is set. Baselines measured in the same run:
- seeding: generating the same rows without touching a database (the floor for inserts);
- search: the path as it was before (statements built per call, ``selectinload`` coverage,
  every model validated and the response validated again from a dict, and phone search
  decrypting every confidential phone), and a decrypt-and-compare scan over every member (what
  exact search costs without blind indexes);
- member 360: the path as it was before (``get_member`` and ``household`` each with
  ``selectinload`` coverage, statements built per call, every model validated, the response
  validated again from a dict). Both kept below, here only, as ``old_*`` baseline functions.

Search and 360 figures are CPU time of the thread (steadier than wall time on a shared
machine), wall median beside, for loading, building and encoding the response as FastAPI does
(validate against the response model, then ``dump_json``); the audit append, which both paths
share, is not included. Old and new answers are compared byte for byte for every member timed,
as an agent, as a QA analyst (masked) and as the member (portal).
Usage: python bench/bench_members.py [--sizes 15000,1000000] [--queries 300]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.orm import Session, selectinload, sessionmaker

from memberdesk.clock import now
from memberdesk.compliance.crypto import (
    KeyRing,
    bidx_member_number,
    bidx_name_dob,
    bidx_phone,
    install_keyring,
    normalize_phone,
)
from memberdesk.compliance.enums import Role
from memberdesk.compliance.masking import BirthDates, masked_for
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members import service, views
from memberdesk.members.enums import AccessibilityNeed, ConfidentialScope
from memberdesk.members.models import CoverageSpan, IdCardRequest, LifeEvent, Member
from memberdesk.members.packs import pack_for
from memberdesk.members.rules import SUBSCRIBER_NUMBER_RE
from memberdesk.members.schemas import (
    Address,
    ConfidentialCommunication,
    ContactRouting,
    CoverageSpanOut,
    EligibilityOut,
    GroupOut,
    HouseholdMember,
    IdCardOut,
    LifeEventOut,
    Member360,
    MemberDetail,
    MemberSummary,
    PlanOut,
    PremiumOut,
)
from memberdesk.members.seed import ensure_reference_data, run_seed
from memberdesk.members.synthetic import AS_OF_DEFAULT, Generator
from memberdesk.migrate import upgrade
from memberdesk.schemas import Page

AGE_LIMIT = 26
AGENT, QA, MEMBER = Role.TIER1_AGENT.value, Role.QA_ANALYST.value, Role.MEMBER.value
VIEW = TypeAdapter(Member360)
PAGE = TypeAdapter(Page[MemberSummary])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def generation_only(sessions, n: int) -> float:  # type: ignore[no-untyped-def]
    with sessions() as session:
        plans = ensure_reference_data(session)
        session.rollback()
    ids = dict.fromkeys(
        ("employer_groups", "members", "coverage_spans", "life_events", "id_card_requests"), 0
    )
    start = time.perf_counter()
    for _ in Generator(99, plans, ids, AS_OF_DEFAULT).batches(n, 5000):
        pass
    return n / (time.perf_counter() - start)


def sample_members(session: Session, k: int) -> list[Member]:
    ids = session.scalars(select(Member.id)).all()
    rng = random.Random(7)
    return [session.get_one(Member, i) for i in rng.sample(list(ids), min(k, len(ids)))]


def respond(adapter: TypeAdapter[Any], role: str, model: BaseModel, *, old: bool) -> bytes:
    """The response body as the route and FastAPI produce it for ``role``. Staff routes used to
    return the masked dump for every role (validated again against the response model); now a
    role without masks gets the model itself. The portal's /me always returned the model."""
    dump = role == QA or (old and role != MEMBER)
    content: Any = masked_for(role, model) if dump else model
    return adapter.dump_json(adapter.validate_python(content, from_attributes=True))


# --- the old paths: the baseline, kept here only ------------------------------------------------


def old_get_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id, options=[selectinload(Member.coverage)])
    assert member is not None
    return member


def old_household(session: Session, member: Member) -> list[Member]:
    sub_id = member.subscriber_id or member.id
    rows = session.scalars(
        select(Member)
        .where((Member.id == sub_id) | (Member.subscriber_id == sub_id))
        .options(selectinload(Member.coverage))
        .order_by(Member.subscriber_id.is_not(None), Member.id)
    ).all()
    return list(rows)


def old_list_life_events(session: Session, member: Member) -> list[LifeEvent]:
    sub_id = member.subscriber_id or member.id
    events = session.scalars(
        select(LifeEvent).where(LifeEvent.member_id.in_({member.id, sub_id}))
    ).all()
    return sorted(events, key=lambda e: (e.event_date, e.id), reverse=True)


def old_list_id_cards(session: Session, member: Member) -> list[IdCardRequest]:
    return list(
        session.scalars(
            select(IdCardRequest)
            .where(IdCardRequest.member_id == member.id)
            .order_by(IdCardRequest.requested_at.desc(), IdCardRequest.id.desc())
        )
    )


def old_eligibility_out(
    member: Member, on: date, age_limit: int, dates: BirthDates = views.FULL
) -> EligibilityOut:
    result = service.eligibility(member, on, age_limit)
    plan = member.coverage[result.span_index].plan if result.span_index is not None else None
    return EligibilityOut(
        on=on,
        eligible=result.eligible,
        reason=result.reason,
        explanation=result.explain(views._SentenceDates(dates)),
        plan=PlanOut.model_validate(plan) if plan else None,
    )


def old_summary(member: Member, today: date, age_limit: int) -> MemberSummary:
    return MemberSummary(
        id=member.id,
        member_number=member.member_number,
        first_name=member.first_name,
        last_name=member.last_name,
        date_of_birth=member.date_of_birth.isoformat(),
        relationship=member.relationship,
        # Fields added since (lines of business): the same values on both paths.
        line_of_business=member.line_of_business,
        group_number=member.group.group_number if member.group else None,
        group_name=member.group.name if member.group else None,
        eligible_today=service.eligibility(member, today, age_limit).eligible,
    )


def old_detail(member: Member, today: date, age_limit: int) -> MemberDetail:
    conf = None
    if member.confidential_scope is not None:
        conf = ConfidentialCommunication(
            address=member.confidential_address,
            phone=member.confidential_phone,
            scope=member.confidential_scope,
        )
    return MemberDetail(
        **old_summary(member, today, age_limit).model_dump(),
        subscriber_id=member.subscriber_id,
        sex=member.sex,
        address=Address(
            line1=member.address_line1,
            line2=member.address_line2,
            city=member.city,
            state=member.state,
            postal_code=member.postal_code,
        ),
        phone=member.phone,
        email=member.email,
        spoken_language=member.spoken_language,
        written_language=member.written_language,
        interpreter_needed=member.interpreter_needed,
        tty=AccessibilityNeed.TTY.value in (member.accessibility_needs or []),
        accessibility_needs=list(member.accessibility_needs or []),
        disabled_dependent=member.disabled_dependent,
        confidential_communication=conf,
        contact_routing=old_contact_routing(member),
    )


def old_contact_routing(member: Member) -> ContactRouting:
    one_line = (
        ", ".join(p for p in (member.address_line1, member.address_line2, member.city) if p)
        + f", {member.state} {member.postal_code}"
    )
    general_addr, general_phone = one_line, member.phone
    has_conf = member.confidential_scope is not None
    conf_addr = member.confidential_address or general_addr
    conf_phone = member.confidential_phone or general_phone
    everything = member.confidential_scope == ConfidentialScope.ALL
    return ContactRouting(
        general_address=conf_addr if everything else general_addr,
        general_phone=conf_phone if everything else general_phone,
        sensitive_address=conf_addr if has_conf else general_addr,
        sensitive_phone=conf_phone if has_conf else general_phone,
        confidential_applies=has_conf,
    )


def old_span_out(
    span: CoverageSpan, member: Member, on: date, age_limit: int, dates: BirthDates
) -> CoverageSpanOut:
    retro = bool(
        span.termination_date
        and span.termination_recorded_at
        and span.termination_recorded_at.date() > span.termination_date
    )
    limit = views.age_limit_end(member, age_limit)
    if limit is not None and (
        limit >= on
        or limit < span.effective_date
        or (span.termination_date is not None and limit >= span.termination_date)
    ):
        limit = None
    return CoverageSpanOut(
        id=span.id,
        plan=PlanOut.model_validate(span.plan),
        effective_date=dates.iso(span.effective_date),
        from_birth=span.effective_date == member.date_of_birth,
        # A string since lines of business (masked like the start where it reveals a birth).
        termination_date=dates.iso(span.termination_date) if span.termination_date else None,
        source=span.source,
        termination_reason=span.termination_reason,
        recorded_at=span.recorded_at,
        termination_recorded_at=span.termination_recorded_at,
        retroactive=retro,
        age_limit_end=dates.iso(limit) if limit else None,
    )


def old_life_event_out(event: LifeEvent, on: date, dates: BirthDates, notes: bool) -> LifeEventOut:
    window = service.enrollment_window(event, on)
    masked = dates.hides(event.event_date)
    return LifeEventOut(
        id=event.id,
        member_id=event.member_id,
        event_type=event.event_type,
        event_date=dates.iso(event.event_date),
        reported_at=event.reported_at,
        window_days=event.window_days,
        window_start=dates.iso(window.start),
        window_end=dates.iso(window.end),
        window_status=window.status,
        days_left=None if masked else window.days_left,
        notes=event.notes if notes else None,
    )


def old_premium(member: Member, house: list[Member], on: date, age_limit: int) -> PremiumOut | None:
    subscriber = house[0] if house and house[0].subscriber_id is None else None
    if subscriber is None or not service.eligibility(member, on, age_limit).eligible:
        return None
    split = service.premium_for(subscriber, house[1:], on, age_limit)
    if split is None:
        return None
    return PremiumOut(
        subscriber_id=subscriber.id,
        tier=split.tier,
        premium_cents=split.premium_cents,
        employer_cents=split.employer_cents,
        payroll_deduction_cents=split.payroll_deduction_cents,
    )


def old_member_360(
    session: Session,
    member: Member,
    on: date,
    today: date,
    age_limit: int,
    *,
    year_only: bool = False,
    own_record: bool = False,
) -> Member360:
    house = old_household(session, member)
    events = old_list_life_events(session, member)
    premium = old_premium(member, house, on, age_limit)
    if own_record:
        house = [m for m in house if m.id == member.id]
        events = [e for e in events if e.member_id == member.id]
        if premium is not None and premium.subscriber_id != member.id:
            premium = None
    dates = views.birth_dates(year_only, house, events, age_limit)
    return Member360(
        as_of=on,
        member=old_detail(member, today, age_limit),
        eligibility=old_eligibility_out(member, on, age_limit, dates),
        group=GroupOut.model_validate(member.group),
        premium=premium,
        household=[
            HouseholdMember(
                id=m.id,
                first_name=m.first_name,
                last_name=m.last_name,
                relationship=m.relationship,
                date_of_birth=m.date_of_birth.isoformat(),
                eligibility=old_eligibility_out(m, on, age_limit, dates),
            )
            for m in house
        ],
        coverage=[old_span_out(s, member, on, age_limit, dates) for s in member.coverage],
        life_events=[old_life_event_out(e, on, dates, notes=not own_record) for e in events],
        id_cards=[IdCardOut.model_validate(c) for c in old_list_id_cards(session, member)],
        # Added since (contacts, lines of business); the bench book has no contacts.
        policy_pack=pack_for(member),
    )


def old_search_query(session: Session, probe: dict[str, Any]) -> Select[Member]:
    query = select(Member)
    if "member_number" in probe:
        number = probe["member_number"]
        if SUBSCRIBER_NUMBER_RE.match(number):
            return query.where(Member.member_number_bidx.in_(service.household_numbers(number)))
        return query.where(Member.member_number_bidx == bidx_member_number(number))
    if "last_name" in probe:
        return query.where(
            Member.name_dob_bidx == bidx_name_dob(probe["last_name"], probe["date_of_birth"])
        )
    # Before the confidential phone had a blind index: decrypt every one and compare.
    wanted = normalize_phone(probe["phone"])
    rows = session.execute(
        select(Member.id, Member.confidential_phone).where(Member.confidential_phone.is_not(None))
    )
    confidential = [i for i, value in rows if value and normalize_phone(value) == wanted]
    by_phone = Member.phone_bidx == bidx_phone(probe["phone"])
    return query.where(or_(by_phone, Member.id.in_(confidential)) if confidential else by_phone)


def old_search(session: Session, probe: dict[str, Any], today: date, limit: int = 50) -> bytes:
    query = old_search_query(session, probe)
    rows = list(
        session.scalars(
            query.options(selectinload(Member.coverage)).order_by(Member.id).limit(limit)
        ).all()
    )
    total = len(rows)
    if len(rows) >= limit:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = Page[MemberSummary](
        items=[old_summary(m, today, AGE_LIMIT) for m in rows], total=total, limit=limit, offset=0
    )
    return respond(PAGE, AGENT, page, old=True)


# --- the product's paths -----------------------------------------------------------------------


def new_search(session: Session, probe: dict[str, Any], today: date, limit: int = 50) -> bytes:
    rows, total = service.search_members(session, **probe, limit=limit)
    page = Page[MemberSummary](
        items=[views.summary(m, today, AGE_LIMIT) for m in rows], total=total, limit=limit, offset=0
    )
    return respond(PAGE, AGENT, page, old=False)


def view_360(session: Session, member_id: int, role: str, today: date, *, old: bool) -> bytes:
    year_only, own = role == QA, role == MEMBER
    if old:
        member = old_get_member(session, member_id)
        view = old_member_360(
            session, member, today, today, AGE_LIMIT, year_only=year_only, own_record=own
        )
    else:
        member, house = service.get_household(session, member_id)
        view = views.member_360(
            session, member, house, today, today, AGE_LIMIT, year_only=year_only, own_record=own
        )
    views.shown_member_ids(view)  # what the audit append is given
    return respond(VIEW, role, view, old=old)


# --- timing ------------------------------------------------------------------------------------


Timed = Callable[[Session], bytes]


def timed(sessions: sessionmaker[Session], work: Timed) -> tuple[float, float, bytes]:
    """(CPU ms, wall ms, answer) of one request's work in its own session and transaction."""
    with sessions() as session:
        session.connection()  # BEGIN outside the timing, as the request has it by then
        wall, cpu = time.perf_counter(), time.thread_time()
        answer = work(session)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        session.rollback()
    return cpu * 1000, wall * 1000, answer


def compare(
    sessions: sessionmaker[Session], label: str, what: str, cases: list[tuple[Timed, Timed]]
) -> None:
    """Time old and new on the same cases, alternating, after a short warm-up; their answers
    must be identical."""
    cpu: dict[str, list[float]] = {"old": [], "new": []}
    wall: dict[str, list[float]] = {"old": [], "new": []}
    warm = min(20, len(cases))
    for i, (old, new) in enumerate(cases[:warm] + cases):
        runs = [("old", old), ("new", new)] if i % 2 else [("new", new), ("old", old)]
        answers = {}
        for name, work in runs:
            c, w, answers[name] = timed(sessions, work)
            if i >= warm:
                cpu[name].append(c)
                wall[name].append(w)
        assert answers["old"] == answers["new"], f"{what}: old and new answers differ (case {i})"
    o, n = statistics.median(cpu["old"]), statistics.median(cpu["new"])
    print(
        f"[{label}] {what:<26} CPU median {n:6.2f} ms, p95 {pct(cpu['new'], 0.95):6.2f} ms "
        f"(wall median {statistics.median(wall['new']):6.2f}) | old path {o:6.2f} ms, "
        f"p95 {pct(cpu['old'], 0.95):6.2f} (wall {statistics.median(wall['old']):6.2f}) "
        f"-> {o / n:.1f}x less CPU ({len(cpu['new'])} requests)"
    )


def same_answers(sessions: sessionmaker[Session], ids: list[int], today: date) -> None:
    """Old and new 360s are byte for byte the same for every role kind that shapes them."""
    for member_id in ids:
        for role in (QA, MEMBER):
            with sessions() as s:
                old = view_360(s, member_id, role, today, old=True)
            with sessions() as s:
                new = view_360(s, member_id, role, today, old=False)
            assert old == new, f"member 360 as {role}: old and new answers differ"


def naive_scan(sessions, probe: dict) -> float:  # type: ignore[no-untyped-def]
    with sessions() as session:
        t0 = time.perf_counter()
        found = [
            m.id
            for m in session.scalars(select(Member).execution_options(yield_per=5000))
            if m.member_number == probe["member_number"]
        ]
        assert found
        return (time.perf_counter() - t0) * 1000


def run(label: str, settings: Settings, n: int, queries: int) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    base = generation_only(sessions, min(n, 50_000))
    result = run_seed(sessions, members=n, seed=1)
    rate = n / result.seconds
    print(
        f"[{label}] seed {n:,} members: {result.seconds:.1f} s = {rate:,.0f} members/s "
        f"(generation alone: {base:,.0f}/s; database share {1 - rate / base:.0%})"
    )
    today = now().date()
    with sessions() as session:
        picks = sample_members(session, queries)
        ids = [m.id for m in picks]
        keys: dict[str, list[dict[str, Any]]] = {
            "member ID": [{"member_number": m.member_number} for m in picks],
            "subscriber number": [{"member_number": m.member_number[:9]} for m in picks],
            "last name + dob": [
                {"last_name": m.last_name, "date_of_birth": m.date_of_birth} for m in picks
            ],
            "phone": [{"phone": m.phone} for m in picks if m.phone],
            "confidential phone": [
                {"phone": m.confidential_phone}
                for m in session.scalars(
                    select(Member).where(Member.confidential_phone.is_not(None)).limit(queries)
                )
            ],
        }

    def search_case(probe: dict[str, Any]) -> tuple[Timed, Timed]:
        return (
            lambda s: old_search(s, probe, today),
            lambda s: new_search(s, probe, today),
        )

    for key, probes in keys.items():
        compare(sessions, label, f"search by {key}", [search_case(p) for p in probes])

    def view_case(member_id: int) -> tuple[Timed, Timed]:
        return (
            lambda s: view_360(s, member_id, AGENT, today, old=True),
            lambda s: view_360(s, member_id, AGENT, today, old=False),
        )

    compare(sessions, label, "member 360 build", [view_case(i) for i in ids])
    same_answers(sessions, ids, today)
    print(f"[{label}] member 360: old and new answers identical for {len(ids)} members x 3 roles")

    scans = [naive_scan(sessions, keys["member ID"][i]) for i in range(3 if n <= 20_000 else 1)]
    scan = statistics.median(scans)
    with sessions() as session:
        probe = keys["member ID"][0]
        t0 = time.perf_counter()
        service.search_members(session, **probe)
        indexed = (time.perf_counter() - t0) * 1000
    print(
        f"[{label}] baseline decrypt-and-compare scan over {n:,}: {scan:.0f} ms per search"
        f" -> blind index ({indexed:.2f} ms) is {scan / indexed:,.0f}x faster"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="15000,1000000")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    install_keyring(KeyRing.generate())
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Settings(database_url=f"sqlite:///{tmp}/bench.db", var_dir=Path(tmp))
        run("sqlite", sqlite, min(sizes), args.queries)
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL for 1,000,000 members")
            return
        for n in sizes:
            schema = f"bench_{secrets.token_hex(3)}"
            admin = make_engine(Settings(database_url=pg))
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            try:
                run(
                    "postgresql",
                    Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp)),
                    n,
                    args.queries,
                )
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()


if __name__ == "__main__":
    main()
