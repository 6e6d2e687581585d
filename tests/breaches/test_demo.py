"""The demo's registers: incidents in each state and the seeds' vendor kinds, added once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from memberdesk.breaches import service
from memberdesk.breaches.demo import seed_demo_breaches
from memberdesk.breaches.enums import IncidentState
from memberdesk.clock import now
from memberdesk.vendors import service as vendors
from memberdesk.vendors import views
from memberdesk.vendors.demo import seed_demo_vendors
from memberdesk.vendors.enums import VendorKind


def test_the_demo_registers(db: Session) -> None:
    at = now()
    assert seed_demo_breaches(db, at=at) == 3
    assert seed_demo_breaches(db, at=at) == 0  # only into an empty register
    states = {i.state for i in service.list_incidents(db)}
    assert states == {IncidentState.ASSESSING, IncidentState.NOTIFYING, IncidentState.NOT_A_BREACH}
    assert seed_demo_vendors(db, at=at) == 5
    assert seed_demo_vendors(db, at=at) == 0
    found = {v.kind: views.vendor_out(db, v, at) for v in vendors.list_vendors(db)}
    assert set(found) == set(VendorKind) - {VendorKind.OTHER}
    centre = found[VendorKind.OUTSOURCED_CALL_CENTRE]
    assert centre.status.value == "active" and len(centre.scorecards) == 3
    assert "baa_renewal_due" in found[VendorKind.PRINT_MAIL_HOUSE].warnings
    assert "no_baa" in found[VendorKind.INTERPRETER_SERVICE].warnings
    assert "contact_unverified" in found[VendorKind.CLOUD_HOST].warnings
