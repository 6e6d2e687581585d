"""The pure core: which targets each pack and kind runs on, the extension rules, deemed
exhaustion from the packs, receipt times, periods, the member's rights and the letters owed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from memberdesk.appeals import rights, rules
from memberdesk.appeals.enums import (
    AppealKind,
    AppealState,
    ClaimType,
    ExtensionRequestedBy,
    NoticeKind,
    Urgency,
)
from memberdesk.appeals.letters import AppealFacts, due_letters
from memberdesk.cases.enums import ClockState

G, A = AppealKind.GRIEVANCE, AppealKind.APPEAL
STD, EXP = Urgency.STANDARD, Urgency.EXPEDITED
T = datetime.fromisoformat("2026-12-08T09:00:00-08:00")


@pytest.mark.parametrize(
    ("pack", "kind", "urgency", "claim", "targets"),
    [
        ("calchoice", A, STD, None, ("appeal_ack", "appeal_resolution")),
        ("calchoice", G, STD, None, ("appeal_ack", "appeal_resolution")),
        ("calchoice", A, EXP, None, ("appeal_expedited",)),
        ("calchoice", G, EXP, None, ("appeal_expedited",)),
        ("oregon-medicaid", G, STD, None, ("grievance_decision", "grievance_resolution")),
        ("oregon-medicaid", G, EXP, None, ("grievance_decision", "grievance_resolution")),
        ("oregon-medicaid", A, STD, None, ("appeal_resolution",)),
        ("oregon-medicaid", A, EXP, None, ("appeal_expedited",)),
        ("erisa-group", A, EXP, None, ("urgent_appeal",)),
        ("erisa-group", A, STD, ClaimType.PRE_SERVICE, ("pre_service_appeal",)),
        ("erisa-group", A, STD, ClaimType.POST_SERVICE, ("post_service_appeal",)),
    ],
)
def test_targets_per_pack_kind_and_urgency(pack, kind, urgency, claim, targets) -> None:
    assert rules.clock_targets(pack, kind, urgency, claim) == targets


@pytest.mark.parametrize(
    ("pack", "kind", "claim", "field"),
    [
        ("erisa-group", G, None, "body.kind"),
        ("erisa-group", A, None, "body.claim_type"),
        ("no-such-pack", A, None, "body.member_id"),
    ],
)
def test_targets_refused_name_the_field(pack, kind, claim, field) -> None:
    with pytest.raises(rules.RuleError) as exc:
        rules.clock_targets(pack, kind, STD, claim)
    assert exc.value.field == field


def test_extension_only_where_the_pack_allows_and_once() -> None:
    target, rule = rules.check_extension(
        "oregon-medicaid", ("appeal_resolution",), AppealState.OPEN, None
    )
    assert (target, rule.count, rule.amount) == ("appeal_resolution", 1, 14)
    target, rule = rules.check_extension(
        "oregon-medicaid", ("appeal_expedited",), AppealState.OPEN, None
    )
    assert (target, rule.amount) == ("appeal_expedited", 336)  # 14 days on an hour clock
    for pack, targets in [
        ("calchoice", ("appeal_ack", "appeal_resolution")),
        ("calchoice", ("appeal_expedited",)),
        ("oregon-medicaid", ("grievance_decision", "grievance_resolution")),
        ("erisa-group", ("pre_service_appeal",)),
    ]:
        with pytest.raises(rules.RuleError, match="gives no extension"):
            rules.check_extension(pack, targets, AppealState.OPEN, None)
    with pytest.raises(rules.RuleError, match="already extended on 2026-12-09"):
        rules.check_extension(
            "oregon-medicaid", ("appeal_resolution",), AppealState.OPEN, T + timedelta(days=1)
        )
    with pytest.raises(rules.RuleError, match="a decided appeal cannot be extended"):
        rules.check_extension("oregon-medicaid", ("appeal_resolution",), AppealState.DECIDED, None)


def test_written_notice_of_the_plans_own_extension_within_two_days() -> None:
    assert rules.extension_notice_due(T, ExtensionRequestedBy.PLAN) == T + timedelta(days=2)
    assert rules.extension_notice_due(T, ExtensionRequestedBy.MEMBER) is None


def test_deemed_exhaustion_comes_from_the_packs() -> None:
    assert rules.deemed_targets() == {
        ("oregon-medicaid", "appeal_resolution"),
        ("oregon-medicaid", "appeal_expedited"),
    }


def test_receipt_times() -> None:
    assert rules.received_problem(T, T) is None
    assert "future" in (rules.received_problem(T + timedelta(seconds=1), T) or "")
    assert "offset" in (rules.received_problem(datetime(2026, 12, 8, 9), T) or "")


@pytest.mark.parametrize("text", ["2026Q4", "2026-Q5", "26-Q1", "1999-Q1", "2026-q"])
def test_bad_quarters(text: str) -> None:
    with pytest.raises(ValueError, match="quarter"):
        rules.quarter_bounds(text)


def test_periods() -> None:
    assert rules.quarter_bounds(" 2026-q4 ") == (2026, 4)
    assert rules.month_bounds("2026-02") == (2026, 2)
    with pytest.raises(ValueError, match="YYYY-MM"):
        rules.month_bounds("2026/02")
    with pytest.raises(ValueError, match="between"):
        rules.month_bounds("2026-13")


def test_rights_per_pack_and_when_they_open() -> None:
    assert [r.key for r in rights.rights_for("oregon-medicaid", A)] == ["state_fair_hearing"]
    assert [r.key for r in rights.rights_for("oregon-medicaid", G)] == ["oha_grievance_review"]
    assert [r.key for r in rights.rights_for("calchoice", G)] == ["dmhc_imr"]
    assert [r.key for r in rights.rights_for("erisa-group", A)] == ["external_review"]
    hearing = rights.STATE_FAIR_HEARING
    undecided = rights.standing(
        hearing, received_at=T, urgency=STD, decided_at=None, deemed_exhausted_at=None, at=T
    )
    assert not undecided.available and undecided.request_by is None
    decided = T + timedelta(days=10)
    after = rights.standing(
        hearing,
        received_at=T,
        urgency=STD,
        decided_at=decided,
        deemed_exhausted_at=None,
        at=decided,
    )
    assert after.available and after.request_by == decided + timedelta(days=120)
    deemed = T + timedelta(days=17)
    missed = rights.standing(
        hearing, received_at=T, urgency=STD, decided_at=None, deemed_exhausted_at=deemed, at=deemed
    )
    assert missed.available and "missed the deadline" in missed.why
    # DMHC: after 30 days in the plan's process, or at once when urgent.
    imr = rights.DMHC_IMR
    waiting = rights.standing(
        imr, received_at=T, urgency=STD, decided_at=None, deemed_exhausted_at=None, at=T
    )
    assert not waiting.available and waiting.available_from == T + timedelta(days=30)
    urgent = rights.standing(
        imr, received_at=T, urgency=EXP, decided_at=None, deemed_exhausted_at=None, at=T
    )
    assert urgent.available


def facts(**kw) -> AppealFacts:  # type: ignore[no-untyped-def]
    base = {
        "pack": "calchoice",
        "kind": A,
        "urgency": STD,
        "state": AppealState.OPEN,
        "received_at": T,
        "clocks": {
            "appeal_ack": (T + timedelta(days=2), ClockState.RUNNING),
            "appeal_resolution": (T + timedelta(days=30), ClockState.RUNNING),
        },
        "resolution_targets": ("appeal_resolution",),
    }
    base.update(kw)
    return AppealFacts(**base)


def test_letters_owed_follow_the_appeal() -> None:
    owed = due_letters(facts())
    assert [(d.kind, d.due_by) for d in owed] == [
        (NoticeKind.ACKNOWLEDGEMENT, T + timedelta(days=2))
    ]
    assert due_letters(facts(written_notices=frozenset({NoticeKind.ACKNOWLEDGEMENT}))) == []
    # California's urgent track owes no written acknowledgement.
    assert due_letters(facts(urgency=EXP, clocks={})) == []
    decided = T + timedelta(days=5)
    owed = due_letters(
        facts(
            state=AppealState.DECIDED,
            decided_at=decided,
            written_notices=frozenset({NoticeKind.ACKNOWLEDGEMENT}),
        )
    )
    assert [(d.kind, d.due_by) for d in owed] == [(NoticeKind.RESOLUTION, T + timedelta(days=30))]


def test_oregon_letters_delay_extension_and_exhaustion() -> None:
    grievance = facts(
        pack="oregon-medicaid",
        kind=G,
        clocks={
            "grievance_decision": (T + timedelta(days=7), ClockState.RUNNING),
            "grievance_resolution": (T + timedelta(days=30), ClockState.RUNNING),
        },
    )
    assert [d.kind for d in due_letters(grievance)] == [
        NoticeKind.DELAY_NOTICE,
        NoticeKind.ACKNOWLEDGEMENT,  # no deadline in the pack: promptly, listed last
    ]
    appeal = facts(
        pack="oregon-medicaid",
        clocks={"appeal_resolution": (T + timedelta(days=30), ClockState.RUNNING)},
        written_notices=frozenset({NoticeKind.ACKNOWLEDGEMENT}),
        extended_at=T + timedelta(days=3),
        extension_by=ExtensionRequestedBy.PLAN,
        deemed_exhausted_at=T + timedelta(days=31),
    )
    owed = {d.kind: d.due_by for d in due_letters(appeal)}
    assert owed == {
        NoticeKind.EXTENSION: T + timedelta(days=5),
        NoticeKind.DEEMED_EXHAUSTION: None,
    }
    member_asked = facts(
        pack="oregon-medicaid",
        clocks={},
        written_notices=frozenset({NoticeKind.ACKNOWLEDGEMENT}),
        extended_at=T,
        extension_by=ExtensionRequestedBy.MEMBER,
    )
    assert due_letters(member_asked) == []
