"""Command line of contacts and callbacks: ``memberdesk contacts fcr`` and
``memberdesk callbacks due``. Heavy modules are imported inside the commands."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberdesk.calendars.cli import fail
from memberdesk.cli import PlainHelpGroup

if TYPE_CHECKING:
    from memberdesk.compliance.audit import AuditContext

contacts_app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="Contacts: one-contact resolution over a period.",
    no_args_is_help=True,
)
callbacks_app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="Voicemail callbacks: what is due today.",
    no_args_is_help=True,
)


def _moment(option: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            option, "must be an ISO 8601 time with an offset, e.g. 2026-11-01T00:00-08:00"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise fail(option, "needs a UTC offset (e.g. -08:00 or Z)")
    if not 2000 <= parsed.year <= 2199:
        raise fail(option, "must be between the years 2000 and 2199")
    return parsed


def _ctx() -> AuditContext:
    from memberdesk.compliance.audit import AuditContext

    return AuditContext(actor_id=None, actor=f"cli:{getpass.getuser()}"[:64], role="system")


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    settings = load_settings()
    return settings, make_sessionmaker(connect(settings))


@contacts_app.command("fcr")
def fcr(
    start: Annotated[str, typer.Option("--start", help="Period start, ISO 8601 with offset")],
    end: Annotated[str, typer.Option("--end", help="Period end (exclusive), with offset")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """One-contact resolution of the contacts started in the period: counts and rate."""
    from memberdesk.clock import now
    from memberdesk.compliance import audit
    from memberdesk.compliance.enums import AuditAction
    from memberdesk.contacts import service
    from memberdesk.errors import InvalidInput

    t0, t1 = _moment("--start", start), _moment("--end", end)
    settings, factory = _sessions()
    window = settings.fcr_window_days
    with factory() as session:
        try:
            tally = service.fcr_period(session, t0, t1, window_days=window, now=now())
        except InvalidInput as exc:
            raise fail("--end", exc.message) from None
        audit.record(
            session,
            _ctx(),
            AuditAction.FCR_REPORT,
            object_type="report",
            object_id="fcr",
            detail={"start": t0.isoformat(), "end": t1.isoformat(), "contacts": tally.contacts},
        )
        session.commit()
    out: dict[str, Any] = {
        "start": t0.isoformat(),
        "end": t1.isoformat(),
        "window_days": window,
        "contacts": tally.contacts,
        "marked_resolved": tally.marked_resolved,
        "resolved": tally.resolved,
        "not_resolved": tally.not_resolved,
        "pending": tally.pending,
        "rate": tally.rate,
    }
    if as_json:
        typer.echo(json.dumps(out))
        return
    rate = "n/a (nothing decided yet)" if tally.rate is None else f"{tally.rate:.1%}"
    typer.echo(f"One-contact resolution {t0.isoformat()} to {t1.isoformat()} ({window}-day window)")
    typer.echo(f"  contacts        {tally.contacts}")
    typer.echo(f"  marked resolved {tally.marked_resolved}")
    typer.echo(f"  resolved        {tally.resolved}")
    typer.echo(f"  not resolved    {tally.not_resolved}")
    typer.echo(f"  window open     {tally.pending}")
    typer.echo(f"  rate            {rate}")


@callbacks_app.command("due")
def due(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Open callbacks due by the end of today: id, due, attempts and member id only."""
    from memberdesk.clock import now
    from memberdesk.compliance import audit
    from memberdesk.compliance.enums import AuditAction
    from memberdesk.contacts import callbacks
    from memberdesk.contacts.enums import CallbackState
    from memberdesk.members.packs import DEFAULT_PACK

    _settings, factory = _sessions()
    with factory() as session:
        rows, _total = callbacks.list_callbacks(
            session,
            state=CallbackState.OPEN,
            assigned_to=None,
            due_before=callbacks.end_of_local_day(now(), DEFAULT_PACK),
            limit=10_000,
            offset=0,
        )
        items = [
            {
                "id": c.id,
                "due_at": c.due_at.isoformat(),
                "attempts": c.attempt_count,
                "member_id": c.member_id,
            }
            for c in rows
        ]
        audit.record(
            session,
            _ctx(),
            AuditAction.CALLBACK_LISTED,
            object_type="callback_list",
            member_ids=sorted({c.member_id for c in rows if c.member_id is not None}),
            detail={"shown": len(rows), "path": "cli: callbacks due"},
        )
        session.commit()
    if as_json:
        typer.echo(json.dumps({"callbacks": items}))
        return
    if not items:
        typer.echo("No callbacks due today.")
        return
    typer.echo(f"{'id':>8}  {'due':<25}  {'attempts':>8}  member id")
    for i in items:
        member = "-" if i["member_id"] is None else str(i["member_id"])
        typer.echo(f"{i['id']:>8}  {i['due_at']:<25}  {i['attempts']:>8}  {member}")
