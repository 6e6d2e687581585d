"""The register's pages over HTTP: the register, recording an incident (and its problems said
beside their fields, nothing saved), the incident page with its clocks, the assessment, the
decision refused without the assessment, notices, the plan and the HHS log."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.breaches.models import Incident
from memberdesk.compliance.enums import Role

NOW = "2026-06-15T10:00:00-07:00"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


FORM = {
    "discovered_at": "2026-06-01T09:30",
    "discovered_by": "Mailroom supervisor",
    "summary": "Letters in the wrong envelopes",
    "phi_kinds": ["names", "claims"],
    "affected_count": "40",
    "residents_by_state": "CA 30, NV 10",
}


def test_an_officer_records_an_incident_and_reads_its_clocks(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    c = officer.client
    assert "No incidents are recorded." in c.get("/breaches").text
    assert "No incident-response plan is on file" in c.get("/breaches").text
    got = c.post("/breaches/new", data=FORM, follow_redirects=False)
    assert got.status_code == 303, got.text
    page = c.get(got.headers["location"]).text
    assert "Incident recorded." in page
    assert "The people affected" in page and "California residents (state law)" in page
    assert "HHS, in the year&#39;s log (fewer than 500 affected)" in page
    assert "Fri 31 Jul 2026, 11:59 pm Pacific time" in page or "31 Jul 2026" in page
    assert "Due in 46 days" in page
    assert "breach_notice" not in page and "assessing" not in page  # no codes on screen
    listing = c.get("/breaches").text
    assert "A breach" not in listing and "Being assessed" in listing


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"discovered_at": "2026-06-20T09:00"}, "not later than now"),
        ({"discovered_at": ""}, "Enter when it was discovered"),
        ({"affected_count": "-4"}, "a whole number, 0 or more"),
        ({"residents_by_state": "CA -3"}, "two-letter code and a count"),
        ({"residents_by_state": "California"}, "two-letter code and a count"),
        ({"phi_kinds": []}, "Tick at least one kind"),
    ],
)
def test_bad_incident_forms_say_what_is_wrong(
    officer, db: Session, change: dict[str, Any], words: str
) -> None:  # type: ignore[no-untyped-def]
    before = db.scalar(select(func.count()).select_from(Incident))
    got = officer.client.post("/breaches/new", data={**FORM, **change}, follow_redirects=False)
    assert got.status_code == 422
    assert words in got.text and 'aria-invalid="true"' in got.text
    assert db.scalar(select(func.count()).select_from(Incident)) == before


def test_assessment_decision_and_notices_on_the_page(officer) -> None:  # type: ignore[no-untyped-def]
    c = officer.client
    where = c.post("/breaches/new", data=FORM, follow_redirects=False).headers["location"]
    url = where.split("?")[0]
    refused = c.post(
        url + "/decision",
        data={"outcome": "not_a_breach", "basis": "low_probability", "rationale": "Destroyed"},
    )
    assert refused.status_code == 422
    assert "needs all four factors of the risk assessment" in refused.text
    assessment = {
        "nature_extent": "Names and claims", "nature_extent_risk": "moderate",
        "unauthorized_person": "Other members", "unauthorized_person_risk": "low",
        "acquired_viewed": "Some opened", "acquired_viewed_risk": "moderate",
        "mitigation": "Destroyed, attested", "mitigation_risk": "low",
    }  # fmt: skip
    saved = c.post(url + "/assessment", data=assessment)
    assert saved.status_code == 200 and "Risk assessment saved." in saved.text
    decided = c.post(
        url + "/decision", data={"outcome": "breach", "basis": "", "rationale": "Opened"}
    )
    assert "Decision recorded." in decided.text and "A breach: notices owed" in decided.text
    early = c.post(
        url + "/notices",
        data={
            "recipient": "individuals",
            "sent_at": "2026-05-01T09:00",
            "method": "mail",
            "people": "40",
        },
    )
    assert early.status_code == 422 and "not before the incident was discovered" in early.text
    sent = c.post(
        url + "/notices",
        data={
            "recipient": "individuals",
            "sent_at": "2026-06-10T09:00",
            "method": "mail",
            "people": "40",
        },
    )
    assert (
        "Notice recorded." in sent.text
        and "Sent in time" in sent.text
        and "40 of 40 reached" in sent.text
    )


def test_the_plan_and_the_hhs_log_pages(officer, frozen) -> None:  # type: ignore[no-untyped-def]
    c = officer.client
    form = {"title": "Incident-response plan", "version": "2026.1", "adopted_on": "2026-01-15",
            "review_due": "2026-06-30"}  # fmt: skip
    upload = {"file": ("irp.pdf", b"%PDF-1.4 plan", "application/pdf")}
    backwards = c.post("/breaches/plan", data={**form, "review_due": "2025-01-01"}, files=upload)
    assert (
        backwards.status_code == 422
        and "must come after the date the plan was adopted" in backwards.text
    )
    bad_file = c.post(
        "/breaches/plan",
        data=form,
        files={"file": ("x.bin", b"\x00\x01", "application/octet-stream")},
    )
    assert bad_file.status_code == 422 and "PDF or plain-text" in bad_file.text
    ok = c.post("/breaches/plan", data=form, files=upload)
    assert "Incident-response plan uploaded." in ok.text and "Its review is due" in ok.text
    frozen.move_to("2026-07-03T10:00:00-07:00")
    assert "Its review is overdue" in c.get("/breaches").text
    where = (
        c.post("/breaches/new", data=FORM, follow_redirects=False).headers["location"].split("?")[0]
    )
    c.post(where + "/decision", data={"outcome": "breach", "rationale": "Opened"})
    log = c.get("/breaches/hhs-log", params={"year": 2026})
    assert log.status_code == 200 and "In the year&#39;s log" in log.text
    assert "Mon 1 Mar 2027" in log.text
    csv = c.get("/breaches/hhs-log.csv", params={"year": 2026})
    assert csv.text.startswith("incident_id,")


def test_other_roles_do_not_see_the_register(login) -> None:  # type: ignore[no-untyped-def]
    for role in (Role.TIER1_AGENT, Role.ADMIN):
        page = login(role).client.get("/breaches")
        assert page.status_code == 403 and "Not available to your role" in page.text
