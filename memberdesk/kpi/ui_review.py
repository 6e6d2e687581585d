"""The monthly team review and the quarterly executive summary: pages, and the same as files
(PDF or a web page) for the meeting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.errors import InvalidInput
from memberdesk.kpi.review import (
    Quarter,
    Review,
    month_of,
    monthly_review,
    quarter_of,
    quarterly_summary,
)
from memberdesk.kpi.review_render import document, quarter_context, review_context, to_pdf
from memberdesk.kpi.ui_board import pack_checked
from memberdesk.kpi.words import LINES
from memberdesk.members.dates import add_months
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.KPI_READ)]


FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def _last_month(pack: str) -> str:
    today = now().astimezone(zone_of(pack if pack in LINES else "calchoice")).date()
    return f"{add_months(today.replace(day=1), -1):%Y-%m}"


def _this_quarter(pack: str) -> str:
    today = now().astimezone(zone_of(pack if pack in LINES else "calchoice")).date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


@router.get("/kpi/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    month: str | None = None,
    pack: str = "calchoice",
) -> HTMLResponse:
    """The monthly team review (last month by default)."""
    typed = {"month": month or _last_month(pack), "pack": pack}

    def build(first: Any) -> dict[str, Any]:
        return review_context(monthly_review(session, pack, first))

    return _page(request, session, principal, "kpi/review.html", typed, "month", month_of, build)


@router.get("/kpi/review/download")
def review_download(
    session: ReadingSessionDep,
    principal: Reader,
    month: Annotated[str, Query(description="YYYY-MM")],
    pack: str = "calchoice",
    format: str = "pdf",
) -> Response:
    """The monthly review as a file for the team meeting (PDF or a web page)."""
    first = _checked(month_of, month, "query.month")
    kind = _format(format)
    review = monthly_review(session, pack_checked(pack), first)
    session.commit()
    html = document("kpi/_review.html", review_context(review), _review_title(review))
    return _file(html, kind, f"team-review-{pack}-{month}")


@router.get("/kpi/quarter", response_class=HTMLResponse)
def quarter_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    quarter: str | None = None,
    pack: str = "calchoice",
) -> HTMLResponse:
    """The quarterly summary for executives (this quarter so far by default)."""
    typed = {"quarter": quarter or _this_quarter(pack), "pack": pack}

    def build(parsed: Any) -> dict[str, Any]:
        return quarter_context(quarterly_summary(session, pack, *parsed))

    return _page(
        request, session, principal, "kpi/quarter.html", typed, "quarter", quarter_of, build
    )


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    template: str,
    typed: dict[str, str],
    name: str,
    parse: Callable[[str], Any],
    build: Callable[[Any], dict[str, Any]],
) -> HTMLResponse:
    """A review page: the form's inputs checked in words, the review built when they are good."""
    errors: dict[str, str] = {}
    if typed["pack"] not in LINES:
        errors["pack"] = "Choose a line of business from the list."
    try:
        parsed = parse(typed[name])
    except ValueError as exc:
        errors[name] = f"The {name} {exc}."
    context = {} if errors else build(parsed)
    session.commit()
    return render(
        request,
        template,
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        lines=LINES,
        **context,
    )


@router.get("/kpi/quarter/download")
def quarter_download(
    session: ReadingSessionDep,
    principal: Reader,
    quarter: Annotated[str, Query(description="YYYY-Qn")],
    pack: str = "calchoice",
    format: str = "pdf",
) -> Response:
    """The quarterly summary as a one-page file."""
    year, number = _checked(quarter_of, quarter, "query.quarter")
    kind = _format(format)
    q = quarterly_summary(session, pack_checked(pack), year, number)
    session.commit()
    html = document("kpi/_quarter.html", quarter_context(q), _quarter_title(q))
    return _file(html, kind, f"quarterly-summary-{pack}-{year}-q{number}")


def _checked(parse: Any, text: str, field: str) -> Any:
    try:
        return parse(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), field=field) from None


def _format(kind: str) -> str:
    if kind not in FORMATS:
        raise InvalidInput("must be pdf or html", field="query.format")
    return kind


def _file(html: str, kind: str, name: str) -> Response:
    body = to_pdf(html) if kind == "pdf" else html.encode()
    return Response(
        body,
        media_type=FORMATS[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )


def _review_title(review: Review) -> str:
    return f"Monthly team review: {LINES[review.pack]}, {review.month:%B %Y}"


def _quarter_title(q: Quarter) -> str:
    return f"Quarterly summary: {LINES[q.pack]}, quarter {q.number} of {q.year}"
