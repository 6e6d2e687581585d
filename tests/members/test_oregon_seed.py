"""The synthetic Oregon Health Plan book: the same for a seed on every database, beside a
California book in one database without sharing an id or a member ID, shaped like a Medicaid
coordinated-care book (eligibility spans with renewals and gaps, four partner plans at once,
a Portland-area language mix, no groups or premiums), obeying the rules the API enforces, and
every member's creation audited."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.audit import decrypt_changes
from memberdesk.compliance.models import AuditEntry
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.dates import month_end
from memberdesk.members.eligibility import eligibility_at
from memberdesk.members.enums import (
    PARTNER_BENEFITS,
    Benefit,
    IdCardStatus,
    LineOfBusiness,
    Relationship,
)
from memberdesk.members.models import CoverageSpan, IdCardRequest, Member, Plan
from memberdesk.members.rules import MEMBER_NUMBER_RE, coverage_problems, id_card_problem
from memberdesk.members.seed import ensure_oregon_reference_data, run_seed
from memberdesk.members.synthetic import AS_OF_DEFAULT, Batch
from memberdesk.members.synthetic_oregon import OregonGenerator
from tests.dbutil import BACKENDS, fresh_database

OREGON = LineOfBusiness.OREGON_MEDICAID
OPEN = {IdCardStatus.REQUESTED, IdCardStatus.PRINTED}


def oregon_digest(session: Session, first: int | None = None) -> str:
    """The Oregon members (the ``first`` ones, or all) as people and coverage (decrypted, ids
    left out: a book seeded beside another has other ids, and must be the same people)."""
    h = hashlib.sha256()
    plans = dict(session.execute(select(Plan.id, Plan.code)).all())
    skip = {"id", "subscriber_id", "created_at", "updated_at"}
    cols = [c.key for c in Member.__table__.columns if c.key not in skip]
    members = session.scalars(
        select(Member).where(Member.line_of_business == OREGON).order_by(Member.id).limit(first)
    ).unique()
    for m in members:
        h.update(repr([getattr(m, c) for c in cols]).encode())
        for s in m.coverage:
            h.update(
                repr(
                    (
                        plans[s.plan_id],
                        s.effective_date,
                        s.termination_date,
                        s.renewal_date,
                        s.source,
                        s.termination_reason,
                        s.recorded_at,
                        s.termination_recorded_at,
                    )
                ).encode()
            )
    return h.hexdigest()


def seeded(
    backend: str,
    var_dir: Path,
    tmp: Path,
    books: list[tuple[str, int, int]],
    first: int | None = None,
) -> tuple[str, dict[str, int]]:
    """Seed ``books`` (profile, members, seed) in order into a fresh database; the digest of
    the (first) Oregon members and the member count of each line."""
    with fresh_database(backend, var_dir, tmp) as settings:
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        for profile, n, seed in books:
            result = run_seed(sessions, members=n, seed=seed, profile=profile, batch_members=97)
            assert result.members == n and result.profile == profile
        with sessions() as session:
            counts = dict(
                session.execute(
                    select(Member.line_of_business, func.count()).group_by(Member.line_of_business)
                ).all()
            )
            digest = oregon_digest(session, first)
        engine.dispose()
    return digest, {str(k): v for k, v in counts.items()}


def test_same_seed_same_book_on_every_backend(var_dir: Path, tmp_path: Path) -> None:
    book = [("oregon-medicaid", 300, 11)]
    digests = {b: seeded(b, var_dir, tmp_path / b, book)[0] for b in BACKENDS}
    assert len(set(digests.values())) == 1, digests
    assert seeded("sqlite", var_dir, tmp_path / "again", book)[0] == digests["sqlite"]
    other = seeded("sqlite", var_dir, tmp_path / "other", [("oregon-medicaid", 300, 12)])[0]
    assert other != digests["sqlite"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_both_books_in_one_database(backend: str, var_dir: Path, tmp_path: Path) -> None:
    """Seeded beside a California book (before or after it), the Oregon book is the same
    people with the same coverage as seeded alone; a second Oregon book of the same seed takes
    other member IDs instead of failing on the first."""
    alone, counts = seeded(backend, var_dir, tmp_path / "alone", [("oregon-medicaid", 200, 5)])
    assert counts == {"oregon-medicaid": 200}
    after, counts = seeded(
        backend,
        var_dir,
        tmp_path / "after",
        [("calchoice", 150, 5), ("oregon-medicaid", 200, 5), ("oregon-medicaid", 40, 5)],
        first=200,
    )
    assert counts == {"calchoice": 150, "oregon-medicaid": 240}
    before, counts = seeded(
        backend, var_dir, tmp_path / "before", [("oregon-medicaid", 200, 5), ("calchoice", 150, 5)]
    )
    assert counts == {"calchoice": 150, "oregon-medicaid": 200}
    assert before == alone == after


def test_a_second_book_of_the_same_seed_takes_other_numbers(db: Session) -> None:
    """The generator skips member IDs on file: the same seed twice in one database gives two
    households' worth of different numbers, where it would otherwise draw the same ones."""
    numbers = set(db.scalars(select(Member.member_number_bidx)))
    plans = ensure_oregon_reference_data(db)
    ids = dict.fromkeys(
        ("employer_groups", "members", "coverage_spans", "life_events", "id_card_requests"), 0
    )
    fresh = next(OregonGenerator(1, plans, dict(ids), AS_OF_DEFAULT).batches(50, 50))[0]
    again = next(
        OregonGenerator(
            1,
            plans,
            dict(ids),
            AS_OF_DEFAULT,
            frozenset(m["member_number_bidx"] for m in fresh.members),
        ).batches(50, 50)
    )[0]
    first = {m["member_number"] for m in fresh.members}
    second = {m["member_number"] for m in again.members}
    assert first.isdisjoint(second)
    assert not numbers & {m["member_number_bidx"] for m in fresh.members}


def book(members: int, seed: int, session: Session) -> Batch:
    """The generator's rows for a book (nothing inserted)."""
    plans = ensure_oregon_reference_data(session)
    ids = dict.fromkeys(
        ("employer_groups", "members", "coverage_spans", "life_events", "id_card_requests"), 0
    )
    out = Batch()
    for batch, _ in OregonGenerator(seed, plans, ids, AS_OF_DEFAULT).batches(members, 5000):
        out.members.extend(batch.members)
        out.spans.extend(batch.spans)
        out.cards.extend(batch.cards)
        assert not batch.groups and not batch.events  # no employers, no special enrolment
    assert len(out.members) == members
    return out


@pytest.fixture(scope="module")
def demo_book(engine) -> tuple[Batch, dict[int, Benefit]]:  # type: ignore[no-untyped-def]
    """The demo's Oregon book (20,000 members, seed 1) as the generator produces it."""
    with Session(engine) as session:
        rows = book(20_000, 1, session)
        benefit = dict(session.execute(select(Plan.id, Plan.benefit)).all())
        session.rollback()
    return rows, benefit


def book_problems(rows: Batch, benefit: dict[int, Benefit], as_of: date) -> list[str]:
    """Every rule the Oregon book breaks: the API's (member IDs, coverage, ID cards) and its
    own (monthly spans with renewal dates, one partner of each kind held exactly while
    eligible)."""
    problems: list[str] = []
    people = {m["id"]: m for m in rows.members}
    spans: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in sorted(rows.spans, key=lambda s: s["effective_date"]):
        spans[s["member_id"]].append(s)
    cards: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in rows.cards:
        cards[c["member_id"]].append(c)

    def bad(member_id: int, what: str) -> None:
        problems.append(f"member {member_id}: {what}")

    for m in rows.members:
        mid, dob = m["id"], m["date_of_birth"]
        if not MEMBER_NUMBER_RE.match(m["member_number"]) or m["group_id"] is not None:
            bad(mid, "member ID or group")
        head = people[m["subscriber_id"]] if m["subscriber_id"] is not None else m
        if not m["member_number"].startswith(head["member_number"][:9]):
            bad(mid, "not on the head of household's number")
        elig = [s for s in spans[mid] if benefit[s["plan_id"]] == Benefit.MEDICAID]
        if not elig:
            bad(mid, "no eligibility span")
        for p in coverage_problems([_Span(s) for s in elig], dob, None, None):
            bad(mid, p)
        for s in elig:
            if s["effective_date"] != dob and s["effective_date"].day != 1:
                bad(mid, "eligibility starts mid-month (not at birth)")
            end = s["termination_date"]
            if end is not None and end != month_end(end):
                bad(mid, "eligibility ends mid-month")
            if s["renewal_date"] is None or s["renewal_date"] < s["effective_date"]:
                bad(mid, "renewal date missing or before the span")
            if s["recorded_at"].date() < dob or s["recorded_at"].date() > as_of:
                bad(mid, "keyed before birth or after the reference date")
        for kind in PARTNER_BENEFITS:
            held = [s for s in spans[mid] if benefit[s["plan_id"]] == kind]
            for p in coverage_problems([_Span(s) for s in held], dob, None, None):
                bad(mid, f"{kind}: {p}")
            days = sum(_days(s, as_of) for s in held)
            if days != sum(_days(s, as_of) for s in elig):
                bad(mid, f"{kind} not held exactly while eligible")
            for s in held:
                if not any(_inside(s, e) for e in elig):
                    bad(mid, f"{kind} outside the eligibility")
        for c in cards[mid]:
            if c["requested_at"].date() < dob:
                bad(mid, "ID card before birth")
            result = eligibility_at(
                on=c["requested_at"].date(),
                spans=[_Span(s) for s in elig],
                relationship=Relationship(m["relationship"]),
                date_of_birth=dob,
                group_effective=None,
                group_terminated=None,
                age_limit=None,
            )
            if id_card_problem(result, [_Span(s) for s in elig]):
                bad(mid, f"ID card on a day the API refuses one ({result.reason})")
        if sum(c["status"] in OPEN for c in cards[mid]) > 1:
            bad(mid, "two open ID-card requests")
    return problems


class _Span:
    def __init__(self, row: dict[str, Any]) -> None:
        self.effective_date: date = row["effective_date"]
        self.termination_date: date | None = row["termination_date"]


def _days(span: dict[str, Any], as_of: date) -> int:
    end = min(span["termination_date"] or as_of, as_of)
    return max(0, (end - span["effective_date"]).days + 1)


def _inside(inner: dict[str, Any], outer: dict[str, Any]) -> bool:
    far = date.max
    return outer["effective_date"] <= inner["effective_date"] and (
        inner["termination_date"] or far
    ) <= (outer["termination_date"] or far)


def test_the_demo_book_obeys_the_rules(demo_book: tuple[Batch, dict[int, Benefit]]) -> None:
    rows, benefit = demo_book
    problems = book_problems(rows, benefit, AS_OF_DEFAULT)
    assert problems[:10] == [] and len(problems) == 0


def test_the_demo_book_looks_like_a_portland_medicaid_book(
    demo_book: tuple[Batch, dict[int, Benefit]],
) -> None:
    rows, benefit = demo_book
    members, n = rows.members, len(rows.members)
    langs = Counter(m["spoken_language"] for m in members)
    for code in ("es", "ru", "vi", "zh", "so", "ar", "uk", "chk"):
        assert langs[code] > 0, code
    assert langs["en"] > langs["es"] > langs["ru"] > langs["chk"]
    needs = Counter(m["spoken_language"] for m in members if m["interpreter_needed"])
    assert 0.05 < sum(needs.values()) / n < 0.2 and needs["es"] > needs["ru"] > 0
    assert all(m["state"] == "OR" and m["postal_code"].startswith("97") for m in members)
    assert all(m["phone"] is None or m["phone"][1:4] in ("503", "971") for m in members)
    rels = Counter(m["relationship"] for m in members)
    assert rels[Relationship.SELF] > rels[Relationship.CHILD] > rels[Relationship.SPOUSE] > 0
    elig = [s for s in rows.spans if benefit[s["plan_id"]] == Benefit.MEDICAID]
    ends = Counter(str(s["termination_reason"]) for s in elig)
    assert ends["None"] > ends["renewal_not_completed"] > ends["moved_out_of_area"] > 0
    # Gaps: members who came back after a renewal was not completed.
    per_member = Counter(s["member_id"] for s in elig)
    assert sum(1 for c in per_member.values() if c > 1) > 0.02 * n
    # Covered today, one partner of each kind; some partners changed mid-span by choice.
    partner = [s for s in rows.spans if benefit[s["plan_id"]] != Benefit.MEDICAID]
    sources = Counter(str(s["source"]) for s in partner)
    assert sources["member_choice"] > 0 and sources["partner_assignment"] > sources["member_choice"]
    renewals = [s["renewal_date"] for s in elig if s["termination_date"] is None]
    assert min(renewals) >= AS_OF_DEFAULT
    assert max(renewals) <= month_end(AS_OF_DEFAULT.replace(year=AS_OF_DEFAULT.year + 6))  # at 6
    born = {m["id"]: m["date_of_birth"] for m in members}
    newborns = [s for s in elig if s["effective_date"] == born[s["member_id"]]]
    assert len(newborns) > 100  # covered from birth: the dates masking is about


def test_seeding_audits_every_member_created(db: Session) -> None:
    from tests.factories import oregon_book

    made = oregon_book(db, members=30, seed=9)
    entries = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "member.created",
            AuditEntry.object_id.in_([str(i) for i in made]),
        )
    ).all()
    assert len(entries) == len(made) == 30
    new = decrypt_changes(entries[0].changes)
    assert new is not None and new["new"]["line_of_business"] == "oregon-medicaid"
    assert new["new"]["group_id"] is None
    assert entries[0].actor == "memberdesk-seed"
    # The rows are where the audit says: no groups, no premiums, four partner kinds.
    assert (
        db.scalar(select(func.count()).where(Member.id.in_(made), Member.group_id.is_not(None)))
        == 0
    )
    kinds = set(
        db.scalars(select(Plan.benefit).join(CoverageSpan).where(CoverageSpan.member_id.in_(made)))
    )
    assert kinds == {Benefit.MEDICAID, *PARTNER_BENEFITS}
    assert db.scalar(select(func.count()).where(IdCardRequest.member_id.in_(made))) >= 25
