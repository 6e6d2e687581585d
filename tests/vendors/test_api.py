"""The vendor register over HTTP, on each database: no vendor is active without a current BAA
(422 naming the field, nothing changed), BAAs stored encrypted with their renewal warning,
contacts with their yearly verification, the outsourced centre's scorecard against the plan's
targets, everything audited, and only compliance officers write."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.vendors.models import Baa, Vendor
from tests.breaches.conftest import actions
from tests.vendors.conftest import BAA_PDF, baa_body, vendor_body

NOW = "2026-06-15T10:00:00-07:00"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    """Every test here happens on 15 June 2026 (accounts and tokens included)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def loc(response: Any) -> str:
    return ".".join(str(p) for p in response.json()["detail"][0]["loc"])


def _vendor(officer, **extra: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    got = officer.client.post("/api/vendors", json=vendor_body(**extra))
    assert got.status_code == 201, got.text
    return got.json()


def test_no_vendor_is_active_without_a_current_baa(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    born_active = officer.client.post("/api/vendors", json=vendor_body(status="active"))
    assert born_active.status_code == 422 and loc(born_active) == "body.status"
    assert "Business Associate Agreement" in born_active.json()["detail"][0]["msg"]
    assert db.scalar(select(func.count()).select_from(Vendor)) == 0
    v = _vendor(officer)
    assert v["status"] == "onboarding" and v["baa_standing"] == "none"
    assert "no_baa" in v["warnings"]
    url = f"/api/vendors/{v['id']}"
    refused = officer.client.post(url + "/status", json={"status": "active"})
    assert refused.status_code == 422 and loc(refused) == "body.status"
    assert officer.client.get(url).json()["status"] == "onboarding"  # nothing changed
    # An expired agreement is no better than none.
    old = officer.client.post(url + "/baas", json=baa_body("2024-01-01", "2025-12-31"))
    assert old.status_code == 201 and old.json()["standing"] == "expired"
    assert officer.client.post(url + "/status", json={"status": "active"}).status_code == 422
    new = officer.client.post(url + "/baas", json=baa_body("2026-01-01", "2027-12-31"))
    assert new.status_code == 201 and new.json()["standing"] == "current"
    active = officer.client.post(url + "/status", json={"status": "active"})
    assert active.status_code == 200 and active.json()["status"] == "active"
    assert active.json()["baa"]["id"] == new.json()["id"]
    assert actions(db, "vendor", v["id"]) == [
        "vendor.created",
        "vendor.baa_added",
        "vendor.baa_added",
        "vendor.status_changed",
    ]


def test_an_active_vendor_whose_baa_expires_is_flagged(officer, login, frozen) -> None:  # type: ignore[no-untyped-def]
    v = _vendor(officer)
    url = f"/api/vendors/{v['id']}"
    officer.client.post(url + "/baas", json=baa_body("2026-01-01", "2026-09-30"))
    officer.client.post(url + "/status", json={"status": "active"})
    body = officer.client.get(url).json()
    assert body["baa_standing"] == "current" and body["baa"]["renewal_due_on"] == "2026-07-02"
    assert "baa_renewal_due" not in body["warnings"]
    frozen.move_to("2026-07-02T09:00:00-07:00")
    body = officer.client.get(url).json()
    assert body["baa_standing"] == "renewal_due" and "baa_renewal_due" in body["warnings"]
    assert body["status"] == "active"
    frozen.move_to("2026-10-01T09:00:00-07:00")
    later = login(Role.COMPLIANCE_OFFICER)  # a token of that day (tokens lapse when idle)
    body = later.client.get(url).json()
    assert body["baa_standing"] == "expired"
    assert {"baa_expired", "active_without_current_baa"} <= set(body["warnings"])


def test_the_baa_is_stored_encrypted_and_downloads_are_audited(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    v = _vendor(officer)
    baa = officer.client.post(
        f"/api/vendors/{v['id']}/baas", json=baa_body("2026-01-01", None)
    ).json()
    stored = db.execute(text("SELECT content FROM vendor_baas")).scalar_one()
    assert b"business associate" not in bytes(stored)
    got = officer.client.get(f"/api/vendors/{v['id']}/baas/{baa['id']}/document")
    assert got.status_code == 200 and got.content == BAA_PDF
    assert officer.client.get(f"/api/vendors/{v['id']}/baas/999999/document").status_code == 404
    assert actions(db, "vendor", v["id"])[-1] == "vendor.baa_downloaded"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"signed_on": "2026-07-01"}, "body.signed_on"),  # in the future
        ({"expires_on": "2025-12-31"}, "body.expires_on"),  # before signing
        ({"content_base64": "bm90IGEgZG9j!!"}, "body.content_base64"),
        ({"renewal_notice_days": 0}, "body.renewal_notice_days"),
        ({"signed_on": "soon"}, "body.signed_on"),
    ],
)
def test_bad_baas_are_refused_naming_the_field(
    officer, db: Session, change: dict[str, Any], field: str
) -> None:  # type: ignore[no-untyped-def]
    v = _vendor(officer)
    got = officer.client.post(
        f"/api/vendors/{v['id']}/baas", json={**baa_body("2026-01-01", "2027-01-01"), **change}
    )
    assert got.status_code == 422, got.text
    assert loc(got) == field
    assert db.scalar(select(func.count()).select_from(Baa)) == 0


def test_contacts_need_verifying_every_year(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    v = _vendor(officer)
    url = f"/api/vendors/{v['id']}"
    assert {"no_escalation_contact", "no_compliance_contact"} <= set(v["warnings"])
    esc = officer.client.post(
        url + "/contacts",
        json={"role": "escalation", "name": "Dana Ruiz", "phone": "555-0142",
              "verified_on": "2025-05-01"},
    )  # fmt: skip
    assert esc.status_code == 201 and esc.json()["stale"]
    comp = officer.client.post(
        url + "/contacts",
        json={"role": "compliance", "name": "Lee Park", "email": "privacy@harbor.example",
              "verified_on": "2026-06-01"},
    )  # fmt: skip
    assert comp.status_code == 201 and not comp.json()["stale"]
    body = officer.client.get(url).json()
    assert "contact_unverified" in body["warnings"]
    assert not {"no_escalation_contact", "no_compliance_contact"} & set(body["warnings"])
    person = esc.json()["id"]
    again = officer.client.post(
        f"{url}/contacts/{person}/verified", json={"verified_on": "2026-06-15"}
    )
    assert again.status_code == 200 and not again.json()["stale"]
    assert "contact_unverified" not in officer.client.get(url).json()["warnings"]
    future = officer.client.post(
        f"{url}/contacts/{person}/verified", json={"verified_on": "2026-06-20"}
    )
    assert future.status_code == 422 and loc(future) == "body.verified_on"
    none = officer.client.post(
        url + "/contacts", json={"role": "account", "name": "X", "verified_on": "2026-06-01"}
    )
    assert none.status_code == 422 and loc(none) == "body.phone"
    assert actions(db, "vendor", v["id"]).count("vendor.contact_verified") == 1


def test_the_outsourced_centre_scorecard_against_the_plan_targets(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    v = _vendor(officer)
    url = f"/api/vendors/{v['id']}/scorecards"
    month = {
        "month": "2026-05",
        "calls_offered": 12000,
        "service_level": 0.76,
        "asa_seconds": 24,
        "abandon_rate": 0.04,
        "qa_score": 0.93,
        "first_contact_resolution": 0.72,
        "csat": 0.88,
        "aht_seconds": 420,
    }
    got = officer.client.post(url, json=month)
    assert got.status_code == 200, got.text
    status = {m["measure"]: m["status"] for m in got.json()["measures"]}
    assert status == {
        "service_level": "breach",  # below 80% within 20 s
        "asa_seconds": "warning",  # over the 20 s answer time, under 30 s
        "abandon_rate": "ok",
        "qa_score": "ok",
        "first_contact_resolution": "warning",  # 70-80%
        "csat": "ok",
    }
    again = officer.client.post(url, json={**month, "service_level": 0.85, "asa_seconds": 12})
    assert {m["measure"]: m["status"] for m in again.json()["measures"]}["service_level"] == "ok"
    cards = officer.client.get(f"/api/vendors/{v['id']}").json()["scorecards"]
    assert [c["month"] for c in cards] == ["2026-05"]  # replaced, not doubled
    bad = officer.client.post(url, json={**month, "service_level": 1.5})
    assert bad.status_code == 422 and loc(bad) == "body.service_level"
    future = officer.client.post(url, json={**month, "month": "2026-07"})
    assert future.status_code == 422 and loc(future) == "body.month"
    printer = _vendor(officer, name="Pacific Print", kind="print_mail_house")
    assert (
        officer.client.post(f"/api/vendors/{printer['id']}/scorecards", json=month).status_code
        == 409
    )
    assert actions(db, "vendor", v["id"]).count("vendor.scorecard_recorded") == 2


def test_who_may_read_and_write(login, officer) -> None:  # type: ignore[no-untyped-def]
    v = _vendor(officer)
    assert officer.client.post("/api/vendors", json=vendor_body()).status_code == 409
    for role in (Role.TIER1_AGENT, Role.SUPERVISOR, Role.ADMIN, Role.WFM_ANALYST):
        other = login(role).client
        assert other.get("/api/vendors").status_code == 403, role
        assert (
            other.post(f"/api/vendors/{v['id']}/status", json={"status": "ended"}).status_code
            == 403
        )
    assert [x["id"] for x in officer.client.get("/api/vendors").json()] == [v["id"]]
