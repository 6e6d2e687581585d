"""Planning an 834: every record checked against the members on file (and the records before
it in the file) and turned into changes; nothing is written. One problem anywhere refuses the
file (see ``service``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from memberdesk.clock import now
from memberdesk.compliance.crypto import bidx_member_number
from memberdesk.enroll.enums import (
    TERMINATION_REASONS,
    ChangeKind,
    FileKind,
    Maintenance,
)
from memberdesk.enroll.x12 import Problem
from memberdesk.enroll.x12_834 import Coverage, File834, MemberRecord
from memberdesk.members.enums import (
    TerminationReason,
)
from memberdesk.members.models import CoverageSpan, EmployerGroup, Member, Plan

CHUNK = 2000  # records looked up (and written) per round trip
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Change:
    """One thing applying the file does (or, in a dry run, would do)."""

    kind: ChangeKind
    position: int
    transaction: str
    member_id: int | None  # internal id; None for a member the file adds
    plan: str | None = None
    begin: date | None = None
    end: date | None = None
    retroactive: bool = False

    def as_dict(self) -> dict[str, object]:
        """For JSON answers (internal ids and plan codes only; no names or member IDs)."""
        return {
            "kind": self.kind.value,
            "segment": "INS",
            "position": self.position,
            "loop": "2000",
            "transaction": self.transaction,
            "member_id": self.member_id,
            "plan": self.plan,
            "begin": self.begin.isoformat() if self.begin else None,
            "end": self.end.isoformat() if self.end else None,
            "retroactive": self.retroactive,
        }


@dataclass
class Op:
    """What to write for one change (the planner's instructions to the applier)."""

    record: MemberRecord
    member: Member | None = None
    span: CoverageSpan | None = None
    coverage: Coverage | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    reason: TerminationReason | None = None


class Planner:
    """Decides every record's changes, reading members in chunks; writes nothing."""

    def __init__(self, session: Session, file: File834) -> None:
        self.session = session
        self.file = file
        self.today = now().date()
        self.plans = {p.code: p for p in session.scalars(select(Plan))}
        self.problems: list[Problem] = []
        self.ops: list[tuple[Change, Op]] = []
        self.in_file: dict[str, MemberRecord] = {}  # member numbers added earlier in the file
        self.seen_numbers: set[bytes] = set()

    def plan(self, progress: Progress) -> None:
        for tr in self.file.transactions:
            for chunk in _chunks(tr.members, CHUNK):
                on_file = self._load(chunk)
                for rec in chunk:
                    self._plan_record(rec, on_file)
                progress(len(chunk))
            if tr.kind == FileKind.FULL:
                self._plan_absent(tr)

    def _load(self, chunk: Sequence[MemberRecord]) -> dict[bytes, Member]:
        wanted = {bidx_member_number(r.member_number) for r in chunk if r.member_number}
        wanted |= {
            bidx_member_number(f"{r.subscriber_number}-00") for r in chunk if r.subscriber_number
        }
        found = self.session.scalars(
            select(Member)
            .where(Member.member_number_bidx.in_(wanted))
            .options(joinedload(Member.coverage))
        ).unique()
        return {m.member_number_bidx: m for m in found}

    def _bad(self, rec: MemberRecord, message: str, cov: Coverage | None = None) -> None:
        if cov is not None:
            self.problems.append(Problem(message, "HD", cov.position, "2300", rec.transaction))
        else:
            self.problems.append(Problem(message, "INS", rec.position, "2000", rec.transaction))

    def _change(self, kind: ChangeKind, rec: MemberRecord, op: Op, **kw: Any) -> None:
        member_id = op.member.id if op.member is not None else None
        self.ops.append((Change(kind, rec.position, rec.transaction, member_id, **kw), op))

    def _plan_record(self, rec: MemberRecord, on_file: dict[bytes, Member]) -> None:
        bidx = bidx_member_number(rec.member_number)
        if bidx in self.seen_numbers:
            self._bad(rec, "the same member appears twice in the file")
            return
        self.seen_numbers.add(bidx)
        for cov in rec.coverages:
            if cov.plan_code not in self.plans:
                self._bad(rec, "HD04 names a plan that is not on file", cov)
                return
        member = on_file.get(bidx)
        if (
            not rec.subscriber
            and member is None
            and rec.maintenance
            in (
                Maintenance.ADD,
                Maintenance.AUDIT,
            )
        ):
            sub = bidx_member_number(f"{rec.subscriber_number}-00")
            if sub not in on_file and f"{rec.subscriber_number}-00" not in self.in_file:
                self._bad(rec, "the dependant's subscriber (REF*0F) is neither on file nor added")
                return
        kind = rec.maintenance
        if member is None and kind in (
            Maintenance.CHANGE,
            Maintenance.TERMINATE,
            Maintenance.REINSTATE,
        ):
            self._bad(rec, "no member on file with this member ID (REF*23)")
            return
        if member is None:
            self._plan_add(rec)
        elif kind in (Maintenance.ADD, Maintenance.AUDIT, Maintenance.CHANGE):
            self._plan_update(rec, member)
        elif kind == Maintenance.TERMINATE:
            self._plan_term(rec, member)
        else:
            self._plan_reinstate(rec, member)

    def _plan_add(self, rec: MemberRecord) -> None:
        if not rec.coverages:
            self._bad(rec, "an addition needs at least one coverage (HD) loop")
            return
        for cov in rec.coverages:
            if cov.begin is None:
                self._bad(rec, "the coverage has no begin date (DTP*348)", cov)
                return
        self.in_file[rec.member_number] = rec
        self._change(
            ChangeKind.MEMBER_ADDED,
            rec,
            Op(rec),
            plan=rec.coverages[0].plan_code,
            begin=rec.coverages[0].begin,
            end=rec.coverages[0].end,
        )

    def _plan_update(self, rec: MemberRecord, member: Member) -> None:
        fields = _demographic_changes(rec, member)
        if fields:
            self._change(ChangeKind.MEMBER_UPDATED, rec, Op(rec, member, fields=fields))
        changed = bool(fields)
        for cov in rec.coverages:
            changed |= self._plan_coverage(rec, member, cov)
        if not changed:
            self._change(ChangeKind.UNCHANGED, rec, Op(rec, member))

    def _plan_coverage(self, rec: MemberRecord, member: Member, cov: Coverage) -> bool:
        """Bring one HD loop's span onto the member; True when something changes."""
        plan = self.plans[cov.plan_code]
        same = [s for s in member.coverage if s.plan_id == plan.id]
        begin = cov.begin
        if begin is None:
            return False  # a change of demographics only repeats the plan without dates
        match = next((s for s in same if s.effective_date == begin), None)
        if match is not None:
            if match.termination_date != cov.end:
                if cov.end is not None and cov.end < match.effective_date:
                    self._bad(
                        rec, "the termination date is before the coverage's effective date", cov
                    )
                    return True
                self._change(
                    ChangeKind.COVERAGE_TERMINATED if cov.end else ChangeKind.COVERAGE_REINSTATED,
                    rec,
                    Op(rec, member, span=match, coverage=cov),
                    plan=cov.plan_code,
                    begin=begin,
                    end=cov.end,
                    retroactive=bool(cov.end and cov.end < self.today),
                )
                return True
            return False
        # A plan of the same kind held across the new begin date ends the day before: a plan
        # change (the 834 sends only the new plan).
        held = [
            s
            for s in member.coverage
            if s.plan.benefit == plan.benefit
            and s.plan_id != plan.id
            and s.effective_date < begin
            and (s.termination_date is None or s.termination_date >= begin)
        ]
        kind = ChangeKind.PLAN_CHANGED if held else ChangeKind.COVERAGE_ADDED
        self._change(
            kind,
            rec,
            Op(rec, member, span=held[0] if held else None, coverage=cov),
            plan=cov.plan_code,
            begin=begin,
            end=cov.end,
        )
        return True

    def _plan_term(self, rec: MemberRecord, member: Member) -> None:
        targets = rec.coverages or []
        if not targets:
            self._bad(rec, "a termination needs the coverage (HD) loop it ends")
            return
        for cov in targets:
            plan = self.plans[cov.plan_code]
            spans = [s for s in member.coverage if s.plan_id == plan.id]
            if cov.end is None:
                self._bad(rec, "the termination has no end date (DTP*349)", cov)
                continue
            span = max(spans, key=lambda s: s.effective_date, default=None)
            if span is None:
                self._bad(rec, "the member holds no coverage on this plan to terminate", cov)
                continue
            if cov.end < span.effective_date:
                self._bad(rec, "the termination date is before the coverage's effective date", cov)
                continue
            if span.termination_date == cov.end:
                self._change(ChangeKind.UNCHANGED, rec, Op(rec, member))
                continue
            self._change(
                ChangeKind.COVERAGE_TERMINATED,
                rec,
                Op(
                    rec,
                    member,
                    span=span,
                    coverage=cov,
                    reason=TERMINATION_REASONS.get(rec.reason or "", TerminationReason.VOLUNTARY),
                ),
                plan=cov.plan_code,
                begin=span.effective_date,
                end=cov.end,
                retroactive=cov.end < self.today,
            )

    def _plan_reinstate(self, rec: MemberRecord, member: Member) -> None:
        if not rec.coverages:
            self._bad(rec, "a reinstatement needs the coverage (HD) loop it restores")
            return
        for cov in rec.coverages:
            plan = self.plans[cov.plan_code]
            spans = [s for s in member.coverage if s.plan_id == plan.id]
            span = max(spans, key=lambda s: s.effective_date, default=None)
            if span is None:
                self._bad(rec, "the member holds no coverage on this plan to reinstate", cov)
                continue
            if span.termination_date == cov.end:
                self._change(ChangeKind.UNCHANGED, rec, Op(rec, member))
                continue
            self._change(
                ChangeKind.COVERAGE_REINSTATED,
                rec,
                Op(rec, member, span=span, coverage=cov),
                plan=cov.plan_code,
                begin=span.effective_date,
                end=cov.end,
            )

    def _plan_absent(self, tr: Any) -> None:
        """A full file is the whole book of its sponsor: members of that book on file with open
        coverage but not in the file end the day before the file's date."""
        codes = {c.plan_code for r in tr.members for c in r.coverages}
        plan_ids = [self.plans[c].id for c in codes if c in self.plans]
        if not plan_ids or tr.file_date is None:
            return
        end = tr.file_date - timedelta(days=1)
        query = (
            select(CoverageSpan, Member.member_number_bidx)
            .join(Member, Member.id == CoverageSpan.member_id)
            .where(
                CoverageSpan.plan_id.in_(plan_ids),
                CoverageSpan.effective_date <= end,
                (CoverageSpan.termination_date.is_(None)) | (CoverageSpan.termination_date > end),
            )
            .options(joinedload(CoverageSpan.member))
        )
        # An employer's full file is that employer's book, not the carrier's.
        groups = {r.group_number for r in tr.members if r.group_number}
        if groups:
            query = query.join(EmployerGroup, EmployerGroup.id == Member.group_id).where(
                EmployerGroup.group_number.in_(groups)
            )
        # Compared here, not in SQL: a full file of the Oregon book holds 240,000 IDs, more
        # than one statement may bind.
        open_spans = [
            span for span, bidx in self.session.execute(query) if bidx not in self.seen_numbers
        ]
        header = MemberRecord(1, tr.control, False, None, Maintenance.AUDIT, None)
        for span in open_spans:
            op = Op(header, span.member, span=span, reason=TerminationReason.VOLUNTARY)
            op.coverage = Coverage(1, Maintenance.TERMINATE, "", span.plan.code, None, end)
            self._change(
                ChangeKind.ABSENT_TERMINATED,
                header,
                op,
                plan=span.plan.code,
                begin=span.effective_date,
                end=end,
                retroactive=end < self.today,
            )


def _chunks(items: Sequence[MemberRecord], size: int) -> Iterator[Sequence[MemberRecord]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


_COMPARED = (
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
    "email",
)


def _demographic_changes(rec: MemberRecord, member: Member) -> dict[str, Any]:
    """Fields the record sends that differ from the member on file (folded the way the 834
    writes them, so a name with an accent on file is not "changed" by its plain form)."""
    from memberdesk.enroll.x12 import clean

    out: dict[str, Any] = {}
    for name in _COMPARED:
        sent = getattr(rec, name)
        if sent in (None, "") and name in ("address_line2", "phone", "email"):
            continue
        if name == "sex" and sent == "U":
            continue  # the 834 says "unknown" for any marker besides F and M
        have = getattr(member, name)
        if name == "phone" and have:
            have = "".join(ch for ch in have if ch.isdigit())
        if isinstance(have, str) and isinstance(sent, str):
            if clean(have, 80).casefold() == clean(sent, 80).casefold():
                continue
        elif have == sent:
            continue
        if sent is not None:
            out[name] = sent
    return out
