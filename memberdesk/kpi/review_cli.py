"""``memberdesk report monthly | quarterly``: the team reviews as files for the meeting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from memberdesk.calendars.cli import fail
from memberdesk.cli import PlainHelpGroup

report_app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="Team reviews: the monthly review and the quarterly summary, as PDF or HTML.",
    no_args_is_help=True,
)
Out = Annotated[Path, typer.Option("--out", help="The file to write: .pdf or .html")]
Pack = Annotated[str, typer.Option(help="Line of business (policy pack)")]


def _kind(out: Path) -> str:
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("pdf", "html"):
        raise fail("--out", "must end in .pdf or .html")
    if not out.parent.is_dir():
        raise fail("--out", "must be in a folder that exists")
    return kind


def _write(out: Path, kind: str, html: str) -> None:
    from memberdesk.kpi.review_render import to_pdf

    try:
        out.write_bytes(to_pdf(html) if kind == "pdf" else html.encode())
    except OSError as exc:
        raise fail("--out", str(exc)) from None


def _session():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    return make_sessionmaker(connect(load_settings()))()


def _pack(pack: str) -> None:
    from memberdesk.kpi.targets import goals_of
    from memberdesk.sla.packs import UnknownPackError

    try:
        goals_of(pack)
    except UnknownPackError:
        raise fail(
            "--pack", "is not a known policy pack (calchoice, oregon-medicaid, ...)"
        ) from None


@report_app.command("monthly")
def monthly(
    month: Annotated[str, typer.Option("--month", help="The month, YYYY-MM")],
    out: Out,
    pack: Pack = "calchoice",
) -> None:
    """Every KPI of the month against target, twelve months of trend, by queue and by agent."""
    from memberdesk.kpi.review import month_of, monthly_review
    from memberdesk.kpi.review_render import document, review_context
    from memberdesk.kpi.words import LINES

    kind = _kind(out)
    _pack(pack)
    try:
        first = month_of(month)
    except ValueError as exc:
        raise fail("--month", str(exc)) from None
    with _session() as session:
        review = monthly_review(session, pack, first)
    title = f"Monthly team review: {LINES.get(pack, pack)}, {first:%B %Y}"
    _write(out, kind, document("kpi/_review.html", review_context(review), title))
    typer.echo(f"{title}: {review.this.calls.offered:,} calls offered; written to {out}")


@report_app.command("quarterly")
def quarterly(
    quarter: Annotated[str, typer.Option("--quarter", help="The quarter, YYYY-Qn")],
    out: Out,
    pack: Pack = "calchoice",
) -> None:
    """One page for executives: the quarter against target, beside the quarter before."""
    from memberdesk.kpi.review import quarter_of, quarterly_summary
    from memberdesk.kpi.review_render import document, quarter_context
    from memberdesk.kpi.words import LINES

    kind = _kind(out)
    _pack(pack)
    try:
        year, number = quarter_of(quarter)
    except ValueError as exc:
        raise fail("--quarter", str(exc)) from None
    with _session() as session:
        q = quarterly_summary(session, pack, year, number)
    title = f"Quarterly summary: {LINES.get(pack, pack)}, quarter {number} of {year}"
    _write(out, kind, document("kpi/_quarter.html", quarter_context(q), title))
    typer.echo(f"{title}: {q.total.calls.offered:,} calls offered; written to {out}")
