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
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.enroll.apply import ENROLL_ACTOR, Applier, actor_for
from memberdesk.enroll.enums import (
    FileKind,
    FileStatus,
)
from memberdesk.enroll.models import EnrollmentFile
from memberdesk.enroll.plan import Change, Planner, Progress
from memberdesk.enroll.x12 import Envelope, Problem, X12Rejected, ack_999, content_hash
from memberdesk.enroll.x12_834 import File834, parse_834

__all__ = ["ENROLL_ACTOR", "Change", "ImportReport", "actor_for", "import_834"]


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
    seen = _applied(session, digest)
    file = parsed if parsed is not None else parse_834(raw, reading)
    kind = (
        FileKind.FULL
        if any(t.kind == FileKind.FULL for t in file.transactions)
        else FileKind.CHANGE
    )
    report = ImportReport(file.envelope, kind, file.members, dry_run)
    if seen is not None:
        report.already_applied, report.file_id = True, seen
        return report
    clash = session.execute(
        select(EnrollmentFile.id, EnrollmentFile.content_hash).where(
            EnrollmentFile.sender == file.envelope.sender,
            EnrollmentFile.isa_control == file.envelope.isa_control,
            EnrollmentFile.gs_control == file.envelope.gs_control,
            EnrollmentFile.st_controls == file.envelope.st_summary,
        )
    ).first()
    if clash is not None and clash.content_hash == digest:
        # This very file, applied by a request that committed after we first looked.
        report.already_applied, report.file_id = True, clash.id
        return report
    if clash is not None:
        problem = Problem(
            "these control numbers were used before by a file with other content", "ISA"
        )
        raise X12Rejected([problem], _ack(file, [problem]))
    planner = Planner(session, file)
    planner.plan(progress if dry_run else _no_progress)
    if planner.problems:
        # A request applying this same file may have committed since we looked: its members
        # are now on file, so this plan finds them added already. That is "already applied".
        applied = None if dry_run else _applied(session, digest)
        if applied is not None:
            report.already_applied, report.file_id = True, applied
            return report
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
        other = _applied(session, digest)
        if other is None:
            problem = Problem(
                "these control numbers were just used by a file with other content", "ISA"
            )
            raise X12Rejected([problem], _ack(file, [problem])) from None
        report.already_applied, report.file_id, report.changes = True, other, []
        return report
    report.file_id = log.id
    Applier(session, file, log.id).apply(planner, progress)
    return report


def _applied(session: Session, digest: str) -> int | None:
    """The id of the logged file with this content, if one was applied."""
    return session.scalar(select(EnrollmentFile.id).where(EnrollmentFile.content_hash == digest))


def _ack(file: File834, problems: Sequence[Problem]) -> str:
    return ack_999(file.envelope, problems, now(), "834", file.envelope.st_controls)
