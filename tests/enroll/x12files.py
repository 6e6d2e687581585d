"""834 files for the tests, written the way a carrier's system writes them."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from memberdesk.enroll.x12_834 import PlanRef, interchange, member_loop, transaction_header
from memberdesk.members.enums import Benefit

_controls = itertools.count(500)
AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def person(number: str, relationship: str = "self", **kw: Any) -> dict[str, Any]:
    """A member as an 834 carries them (synthetic)."""
    base = {
        "relationship": relationship,
        "member_number": number,
        "first_name": "Robin",
        "last_name": "Filetest",
        "date_of_birth": date(1984, 3, 9),
        "sex": "F",
        "address_line1": "12 Harbor Way",
        "address_line2": None,
        "city": "Oakland",
        "state": "CA",
        "postal_code": "94607",
        "phone": "5105550199",
        "email": None,
        "spoken_language": "en",
    }
    return base | kw


def loop(
    who: dict[str, Any],
    plan: str,
    begin: date | None,
    end: date | None = None,
    *,
    maintenance: str = "021",
    reason: str = "28",
    group: str | None = None,
    benefit: Benefit = Benefit.MEDICAL,
) -> list[str]:
    """One member's 2000 loop with one coverage (2300) loop."""
    spans = [{"plan_id": 1, "effective_date": begin, "termination_date": end}] if begin else []
    segs = member_loop(
        who,
        who["member_number"].split("-")[0],
        spans,
        {1: PlanRef(plan, benefit)},
        maintenance=maintenance,
        reason=reason,
        group_number=group,
    )
    if begin is None:  # a coverage loop with no begin date (terminations send only the end)
        segs.append(f"HD*{maintenance}**HLT*{plan}~")
        if end:
            segs.append(f"DTP*349*D8*{end:%Y%m%d}~")
    return segs


def file834(
    *loops: list[str],
    full: bool = False,
    control: int | None = None,
    sponsor: tuple[str, str] = ("Test Sponsor", "T0000001"),
) -> bytes:
    """An interchange of one transaction set holding the loops given."""
    n = control if control is not None else next(_controls)
    ic = interchange("TESTCARRIER", "MEMBERDESK", n, AT)
    body = transaction_header(f"REF{n}", AT, full=full, sponsor=sponsor, payer=("Plan", "PLAN"))
    for segs in loops:
        body += segs
    ic.add("834", body)
    return ic.text().encode("latin-1")
