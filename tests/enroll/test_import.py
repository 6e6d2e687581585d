"""834 imports on each database: every maintenance type, dependants, retroactive terminations,
full files, idempotence, and files refused whole with the place of each problem."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.models import AuditEntry
from memberdesk.enroll.enums import ChangeKind
from memberdesk.enroll.models import EnrollmentFile
from memberdesk.enroll.sample import sample_834
from memberdesk.enroll.service import ENROLL_ACTOR, import_834
from memberdesk.enroll.x12 import X12Rejected
from memberdesk.members import service as members
from memberdesk.members.enums import IneligibleReason, LineOfBusiness, Relationship
from memberdesk.members.models import CoverageSpan, Member
from memberdesk.members.seed import ensure_oregon_reference_data
from tests.enroll.x12files import file834, loop, person

_n = itertools.count(1)
PLAN, OTHER = "SVH-HMO-SIL", "SVH-HMO-GOL"


def number(dependant: int = 0) -> str:
    """A fresh household's member ID (the subscriber's unless ``dependant``)."""
    return f"97{next(_n):07d}-{dependant:02d}"


def find(db: Session, member_number: str) -> Member:
    found, _ = members.search_members(db, member_number=member_number)
    assert len(found) == 1
    db.refresh(found[0])
    return found[0]


def kinds(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.kind.value for c in report.changes]


def test_every_maintenance_type_with_a_dependant(db: Session) -> None:
    sub_no = number()
    child_no = sub_no.replace("-00", "-02")
    sub = person(sub_no)
    child = person(child_no, "child", first_name="Kit", date_of_birth=date(2015, 2, 1))
    g = "T7700001"

    # 021 add: a subscriber and their child, the child pointing at the subscriber.
    added = import_834(
        db,
        file834(
            loop(sub, PLAN, date(2026, 1, 1), group=g), loop(child, PLAN, date(2026, 1, 1), group=g)
        ),
    )
    assert kinds(added) == ["member_added", "member_added"]
    s, c = find(db, sub_no), find(db, child_no)
    assert c.subscriber_id == s.id and c.relationship == Relationship.CHILD
    assert s.group is not None and s.group.group_number == g
    assert members.eligibility(c, date(2026, 6, 1)).eligible

    # 001 change: a new address and a new plan from July (the old plan ends the day before).
    moved = person(sub_no, address_line1="48 Lake Street", city="Fresno", postal_code="93701")
    changed = import_834(
        db, file834(loop(moved, OTHER, date(2026, 7, 1), maintenance="001", reason="AI", group=g))
    )
    assert kinds(changed) == ["member_updated", "plan_changed"]
    s = find(db, sub_no)
    assert s.city == "Fresno"
    assert [(sp.plan.code, sp.termination_date) for sp in s.coverage] == [
        (PLAN, date(2026, 6, 30)),
        (OTHER, None),
    ]

    # 024 term, retroactive: keyed today, ending months ago; the reason is the 834's.
    ended = date(2026, 8, 31)
    term = import_834(
        db,
        file834(loop(person(child_no, "child"), PLAN, None, ended, maintenance="024", reason="08")),
    )
    assert [c.retroactive for c in term.changes] == [True]
    c = find(db, child_no)
    span = c.coverage[-1]
    assert span.termination_date == ended and span.termination_recorded_at is not None
    assert span.termination_recorded_at.date() > ended
    verdict = members.eligibility(c, ended + timedelta(days=1))
    assert not verdict.eligible and verdict.reason == IneligibleReason.TERMINATED

    # 025 reinstate: the termination is undone; covered again with no end date.
    back = import_834(
        db,
        file834(
            loop(person(child_no, "child"), PLAN, date(2026, 1, 1), maintenance="025", reason="41")
        ),
    )
    assert kinds(back) == ["coverage_reinstated"]
    assert members.eligibility(find(db, child_no), ended + timedelta(days=30)).eligible

    # Every change was audited as the system actor with the file's control numbers.
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.actor == ENROLL_ACTOR).order_by(AuditEntry.id)
    ).all()
    assert len(entries) >= 6
    assert all((e.request_id or "").startswith("x12:") for e in entries)
    assert {e.object_id for e in entries} >= {str(s.id), str(c.id)}


def test_same_file_twice_changes_nothing_and_dry_run_changes_nothing(db: Session) -> None:
    no = number()
    raw = file834(loop(person(no), PLAN, date(2026, 3, 1)))
    dry = import_834(db, raw, dry_run=True)
    assert kinds(dry) == ["member_added"] and dry.file_id is None
    assert members.search_members(db, member_number=no)[1] == 0
    first = import_834(db, raw)
    again = import_834(db, raw)
    assert again.already_applied and again.file_id == first.file_id and again.changes == []
    # The same records resent under new control numbers: planned, and nothing changes.
    resent = import_834(db, file834(loop(person(no), PLAN, date(2026, 3, 1))))
    assert kinds(resent) == ["unchanged"]
    assert len(find(db, no).coverage) == 1
    assert db.scalar(select(func.count()).select_from(EnrollmentFile)) >= 2


def test_samples_of_both_lines_import_whole(db: Session) -> None:
    ensure_oregon_reference_data(db)
    for profile, line in (
        ("calchoice", LineOfBusiness.CALCHOICE),
        ("oregon-medicaid", LineOfBusiness.OREGON_MEDICAID),
    ):
        raw = sample_834(db, profile=profile, members=15, seed=41).encode("latin-1")
        report = import_834(db, raw)
        assert report.counts == {"member_added": 15}
        ids = [c.member_id for c in report.changes]
        assert ids == [None] * 15  # added by the file: no id before
        added = db.scalars(
            select(Member)
            .where(Member.line_of_business == line)
            .order_by(Member.id.desc())
            .limit(15)
        ).all()
        assert len(added) == 15
        assert all(m.coverage for m in added)
        assert import_834(db, raw).already_applied


def test_full_file_ends_members_it_leaves_out(db: Session) -> None:
    stay, leave = person(number()), person(number())
    import_834(
        db, file834(loop(stay, OTHER, date(2026, 1, 1)), loop(leave, OTHER, date(2026, 1, 1)))
    )
    full = import_834(
        db, file834(loop(stay, OTHER, date(2026, 1, 1), maintenance="030"), full=True), dry_run=True
    )
    absent = [c for c in full.changes if c.kind == ChangeKind.ABSENT_TERMINATED]
    gone = find(db, leave["member_number"])
    assert gone.id in {c.member_id for c in absent}
    assert find(db, leave["member_number"]).coverage[-1].termination_date is None  # dry run
    import_834(db, file834(loop(stay, OTHER, date(2026, 1, 1), maintenance="030"), full=True))
    assert find(db, leave["member_number"]).coverage[-1].termination_date is not None
    assert find(db, stay["member_number"]).coverage[-1].termination_date is None


@pytest.mark.parametrize(
    ("case", "where"),
    [
        ("termination before the effective date", ("HD", "2300")),
        ("unknown member", ("INS", "2000")),
        ("wrong segment count", ("SE", None)),
        ("truncated", (None, None)),
        ("bad envelope", ("ISA", None)),
        ("dependant without subscriber", ("INS", "2000")),
    ],
)
def test_bad_files_are_refused_whole(db: Session, case: str, where: tuple) -> None:  # type: ignore[type-arg]
    good_no = number()
    good = loop(person(good_no, last_name="Zebulonsky"), PLAN, date(2026, 2, 1))
    on_file = number()
    import_834(db, file834(loop(person(on_file), PLAN, date(2026, 5, 1))))
    if case == "termination before the effective date":
        raw = file834(good, loop(person(on_file), PLAN, None, date(2026, 4, 1), maintenance="024"))
    elif case == "unknown member":
        raw = file834(good, loop(person(number()), PLAN, None, date(2026, 9, 1), maintenance="024"))
    elif case == "wrong segment count":
        raw = file834(good).replace(b"SE*", b"SE*9")
    elif case == "truncated":
        raw = file834(good)[:-40]
    elif case == "bad envelope":
        raw = b"ISX*00*garbage~"
    else:
        raw = file834(good, loop(person(number(2), "child"), PLAN, date(2026, 2, 1)))
    with pytest.raises(X12Rejected) as refused:
        import_834(db, raw)
    problems = refused.value.problems
    assert problems
    segment, loop_id = where
    if segment:
        assert any(p.segment == segment for p in problems), [p.as_text() for p in problems]
    if loop_id:
        assert any(p.loop == loop_id and p.position for p in problems)
    # Nothing half-applied: the good record before the bad one is not on file.
    assert members.search_members(db, member_number=good_no)[1] == 0
    assert find(db, on_file).coverage[-1].termination_date is None
    # The report names places, never the content (names, member IDs).
    text = " ".join(p.as_text() for p in problems) + refused.value.ack
    assert "Zebulonsky" not in text and good_no not in text and on_file not in text
    if not refused.value.envelope:
        assert "IK5*R" in refused.value.ack


def test_retroactive_term_is_recorded_after_the_fact(db: Session) -> None:
    no = number()
    import_834(db, file834(loop(person(no), PLAN, date(2025, 1, 1))))
    past = now().date() - timedelta(days=90)
    report = import_834(
        db, file834(loop(person(no), PLAN, None, past, maintenance="024", reason="59"))
    )
    assert report.changes[0].retroactive
    span = db.scalar(select(CoverageSpan).where(CoverageSpan.member_id == find(db, no).id))
    assert span is not None and span.termination_reason == "non_payment"
