"""``memberdesk seed``: insert a deterministic synthetic California small-group book."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.db import table_of
from memberdesk.members import seed_data as sd
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

SEED_ACTOR = AuditContext(actor_id=None, actor="memberdesk-seed", role="system")


@dataclass
class SeedResult:
    members: int
    groups: int
    coverage_spans: int
    seconds: float


def ensure_reference_data(session: Session) -> list[PlanChoice]:
    """Insert the fictional carriers and plans once; return the plans in a stable order."""
    existing = {c.code: c for c in session.scalars(select(Carrier))}
    for code, name, factor in sd.CARRIERS:
        carrier = existing.get(code)
        if carrier is None:
            carrier = Carrier(code=code, name=name)
            session.add(carrier)
            session.flush()
        for ptype, metal, network, offered_by in sd.PLAN_DESIGNS:
            if code not in offered_by:
                continue
            plan_code = f"{code}-{ptype.value}-{metal.value[:3].upper()}"
            if session.scalar(select(Plan.id).where(Plan.code == plan_code)) is not None:
                continue
            base = sd.METAL_BASE_CENTS[metal] * sd.TYPE_FACTOR[ptype] * factor
            rates = [round(base * f / 100.0) * 100 for f in sd.TIER_FACTORS]
            session.add(
                Plan(
                    carrier_id=carrier.id,
                    code=plan_code,
                    name=f"{name.split(' (')[0]} {metal.value.title()} {network}",
                    plan_type=ptype,
                    metal_tier=metal,
                    network=network,
                    deductible_cents=sd.METAL_DEDUCTIBLE_CENTS[metal]
                    if ptype != "PPO"
                    else sd.METAL_DEDUCTIBLE_CENTS[metal] + 50_000,
                    oop_max_cents=sd.METAL_OOP_MAX_CENTS[metal],
                    rate_employee_cents=rates[0],
                    rate_employee_spouse_cents=rates[1],
                    rate_employee_children_cents=rates[2],
                    rate_family_cents=rates[3],
                )
            )
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
        .order_by(Plan.code)
    ).all()
    return [PlanChoice(p[0], str(p[1]), (p[2], p[3], p[4], p[5]), p[6]) for p in plans]


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
                changes={"new": {k: m[k] for k in CREATION_FIELDS}},
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


def run_seed(
    sessions: sessionmaker[Session],
    *,
    members: int,
    seed: int,
    console: Console | None = None,
    as_of: date = AS_OF_DEFAULT,
    batch_members: int = BATCH_MEMBERS,
) -> SeedResult:
    """Generate and insert a book of ``members`` people; commits once per batch."""
    if members < 1:
        raise ValueError("members must be positive")
    started = time.perf_counter()
    with sessions() as session:
        plans = ensure_reference_data(session)
        ids = _max_ids(session)
        session.commit()
    first_group = ids["employer_groups"]
    gen = Generator(seed, plans, ids, as_of)
    spans = 0
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
            progress.advance(task, count)
        with sessions() as session:
            _sync_sequences(session)
            session.commit()
        _analyze(sessions)
    result = SeedResult(
        members, gen.ids["employer_groups"] - first_group, spans, time.perf_counter() - started
    )
    if console is not None:
        console.print(
            f"seeded {result.members:,} members in {result.groups:,} employer groups "
            f"({result.coverage_spans:,} coverage spans) in {result.seconds:.1f} s"
        )
    return result
