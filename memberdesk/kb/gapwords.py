"""The knowledge-gap report in words: months as the plan counts them (its pack's time zone) and
each contact reason's line with the reason named, never its code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from memberdesk.contacts import words as contact_words
from memberdesk.contacts.enums import Reason
from memberdesk.errors import InvalidInput
from memberdesk.kb.feedback import GapLine
from memberdesk.members.packs import DEFAULT_PACK
from memberdesk.sla.packs import zone_of


def reason_name(code: str) -> str:
    """A contact reason in words (an unknown code as it is, in words)."""
    try:
        return contact_words.REASONS[Reason(code)]
    except ValueError:
        return code.replace("_", " ").capitalize()


def month_bounds(
    text: str | None, at: datetime, pack: str = DEFAULT_PACK, field: str = "query.month"
) -> tuple[date, datetime, datetime]:
    """The month written YYYY-MM (None: the one ``at`` falls in) as its first day and its
    [start, end) in the pack's zone; a bad month is a 422 naming ``field``."""
    from memberdesk.kpi.review import month_of, month_span

    if text is None:
        first = at.astimezone(zone_of(pack)).date().replace(day=1)
    else:
        try:
            first = month_of(text)
        except ValueError as exc:
            # month_of's own words start "must"; date() says "month must be in 1..12".
            said = str(exc) if str(exc).startswith("must") else "must be a month from 01 to 12"
            raise InvalidInput(said, field=field) from None
    start, end = month_span(pack, first)
    return first, start, end


def gap_rows(lines: list[GapLine]) -> list[dict[str, Any]]:
    """The report's rows for a page or a document."""
    return [
        {
            "reason": reason_name(g.reason),
            "repeat_contacts": g.repeat_contacts,
            "none_answered": g.none_answered,
            "helpful": g.helpful,
            "not_helpful": g.not_helpful,
            "gap": g.gap,
        }
        for g in lines
    ]
