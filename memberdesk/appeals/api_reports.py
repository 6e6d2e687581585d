"""JSON and CSV routes of the Tier 3 reports (counts and appeal ids only; audited as reports)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum, StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from memberdesk.appeals import reports, rules
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.errors import InvalidInput
from memberdesk.sla.packs import zone_of

router = APIRouter(prefix="/api", route_class=DbRoute)
TAGS: list[str | Enum] = ["appeals"]
Reader = Annotated[Principal, requires(Permission.APPEAL_READ)]
CSV = {
    200: {
        "description": "The report",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
MAX_MONTHS = 60


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


FormatQ = Annotated[Format, Query(description="json (default) or csv")]


class AgingRowOut(BaseModel):
    quarter: str = Field(description="The quarter, e.g. 2026-Q4")
    pack: str = Field(description="Policy pack")
    kind: str = Field(description="grievance or appeal (DMHC counts both as grievances)")
    as_of: str = Field(description="The quarter's end in the pack's zone")
    open_30_59: int = Field(description="Open 30 to 59 days at the quarter's end")
    open_60_89: int = Field(description="Open 60 to 89 days")
    open_90_plus: int = Field(description="Open 90 days or more")
    total: int = Field(description="Open 30 days or more")
    oldest_received_at: str = Field(description="Receipt of the oldest (empty when none)")


class AgingOut(BaseModel):
    quarter: str = Field(description="The quarter reported")
    rows: list[AgingRowOut] = Field(description="By pack and kind")


class OpenRowOut(BaseModel):
    appeal_id: int = Field(description="Appeal id")
    pack: str = Field(description="Policy pack")
    kind: str = Field(description="grievance or appeal")
    urgency: str = Field(description="standard or expedited")
    received_at: str = Field(description="When received")
    next_target: str = Field(description="The nearest open deadline's target")
    due_at: str = Field(description="Its deadline (empty when none runs)")
    standing: str = Field(description="overdue, due_24h, due_7d or later")
    deemed_exhausted: bool = Field(description="Deemed exhausted (Medicaid)")
    extended: bool = Field(description="Extended under the rule")
    held_by: str = Field(description="Username holding its case (empty: waiting in the queue)")


class OpenOut(BaseModel):
    at: datetime = Field(description="When the report was made")
    rows: list[OpenRowOut] = Field(description="Open appeals, nearest deadline first")


class MonthRowOut(BaseModel):
    month: str = Field(description="YYYY-MM the deadlines fell due in")
    pack: str = Field(description="Policy pack")
    due: int = Field(description="Deadlines that fell due (withdrawn ones excluded)")
    met_on_time: int = Field(description="Met by the deadline")
    met_late: int = Field(description="Met after it")
    missed: int = Field(description="Passed and still open")
    pending: int = Field(description="Not yet due")
    share_met: float | None = Field(description="On time ÷ (on time + late + missed)")


class MonthsOut(BaseModel):
    first: str = Field(description="First month")
    last: str = Field(description="Last month")
    rows: list[MonthRowOut] = Field(description="By month and pack")


def last_quarter(at: datetime) -> str:
    """The quarter that ended most recently (in the California zone)."""
    local = at.astimezone(zone_of(rules.CALCHOICE))
    q = (local.month - 1) // 3 + 1
    return f"{local.year - 1}-Q4" if q == 1 else f"{local.year}-Q{q - 1}"


def month_range(
    first: str | None, last: str | None, at: datetime
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Months to report (default: the twelve ending with the current one)."""
    local = at.astimezone(zone_of(rules.CALCHOICE))
    try:
        end = rules.month_bounds(last) if last else (local.year, local.month)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="query.last") from None
    try:
        start = (
            rules.month_bounds(first)
            if first
            else ((end[0] - 1, end[1] + 1) if end[1] < 12 else (end[0], 1))
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), field="query.first") from None
    if start > end:
        raise InvalidInput("must not be after the last month", field="query.first")
    if len(reports.months(start, end)) > MAX_MONTHS:
        raise InvalidInput(f"at most {MAX_MONTHS} months at once", field="query.first")
    return start, end


def _audit(
    session: Session, request: Request, principal: Principal, name: str, **detail: Any
) -> None:
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.APPEAL_REPORT,
        object_type="appeal_report",
        object_id=name,
        detail=detail,
    )


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    "/appeal-reports/aging",
    response_model=AgingOut,
    summary="Quarterly aging report",
    tags=TAGS,
    responses=CSV,  # type: ignore[arg-type]
)
def aging(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    quarter: Annotated[
        str | None, Query(max_length=7, description="YYYY-Qn (default: the last quarter ended)")
    ] = None,
    format: FormatQ = Format.JSON,
) -> Any:
    """Grievances and appeals open 30 days or more at the quarter's end, by pack and kind
    (H&S § 1368's quarterly report), in 30-day bands."""
    label = quarter or last_quarter(now())
    try:
        year, q = rules.quarter_bounds(label)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="query.quarter") from None
    rows = reports.aging(session, year, q)
    _audit(session, request, principal, "aging", quarter=f"{year}-Q{q}")
    session.commit()
    if format is Format.CSV:
        return _csv(reports.to_csv(rows, reports.AgingRow), f"aging-{year}-Q{q}")
    return AgingOut(quarter=f"{year}-Q{q}", rows=[AgingRowOut(**r) for r in reports.as_dicts(rows)])


@router.get(
    "/appeal-reports/open",
    response_model=OpenOut,
    summary="Open appeals by deadline",
    tags=TAGS,
    responses=CSV,  # type: ignore[arg-type]
)
def open_appeals(
    session: ReadingSessionDep, request: Request, principal: Reader, format: FormatQ = Format.JSON
) -> Any:
    """Every open appeal with its nearest deadline, overdue first."""
    at = now()
    rows = reports.open_by_deadline(session, at)
    _audit(session, request, principal, "open", count=len(rows))
    session.commit()
    if format is Format.CSV:
        return _csv(reports.to_csv(rows, reports.OpenRow), "open-appeals")
    return OpenOut(at=at, rows=[OpenRowOut(**r) for r in reports.as_dicts(rows)])


@router.get(
    "/appeal-reports/deadlines",
    response_model=MonthsOut,
    summary="Deadlines met per month",
    tags=TAGS,
    responses=CSV,  # type: ignore[arg-type]
)
def deadlines(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    first: Annotated[str | None, Query(max_length=7, description="First month, YYYY-MM")] = None,
    last: Annotated[str | None, Query(max_length=7, description="Last month, YYYY-MM")] = None,
    format: FormatQ = Format.JSON,
) -> Any:
    """Appeal deadlines that fell due each month, by pack: met on time, late, missed, pending
    (default: the last twelve months)."""
    at = now()
    start, end = month_range(first, last, at)
    rows = reports.met_per_month(session, start, end, at)
    span = f"{start[0]:04d}-{start[1]:02d}", f"{end[0]:04d}-{end[1]:02d}"
    _audit(session, request, principal, "deadlines", first=span[0], last=span[1])
    session.commit()
    if format is Format.CSV:
        return _csv(reports.to_csv(rows, reports.MonthRow), f"deadlines-{span[0]}-{span[1]}")
    return MonthsOut(
        first=span[0], last=span[1], rows=[MonthRowOut(**r) for r in reports.as_dicts(rows)]
    )
