"""Command line of the knowledge base: import and export the library as Markdown files (so a
plan keeps it in git), search it, and say what a member was told on a past day."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

kb_app = typer.Typer(
    help="Knowledge base: import and export Markdown, search, what was in force on a day.",
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


def _approver(session: Any, username: str) -> Any:
    """The audit context of a compliance approver account, or a clean failure."""
    from sqlalchemy import select

    from memberdesk.compliance.audit import AuditContext
    from memberdesk.compliance.enums import Permission
    from memberdesk.compliance.models import User
    from memberdesk.compliance.permissions import policy

    user = session.scalar(select(User).where(User.username == username))
    if user is None or not policy(user.role).allows(Permission.KB_APPROVE):
        raise _fail(f"--publish-as: {username!r} is not a compliance approver account")
    return AuditContext(actor_id=user.id, actor=user.username, role=user.role.value)


@kb_app.command("import")
def import_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder of .md files with front matter")],
    publish_as: Annotated[
        str | None,
        typer.Option(
            help="Username of a compliance approver who approves and publishes what is new "
            "(articles with unverified contact points wait for verification)"
        ),
    ] = None,
) -> None:
    """Import a folder: new articles, new versions where the text changed. Every file is
    checked first; if any is wrong, each is named with its field and nothing is imported."""
    from memberdesk.clock import now
    from memberdesk.errors import MemberdeskError
    from memberdesk.kb import content

    if not folder.is_dir():
        raise _fail(f"{folder}: not a folder")
    try:
        docs = content.read_dir(folder)
    except content.ImportRefused as exc:
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2) from None
    with _sessions()() as session:
        approver = _approver(session, publish_as) if publish_as else None
        try:
            done = content.import_docs(session, _ctx(), docs, now(), approver)
        except content.ImportRefused as exc:
            session.rollback()
            for problem in exc.problems:
                typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(2) from None
        except MemberdeskError as exc:
            session.rollback()
            raise _fail(f"{exc.field or 'file'}: {exc.message}; nothing imported") from None
        session.commit()
    typer.echo(
        f"{done.created} new articles, {done.new_versions} new versions, "
        f"{done.unchanged} unchanged, {done.published} published"
    )
    for slug in done.awaiting_verification:
        typer.echo(f"waiting for contact points to be verified: {slug}")


@kb_app.command("export")
def export_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder to write the .md files into")],
) -> None:
    """Write every article's latest version as Markdown with front matter."""
    from memberdesk.kb import content

    with _sessions()() as session:
        count = content.export_dir(session, folder)
    typer.echo(f"{count} articles written to {folder}")


@kb_app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="Words to look for (accents optional)")],
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many results")] = 10,
) -> None:
    """Search what is in force now, best match first."""
    from memberdesk.clock import now
    from memberdesk.kb import search

    with _sessions()() as session:
        hits, total = search.search(session, query, search.Filters(), at=now(), limit=limit)
    for article, version in hits:
        typer.echo(f"{article.slug}\tv{version.number}\t{version.title}")
    typer.echo(f"{total} found")


@kb_app.command("as-of")
def as_of_cmd(
    slug: Annotated[str, typer.Argument(help="The article's slug")],
    day: Annotated[str, typer.Argument(help="The day, e.g. 2026-03-03")],
) -> None:
    """The version members were told on a day, with its text."""
    from sqlalchemy import select

    from memberdesk.kb import service
    from memberdesk.kb.models import KbArticle

    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise _fail("day: write a date like 2026-03-03") from None
    with _sessions()() as session:
        article = session.scalar(select(KbArticle).where(KbArticle.slug == slug))
        if article is None:
            raise _fail("slug: no article with this slug")
        version = service.version_on(session, article.id, when)
        if version is None:
            raise _fail(f"nothing of {slug} was in force on {when}")
        typer.echo(f"{slug} v{version.number} (in force from {version.effective_on})")
        typer.echo(version.title)
        typer.echo(version.body)


@kb_app.command("gaps")
def gaps_cmd(
    month: Annotated[
        str | None, typer.Option(help="The month, YYYY-MM (default: this one)")
    ] = None,
    line: Annotated[
        str | None, typer.Option(help="Only this line of business's members (default: all)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """The knowledge-gap report: per contact reason, repeat contacts, "no article answered"
    reports and helpful / not-helpful marks; gaps first."""
    import json

    from memberdesk.clock import now
    from memberdesk.errors import InvalidInput
    from memberdesk.kb.feedback import gap_report
    from memberdesk.kb.gapwords import month_bounds, reason_name
    from memberdesk.members.enums import LineOfBusiness
    from memberdesk.members.lines import line_of

    lines = None
    pack: dict[str, str] = {}
    if line is not None:
        try:
            code = LineOfBusiness(line)
        except ValueError:
            known = ", ".join(x.value for x in LineOfBusiness)
            raise _fail(f"--line: not a line of business (one of {known})") from None
        lines, pack = [code], {"pack": line_of(code).pack}
    try:
        first, start, end = month_bounds(month, now(), field="--month", **pack)
    except InvalidInput as exc:
        raise _fail(f"--month: {exc.message}") from None
    with _sessions()() as session:
        report = gap_report(session, start, end, lines)
    if as_json:
        items = [
            {
                "reason": g.reason,
                "repeat_contacts": g.repeat_contacts,
                "none_answered": g.none_answered,
                "helpful": g.helpful,
                "not_helpful": g.not_helpful,
                "gap": g.gap,
            }
            for g in report
        ]
        typer.echo(json.dumps({"month": first.strftime("%Y-%m"), "items": items}))
        return
    typer.echo(f"Knowledge gaps, {first:%B %Y}")
    typer.echo("reason\trepeat contacts\tnone answered\thelpful\tnot helpful\tgap")
    for g in report:
        flag = "GAP" if g.gap else ""
        typer.echo(
            f"{reason_name(g.reason)}\t{g.repeat_contacts}\t{g.none_answered}\t"
            f"{g.helpful}\t{g.not_helpful}\t{flag}"
        )
