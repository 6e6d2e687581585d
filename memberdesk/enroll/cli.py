"""Command line of the enrolment exchange: import an 834 (or see what it would change), write a
sample 834 from the synthetic books, answer a 270 file with a 271."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

enroll_app = typer.Typer(
    help="Enrolment and eligibility exchange: X12 834 imports, samples, 270/271 answers.",
    no_args_is_help=True,
)
PROFILES = ("calchoice", "oregon-medicaid")


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker
    from memberdesk.migrate import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine)
    return make_sessionmaker(engine)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}") from None


def _refused(exc: Any) -> typer.Exit:
    """Print a refusal's problems (segment, position, loop; never a value) and exit 1."""
    typer.echo(f"refused: {len(exc.problems)} problem(s); nothing was applied", err=True)
    for p in exc.problems[:50]:
        typer.echo(f"  {p.as_text()}", err=True)
    if len(exc.problems) > 50:
        typer.echo(f"  ... and {len(exc.problems) - 50} more", err=True)
    return typer.Exit(1)


@enroll_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="The 834 file (005010X220A1)")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; change nothing")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Apply an 834: additions, changes, terminations, reinstatements, dependants. The whole
    file or nothing; the same file twice changes nothing."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from memberdesk.compliance import audit
    from memberdesk.compliance.enums import AuditAction
    from memberdesk.enroll.service import ENROLL_ACTOR, import_834
    from memberdesk.enroll.x12 import X12Rejected

    raw = _read(file)
    sessions = _sessions()
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=as_json,
        transient=True,
    )
    with sessions() as session, progress:
        # pyx12's validation is most of the time: segments read, then member records.
        reading = progress.add_task("validating segments", total=raw.count(b"~"))
        members = raw.count(b"INS*")
        task = progress.add_task(
            "checking members" if dry_run else "applying members", total=members
        )
        try:
            report = import_834(
                session,
                raw,
                dry_run=dry_run,
                progress=lambda n: progress.advance(task, n),
                reading=lambda n: progress.advance(reading, n),
            )
        except X12Rejected as exc:
            session.rollback()
            audit.record(
                session,
                audit.AuditContext(actor_id=None, actor=ENROLL_ACTOR, role="system"),
                AuditAction.ENROLL_FILE_REJECTED,
                object_type="enrollment_file",
                detail={"problems": len(exc.problems), "dry_run": dry_run},
            )
            session.commit()
            raise _refused(exc) from None
        if not dry_run:
            session.commit()
    out = {
        "control": report.envelope.control_number,
        "kind": report.kind.value,
        "members": report.members,
        "dry_run": dry_run,
        "already_applied": report.already_applied,
        "file_id": report.file_id,
        "counts": report.counts,
        "changes": [c.as_dict() for c in report.changes] if dry_run else [],
    }
    if as_json:
        typer.echo(json.dumps(out))
        return
    if report.already_applied:
        typer.echo(f"already applied (file {report.file_id}): nothing changed")
        return
    verb = "would change" if dry_run else "applied"
    typer.echo(f"{report.kind.value} file {out['control']}: {report.members} member record(s)")
    for kind, n in sorted(report.counts.items()):
        typer.echo(f"  {kind}: {n}")
    if dry_run:
        for c in report.changes[:200]:
            if c.kind.value != "unchanged":
                who = f"member {c.member_id}" if c.member_id else "new member"
                typer.echo(
                    f"  INS position {c.position} (loop 2000): {c.kind.value}, {who}"
                    + (f", plan {c.plan}" if c.plan else "")
                    + (f", ends {c.end}" if c.end else "")
                    + (" (retroactive)" if c.retroactive else "")
                )
    typer.echo(f"{verb}: {sum(n for k, n in report.counts.items() if k != 'unchanged')} change(s)")


@enroll_app.command("sample")
def sample_cmd(
    profile: Annotated[str, typer.Option(help="calchoice or oregon-medicaid")] = "calchoice",
    members: Annotated[int, typer.Option(help="How many members the file adds")] = 100,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same file")] = 1,
    out: Annotated[Path | None, typer.Option(help="Write here (default: standard output)")] = None,
) -> None:
    """Write an 834 adding synthetic members of a line of business (its plans are put on file
    if missing: an 834 names plans by code)."""
    if profile not in PROFILES:
        raise _fail(f"--profile must be one of {', '.join(PROFILES)}")
    if members < 1:
        raise _fail("--members must be a positive number")
    from memberdesk.enroll.sample import sample_834

    with _sessions()() as session:
        text = sample_834(session, profile=profile, members=members, seed=seed)
        session.commit()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="latin-1")
        typer.echo(f"wrote {out}")


@enroll_app.command("eligibility")
def eligibility_cmd(
    file: Annotated[Path, typer.Argument(help="The 270 inquiry (005010X279A1)")],
    out: Annotated[Path | None, typer.Option(help="Write the 271 here (default: stdout)")] = None,
) -> None:
    """Answer a 270 with a 271 from the eligibility engine (each answer audited)."""
    import getpass

    from memberdesk.compliance.audit import AuditContext
    from memberdesk.enroll.inquiry import answer_270
    from memberdesk.enroll.x12 import X12Rejected

    raw = _read(file)
    ctx = AuditContext(actor_id=None, actor=f"cli:{getpass.getuser()}"[:64], role="system")
    with _sessions()() as session:
        try:
            text, _ = answer_270(session, raw, ctx)
        except X12Rejected as exc:
            raise _refused(exc) from None
        session.commit()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="latin-1")
        typer.echo(f"wrote {out}")
