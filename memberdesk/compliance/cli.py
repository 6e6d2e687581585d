"""Command line of security and compliance: users, audit, keys, retention."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import Role

users_app = typer.Typer(help="Staff and member-portal accounts.", no_args_is_help=True)
audit_app = typer.Typer(
    help="The tamper-evident audit log and PHI access reports.", no_args_is_help=True
)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
teams_app = typer.Typer(help="Teams that staff accounts belong to.", no_args_is_help=True)
retention_app = typer.Typer(help="Retention and legal holds.", no_args_is_help=True)
# Piped or captured output gets wide tables, so nothing is cut or wrapped mid-word.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


def _ctx() -> AuditContext:
    return AuditContext(actor_id=None, actor=f"cli:{getpass.getuser()}"[:64], role="system")


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    settings = load_settings()
    return settings, make_sessionmaker(connect(settings))


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


@contextmanager
def _domain_errors(names: dict[str, str] | None = None) -> Iterator[None]:
    """Turn a domain error into a one-line CLI error naming the option or argument, exit 2.
    A field's last part becomes ``--its-name`` unless ``names`` maps it (e.g. to an argument)."""
    from memberdesk.errors import MemberdeskError

    try:
        yield
    except MemberdeskError as exc:
        last = exc.field.split(".")[-1] if exc.field else "body"
        where = (names or {}).get(last) or (
            "input" if last == "body" else "--" + last.replace("_", "-")
        )
        raise _fail(f"{where}: {exc.message}") from None


def _read_password(from_stdin: bool) -> str:
    from memberdesk.compliance.passwords import MIN_LENGTH

    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Password ({MIN_LENGTH}+ characters): ")
    if getpass.getpass("Again: ") != first:
        raise _fail("the passwords differ")
    return first


USER_ARG = {"username": "USERNAME", "password": "password"}


@users_app.command("create")
def users_create(
    username: Annotated[
        str, typer.Argument(help="Account name: lower-case letters, digits, . _ -")
    ],
    role: Annotated[Role, typer.Option(help="Role in the permission matrix")],
    name: Annotated[str, typer.Option(help="Display name")] = "",
    team: Annotated[str | None, typer.Option(help="An existing team (teams create)")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin")] = False,
) -> None:
    """Create a staff account; the password is prompted for (never an argument). Member
    portal accounts are opened by the member through enrolment."""
    from memberdesk.compliance import accounts

    password = _read_password(password_stdin)
    settings, sessions = _sessions()
    with sessions() as session:
        with _domain_errors(USER_ARG):
            user, _ = accounts.provision_account(
                session,
                settings,
                _ctx(),
                username=username,
                display_name=name or username,
                role=role,
                password=password,
                team=team,
            )
        session.commit()
        out.print(f"created {user.username} ({user.role.value})")


def _user_command(act: str, username: str) -> None:
    from memberdesk.compliance import accounts

    action = {
        "disable": accounts.disable_user,
        "enable": accounts.enable_user,
        "unlock": accounts.unlock_user,
    }[act]
    _, sessions = _sessions()
    with sessions() as session:
        with _domain_errors(USER_ARG):
            action(session, _ctx(), username)
        session.commit()


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Account name")]) -> None:
    """Disable an account, end its sessions and revoke its API tokens."""
    _user_command("disable", username)
    out.print(f"disabled {username}")


@users_app.command("enable")
def users_enable(username: Annotated[str, typer.Argument(help="Account name")]) -> None:
    """Enable a disabled account."""
    _user_command("enable", username)
    out.print(f"enabled {username}")


@users_app.command("unlock")
def users_unlock(username: Annotated[str, typer.Argument(help="Account name")]) -> None:
    """Lift a lock-out after failed sign-ins."""
    _user_command("unlock", username)
    out.print(f"unlocked {username}")


@users_app.command("reset-password")
def users_reset_password(username: Annotated[str, typer.Argument(help="Account name")]) -> None:
    """Set a random temporary password (printed once) that must be changed at the next
    sign-in; the account's sessions end and its API tokens are revoked."""
    from memberdesk.compliance import accounts

    settings, sessions = _sessions()
    with sessions() as session:
        with _domain_errors(USER_ARG):
            _, temporary = accounts.reset_password(session, settings, _ctx(), username)
        session.commit()
    out.print(f"temporary password for {username} (give it to them privately; it works once):")
    print(temporary)


@users_app.command("set-role")
def users_set_role(
    username: Annotated[str, typer.Argument(help="Account name")],
    role: Annotated[Role, typer.Argument(help="New role")],
) -> None:
    """Change a staff member's role (their sessions end, tokens follow at once). The operator's
    path: it applies at once; through the API a role that reads PHI needs a second person."""
    from memberdesk.compliance import accounts

    _, sessions = _sessions()
    with sessions() as session:
        with _domain_errors(USER_ARG):
            accounts.set_role(session, _ctx(), username, role)
        session.commit()
    out.print(f"{username} is now {role.value}")


@users_app.command("tokens")
def users_tokens(username: Annotated[str, typer.Argument(help="Account name")]) -> None:
    """A user's API tokens: id, prefix, name, issued, last used, expiry, revoked."""
    from memberdesk.clock import now
    from memberdesk.compliance import accounts, auth

    settings, sessions = _sessions()
    table = Table("id", "prefix", "name", "created", "last used", "expires", "status")
    stamp = now()
    with sessions() as session:
        with _domain_errors(USER_ARG):
            user = accounts.find_user(session, username)
        for t in auth.list_tokens(session, user.id):
            status = (
                "revoked"
                if t.revoked_at
                else "active"
                if auth.token_usable(t, user, stamp, settings)
                else "expired"
            )
            table.add_row(
                str(t.id),
                t.prefix + "…",
                t.name,
                _when(t.created_at),
                _when(t.last_used_at),
                _when(t.expires_at),
                status,
            )
    out.print(table)


def _when(at: datetime | None) -> str:
    return at.isoformat(timespec="seconds") if at else "never"


@users_app.command("revoke-token")
def users_revoke_token(
    token_id: Annotated[int, typer.Argument(help="Token id (users tokens USER)", min=1)],
) -> None:
    """Revoke an API token at once."""
    from memberdesk.compliance import auth

    _, sessions = _sessions()
    with sessions() as session:
        with _domain_errors({"token_id": "TOKEN_ID"}):
            auth.revoke_token(session, _ctx(), token_id, owner_id=None)
        session.commit()
    out.print(f"revoked token {token_id}")


@users_app.command("grants")
def users_grants() -> None:
    """Role grants waiting for a second person's approval."""
    from memberdesk.compliance import accounts
    from memberdesk.compliance.models import User

    _, sessions = _sessions()
    table = Table("id", "account", "kind", "role", "asked by", "asked at")
    with sessions() as session:
        for g in accounts.pending_grants(session):
            user = session.get(User, g.user_id)
            table.add_row(
                str(g.id),
                user.username if user else "?",
                g.kind.value,
                g.role.value,
                g.requested_by,
                _when(g.requested_at),
            )
    out.print(table)


@users_app.command("approve")
def users_approve(grant_id: Annotated[int, typer.Argument(help="Grant id", min=1)]) -> None:
    """Approve a role grant (the role applies at once)."""
    _decide_grant(grant_id, approve=True)


@users_app.command("reject")
def users_reject(grant_id: Annotated[int, typer.Argument(help="Grant id", min=1)]) -> None:
    """Reject a role grant (the role stays as it was)."""
    _decide_grant(grant_id, approve=False)


def _decide_grant(grant_id: int, *, approve: bool) -> None:
    from memberdesk.compliance import accounts

    _, sessions = _sessions()
    with sessions() as session:
        with _domain_errors({"grant_id": "GRANT_ID"}):
            decide = accounts.approve_grant if approve else accounts.reject_grant
            grant, user = decide(session, _ctx(), grant_id)
        session.commit()
    out.print(
        f"grant {grant.id} {grant.status.value}: {user.username} is {user.role.value}"
        + (" (disabled)" if user.disabled else "")
    )


@teams_app.command("create")
def teams_create(name: Annotated[str, typer.Argument(help="Team name")]) -> None:
    """Create a team; staff accounts can join only existing teams."""
    from memberdesk.compliance import accounts

    _, sessions = _sessions()
    with sessions() as session:
        with _domain_errors({"name": "NAME"}):
            team = accounts.create_team(session, _ctx(), name)
        session.commit()
        out.print(f"created team {team.name!r} (#{team.id})", highlight=False)


@teams_app.command("list")
def teams_list() -> None:
    """Every team and how many accounts it has."""
    from sqlalchemy import func, select

    from memberdesk.compliance.models import Team, User

    _, sessions = _sessions()
    table = Table("id", "team", "accounts")
    with sessions() as session:
        rows = session.execute(select(User.team_id, func.count()).group_by(User.team_id))
        counts: dict[int | None, int] = {team_id: n for team_id, n in rows}
        for t in session.scalars(select(Team).order_by(Team.name)):
            table.add_row(str(t.id), t.name, str(counts.get(t.id, 0)))
    out.print(table)


@users_app.command("list")
def users_list() -> None:
    """All accounts with role, team and status."""
    from sqlalchemy import select

    from memberdesk.compliance.models import Team, User

    _, sessions = _sessions()
    table = Table("username", "name", "role", "team", "status", "last sign-in")
    with sessions() as session:
        teams = {t.id: t.name for t in session.scalars(select(Team))}
        for u in session.scalars(select(User).order_by(User.username)):
            status = (
                "disabled"
                if u.disabled
                else "locked"
                if u.locked_until
                else "must change password"
                if u.must_change_password
                else "active"
            )
            table.add_row(
                u.username,
                u.display_name,
                u.role.value,
                teams.get(u.team_id or 0, ""),
                status,
                u.last_login_at.isoformat() if u.last_login_at else "never",
            )
    out.print(table)


@audit_app.command("verify")
def audit_verify(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Check every hash and signed checkpoint; exit 1 naming the first bad entry."""
    from memberdesk.compliance import audit
    from memberdesk.compliance.enums import AuditAction
    from memberdesk.compliance.verify import read_anchor, verify_chain
    from memberdesk.db import read_only_connection

    settings, sessions = _sessions()
    with read_only_connection(sessions.kw["bind"]) as conn:
        result = verify_chain(conn, read_anchor(settings.var_dir))
    with sessions() as session:
        audit.record(
            session,
            _ctx(),
            AuditAction.AUDIT_VERIFIED,
            object_type="audit_log",
            detail=result.as_dict(),
        )
        session.commit()
    if as_json:
        print(json.dumps(result.as_dict()))
    elif result.ok:
        out.print(
            f"audit chain intact: {result.entries:,} entries, "
            f"{result.checkpoints:,} signed checkpoints"
        )
    else:
        err.print(f"audit chain BROKEN at entry {result.first_bad}: {result.problem}")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain's tip now and export it to var/audit_anchor.json (run from cron)."""
    from memberdesk.compliance.audit import checkpoint_now
    from memberdesk.compliance.verify import write_anchor

    settings, sessions = _sessions()
    with sessions() as session:
        cp = checkpoint_now(session)
        session.commit()
        if cp is None:
            out.print("audit log is empty; nothing to sign")
            return
        write_anchor(settings.var_dir, cp)
        out.print(f"checkpoint #{cp.id} signs entries up to {cp.last_entry_id}")


@audit_app.command("access")
def audit_access(
    start: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First day")],
    end: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day, inclusive")],
    member_id: Annotated[int | None, typer.Option(help="Who accessed this member")] = None,
    user: Annotated[str | None, typer.Option(help="What this user accessed")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
) -> None:
    """PHI access report by member or by user, as CSV or JSON on stdout (itself audited)."""
    from dataclasses import asdict

    from sqlalchemy import select

    from memberdesk.compliance import audit, reports
    from memberdesk.compliance.enums import AuditAction
    from memberdesk.compliance.models import User

    if (member_id is None) == (user is None):
        raise _fail("give exactly one of --member-id or --user")
    if fmt not in ("csv", "json"):
        raise _fail("--format must be csv or json")
    with _domain_errors():
        lo, hi = reports.day_window(start.date(), end.date())
    from memberdesk.schemas import MAX_ID

    if member_id is not None and not 1 <= member_id <= MAX_ID:
        raise _fail(f"--member-id: must be an id from 1 to {MAX_ID}")
    _, sessions = _sessions()
    with sessions() as session:
        if member_id is not None:
            rows = reports.member_access(session, member_id, lo, hi)
            target = {"object_type": "member", "object_id": member_id, "member_ids": [member_id]}
        else:
            uid = session.scalar(select(User.id).where(User.username == user))
            if uid is None:
                raise _fail("--user: no user with this username")
            rows = reports.user_access(session, uid, lo, hi)
            target = {"object_type": "user", "object_id": uid}
        audit.record(
            session,
            _ctx(),
            AuditAction.ACCESS_REPORT,
            detail={"rows": len(rows), "format": fmt},
            **target,
        )  # type: ignore[arg-type]
        session.commit()
    if fmt == "csv":
        sys.stdout.write(reports.to_csv(rows))
    else:
        print(json.dumps([asdict(r) for r in rows], indent=2))


@keys_app.command("rotate")
def keys_rotate(
    batch: Annotated[int, typer.Option(min=1, help="Rows per transaction")] = 500,
) -> None:
    """Make a new data key active and re-encrypt every PHI value, while the service runs."""
    from rich.progress import Progress

    from memberdesk.compliance.rotation import rotate

    settings, sessions = _sessions()
    with Progress(console=out, transient=True) as progress:
        task = progress.add_task("re-encrypting", total=None)
        try:
            result = rotate(
                Path(settings.var_dir),
                sessions,
                batch,
                progress=lambda name, n: progress.update(task, advance=n, description=name),
                ctx=_ctx(),
            )
        except RuntimeError as exc:
            raise _fail(str(exc)) from None
    total = sum(result.reencrypted.values())
    out.print(
        f"active key is now {result.new_key_id}; re-encrypted {total:,} values in "
        f"{result.passes} pass(es); {result.remaining} left under old keys"
    )
    if result.remaining:
        raise typer.Exit(1)


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count")] = False,
) -> None:
    """Purge or de-identify records past retention, sparing legal holds (audited)."""
    from memberdesk.compliance import retention

    settings, sessions = _sessions()
    with sessions() as session:
        with _domain_errors():
            report = retention.run(session, _ctx(), settings.retention_years, dry_run)
        session.commit()
    table = Table(
        "record type",
        "expired before",
        "would purge" if dry_run else "purged",
        "kept by legal hold",
    )
    for rt, n in report.counts.items():
        held = "whole type" if rt in report.held_types else str(report.held.get(rt, 0))
        table.add_row(rt, report.cutoffs[rt], str(n), held)
    out.print(table)
    out.print("dry run: nothing changed" if dry_run else "retention applied")


@retention_app.command("hold")
def retention_hold(
    matter: Annotated[str, typer.Option(help="Litigation or investigation name")],
    member_id: Annotated[int | None, typer.Option(help="Hold one member's records")] = None,
    record_type: Annotated[str | None, typer.Option(help="Or a whole record type")] = None,
) -> None:
    """Place a legal hold: held records are never purged."""
    from memberdesk.compliance import retention

    _, sessions = _sessions()
    with sessions() as session:
        with _domain_errors():
            hold = retention.place_hold(
                session,
                _ctx(),
                matter=matter,
                member_id=member_id,
                record_type=record_type,
                reason=None,
            )
        session.commit()
        out.print(f"legal hold #{hold.id} placed")


@retention_app.command("release")
def retention_release(hold_id: Annotated[int, typer.Argument(help="Hold id")]) -> None:
    """Release a legal hold."""
    from memberdesk.compliance import retention

    _, sessions = _sessions()
    with sessions() as session:
        with _domain_errors():
            retention.release_hold(session, _ctx(), hold_id)
        session.commit()
    out.print(f"legal hold #{hold_id} released")
