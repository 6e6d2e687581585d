"""How the member 360 and search load their rows: a fixed, small number of statements whatever
the household's size, coverage loaded with the members (nothing lazy-loads while the view is
built), and the same answer whichever way the member was loaded first. Counts, not timings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.errors import NotFound
from memberdesk.members import service, views
from memberdesk.members.enums import Relationship
from tests import factories as f


@contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    """Every SQL statement ``db`` runs inside the block."""
    seen: list[str] = []
    conn = db.connection()

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(conn, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", count)


def family(db: Session, children: int) -> tuple[int, list[int], str]:
    """A subscriber (two spans), a spouse and ``children`` children: (subscriber id, dependant
    ids, subscriber number)."""
    sub = f.member(db, spans=[(date(2019, 1, 1), date(2021, 12, 31)), (date(2022, 1, 1), None)])
    spouse = f.member(db, subscriber=sub, relationship=Relationship.SPOUSE, phone=None)
    kids = [
        f.member(
            db,
            subscriber=sub,
            relationship=Relationship.CHILD,
            dob=date(2010 + i, 2, 1),
            first_name=f"Kid{i}",
            phone=None,
        )
        for i in range(children)
    ]
    ids = sub.id, [m.id for m in (spouse, *kids)], sub.member_number[:9]
    db.expunge_all()  # as a request finds them: nothing loaded
    return ids


@pytest.mark.parametrize("children", [0, 4])
def test_household_and_coverage_in_one_statement_and_the_360_in_four(
    db: Session, children: int
) -> None:
    sub, deps, _number = family(db, children)
    today = now().date()
    for who in (sub, deps[-1]):
        db.expunge_all()
        with statements(db) as seen:
            member, house = service.get_household(db, who)
        assert len(seen) == 1
        assert member.id == who
        assert [m.id for m in house] == [sub, *deps]  # subscriber first
        with statements(db) as seen:
            view = views.member_360(db, member, house, today, today, 26)
        # life events, ID cards, recent contacts, navigator: coverage never lazy-loads
        assert len(seen) == 4, seen
        assert [h.id for h in view.household] == [m.id for m in house]
        assert len(view.coverage) == (2 if who == sub else 1)


def test_unknown_member_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        service.get_household(db, 2_000_000_000)
    with pytest.raises(NotFound):
        service.get_member(db, 2_000_000_000)


def test_the_view_is_the_same_however_the_member_was_loaded_first(db: Session) -> None:
    _sub, deps, _number = family(db, 2)
    today = now().date()
    member, house = service.get_household(db, deps[0])
    fresh = views.member_360(db, member, house, today, today, 26).model_dump_json()
    db.expunge_all()
    # The pages load the member first (get_member), then the household around it.
    loaded = service.get_member(db, deps[0])
    again, house = service.get_household(db, deps[0])
    assert again is loaded
    assert views.member_360(db, again, house, today, today, 26).model_dump_json() == fresh


def test_search_loads_a_page_and_its_coverage_in_two_statements(db: Session) -> None:
    sub = f.member(db, phone="(209) 555-0177")
    for i in range(3):
        f.member(
            db,
            subscriber=sub,
            relationship=Relationship.CHILD,
            dob=date(2012 + i, 1, 1),
            phone="(209) 555-0177",
        )
    db.expunge_all()
    today = now().date()
    with statements(db) as seen:
        rows, total = service.search_members(db, phone="2095550177")
        lines = [views.summary(m, today, 26) for m in rows]
    assert len(seen) == 2  # the page, its coverage; no count for a short first page
    assert total == len(lines) == 4
    with statements(db) as seen:
        rows, total = service.search_members(db, phone="2095550177", limit=3)
    assert len(seen) == 2 and total == 4  # coverage already loaded; the count beyond one page
