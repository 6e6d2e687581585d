"""The vendor register's pages over HTTP: adding a vendor, being refused "active" without an
agreement in force (said beside the field, nothing changed), uploading the agreement, contacts
and the scorecard in words."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlalchemy.orm import Session

from memberdesk.vendors.models import Vendor

NOW = "2026-06-15T10:00:00-07:00"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _add(c: Any) -> str:
    got = c.post(
        "/vendors",
        data={"name": "Harbor Contact Services", "kind": "outsourced_call_centre",
              "services": "Overflow calls", "phi_kinds": ["names", "member_ids"]},
        follow_redirects=False,
    )  # fmt: skip
    assert got.status_code == 303, got.text
    return got.headers["location"].split("?")[0]


def test_active_is_refused_without_an_agreement_then_allowed(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    c = officer.client
    url = _add(c)
    page = c.get(url).text
    assert "No agreement is on file" in page and "Being set up" in page
    refused = c.post(url + "/status", data={"status": "active"})
    assert refused.status_code == 422
    assert "marked active only with a Business Associate Agreement in force" in refused.text
    assert 'id="status-error"' in refused.text
    vendor = db.get(Vendor, int(url.rsplit("/", 1)[1]))
    db.refresh(vendor)
    assert vendor is not None and vendor.status.value == "onboarding"
    bad = c.post(
        url + "/baas",
        data={"signed_on": "2026-01-01", "expires_on": "2025-01-01", "renewal_notice_days": "90"},
        files={"file": ("baa.pdf", b"%PDF-1.4 baa", "application/pdf")},
    )
    assert bad.status_code == 422 and "must come after the date it was signed" in bad.text
    ok = c.post(
        url + "/baas",
        data={"signed_on": "2026-01-01", "expires_on": "2026-09-30", "renewal_notice_days": "90"},
        files={"file": ("baa.pdf", b"%PDF-1.4 baa", "application/pdf")},
    )
    assert "Agreement uploaded." in ok.text and "In force" in ok.text
    assert "Renewal due from" in ok.text and "2 Jul 2026" in ok.text
    active = c.post(url + "/status", data={"status": "active"})
    assert "Status changed." in active.text
    listing = c.get("/vendors").text
    assert (
        "Harbor Contact Services" in listing and "expires" in listing and "in 107 days" in listing
    )
    assert "No escalation contact is recorded." in listing


def test_contacts_and_the_scorecard_in_words(officer) -> None:  # type: ignore[no-untyped-def]
    c = officer.client
    url = _add(c)
    stale = c.post(
        url + "/contacts",
        data={"role": "escalation", "name": "Dana Ruiz", "phone": "555-0142",
              "verified_on": "2025-05-01"},
    )  # fmt: skip
    assert "Contact added." in stale.text and "Not confirmed within a year" in stale.text
    assert "A contact has not been confirmed within the last year." in stale.text
    nothing = c.post(
        url + "/contacts", data={"role": "account", "name": "X", "verified_on": "2026-06-01"}
    )
    assert (
        nothing.status_code == 422 and "Give a phone number or an e-mail address." in nothing.text
    )
    month = {"month": "2026-05", "calls_offered": "12000", "service_level": "76",
             "asa_seconds": "24", "abandon_rate": "4", "qa_score": "93"}  # fmt: skip
    saved = c.post(url + "/scorecards", data=month)
    assert "Scorecard saved." in saved.text
    assert (
        "Misses the target" in saved.text
        and "At least 80% answered within 20 seconds" in saved.text
    )
    assert "76%" in saved.text and "24 seconds" in saved.text and "Near the limit" in saved.text
    bad = c.post(url + "/scorecards", data={**month, "service_level": "lots"})
    assert bad.status_code == 422 and "as a percentage from 0 to 100" in bad.text
