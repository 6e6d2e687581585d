"""E-mail and back-office backlogs staffed to business-hours targets.

Work that waits (e-mail, secure messages, claim research) is not lost when nobody is free; it
queues until business hours and must be finished within a target counted in business time
(the `calchoice` pack's `email_reply` is one business day). Here work arriving while closed
starts its clock at the next opening, agents work first-in first-out only while open, and the
answer is the smallest constant team that meets every item's deadline over the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from memberdesk.errors import InvalidInput


@dataclass(frozen=True)
class BacklogPlan:
    """Constant team size for a backlog and how the backlog then evolves."""

    agents: int
    items_per_agent_interval: float
    backlog: NDArray[np.float64]  # items still waiting at the end of each open interval
    oldest_due_met: bool


def _meets(arrivals: NDArray[np.float64], capacity: float, due_after: int) -> tuple[bool, NDArray]:
    """FIFO at `capacity` items per open interval; each interval's work is due `due_after` later."""
    cum_in = np.cumsum(arrivals)
    backlog = np.empty_like(arrivals)
    left = 0.0
    for i, a in enumerate(arrivals):
        left = max(0.0, left + a - capacity)
        backlog[i] = left
    done = cum_in - backlog
    # work that arrived in open interval i must be done by the end of interval i + due_after - 1
    due = np.concatenate([np.zeros(due_after - 1), cum_in[: len(cum_in) - due_after + 1]])
    return bool(np.all(done >= due[: len(done)] - 1e-9)), backlog


def staff_backlog(
    arrivals: ArrayLike,
    open_mask: ArrayLike,
    *,
    handle_seconds: float,
    interval_seconds: float,
    target_business_seconds: float,
    repeating: bool = True,
) -> BacklogPlan:
    """Smallest constant team finishing every item within the business-time target.

    With `repeating` (the default) the horizon is a typical week that recurs, so Friday's and
    the weekend's work is due the following Monday instead of falling off the end.
    """
    arr = np.asarray(arrivals, dtype=float)
    is_open = np.asarray(open_mask, dtype=bool)
    if arr.shape != is_open.shape or arr.ndim != 1:
        raise InvalidInput("open_mask: one flag per interval is needed", field="open_mask")
    if np.any(arr < 0) or not np.all(np.isfinite(arr)):
        raise InvalidInput("arrivals: must be finite and >= 0", field="arrivals")
    if handle_seconds <= 0:
        raise InvalidInput("handle_seconds: must be > 0", field="handle_seconds")
    due_after = math.floor(target_business_seconds / interval_seconds)
    if due_after < 1:
        raise InvalidInput("target: must be at least one interval", field="target")
    if not is_open.any():
        raise InvalidInput("open_mask: no open intervals", field="open_mask")
    # Closed-time arrivals join the next open interval (their clock starts at opening); any
    # after the last opening are carried into it too, so nothing is dropped.
    open_idx = np.flatnonzero(is_open)
    target_slot = np.searchsorted(open_idx, np.arange(arr.size))
    target_slot = np.minimum(target_slot, open_idx.size - 1)
    work = np.bincount(target_slot, weights=arr, minlength=open_idx.size).astype(float)
    if repeating:
        work = np.concatenate([work, work])
    per_agent = interval_seconds / handle_seconds
    lo, hi = 0, max(1, math.ceil(work.sum() / per_agent))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _meets(work, mid * per_agent, due_after)[0]:
            hi = mid
        else:
            lo = mid
    ok, backlog = _meets(work, hi * per_agent, due_after)
    return BacklogPlan(hi, per_agent, backlog[-open_idx.size :], ok)
