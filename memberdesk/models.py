"""Imports every domain's tables so metadata (Alembic, tests) sees all of them."""

from __future__ import annotations

import importlib

DOMAINS_WITH_TABLES = (
    "members",
    "compliance",
    "contacts",
    "cases",
    "navigators",
    "kpi",
    "surveys",
    "appeals",
    "letters",
    "breaches",
    "vendors",
    "kb",
    "training",
    "enroll",
    "quality",
    "ivr",
)


def import_all_models() -> None:
    """Import ``memberdesk.<domain>.models`` for every domain that has tables."""
    for domain in DOMAINS_WITH_TABLES:
        importlib.import_module(f"memberdesk.{domain}.models")
