"""Every member of a synthetic book obeys the rules the API enforces: the demo never shows what
the product would refuse (an ID card before a birth, a life event twice, a card after coverage
ended). Checked on the test book in the database and on the default demo seed (15,000 members)
as the generator produces it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.crypto import bidx_phone
from memberdesk.members.eligibility import eligibility_at
from memberdesk.members.enums import IdCardStatus, LifeEventType, Relationship
from memberdesk.members.models import (
    CoverageSpan,
    EmployerGroup,
    IdCardRequest,
    LifeEvent,
    Member,
    bidx_life_event,
)
from memberdesk.members.rules import (
    MEMBER_NUMBER_RE,
    coverage_problems,
    id_card_problem,
    is_duplicate_event,
    life_event_problem,
)
from memberdesk.members.seed import ensure_reference_data
from memberdesk.members.synthetic import AS_OF_DEFAULT, Batch, Generator
from memberdesk.schemas import MAX_DATE, MIN_DATE

OPEN = {IdCardStatus.REQUESTED, IdCardStatus.PRINTED}
DEMO_MEMBERS, DEMO_SEED = 15_000, 1  # what `memberdesk demo` seeds


@dataclass
class Span:
    effective_date: date
    termination_date: date | None


def book_problems(
    groups: dict[int, dict[str, Any]],
    members: list[dict[str, Any]],
    spans: list[dict[str, Any]],
    events: list[dict[str, Any]],
    cards: list[dict[str, Any]],
    as_of: date,
) -> list[str]:
    """Every broken rule in a book given as rows (the generator's dicts, or the tables')."""
    by_member: dict[int, list[Span]] = defaultdict(list)
    for s in sorted(spans, key=lambda s: s["effective_date"]):
        by_member[s["member_id"]].append(Span(s["effective_date"], s["termination_date"]))
    people = {m["id"]: m for m in members}
    problems: list[str] = []

    def bad(member_id: int, what: str) -> None:
        problems.append(f"member {member_id}: {what}")

    for m in members:
        dob, grp = m["date_of_birth"], groups[m["group_id"]]
        if not MIN_DATE <= dob <= as_of:
            bad(m["id"], "date of birth out of range")
        if not MEMBER_NUMBER_RE.match(m["member_number"]):
            bad(m["id"], "member ID not 9 digits, hyphen, 2 digits")
        if m["subscriber_id"] is not None:
            base = people[m["subscriber_id"]]["member_number"][:9]
            if not m["member_number"].startswith(base):
                bad(m["id"], "dependant's member ID not on the subscriber's number")
        for p in coverage_problems(
            by_member[m["id"]], dob, grp["effective_date"], grp["termination_date"]
        ):
            bad(m["id"], p)
        conf = m["confidential_phone"]
        if m["confidential_phone_bidx"] != (bidx_phone(conf) if conf else None):
            bad(m["id"], "confidential phone's blind index out of step (phone search misses it)")
    cards_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in cards:
        cards_of[c["member_id"]].append(c)
    for member_id, own in cards_of.items():
        m = people[member_id]
        grp = groups[m["group_id"]]
        if sum(c["status"] in OPEN for c in own) > 1:
            bad(member_id, "more than one ID-card request open")
        for c in own:
            asked: datetime = c["requested_at"]
            if asked.date() < m["date_of_birth"]:
                bad(member_id, "ID card asked for before the member's birth")
            if c["updated_at"] < asked or asked.date() > as_of:
                bad(member_id, "ID card dates out of order")
            result = eligibility_at(
                on=asked.date(),
                spans=by_member[member_id],
                relationship=Relationship(m["relationship"]),
                date_of_birth=m["date_of_birth"],
                group_effective=grp["effective_date"],
                group_terminated=grp["termination_date"],
                disabled_dependent=m["disabled_dependent"],
            )
            if id_card_problem(result, by_member[member_id]):
                bad(member_id, f"ID card asked for on a day the API refuses one ({result.reason})")
    events_of: dict[int, list[tuple[LifeEventType, date]]] = defaultdict(list)
    dedup_seen: set[tuple[int, bytes]] = set()
    for e in sorted(events, key=lambda e: e["id"]):
        holder = people[e["member_id"]]
        when, kind = e["event_date"], LifeEventType(e["event_type"])
        problem = life_event_problem(when, holder["date_of_birth"], e["reported_at"].date())
        if problem or not MIN_DATE <= when <= MAX_DATE:
            bad(holder["id"], f"life event refused by the API: {problem}")
        if e["reported_at"].date() < when:
            bad(holder["id"], "life event reported before it happened")
        if is_duplicate_event(kind, when, events_of[holder["id"]]):
            bad(holder["id"], "the same life event twice")
        events_of[holder["id"]].append((kind, when))
        if e["dedup_bidx"] != bidx_life_event(kind, when):
            bad(holder["id"], "life event's dedup index out of step")
        if (holder["id"], e["dedup_bidx"]) in dedup_seen:
            bad(holder["id"], "two life events the database's unique constraint refuses")
        dedup_seen.add((holder["id"], e["dedup_bidx"]))
    return problems


def rows(session: Session, model: type[Any]) -> list[dict[str, Any]]:
    cols = [c.key for c in model.__table__.columns]
    return [{c: getattr(r, c) for c in cols} for r in session.scalars(select(model))]


def test_the_test_book_obeys_the_rules(db: Session) -> None:
    groups = {g["id"]: g for g in rows(db, EmployerGroup)}
    problems = book_problems(
        groups,
        rows(db, Member),
        rows(db, CoverageSpan),
        rows(db, LifeEvent),
        rows(db, IdCardRequest),
        AS_OF_DEFAULT,
    )
    assert problems == []


def test_the_default_demo_book_obeys_the_rules(db: Session) -> None:
    plans = ensure_reference_data(db)
    ids = dict.fromkeys(
        ("employer_groups", "members", "coverage_spans", "life_events", "id_card_requests"), 0
    )
    book = Batch()
    for batch, _ in Generator(DEMO_SEED, plans, ids, AS_OF_DEFAULT).batches(DEMO_MEMBERS, 5000):
        for name in ("groups", "members", "spans", "events", "cards"):
            getattr(book, name).extend(getattr(batch, name))
    assert len(book.members) == DEMO_MEMBERS
    groups = {g["id"]: g for g in book.groups}
    problems = book_problems(
        groups, book.members, book.spans, book.events, book.cards, AS_OF_DEFAULT
    )
    assert problems[:10] == [] and len(problems) == 0
    newborns = {s["member_id"] for s in book.spans if s["source"] == "life_event"}
    assert len(newborns) > 1000  # the book still has the newborns and marriages masking is about
