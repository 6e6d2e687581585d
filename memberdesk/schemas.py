"""Shared API schema pieces: pagination."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of results."""

    items: list[T] = Field(description="The results on this page")
    total: int = Field(description="Results across all pages")
    limit: int = Field(description="Page size requested")
    offset: int = Field(description="Results skipped before this page")


LimitQ = Annotated[int, Query(ge=1, le=200, description="Page size (1–200)")]
OffsetQ = Annotated[int, Query(ge=0, description="Results to skip")]
