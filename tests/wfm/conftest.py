"""Fixtures of the WFM page tests: a WFM analyst's client, and a stored call history."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.kpi.demo import seed_demo_calls
from memberdesk.wfm.service import stored_history
from tests.wfm.pagekit import MEMBERS, yesterday


@pytest.fixture
def analyst(login):  # type: ignore[no-untyped-def]
    return login(Role.WFM_ANALYST).client


@pytest.fixture
def calls(db: Session) -> pd.Series:
    """Thirteen months of demo calls to yesterday, stored as the call import stores them."""
    assert seed_demo_calls(db, SYSTEM, members=MEMBERS, last_day=yesterday()) > 0
    db.flush()
    history = stored_history(db, "calchoice")
    assert history is not None
    return history
