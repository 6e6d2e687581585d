"""The complex-needs rules: who they flag, who they leave alone, and that they flag once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.members.models import Member
from memberdesk.navigators import auto
from memberdesk.navigators.enums import FlagState, Rule
from memberdesk.navigators.models import MemberNavigator
from memberdesk.navigators.rules import RuleConfig, fired
from tests import factories as f
from tests.cases.conftest import open_case
from tests.navigators.conftest import audited, flag, log_contacts


def _flag(db: Session, member: Member) -> MemberNavigator | None:
    db.expire_all()
    return db.get(MemberNavigator, member.id)


def _run(db: Session, **cfg: int | bool) -> int:
    return auto.flag_by_rules(db, datetime.now(UTC), config=RuleConfig(**cfg))  # type: ignore[arg-type]


def test_the_pure_rules() -> None:
    cfg = RuleConfig()
    kw = {"interpreter_needed": False, "disability_need": False}
    assert fired(cfg, contacts=3, open_cases=0, **kw) == [Rule.FREQUENT_CONTACTS]
    assert fired(cfg, contacts=2, open_cases=1, **kw) == []
    assert fired(cfg, contacts=0, open_cases=2, **kw) == [Rule.OPEN_CASES]
    both = {"interpreter_needed": True, "disability_need": True}
    assert fired(cfg, contacts=0, open_cases=0, **both) == [Rule.INTERPRETER_AND_DISABILITY]
    one = {"interpreter_needed": True, "disability_need": False}
    assert fired(cfg, contacts=0, open_cases=0, **one) == []
    off = RuleConfig(contacts=0, open_cases=0, interpreter_disability=False)
    assert fired(off, contacts=99, open_cases=99, **both) == []


def test_three_inbound_contacts_in_thirty_days_flag_a_member(client, login, db: Session) -> None:
    nav = login(Role.NAVIGATOR)
    frequent, twice, outbound, old = (
        f.member(db, last_name=n) for n in ("Frequent", "Twice", "Outbound", "Old")
    )
    log_contacts(client, frequent.id, [1, 10, 29])
    log_contacts(client, twice.id, [1, 2])
    log_contacts(client, outbound.id, [1, 2, 3], direction="outbound")
    log_contacts(client, old.id, [1, 2, 31])  # the third is outside the window
    assert _run(db, interpreter_disability=False) >= 1
    got = _flag(db, frequent)
    assert got is not None and got.state is FlagState.FLAGGED and got.rules == ["frequent_contacts"]
    assert got.source == "rule" and got.flagged_by_id is None and got.navigator_id == nav.user.id
    assert all(_flag(db, m) is None for m in (twice, outbound, old))
    entry = audited(db, "navigator.flagged", frequent.id)[-1]
    assert entry.actor == "navigator-rules" and entry.detail["rules"] == ["frequent_contacts"]
    # A second run flags nobody twice.
    assert _run(db, interpreter_disability=False) == 0
    assert len(audited(db, "navigator.flagged", frequent.id)) == 1


def test_two_open_cases_flag_a_member(client, db: Session) -> None:
    busy, single = f.member(db, last_name="Busy"), f.member(db, last_name="Single")
    open_case(client, busy.id)
    open_case(client, busy.id, case_type="billing")
    open_case(client, single.id)
    _run(db, interpreter_disability=False)
    got = _flag(db, busy)
    assert got is not None and got.rules == ["open_cases"]
    assert _flag(db, single) is None


def test_an_interpreter_with_a_disability_need_flags_a_member(db: Session) -> None:
    both = f.member(db, last_name="Both", interpreter_needed=True, spoken_language="vi")
    both.accessibility_needs = ["large_print"]
    only_language = f.member(db, last_name="Lang", interpreter_needed=True)
    only_need = f.member(db, last_name="Need")
    only_need.accessibility_needs = ["tty"]
    dependant = f.member(db, last_name="Dep", interpreter_needed=True, disabled=True)
    db.flush()
    _run(db, contacts=0, open_cases=0)
    assert _flag(db, both).rules == ["interpreter_and_disability"]  # type: ignore[union-attr]
    assert _flag(db, dependant) is not None
    assert _flag(db, only_language) is None and _flag(db, only_need) is None
    # The rule can be turned off.
    other = f.member(db, last_name="Off", interpreter_needed=True, disabled=True)
    assert _run(db, contacts=0, open_cases=0, interpreter_disability=False) == 0
    assert _flag(db, other) is None


def test_a_person_unflagging_is_not_undone_by_the_rules(client, login, db: Session) -> None:
    nav = login(Role.NAVIGATOR)
    member = f.member(db, last_name="Settled", interpreter_needed=True, disabled=True)
    log_contacts(client, member.id, [3, 4, 5])
    _run(db)
    assert _flag(db, member) is not None
    r = nav.client.post(
        f"/api/members/{member.id}/navigator/unflag", json={"reason": "Needs met; declined"}
    )
    assert r.status_code == 200
    # The same contacts and the standing needs do not flag them again ...
    _run(db)
    assert _flag(db, member).state is FlagState.UNFLAGGED  # type: ignore[union-attr]
    # ... three new contacts after the unflag do.
    log_contacts(client, member.id, [0, 0, 0])
    _run(db)
    again = _flag(db, member)
    assert again is not None and again.state is FlagState.FLAGGED
    assert again.rules == ["frequent_contacts"] and again.unflag_reason is None


def test_the_rules_run_on_demand_through_the_api(login, client, db: Session) -> None:
    nav = login(Role.NAVIGATOR)
    member = f.member(db, last_name="Demand")
    log_contacts(client, member.id, [1, 2, 3])
    r = nav.client.post("/api/navigators/rules/run")
    assert r.status_code == 200 and r.json()["flagged"] >= 1
    assert _flag(db, member) is not None
    run = audited(db, "navigator.rules_run")[-1]
    assert run.actor_id == nav.user.id and run.detail["contacts"] == 3
    assert client.post("/api/navigators/rules/run").status_code == 403
    # An idle run by a person is still recorded; the worker's idle runs are not.
    before = len(audited(db, "navigator.rules_run"))
    assert nav.client.post("/api/navigators/rules/run").json()["flagged"] == 0
    assert auto.flag_by_rules(db, datetime.now(UTC) + timedelta(seconds=1)) == 0
    assert len(audited(db, "navigator.rules_run")) == before + 1
    flag(nav.client, f.member(db).id)  # hand flags still work alongside
