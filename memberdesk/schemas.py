"""Shared API schema pieces: pagination, and the bounded ids and dates every route uses.

Ids, offsets and dates are bounded here, once: a value the database cannot hold (an id of
2^63, the year 1) must be a 422 naming the field, never an ``OverflowError`` or ``DataError``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, Field

T = TypeVar("T")

# Record ids are INTEGER columns: 32-bit on PostgreSQL (64-bit on SQLite). An id beyond what
# the column can hold is refused here, before the database sees it (the audit log, which
# outgrows 32 bits, has 64-bit ids and its own bound).
MAX_ID = 2**31 - 1
MAX_AUDIT_ID = 2**63 - 1
# Dates memberdesk can reason about: members born since 1900, plans and deadlines to 2199.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


class Page(BaseModel, Generic[T]):
    """One page of results."""

    items: list[T] = Field(description="The results on this page")
    total: int = Field(description="Results across all pages")
    limit: int = Field(description="Page size requested")
    offset: int = Field(description="Results skipped before this page")


def _iso_date_only(value: Any) -> Any:
    # Pydantic reads a bare number as a Unix timestamp (as_of=0 became 1970-01-01); only a
    # YYYY-MM-DD string (or a date already parsed) is a date here.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("must be a date written YYYY-MM-DD")
    if isinstance(value, str) and value.strip().isdigit():
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _within_range(value: Any) -> Any:
    if isinstance(value, date) and not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}")
    return value


# A calendar date in a body or query: ISO text only, within MIN_DATE..MAX_DATE.
Day = Annotated[date, BeforeValidator(_iso_date_only), AfterValidator(_within_range)]


def _instant_in_range(value: datetime) -> datetime:
    # A time the database cannot hold (or that overflows converting to UTC) is a 422.
    if not MIN_DATE <= value.date() <= MAX_DATE:
        raise ValueError(f"must be between the years {MIN_DATE.year} and {MAX_DATE.year}")
    return value.astimezone(UTC)


# An instant in a body or query: ISO 8601 with an offset (a time without one is refused, naming
# the field), within the years memberdesk handles, answered in UTC.
Instant = Annotated[AwareDatetime, AfterValidator(_instant_in_range)]
# An id in a body or query (foreign keys, filters).
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]

LimitQ = Annotated[int, Query(ge=1, le=200, description="Page size (1–200)")]
OffsetQ = Annotated[int, Query(ge=0, le=MAX_ID, description="Results to skip")]


def id_path(what: str) -> Any:
    """``Path`` metadata for an id in a URL: 1..2^63-1, else 422 naming the parameter."""
    return Path(ge=1, le=MAX_ID, description=f"Internal id of the {what}")


def id_query(what: str) -> Any:
    """``Query`` metadata for an optional id filter."""
    return Query(ge=1, le=MAX_ID, description=f"Only this {what} (internal id)")
