"""The registers under concurrent clients against a live server, on each database: a decision
is made exactly once, notices recorded at once all count and complete the incident once, no
vendor becomes active without an agreement however many try, and scorecards entered at once
are all kept."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from memberdesk.breaches.models import BreachNotice, Incident
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.vendors.models import Scorecard, Vendor
from tests.breaches.conftest import incident_body
from tests.dbutil import BACKENDS
from tests.livesrv import LiveServer, live_server
from tests.test_concurrency import run_threads


@pytest.fixture(scope="module", params=BACKENDS)
def registers_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"registers-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=20) as server:
        yield server


def _auth(live: LiveServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {live.add_user(Role.COMPLIANCE_OFFICER).token}"}


def _incident(live: LiveServer, auth: dict[str, str], **extra: object) -> int:
    with httpx.Client(base_url=live.base_url, timeout=60) as c:
        got = c.post(
            "/api/breaches", json=incident_body("2026-11-30T09:00:00-08:00", **extra), headers=auth
        )
        assert got.status_code == 201, got.text
        return int(got.json()["id"])


def test_twenty_officers_deciding_at_once_decide_once(registers_live: LiveServer) -> None:
    auth = _auth(registers_live)
    incident = _incident(registers_live, auth)

    def work(i: int, client: httpx.Client) -> list[str]:
        decision = {"outcome": "breach", "rationale": f"officer {i}"}
        got = client.post(f"/api/breaches/{incident}/decision", json=decision, headers=auth)
        page = client.get(f"/breaches/{incident}", headers=auth)
        return [str(got.status_code), f"page {page.status_code}"]

    assert run_threads(20, work, registers_live.base_url) == Counter(
        {"200": 1, "409": 19, "page 200": 20}
    )
    with registers_live.sessions() as session:
        decided = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "breach.decided", AuditEntry.object_id == str(incident))
        )
        assert decided == 1


def test_notices_recorded_at_once_all_count(registers_live: LiveServer) -> None:
    auth = _auth(registers_live)
    incident = _incident(registers_live, auth, affected_count=30, residents_by_state={"NV": 30})
    with httpx.Client(base_url=registers_live.base_url, timeout=60) as c:
        c.post(
            f"/api/breaches/{incident}/decision",
            json={"outcome": "breach", "rationale": "seen"},
            headers=auth,
        )

    def work(i: int, client: httpx.Client) -> list[str]:
        notice = {
            "recipient": "individuals",
            "sent_at": "2026-12-01T09:00:00-08:00",
            "method": "mail",
            "people": 1,
        }
        got = [client.post(f"/api/breaches/{incident}/notices", json=notice, headers=auth)]
        got.append(client.get("/api/breaches", headers=auth))
        return [str(r.status_code) for r in got]

    assert run_threads(30, work, registers_live.base_url) == Counter({"201": 30, "200": 30})
    with registers_live.sessions() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(BreachNotice)
                .where(BreachNotice.incident_id == incident)
            )
            == 30
        )
        row = session.get(Incident, incident)
        assert row is not None and row.state.value == "notifying"  # HHS's annual log still owed
    with httpx.Client(base_url=registers_live.base_url, timeout=60) as c:
        body = c.get(f"/api/breaches/{incident}", headers=auth).json()
    ind = next(k for k in body["clocks"] if k["recipient"] == "individuals")
    assert (ind["status"], ind["reached"]) == ("met", 30)


def test_no_vendor_turns_active_without_an_agreement_however_many_try(
    registers_live: LiveServer,
) -> None:
    auth = _auth(registers_live)
    with httpx.Client(base_url=registers_live.base_url, timeout=60) as c:
        made = c.post(
            "/api/vendors",
            json={"name": f"Racer {registers_live.base_url[-5:]}", "kind": "outsourced_call_centre",
                  "services": "Calls"},
            headers=auth,
        )  # fmt: skip
        vendor = made.json()["id"]

    def work(i: int, client: httpx.Client) -> list[str]:
        url = f"/api/vendors/{vendor}"
        if i % 2:
            got = client.post(url + "/status", json={"status": "active"}, headers=auth)
        else:
            month = {"month": f"2025-{i // 2 + 1:02d}", "service_level": 0.8, "asa_seconds": 20,
                     "abandon_rate": 0.05}  # fmt: skip
            got = client.post(url + "/scorecards", json=month, headers=auth)
        return [str(got.status_code)]

    assert run_threads(24, work, registers_live.base_url) == Counter({"422": 12, "200": 12})
    with registers_live.sessions() as session:
        row = session.get(Vendor, vendor)
        assert row is not None and row.status.value == "onboarding"
        assert (
            session.scalar(
                select(func.count()).select_from(Scorecard).where(Scorecard.vendor_id == vendor)
            )
            == 12
        )
    doc = base64.b64encode(b"%PDF-1.4 baa").decode()
    with httpx.Client(base_url=registers_live.base_url, timeout=60) as c:
        baa = {"signed_on": "2026-01-01", "expires_on": "2027-12-31", "filename": "b.pdf",
               "content_base64": doc}  # fmt: skip
        assert c.post(f"/api/vendors/{vendor}/baas", json=baa, headers=auth).status_code == 201
        assert (
            c.post(
                f"/api/vendors/{vendor}/status", json={"status": "active"}, headers=auth
            ).status_code
            == 200
        )
