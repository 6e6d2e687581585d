"""The FHIR Patient Access API through the app on each database: a member reads only their own
Patient and Coverage, staff search by member ID, every read is audited, every answer (errors
too) is a FHIR R4 resource that ``fhir.resources`` validates, and no error repeats a value."""

from __future__ import annotations

from datetime import date
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.insuranceplan import InsurancePlan
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.members.models import Member
from tests import factories as f
from tests.compliance.test_access_log import entries_for

FHIR = "application/fhir+json"
MODELS: dict[str, Any] = {
    "Patient": Patient,
    "Coverage": Coverage,
    "Organization": Organization,
    "InsurancePlan": InsurancePlan,
    "Bundle": Bundle,
    "CapabilityStatement": CapabilityStatement,
    "OperationOutcome": OperationOutcome,
}


def fhir(response: Any, status: int = 200) -> dict[str, Any]:
    """The answer's JSON, after checking status, content type and that it parses as FHIR."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(FHIR)
    body: dict[str, Any] = response.json()
    MODELS[body["resourceType"]].model_validate(body)
    return body


def resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    return [e["resource"] for e in bundle.get("entry", [])]


def test_a_member_reads_their_own_patient_and_coverage_only(login, db: Session) -> None:
    me = f.member(
        db,
        last_name="Fhirperson",
        spans=[(date(2021, 1, 1), date(2022, 6, 30)), (date(2023, 1, 1), None)],
        spoken_language="es",
        written_language="en",
        interpreter_needed=True,
        email="fhir@example.com",
    )
    spouse = f.member(db, subscriber=me, relationship="spouse", first_name="Sam")
    portal = login(Role.MEMBER, member_id=me.id).client

    patient = fhir(portal.get(f"/fhir/Patient/{me.id}"))
    assert patient["identifier"][0]["value"] == me.member_number
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MB"
    assert patient["name"][0] == {"use": "official", "family": "Fhirperson", "given": ["Alex"]}
    assert patient["birthDate"] == "1980-05-17" and patient["gender"] == "female"
    assert [c["language"]["coding"][0]["code"] for c in patient["communication"]] == ["es", "en"]
    assert patient["communication"][0]["preferred"] is True
    assert patient["extension"][0]["valueBoolean"] is True  # needs an interpreter
    assert {t["value"] for t in patient["telecom"]} == {"(415) 555-0142", "fhir@example.com"}

    # A bare search is the member's own compartment; another member's id is not found.
    assert [p["id"] for p in resources(fhir(portal.get("/fhir/Patient")))] == [str(me.id)]
    fhir(portal.get(f"/fhir/Patient/{spouse.id}"), 404)
    by_number = portal.get("/fhir/Patient", params={"identifier": spouse.member_number})
    assert resources(fhir(by_number)) == []

    covered = resources(fhir(portal.get("/fhir/Coverage", params={"patient": f"Patient/{me.id}"})))
    assert [c["period"] for c in covered] == [
        {"start": "2021-01-01", "end": "2022-06-30"},
        {"start": "2023-01-01"},
    ]
    assert [c["status"] for c in covered] == ["cancelled", "active"]
    first = covered[1]
    assert first["beneficiary"] == {"reference": f"Patient/{me.id}"}
    assert first["subscriberId"] == me.member_number.split("-")[0]
    assert first["relationship"]["coding"][0]["code"] == "self"
    classes = {c["type"]["coding"][0]["code"]: c["value"] for c in first["class"]}
    assert classes == {"group": me.group.group_number, "plan": "SVH-HMO-SIL"}
    assert fhir(portal.get(f"/fhir/Coverage/{first['id']}"))["id"] == first["id"]
    assert resources(fhir(portal.get("/fhir/Coverage", params={"beneficiary": spouse.id}))) == []
    spouse_span = db.scalar(select(Member).where(Member.id == spouse.id)).coverage[0]  # type: ignore[union-attr]
    fhir(portal.get(f"/fhir/Coverage/{spouse_span.id}"), 404)

    # The payer and the member's own employer group are theirs to read; other groups are not.
    payer = first["payor"][0]["reference"].split("/")[1]
    assert fhir(portal.get(f"/fhir/Organization/{payer}"))["type"][0]["coding"][0]["code"] == "pay"
    own_group = first["policyHolder"]["reference"].split("/")[1]
    assert fhir(portal.get(f"/fhir/Organization/{own_group}"))["name"] == me.group.name
    other = f.group(db)
    fhir(portal.get(f"/fhir/Organization/group-{other.id}"), 404)
    orgs = resources(fhir(portal.get("/fhir/Organization")))
    assert [o["id"] for o in orgs if o["id"].startswith("group-")] == [own_group]

    # Every read and search of the member's data is on the member's access report; the
    # spouse's record was never shown.
    actions = [e.action for e in entries_for(db, me.id)]
    assert actions.count(AuditAction.MEMBER_READ) == 2  # the Patient and the Coverage reads
    assert actions.count(AuditAction.MEMBER_SEARCH) >= 2
    assert all(e.action != AuditAction.MEMBER_READ for e in entries_for(db, spouse.id))


def test_staff_search_by_member_id_and_read_coverage_of_both_lines(login, db: Session) -> None:
    agent = login(Role.TIER1_AGENT, team="Team A").client
    m = f.member(db, last_name="Staffsearch")
    oregon_id = f.oregon_book(db, members=6)[0]

    found = fhir(agent.get("/fhir/Patient", params={"identifier": m.member_number}))
    assert [p["id"] for p in resources(found)] == [str(m.id)] and found["total"] == 1
    system = "https://memberdesk.dev/fhir/sid/member-number"
    typed = agent.get("/fhir/Patient", params={"identifier": f"{system}|{m.member_number}"})
    assert resources(fhir(typed))[0]["id"] == str(m.id)
    other_system = agent.get("/fhir/Patient", params={"identifier": f"urn:x|{m.member_number}"})
    assert resources(fhir(other_system)) == []
    # POST _search keeps the member ID out of the URL; the self link leaves it out too.
    posted = fhir(agent.post("/fhir/Patient/_search", data={"identifier": m.member_number}))
    assert resources(posted)[0]["id"] == str(m.id)
    assert m.member_number not in posted["link"][0]["url"]
    both = fhir(agent.get("/fhir/Patient", params={"_id": f"{m.id},{oregon_id}"}))
    assert sorted(int(p["id"]) for p in resources(both)) == sorted([m.id, oregon_id])
    search = next(
        e
        for e in reversed(entries_for(db, m.id))
        if e.action == AuditAction.MEMBER_SEARCH and e.detail["key"] == "fhir_identifier"
    )
    assert m.member_number not in str(search.detail)  # a blind index, not the member ID

    oregon = resources(fhir(agent.get("/fhir/Coverage", params={"beneficiary": oregon_id})))
    assert oregon and {c["type"]["coding"][0]["code"] for c in oregon} == {"21"}  # Medicaid
    assert all("class" in c and "policyHolder" not in c for c in oregon)
    paged = fhir(agent.get("/fhir/Coverage", params={"patient": oregon_id, "_count": 1}))
    assert paged["total"] == len(oregon) and len(resources(paged)) == 1
    if len(oregon) > 1:
        assert any(link["relation"] == "next" for link in paged["link"])

    plans = resources(fhir(agent.get("/fhir/InsurancePlan", params={"_count": 100})))
    assert {"SVH-HMO-SIL"} <= {p["identifier"][0]["value"] for p in plans}
    plan = fhir(agent.get(f"/fhir/InsurancePlan/{plans[0]['id']}"))
    assert plan["plan"][0]["generalCost"][0]["cost"]["currency"] == "USD"
    orgs = fhir(agent.get("/fhir/Organization", params={"identifier": m.group.group_number}))
    assert [o["name"] for o in resources(orgs)] == [m.group.name]


def test_errors_are_operation_outcomes_that_never_repeat_what_was_sent(
    login, anon, db: Session
) -> None:
    agent = login(Role.TIER1_AGENT, team="Team A").client
    m = f.member(db)
    unknown = fhir(agent.get("/fhir/Patient", params={"name": "Testperson"}), 400)
    text = unknown["issue"][0]["details"]["text"]
    assert "1st search parameter" in text and "Testperson" not in str(unknown)
    assert unknown["issue"][0]["code"] == "invalid"
    bad_count = fhir(agent.get("/fhir/Coverage", params={"_count": "lots", "patient": m.id}), 400)
    assert "lots" not in str(bad_count)
    assert fhir(agent.get("/fhir/Patient"), 400)["issue"][0]["details"]["text"].startswith(
        "a search of Patient needs"
    )
    fhir(agent.get("/fhir/Patient", params=[("_id", "1"), ("_id", "2")]), 400)
    many = ",".join(str(i) for i in range(1, 102))
    assert "at most 100 values" in str(fhir(agent.get("/fhir/Patient", params={"_id": many}), 400))
    counted = fhir(agent.get("/fhir/InsurancePlan", params={"_count": 0}))
    assert counted["total"] > 0 and "entry" not in counted
    second = fhir(agent.get("/fhir/InsurancePlan", params={"_count": 2, "_offset": 2}))
    assert {link["relation"] for link in second["link"]} == {"self", "next", "previous"}
    missing = fhir(agent.get("/fhir/Patient/123456789-01"), 404)
    assert "123456789" not in str(missing) and missing["issue"][0]["code"] == "not-found"
    fhir(agent.get("/fhir/Coverage/999999999"), 404)
    fhir(agent.get("/fhir/Organization/carrier-abc"), 404)
    fhir(agent.get("/fhir/Observation"), 404)  # a type this server does not have
    # Refused by the middleware before any route: still an OperationOutcome.
    huge = agent.post("/fhir/Patient/_search", data={"identifier": "9" * 2_000_000})
    assert fhir(huge, 413)["issue"][0]["code"] == "too-long"
    assert fhir(anon.get(f"/fhir/Patient/{m.id}"), 401)["issue"][0]["code"] == "login"
    wfm = login(Role.WFM_ANALYST).client
    assert fhir(wfm.get(f"/fhir/Patient/{m.id}"), 403)["issue"][0]["code"] == "forbidden"
    qa = login(Role.QA_ANALYST).client  # sees members masked: no whole records over FHIR
    fhir(qa.get(f"/fhir/Patient/{m.id}"), 403)
    denied = db.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.ACCESS_DENIED))
    assert any(e.object_id == f"/fhir/Patient/{m.id}" for e in denied)


def test_capability_statement_is_public_and_lists_what_is_served(anon) -> None:
    statement = fhir(anon.get("/fhir/metadata"))
    assert statement["fhirVersion"] == "4.0.1" and statement["format"] == ["json"]
    served = {
        r["type"]: {p["name"] for p in r["searchParam"]} for r in statement["rest"][0]["resource"]
    }
    assert served["Patient"] >= {"_id", "identifier"}
    assert served["Coverage"] >= {"beneficiary", "patient", "_id"}
    assert set(served) == {"Patient", "Coverage", "Organization", "InsurancePlan"}
