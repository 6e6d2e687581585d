"""The FHIR API on a live server (uvicorn, real HTTP), on each database, driven by a real FHIR
client (fhirpy) as a plan's app would be: the CapabilityStatement, a member's own Patient and
Coverage, staff searches, errors as the client sees them. Then 24 clients at once, members and
staff: each gets exactly its own answers, and every read is in the audit log (counts, not
timings), which verifies afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import OperationOutcome as OutcomeError
from fhirpy.base.exceptions import ResourceNotFound
from sqlalchemy import select

from memberdesk.compliance import audit
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry, AuditMemberAccess
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import read_only_connection
from memberdesk.members.models import Member
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server
from tests.test_concurrency import run_threads

CLIENTS = 24
ATTEMPTS = 8


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"fhir-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=30, oregon=10) as server:
        yield server


@pytest.fixture(scope="module")
def people(live: LiveServer) -> dict[str, Any]:
    """Eight members with portal accounts (CalChoice and Oregon) and an agent."""
    with live.sessions() as session:
        rows = session.execute(
            select(Member.id, Member.member_number).order_by(Member.line_of_business, Member.id)
        ).all()
    picked = rows[:4] + rows[-4:]  # both lines of business
    return {
        "numbers": {mid: number for mid, number in picked},
        "members": [live.add_user(Role.MEMBER, member_id=mid) for mid, _ in picked],
        "agent": live.add_user(Role.TIER1_AGENT, team="Team A"),
    }


def client(live: LiveServer, account: Account) -> SyncFHIRClient:
    return SyncFHIRClient(live.url("/fhir"), authorization=f"Bearer {account.token}")


def test_a_fhir_client_reads_what_a_member_and_an_agent_may(
    live: LiveServer, people: dict[str, Any]
) -> None:
    me: Account = people["members"][0]
    assert me.member_id is not None
    number = people["numbers"][me.member_id]
    mine = client(live, me)

    metadata = httpx.get(live.url("/fhir/metadata"), timeout=30)
    assert metadata.headers["content-type"].startswith("application/fhir+json")
    CapabilityStatement.model_validate(metadata.json())

    patients = mine.resources("Patient").fetch()
    assert [p.id for p in patients] == [str(me.member_id)]
    patient = mine.reference("Patient", str(me.member_id)).to_resource()
    Patient.model_validate(patient.serialize())
    assert patient["identifier"][0]["value"] == number
    coverage = mine.resources("Coverage").search(patient=f"Patient/{me.member_id}").fetch_all()
    assert coverage and all(
        c["beneficiary"]["reference"] == f"Patient/{me.member_id}" for c in coverage
    )
    for c in coverage:
        Coverage.model_validate(c.serialize())
    payer = mine.reference(reference=coverage[0]["payor"][0]["reference"]).to_resource()
    assert payer["type"][0]["coding"][0]["code"] == "pay"

    other: Account = people["members"][-1]
    with pytest.raises(ResourceNotFound):
        mine.reference("Patient", str(other.member_id)).to_resource()
    assert (
        mine.resources("Patient").search(identifier=people["numbers"][other.member_id]).fetch()
        == []
    )
    with pytest.raises(OutcomeError) as refused:
        mine.resources("Patient").search(name="Anyone").fetch()
    OperationOutcome.model_validate(refused.value.resource)  # the answer as the client got it

    agent = client(live, people["agent"])
    found = agent.resources("Patient").search(identifier=people["numbers"][other.member_id]).fetch()
    assert [p.id for p in found] == [str(other.member_id)]
    raw = agent.resources("Coverage").search(beneficiary=f"Patient/{other.member_id}").fetch_raw()
    Bundle.model_validate(dict(raw))
    plans = agent.resources("InsurancePlan").fetch_all()
    assert len({p["identifier"][0]["value"] for p in plans}) == len(plans) > 10


def send(client: httpx.Client, url: str, **kw: Any) -> httpx.Response | str:
    """The answer, asking again after a 503 as its Retry-After says."""
    for _ in range(ATTEMPTS):
        try:
            r = client.get(url, **kw)
        except httpx.TransportError as exc:
            return type(exc).__name__
        if r.status_code != 503:
            return r
        time.sleep(min(float(r.headers.get("Retry-After", "1")), 2.0))
    return "gave up"


def _reads(live: LiveServer, member_id: int) -> int:
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        details = session.scalars(
            select(AuditEntry.detail)
            .join(AuditMemberAccess, AuditMemberAccess.audit_id == AuditEntry.id)
            .where(
                AuditMemberAccess.member_id == member_id,
                AuditEntry.action == AuditAction.MEMBER_READ,
            )
        )
        return sum(1 for d in details if str((d or {}).get("path", "")).startswith("/fhir/"))


def test_members_and_staff_at_once_each_get_their_own(
    live: LiveServer, people: dict[str, Any]
) -> None:
    members: list[Account] = people["members"]
    before = {a.member_id: _reads(live, a.member_id or 0) for a in members}

    def work(i: int, c: httpx.Client) -> list[str]:
        who = members[i % len(members)]
        if i % 3 == 2:  # an agent reads the same member's Patient
            auth = {"Authorization": f"Bearer {people['agent'].token}"}
        else:
            auth = {"Authorization": f"Bearer {who.token}"}
        r = send(c, f"/fhir/Patient/{who.member_id}", headers=auth)
        if isinstance(r, str):
            return [r]
        ok = r.status_code == 200 and r.json()["id"] == str(who.member_id)
        s = send(c, "/fhir/Coverage", params={"patient": who.member_id}, headers=auth)
        if isinstance(s, str):
            return [s]
        own = s.status_code == 200 and all(
            e["resource"]["beneficiary"]["reference"] == f"Patient/{who.member_id}"
            for e in s.json().get("entry", [])
        )
        return [f"patient {r.status_code} {ok}", f"coverage {s.status_code} {own}"]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == {"patient 200 True": CLIENTS, "coverage 200 True": CLIENTS}, outcomes
    # One audited read per Patient read, for every member, however the reads interleaved.
    for i, account in enumerate(members):
        reads = sum(1 for j in range(CLIENTS) if j % len(members) == i)
        assert _reads(live, account.member_id or 0) == before[account.member_id] + reads
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem
