"""Command line of member navigators: run the complex-needs rules, show a caseload (audited)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

navigators_app = typer.Typer(
    help="Member navigators: run the complex-needs rules, show a caseload.",
    no_args_is_help=True,
)


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    settings = load_settings()
    return settings, make_sessionmaker(connect(settings))


def _ctx():  # type: ignore[no-untyped-def]
    from memberdesk.compliance.audit import AuditContext

    return AuditContext(actor_id=None, actor=f"cli:{getpass.getuser()}"[:64], role="system")


@navigators_app.command("flag")
def flag(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Flag every member who meets a complex-needs rule and is not flagged yet (audited)."""
    import json

    from memberdesk.clock import now
    from memberdesk.navigators.auto import flag_by_rules
    from memberdesk.navigators.rules import RuleConfig

    settings, sessions = _sessions()
    with sessions() as session:
        n = flag_by_rules(
            session,
            now(),
            config=RuleConfig.from_settings(settings),
            ctx=_ctx(),
            record_run=True,
        )
        session.commit()
    typer.echo(json.dumps({"flagged": n}) if as_json else f"flagged {n} member(s)")


@navigators_app.command("caseload")
def caseload(
    username: Annotated[str, typer.Argument(help="The navigator's username")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """A navigator's members with open cases and callbacks (the read is audited)."""
    from sqlalchemy import select

    from memberdesk.compliance.enums import Role
    from memberdesk.compliance.models import User
    from memberdesk.navigators.caseload import read_caseload

    _, sessions = _sessions()
    with sessions() as session:
        nav = session.scalar(select(User).where(User.username == username))
        if nav is None or nav.role is not Role.NAVIGATOR:
            typer.echo("error: USERNAME: no navigator account has this username", err=True)
            raise typer.Exit(2)
        out = read_caseload(session, _ctx(), nav, "cli: navigators caseload")
        session.commit()
    if as_json:
        typer.echo(out.model_dump_json())
        return
    typer.echo(f"{out.navigator.display_name}: {out.total} member(s)")
    for m in out.members:
        due = m.next_due_at.isoformat() if m.next_due_at else "-"
        typer.echo(
            f"  {m.member_id:>7}  {m.last_name}, {m.first_name}  cases {m.open_cases} "
            f"(waiting {m.waiting_cases})  callbacks {m.open_callbacks}  next due {due}"
        )
