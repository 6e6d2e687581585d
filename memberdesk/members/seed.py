"""``memberdesk seed``: insert a deterministic synthetic book of business, of one profile:
``calchoice`` (the California small-group book) or ``oregon-medicaid`` (an Oregon Health Plan
coordinated-care book). A profile seeded into a database that holds the other adds a second line
of business beside it: ids continue from the largest on file and no member ID is reused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.db import table_of
from memberdesk.members import oregon_data as od
from memberdesk.members import seed_data as sd
from memberdesk.members.enums import Benefit, LineOfBusiness
from memberdesk.members.models import (
    Carrier,
    CoverageSpan,
    EmployerGroup,
    IdCardRequest,
    LifeEvent,
    Member,
    Plan,
)
from memberdesk.members.synthetic import AS_OF_DEFAULT, BATCH_MEMBERS, Batch, Generator, PlanChoice
from memberdesk.members.synthetic_oregon import OregonGenerator, OregonPlans

SEED_ACTOR = AuditContext(actor_id=None, actor="memberdesk-seed", role="system")
# The command line keeps its own copy of these names (it validates before importing this
# module); a test holds the two together.
PROFILES = (LineOfBusiness.CALCHOICE.value, LineOfBusiness.OREGON_MEDICAID.value)


@dataclass
class SeedResult:
    members: int
    groups: int
    coverage_spans: int
    seconds: float
    profile: str = LineOfBusiness.CALCHOICE.value
    households: int = 0


def ensure_reference_data(session: Session) -> list[PlanChoice]:
    """Insert the fictional carriers and plans once; return the plans in a stable order."""
    existing = {c.code: c for c in session.scalars(select(Carrier))}
    for code, name, factor in sd.CARRIERS:
        carrier = existing.get(code)
        if carrier is None:
            carrier = Carrier(code=code, name=name)
            session.add(carrier)
            session.flush()
        rows = []
        for ptype, metal, network, offered_by in sd.PLAN_DESIGNS:
            if code not in offered_by:
                continue
            plan_code = f"{code}-{ptype.value}-{metal.value[:3].upper()}"
            if session.scalar(select(Plan.id).where(Plan.code == plan_code)) is not None:
                continue
            base = sd.METAL_BASE_CENTS[metal] * sd.TYPE_FACTOR[ptype] * factor
            rates = [round(base * f / 100.0) * 100 for f in sd.TIER_FACTORS]
            rows.append(
                {
                    "carrier_id": carrier.id,
                    "code": plan_code,
                    "name": f"{name.split(' (')[0]} {metal.value.title()} {network}",
                    "plan_type": ptype,
                    "metal_tier": metal,
                    "network": network,
                    "deductible_cents": sd.METAL_DEDUCTIBLE_CENTS[metal]
                    if ptype != "PPO"
                    else sd.METAL_DEDUCTIBLE_CENTS[metal] + 50_000,
                    "oop_max_cents": sd.METAL_OOP_MAX_CENTS[metal],
                    "rate_employee_cents": rates[0],
                    "rate_employee_spouse_cents": rates[1],
                    "rate_employee_children_cents": rates[2],
                    "rate_family_cents": rates[3],
                }
            )
        if rows:
            # Core, not the ORM: the line of business and benefit are left to their server
            # defaults (CalChoice, medical), which also holds on a schema older than them.
            session.execute(table_of(Plan).insert(), rows)
    session.flush()
    plans = session.execute(
        select(
            Plan.id,
            Plan.metal_tier,
            Plan.rate_employee_cents,
            Plan.rate_employee_spouse_cents,
            Plan.rate_employee_children_cents,
            Plan.rate_family_cents,
            Carrier.code,
        )
        .join(Carrier)
        .where(Carrier.code.in_([code for code, _, _ in sd.CARRIERS]))
        .order_by(Plan.code)
    ).all()
    # Marketplace plans always have rates (only Medicaid plans go without).
    return [
        PlanChoice(p[0], str(p[1]), (p[2] or 0, p[3] or 0, p[4] or 0, p[5] or 0), p[6])
        for p in plans
    ]


def ensure_oregon_reference_data(session: Session) -> OregonPlans:
    """Insert the coordinated care organisation, its partners and their plans once; return
    their plan ids. None of them has a plan type, metal tier or premium."""
    carriers = {c.code: c for c in session.scalars(select(Carrier))}
    plans = {p.code: p for p in session.scalars(select(Plan))}

    def carrier(code: str, name: str) -> Carrier:
        found = carriers.get(code)
        if found is None:
            found = carriers[code] = Carrier(code=code, name=name)
            session.add(found)
            session.flush()
        return found

    def plan(code: str, owner: Carrier, name: str, benefit: Benefit) -> int:
        found = plans.get(code)
        if found is None:
            found = plans[code] = Plan(
                carrier_id=owner.id,
                code=code,
                name=name,
                line_of_business=LineOfBusiness.OREGON_MEDICAID,
                benefit=benefit,
                network=od.NETWORK,
                deductible_cents=0,  # the Oregon Health Plan has no deductible
                oop_max_cents=0,
            )
            session.add(found)
            session.flush()
        return found.id

    cco_code, cco_name = od.CCO
    cco = carrier(cco_code, cco_name)
    medicaid = plan(
        f"OHP-{cco_code}", cco, f"Oregon Health Plan: {cco_name.split(' (')[0]}", Benefit.MEDICAID
    )
    partners: dict[Benefit, list[tuple[int, int, str | None]]] = {}
    for code, name, benefit, weight, county in od.PARTNERS:
        owner = carrier(code, name)
        plan_name = f"{od.PLAN_NAMES[benefit]}: {name.split(' (')[0]}"
        plan_id = plan(f"OHP-{code.removeprefix('OR-')}", owner, plan_name, benefit)
        partners.setdefault(benefit, []).append((plan_id, weight, county))
    return OregonPlans(medicaid, partners)


SEQUENCED_TABLES = {
    "employer_groups": EmployerGroup,
    "members": Member,
    "coverage_spans": CoverageSpan,
    "life_events": LifeEvent,
    "id_card_requests": IdCardRequest,
}


def _max_ids(session: Session) -> dict[str, int]:
    return {
        name: session.scalar(select(func.coalesce(func.max(table_of(model).c.id), 0))) or 0
        for name, model in SEQUENCED_TABLES.items()
    }


def _taken_numbers(session: Session) -> frozenset[bytes]:
    """Blind indexes of the member IDs on file (a second book must not reuse one)."""
    return frozenset(session.scalars(select(Member.member_number_bidx)))


class _Book(Protocol):
    """A profile's generator, as the seed drives it."""

    ids: dict[str, int]

    def batches(self, members: int, batch_members: int) -> Iterator[tuple[Batch, int]]: ...


def _generator(
    session: Session, profile: str, seed: int, as_of: date, ids: dict[str, int]
) -> _Book:
    taken = _taken_numbers(session) if ids["members"] else frozenset()
    if profile == LineOfBusiness.OREGON_MEDICAID:
        return OregonGenerator(seed, ensure_oregon_reference_data(session), ids, as_of, taken)
    if profile == LineOfBusiness.CALCHOICE:
        return Generator(seed, ensure_reference_data(session), ids, as_of, taken)
    raise ValueError(f"profile must be one of {', '.join(PROFILES)}")


CREATION_FIELDS = (
    "member_number",
    "relationship",
    "first_name",
    "last_name",
    "date_of_birth",
    "group_id",
    "subscriber_id",
    "spoken_language",
    "written_language",
    "interpreter_needed",
)
LINE = ("line_of_business",)


def insert_batch(session: Session, batch: Batch, ctx: AuditContext = SEED_ACTOR) -> None:
    """Bulk-insert one batch (executemany; encryption happens in the column types), auditing
    every member created (the new values go into the audit entry, encrypted)."""
    for model, rows in (
        (EmployerGroup, batch.groups),
        (Member, batch.members),
        (CoverageSpan, batch.spans),
        (LifeEvent, batch.events),
        (IdCardRequest, batch.cards),
    ):
        if rows:
            # Core executemany (not ORM bulk): one multi-row INSERT per few hundred rows.
            session.execute(table_of(model).insert(), rows)
    audit.record_many(
        session,
        ctx,
        (
            audit.Event(
                AuditAction.MEMBER_CREATED,
                object_type="member",
                object_id=m["id"],
                member_ids=[m["id"]],
                # A row without a line of business is the server default's: CalChoice.
                changes={"new": {k: m[k] for k in (*CREATION_FIELDS, *LINE) if k in m}},
            )
            for m in batch.members
        ),
    )


def _sync_sequences(session: Session) -> None:
    # Rows were inserted with explicit ids; PostgreSQL's sequences must move past them.
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in SEQUENCED_TABLES:
        sql = (
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - constant names
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
        session.execute(text(sql))


def _analyze(sessions: sessionmaker[Session]) -> None:
    # Fresh statistics after a bulk load: without them the planner guesses row counts for the
    # blind-index lookups and may scan a million rows instead of using the index.
    with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE " + ", ".join(SEQUENCED_TABLES)))
        else:
            session.execute(text("ANALYZE"))
        session.commit()


def add_book(
    session: Session,
    *,
    members: int,
    seed: int,
    profile: str = LineOfBusiness.CALCHOICE.value,
    as_of: date = AS_OF_DEFAULT,
) -> list[int]:
    """Insert a small book in the caller's transaction (never commits): the rows ``run_seed``
    makes for the same database, for fixtures that roll back. Returns the members' ids."""
    ids = _max_ids(session)
    gen = _generator(session, profile, seed, as_of, ids)
    made: list[int] = []
    for batch, _ in gen.batches(members, members):
        insert_batch(session, batch)
        made.extend(m["id"] for m in batch.members)
    _sync_sequences(session)  # rows added next by the app take ids after these
    return made


def run_seed(
    sessions: sessionmaker[Session],
    *,
    members: int,
    seed: int,
    console: Console | None = None,
    as_of: date = AS_OF_DEFAULT,
    batch_members: int = BATCH_MEMBERS,
    profile: str = LineOfBusiness.CALCHOICE.value,
) -> SeedResult:
    """Generate and insert a book of ``members`` people of ``profile``; commits once per
    batch."""
    if members < 1:
        raise ValueError("members must be positive")
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}")
    started = time.perf_counter()
    with sessions() as session:
        ids = _max_ids(session)
        gen = _generator(session, profile, seed, as_of, ids)
        session.commit()
    first_group = ids["employer_groups"]
    spans = households = 0
    progress = Progress(
        TextColumn("seeding members"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=console is None,
        transient=False,
    )
    with progress:
        task = progress.add_task("seed", total=members)
        for batch, count in gen.batches(members, batch_members):
            with sessions() as session:
                insert_batch(session, batch)
                session.commit()
            spans += len(batch.spans)
            households += sum(1 for m in batch.members if m["subscriber_id"] is None)
            progress.advance(task, count)
        with sessions() as session:
            _sync_sequences(session)
            session.commit()
        _analyze(sessions)
    result = SeedResult(
        members,
        gen.ids["employer_groups"] - first_group,
        spans,
        time.perf_counter() - started,
        profile,
        households,
    )
    if console is not None:
        console.print(_summary(result))
    return result


def _summary(result: SeedResult) -> str:
    if result.profile == LineOfBusiness.OREGON_MEDICAID:
        return (
            f"seeded {result.members:,} Oregon Health Plan members in {result.households:,} "
            f"households ({result.coverage_spans:,} coverage spans: Medicaid eligibility and "
            f"partner plans) in {result.seconds:.1f} s"
        )
    return (
        f"seeded {result.members:,} members in {result.groups:,} employer groups "
        f"({result.coverage_spans:,} coverage spans) in {result.seconds:.1f} s"
    )
