"""Shared pieces of the WFM page tests: the analyst, a stored call history, and reading a
value or an error off a page."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from memberdesk.clock import now
from memberdesk.sla.packs import zone_of

PAGES = (
    "/wfm",
    "/wfm/staff",
    "/wfm/forecast",
    "/wfm/schedule",
    "/wfm/simulate",
    "/wfm/plan",
    "/wfm/staff/intervals",
    "/wfm/schedule/file",
)
MEMBERS = 1200  # about 15 calls a working day: enough for a forecast to learn from


def yesterday() -> date:
    return now().astimezone(zone_of("calchoice")).date() - timedelta(days=1)


def text_of(page: str, ident: str) -> str:
    """The text inside the element with id ``ident``, tags stripped."""
    found = re.search(rf'id="{ident}"[^>]*>(.*?)</', page, re.S)
    assert found, ident
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def error_of(page: str, field: str) -> str:
    return text_of(page, f"{field}-error")
