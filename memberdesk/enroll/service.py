"""Applying an 834 to members and coverage spans. Takes a session, never commits.

A file is planned whole before anything is written: every record is checked against the
members on file (and the records before it in the same file), and one problem anywhere refuses
the file with a report naming segment, position and loop. Only a file with no problem is
applied, all of it in the caller's transaction, so nothing is ever half-applied. The same file
twice changes nothing: its hash is in the log (and each record is compared with what is on file
before anything is written, so a resend under new control numbers changes nothing either).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import bidx_member_number, bidx_name_dob, bidx_phone
from memberdesk.compliance.enums import AuditAction
from memberdesk.enroll.enums import (
    TERMINATION_REASONS,
    ChangeKind,
    FileKind,
    FileStatus,
    Maintenance,
)
from memberdesk.enroll.models import EnrollmentFile
from memberdesk.enroll.x12 import Envelope, Problem, X12Rejected, ack_999, content_hash
from memberdesk.enroll.x12_834 import Coverage, File834, MemberRecord, parse_834
from memberdesk.members.enums import (
    ELIGIBILITY_BENEFITS,
    CoverageSource,
    LineOfBusiness,
    Relationship,
    TerminationReason,
)
from memberdesk.members.models import CoverageSpan, EmployerGroup, Member, Plan

ENROLL_ACTOR = "memberdesk-enroll"
CHUNK = 2000  # records looked up (and written) per round trip


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
class ImportReport:
    envelope: Envelope
    kind: FileKind
    members: int
    dry_run: bool
    changes: list[Change] = field(default_factory=list)
    already_applied: bool = False
    file_id: int | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Changes by kind (records that change nothing count as ``unchanged``)."""
        return dict(Counter(c.kind.value for c in self.changes))


Progress = Callable[[int], None]


def _no_progress(_n: int) -> None:
    return None


def import_834(
    session: Session,
    raw: bytes,
    *,
    dry_run: bool = False,
    progress: Progress = _no_progress,
    parsed: File834 | None = None,
    reading: Progress = _no_progress,
) -> ImportReport:
    """Validate, plan and (unless ``dry_run``) apply an 834; ``X12Rejected`` when refused.

    ``parsed``: the file already read by ``parse_834`` from these bytes (the benchmark times
    the two steps apart). ``reading`` is told of segments read, ``progress`` of member records
    planned (dry run) or applied."""
    digest = content_hash(raw)
    seen = session.scalar(select(EnrollmentFile).where(EnrollmentFile.content_hash == digest))
    file = parsed if parsed is not None else parse_834(raw, reading)
    kind = (
        FileKind.FULL
        if any(t.kind == FileKind.FULL for t in file.transactions)
        else FileKind.CHANGE
    )
    report = ImportReport(file.envelope, kind, file.members, dry_run)
    if seen is not None:
        report.already_applied, report.file_id = True, seen.id
        return report
    clash = session.scalar(
        select(EnrollmentFile.id).where(
            EnrollmentFile.sender == file.envelope.sender,
            EnrollmentFile.isa_control == file.envelope.isa_control,
            EnrollmentFile.gs_control == file.envelope.gs_control,
            EnrollmentFile.st_controls == file.envelope.st_summary,
        )
    )
    if clash is not None:
        problem = Problem(
            "these control numbers were used before by a file with other content", "ISA"
        )
        raise X12Rejected([problem], _ack(file, [problem]))
    planner = _Planner(session, file)
    planner.plan(progress if dry_run else _no_progress)
    if planner.problems:
        raise X12Rejected(planner.problems, _ack(file, planner.problems))
    report.changes = [c for c, _ in planner.ops]
    if dry_run:
        return report
    log = EnrollmentFile(
        content_hash=digest,
        sender=file.envelope.sender[:15],
        isa_control=file.envelope.isa_control[:9],
        gs_control=file.envelope.gs_control[:9],
        st_controls=file.envelope.st_summary[:200],
        kind=kind,
        status=FileStatus.APPLIED,
        members=file.members,
        counts=report.counts,
    )
    # The log row goes first, under its unique hash and control numbers: a second request
    # applying the same file at the same moment waits on the index, then finds it taken and
    # answers "already applied" with nothing written (a read-then-insert check cannot see it).
    try:
        with session.begin_nested():
            session.add(log)
            session.flush()
    except IntegrityError:
        other = session.scalar(
            select(EnrollmentFile.id).where(EnrollmentFile.content_hash == digest)
        )
        if other is None:
            problem = Problem(
                "these control numbers were just used by a file with other content", "ISA"
            )
            raise X12Rejected([problem], _ack(file, [problem])) from None
        report.already_applied, report.file_id, report.changes = True, other, []
        return report
    report.file_id = log.id
    _Applier(session, file, log.id).apply(planner, progress)
    return report


def _ack(file: File834, problems: Sequence[Problem]) -> str:
    return ack_999(file.envelope, problems, now(), "834", file.envelope.st_controls)


def actor_for(envelope: Envelope) -> AuditContext:
    """The system actor of an import, carrying the file's control numbers."""
    return AuditContext(
        actor_id=None,
        actor=ENROLL_ACTOR,
        role="system",
        request_id=f"x12:{envelope.control_number}"[:64],
    )


# --- planning --------------------------------------------------------------------------------


@dataclass
class _Op:
    """What to write for one change (the planner's instructions to the applier)."""

    record: MemberRecord
    member: Member | None = None
    span: CoverageSpan | None = None
    coverage: Coverage | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    reason: TerminationReason | None = None


class _Planner:
    """Decides every record's changes, reading members in chunks; writes nothing."""

    def __init__(self, session: Session, file: File834) -> None:
        self.session = session
        self.file = file
        self.today = now().date()
        self.plans = {p.code: p for p in session.scalars(select(Plan))}
        self.problems: list[Problem] = []
        self.ops: list[tuple[Change, _Op]] = []
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

    def _change(self, kind: ChangeKind, rec: MemberRecord, op: _Op, **kw: Any) -> None:
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
            _Op(rec),
            plan=rec.coverages[0].plan_code,
            begin=rec.coverages[0].begin,
            end=rec.coverages[0].end,
        )

    def _plan_update(self, rec: MemberRecord, member: Member) -> None:
        fields = _demographic_changes(rec, member)
        if fields:
            self._change(ChangeKind.MEMBER_UPDATED, rec, _Op(rec, member, fields=fields))
        changed = bool(fields)
        for cov in rec.coverages:
            changed |= self._plan_coverage(rec, member, cov)
        if not changed:
            self._change(ChangeKind.UNCHANGED, rec, _Op(rec, member))

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
                    _Op(rec, member, span=match, coverage=cov),
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
            _Op(rec, member, span=held[0] if held else None, coverage=cov),
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
                self._change(ChangeKind.UNCHANGED, rec, _Op(rec, member))
                continue
            self._change(
                ChangeKind.COVERAGE_TERMINATED,
                rec,
                _Op(
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
                self._change(ChangeKind.UNCHANGED, rec, _Op(rec, member))
                continue
            self._change(
                ChangeKind.COVERAGE_REINSTATED,
                rec,
                _Op(rec, member, span=span, coverage=cov),
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
            op = _Op(header, span.member, span=span, reason=TerminationReason.VOLUNTARY)
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


# --- applying --------------------------------------------------------------------------------


class _Applier:
    """Writes a planned file: new members in bulk, changes through the ORM; audits each."""

    def __init__(self, session: Session, file: File834, file_id: int) -> None:
        self.session = session
        self.file = file
        self.file_id = file_id
        self.ctx = actor_for(file.envelope)
        self.at = now()
        self.groups: dict[str, int] = {}
        self.ids: dict[str, int] = {}  # member number -> internal id of members added here

    def apply(self, planner: _Planner, progress: Progress) -> None:
        ops = planner.ops
        for i in range(0, len(ops), CHUNK):
            chunk = ops[i : i + CHUNK]
            adds = [(c, op) for c, op in chunk if c.kind == ChangeKind.MEMBER_ADDED]
            if adds:
                self._add_members(adds, planner.plans)
            events = []
            for change, op in chunk:
                if change.kind != ChangeKind.MEMBER_ADDED:
                    self._apply_one(change, op, planner.plans)
                events.append(self._event(change, op))
            audit.record_many(self.session, self.ctx, [e for e in events if e is not None])
            self.session.flush()
            progress(sum(1 for c, _ in chunk if c.kind != ChangeKind.ABSENT_TERMINATED))
        audit.record(
            self.session,
            self.ctx,
            AuditAction.ENROLL_FILE_APPLIED,
            object_type="enrollment_file",
            object_id=self.file_id,
            detail={
                "control": self.file.envelope.control_number,
                "members": self.file.members,
                "changes": dict(Counter(c.kind.value for c, _ in ops)),
            },
        )

    def _group_id(self, rec: MemberRecord, plans: dict[str, Plan]) -> int | None:
        if not rec.group_number:
            return None
        if rec.group_number in self.groups:
            return self.groups[rec.group_number]
        gid = self.session.scalar(
            select(EmployerGroup.id).where(EmployerGroup.group_number == rec.group_number)
        )
        if gid is None:
            # A sponsor new to memberdesk: the 834 names it but carries no contribution; the
            # plan keys that in on the group's page.
            tr = next(t for t in self.file.transactions if t.control == rec.transaction)
            begins = [
                c.begin
                for r in tr.members
                if r.group_number == rec.group_number
                for c in r.coverages
                if c.begin
            ]
            start = min(begins) if begins else self.at.date()
            group = EmployerGroup(
                group_number=rec.group_number[:16],
                name=(tr.sponsor_name or rec.group_number)[:160],
                county="",
                effective_date=start,
                renewal_month=start.month,
                contribution_employee_cents=0,
                contribution_dependents_cents=0,
            )
            self.session.add(group)
            self.session.flush()
            gid = group.id
        self.groups[rec.group_number] = gid
        return gid

    def _add_members(self, adds: Sequence[tuple[Change, _Op]], plans: dict[str, Plan]) -> None:
        # Subscribers first: dependants point at them.
        ordered = sorted(adds, key=lambda a: not a[1].record.subscriber)
        for subs in (True, False):
            rows = []
            recs = [op.record for _, op in ordered if op.record.subscriber == subs]
            for rec in recs:
                rows.append(self._member_row(rec, plans))
            if not rows:
                continue
            ids = (
                self.session.execute(
                    insert(Member).returning(Member.id, sort_by_parameter_order=True), rows
                )
                .scalars()
                .all()
            )
            for rec, mid in zip(recs, ids, strict=True):
                self.ids[rec.member_number] = mid
        spans = []
        for _, op in ordered:
            rec = op.record
            for cov in rec.coverages:
                plan = plans[cov.plan_code]
                spans.append(
                    {
                        "member_id": self.ids[rec.member_number],
                        "plan_id": plan.id,
                        "effective_date": cov.begin,
                        "termination_date": cov.end,
                        "source": _source(plan),
                        "recorded_at": self.at,
                        "termination_recorded_at": self.at if cov.end else None,
                    }
                )
        if spans:
            self.session.execute(insert(CoverageSpan), spans)

    def _member_row(self, rec: MemberRecord, plans: dict[str, Plan]) -> dict[str, Any]:
        assert rec.date_of_birth is not None and rec.relationship is not None
        sub_id = None
        if not rec.subscriber:
            number = f"{rec.subscriber_number}-00"
            sub_id = self.ids.get(number) or self.session.scalar(
                select(Member.id).where(Member.member_number_bidx == bidx_member_number(number))
            )
        lob = _line_of(rec, plans)
        lang = (rec.language or "en")[:8]
        return {
            "member_number": rec.member_number,
            "member_number_bidx": bidx_member_number(rec.member_number),
            "subscriber_id": sub_id,
            "group_id": self._group_id(rec, plans),
            "line_of_business": lob,
            "relationship": rec.relationship,
            "first_name": rec.first_name,
            "last_name": rec.last_name,
            "date_of_birth": rec.date_of_birth,
            "name_dob_bidx": bidx_name_dob(rec.last_name, rec.date_of_birth),
            "sex": (rec.sex or "U")[:1],
            "address_line1": rec.address_line1,
            "address_line2": rec.address_line2,
            "city": rec.city,
            "state": rec.state[:2],
            "postal_code": rec.postal_code,
            "phone": rec.phone,
            "phone_bidx": bidx_phone(rec.phone) if rec.phone else None,
            "email": rec.email,
            "spoken_language": lang,
            "written_language": lang,
            "interpreter_needed": False,
            "accessibility_needs": [],
            "disabled_dependent": False,
            "created_at": self.at,
            "updated_at": self.at,
        }

    def _apply_one(self, change: Change, op: _Op, plans: dict[str, Plan]) -> None:
        member, span, cov = op.member, op.span, op.coverage
        assert member is not None
        kind = change.kind
        if kind == ChangeKind.MEMBER_UPDATED:
            for name, value in op.fields.items():
                setattr(member, name, value)
            member.name_dob_bidx = bidx_name_dob(member.last_name, member.date_of_birth)
            if "phone" in op.fields:
                member.phone_bidx = bidx_phone(member.phone) if member.phone else None
            member.updated_at = self.at
        elif kind in (ChangeKind.COVERAGE_TERMINATED, ChangeKind.ABSENT_TERMINATED):
            assert span is not None and cov is not None
            span.termination_date = cov.end
            span.termination_reason = op.reason or TerminationReason.VOLUNTARY
            span.termination_recorded_at = self.at
        elif kind == ChangeKind.COVERAGE_REINSTATED:
            assert span is not None and cov is not None
            span.termination_date = cov.end
            span.termination_reason = None
            span.termination_recorded_at = self.at if cov.end else None
        elif kind in (ChangeKind.COVERAGE_ADDED, ChangeKind.PLAN_CHANGED):
            assert cov is not None and cov.begin is not None
            plan = plans[cov.plan_code]
            if span is not None:  # the plan it replaces ends the day before
                span.termination_date = cov.begin - timedelta(days=1)
                span.termination_reason = TerminationReason.PLAN_CHANGE
                span.termination_recorded_at = self.at
            self.session.add(
                CoverageSpan(
                    member_id=member.id,
                    plan_id=plan.id,
                    effective_date=cov.begin,
                    termination_date=cov.end,
                    source=_source(plan),
                    recorded_at=self.at,
                    termination_recorded_at=self.at if cov.end else None,
                )
            )
            if plan.benefit in ELIGIBILITY_BENEFITS:
                member.line_of_business = plan.line_of_business

    def _event(self, change: Change, op: _Op) -> audit.Event | None:
        if change.kind == ChangeKind.UNCHANGED:
            return None
        mid = op.member.id if op.member is not None else self.ids.get(op.record.member_number)
        detail = {
            "x12": self.file.envelope.control_number,
            "file_id": self.file_id,
            "change": change.kind.value,
            "segment": "INS",
            "position": change.position,
            "loop": "2000",
            "retroactive": change.retroactive,
        }
        # Values (names, dates, plans) go into the encrypted ``changes``, never the detail.
        values: dict[str, Any] = {"plan": change.plan, "begin": change.begin, "end": change.end}
        if op.fields:
            values.update(op.fields)
        action = (
            AuditAction.MEMBER_CREATED
            if change.kind == ChangeKind.MEMBER_ADDED
            else AuditAction.MEMBER_UPDATED
        )
        return audit.Event(
            action,
            object_type="member",
            object_id=mid,
            member_ids=[mid] if mid else [],
            detail=detail,
            changes={"new": {k: v for k, v in values.items() if v is not None}},
        )


def _source(plan: Plan) -> CoverageSource:
    if plan.line_of_business == LineOfBusiness.OREGON_MEDICAID:
        return CoverageSource.MEDICAID_APPLICATION
    return CoverageSource.GROUP_ENROLLMENT


def _line_of(rec: MemberRecord, plans: dict[str, Plan]) -> LineOfBusiness:
    chosen = [plans[c.plan_code] for c in rec.coverages]
    main = next((p for p in chosen if p.benefit in ELIGIBILITY_BENEFITS), chosen[0])
    return LineOfBusiness(main.line_of_business)


def is_dependant(rec: MemberRecord) -> bool:
    """The record is a dependant's (not the subscriber's)."""
    return rec.relationship not in (None, Relationship.SELF)
