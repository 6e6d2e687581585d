"""Command line of the breach register: the notice clocks of a discovery (no database), the
register, and the year's HHS log as CSV. Reads of the register are audited."""

from __future__ import annotations

import getpass
import json
from typing import Annotated, Any

import typer

breaches_app = typer.Typer(
    help="Breaches: notice clocks of a discovery, the register, the HHS log.",
    no_args_is_help=True,
)


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    return make_sessionmaker(connect(load_settings()))


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _ctx() -> Any:
    from memberdesk.compliance.audit import AuditContext

    return AuditContext(actor_id=None, actor=f"cli:{getpass.getuser()}"[:64], role="system")


@breaches_app.command("clocks")
def clocks(
    discovered: Annotated[
        str, typer.Option(help="When it was discovered, ISO 8601 with an offset")
    ],
    affected: Annotated[int, typer.Option(help="People affected", min=0)],
    state: Annotated[
        list[str] | None, typer.Option(help="Residents of a state, e.g. CA=120 (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """The notices a breach owes and when each is due (from the compliance pack)."""
    from datetime import datetime

    from memberdesk.breaches import clocks as core
    from memberdesk.breaches.enums import STATES

    try:
        start = datetime.fromisoformat(discovered)
    except ValueError:
        raise _fail("--discovered must be ISO 8601, e.g. 2026-06-01T09:30:00-07:00") from None
    if start.tzinfo is None:
        raise _fail("--discovered needs a UTC offset, e.g. -07:00")
    residents: dict[str, int] = {}
    for item in state or []:
        code, _, n = item.partition("=")
        if code.upper() not in STATES or not n.isdigit():
            raise _fail("--state is a two-letter state code and a count, e.g. CA=120")
        residents[code.upper()] = int(n)
    if sum(residents.values()) > affected:
        raise _fail("--state counts add up to more than --affected")
    found = core.notice_clocks(start, affected, residents)
    rows: list[dict[str, Any]] = [
        {
            "recipient": c.recipient.value,
            "state": c.state,
            "target": c.target,
            "due": c.due.isoformat(),
            "annual_log": c.annual_log,
            "rule": c.rule,
            "citation": c.citation,
        }
        for c in found
    ]
    if as_json:
        typer.echo(json.dumps({"discovered": start.isoformat(), "clocks": rows}))
        return
    for r in rows:
        who = str(r["recipient"]) + (f" ({r['state']})" if r["state"] else "")
        typer.echo(f"{who:<18} {r['due']}  {r['rule']} [{r['citation']}]")


@breaches_app.command("list")
def list_incidents(
    open_only: Annotated[bool, typer.Option("--open", help="Only those still open")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """The register: each incident with where it stands and its next notice (audited)."""
    from memberdesk.breaches import service
    from memberdesk.clock import now
    from memberdesk.compliance import audit
    from memberdesk.compliance.enums import AuditAction

    at = now()
    rows = []
    with _sessions()() as session:
        for inc in service.list_incidents(session, open_only=open_only):
            live = [
                s
                for s in service.standings(session, inc, at)
                if s.status.value in ("running", "overdue")
            ]
            nxt = min(live, key=lambda s: s.clock.due) if live else None
            rows.append(
                {
                    "id": inc.id,
                    "discovered_at": inc.discovered_at.isoformat(),
                    "state": inc.state.value,
                    "affected": inc.affected_count,
                    "next_notice": nxt.clock.recipient.value if nxt else None,
                    "next_due": nxt.clock.due.isoformat() if nxt else None,
                    "overdue": sum(1 for s in live if s.status.value == "overdue"),
                }
            )
        audit.record(
            session,
            _ctx(),
            AuditAction.BREACH_LISTED,
            object_type="breach_incident",
            detail={"path": "cli: breaches list", "incidents": [r["id"] for r in rows][:200]},
        )
        session.commit()
    if as_json:
        typer.echo(json.dumps({"at": at.isoformat(), "incidents": rows}))
        return
    for r in rows:
        due = f"next: {r['next_notice']} by {r['next_due']}" if r["next_due"] else "nothing owed"
        late = f", {r['overdue']} overdue" if r["overdue"] else ""
        typer.echo(
            f"{r['id']:>5} {r['discovered_at']} {r['state']:<13} {r['affected']:>8,} {due}{late}"
        )


@breaches_app.command("hhs-log")
def hhs_log(
    year: Annotated[int | None, typer.Option(help="Year of discovery [default: this year]")] = None,
) -> None:
    """The year's breaches for the HHS log, as CSV (the report is audited)."""
    from memberdesk.breaches import report
    from memberdesk.breaches.clocks import zone
    from memberdesk.clock import now
    from memberdesk.compliance import audit
    from memberdesk.compliance.enums import AuditAction

    at = now()
    y = year or at.astimezone(zone()).year
    if not 2000 <= y <= 2199:
        raise _fail("--year must be between 2000 and 2199")
    with _sessions()() as session:
        rows = report.hhs_log(session, y, at)
        audit.record(
            session,
            _ctx(),
            AuditAction.BREACH_REPORT,
            object_type="breach_report",
            object_id=f"hhs-log-{y}",
            detail={"rows": len(rows), "cli": True},
        )
        session.commit()
    typer.echo(report.to_csv(rows), nl=False)
