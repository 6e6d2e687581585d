"""The pure life cycle and escalation rules, and the checklist templates as data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memberdesk.cases.checklists import template_for, templates
from memberdesk.cases.enums import CaseState, CaseType, EscalationReason
from memberdesk.cases.states import (
    ALLOWED,
    OPEN_STATES,
    TransitionError,
    check_transition,
    escalation_target,
)


@given(st.lists(st.sampled_from(list(CaseState)), max_size=30))
def test_any_walk_follows_the_table_and_every_refusal_names_both_states(
    moves: list[CaseState],
) -> None:
    state = CaseState.NEW
    for wanted in moves:
        if wanted in ALLOWED[state]:
            check_transition(state, wanted)
            state = wanted
        else:
            with pytest.raises(TransitionError) as refused:
                check_transition(state, wanted)
            assert f"from {state} to {wanted}" in str(refused.value)


def test_every_state_can_reach_resolved_or_closed() -> None:
    for start in CaseState:
        seen, todo = {start}, [start]
        while todo:
            for nxt in ALLOWED[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert CaseState.CLOSED in seen or start is CaseState.CLOSED


@given(
    st.integers(1, 3),
    st.sampled_from(sorted(OPEN_STATES)),
    st.sampled_from(list(EscalationReason)),
    st.sampled_from(list(CaseType)),
)
def test_escalation_goes_one_tier_up_and_only_regulatory_work_reaches_tier3(
    tier: int, state: CaseState, reason: EscalationReason, case_type: CaseType
) -> None:
    regulatory = reason in {"formal_appeal", "regulatory", "legal"} or case_type in {
        "appeal",
        "grievance",
        "regulatory_inquiry",
        "legal_referral",
    }
    if tier == 3 or (tier == 2 and not regulatory):
        with pytest.raises(TransitionError):
            escalation_target(tier, state, reason, case_type)
    else:
        assert escalation_target(tier, state, reason, case_type) == tier + 1


def test_the_five_checklists_cover_their_case_types_with_required_steps() -> None:
    assert set(templates()) == {
        "eligibility_verification",
        "id_card_replacement",
        "billing_correction",
        "claim_inquiry",
        "appeal_packet",
    }
    for t in templates().values():
        assert any(s.required for s in t.steps)
    billing = template_for(CaseType.BILLING)
    assert billing is not None and billing.name == "billing_correction"
    assert template_for(CaseType.OTHER) is None
