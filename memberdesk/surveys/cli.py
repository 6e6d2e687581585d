"""Command line of the surveys domain: ``memberdesk surveys send | outbox | import``.
Heavy modules are imported inside the commands (start-up stays light)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberdesk.calendars.cli import fail
from memberdesk.cli import PlainHelpGroup

if TYPE_CHECKING:
    from memberdesk.compliance.audit import AuditContext

surveys_app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="Surveys: send waiting invitations, read the demo outbox, import answers.",
    no_args_is_help=True,
)
ERRORS_SHOWN = 50


def _ctx() -> AuditContext:
    from memberdesk.compliance.audit import AuditContext

    return AuditContext(actor_id=None, actor=f"cli:{getpass.getuser()}"[:64], role="system")


def _connect() -> Any:
    from memberdesk.cli import connect, load_settings

    settings = load_settings()
    return settings, connect(settings)


@surveys_app.command("send")
def send() -> None:
    """Send every invitation that is due now, through the configured sender (the worker does
    this every minute; this is for a run by hand)."""
    from memberdesk.clock import now
    from memberdesk.db import Sessions
    from memberdesk.surveys.sender import BATCH, make_sender, send_due

    settings, engine = _connect()
    sessions = Sessions(engine)
    sender = make_sender(settings, sessions.write)
    total = {"sent": 0, "retry": 0, "failed": 0}
    while True:
        counts = send_due(sessions.write, settings, sender, at=now())
        for k, v in counts.items():
            total[k] += v
        if sum(counts.values()) < BATCH:
            break
    typer.echo(
        f"sent {total['sent']:,} invitation(s) through {sender.name}; "
        f"{total['retry']:,} to retry, {total['failed']:,} failed"
    )


@surveys_app.command("outbox")
def outbox(
    limit: Annotated[int, typer.Option(help="How many of the latest messages", min=1, max=500)] = 5,
) -> None:
    """Print the demo outbox's latest messages (addresses and links: PHI; the read is audited)."""
    from memberdesk.compliance import audit
    from memberdesk.compliance.enums import AuditAction
    from memberdesk.db import make_sessionmaker
    from memberdesk.surveys.sender import outbox as latest

    _, engine = _connect()
    with make_sessionmaker(engine)() as session:
        messages = list(latest(session, limit=limit))
        audit.record(
            session,
            _ctx(),
            AuditAction.SURVEY_INVITATIONS_READ,
            object_type="survey_outbox",
            member_ids=sorted({m.member_id for m in messages}),
            detail={"shown": len(messages)},
        )
        session.commit()
    if not messages:
        typer.echo("the outbox is empty (is MEMBERDESK_SURVEY_SENDER smtp?)")
    for m in messages:
        typer.echo(
            f"--- {m.channel.value} to {m.recipient} ({m.language}), invitation {m.invitation_id}"
        )
        if m.subject:
            typer.echo(f"Subject: {m.subject}")
        typer.echo(m.body)


@surveys_app.command("import")
def import_(
    csv_file: Annotated[Path, typer.Option("--csv", help="Answers CSV file")],
) -> None:
    """Import answers taken elsewhere (e.g. an IVR post-call survey), all or nothing. Header:
    contact_id,answered_at,csat,nps,cahps_help,cahps_courtesy,comment. Any bad line and
    nothing is stored: every problem is listed by line and column."""
    from memberdesk.clock import now
    from memberdesk.db import make_sessionmaker
    from memberdesk.surveys.imports import HeaderError, import_answers, parse_answers

    _, engine = _connect()
    try:
        with csv_file.open(newline="", encoding="utf-8") as fh:
            items = list(parse_answers(fh))
    except FileNotFoundError:
        raise fail("--csv", "no such file") from None
    except HeaderError as exc:
        raise fail("--csv", str(exc)) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise fail("--csv", f"cannot be read as CSV ({type(exc).__name__})") from None
    with make_sessionmaker(engine)() as session:
        result = import_answers(session, _ctx(), items, at=now())
        if result.errors:
            session.rollback()
            for error in result.errors[:ERRORS_SHOWN]:
                typer.echo(f"error: --csv: {error}", err=True)
            more = len(result.errors) - ERRORS_SHOWN
            tail = f" ({more} more not shown)" if more > 0 else ""
            raise fail("--csv", f"{len(result.errors)} problem(s){tail}; nothing was imported")
        session.commit()
    typer.echo(f"imported {result.stored:,} survey answer(s)")
