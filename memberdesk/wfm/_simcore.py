"""The simulator's event loop, compiled with numba (the one hot loop in memberdesk).

Written by hand because it is the product's own model (skills, schedules, lazy abandonment) and
because a compiled loop is what reaches millions of calls per second; a SimPy process per call
costs about ten microseconds. Everything here works on plain arrays; `simulate.py` wraps it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Distribution codes shared with simulate.Distribution (numba cannot take StrEnums).
EXPONENTIAL = 0
LOGNORMAL = 1
DETERMINISTIC = 2
NEVER = 3  # infinite patience

# Columns of the per-interval statistics array.
OFFERED, ANSWERED, WITHIN, ABANDONED, WAIT_SUM = range(5)
N_STATS = 5


@njit(cache=True)
def _draw(kind: int, mean: float, sigma: float) -> float:
    if kind == EXPONENTIAL:
        return np.random.exponential(mean)
    if kind == LOGNORMAL:
        # sigma is the log-space sd; mu keeps the mean equal to `mean`.
        return np.random.lognormal(np.log(mean) - 0.5 * sigma * sigma, sigma)
    if kind == DETERMINISTIC:
        return mean
    return np.inf


@njit(cache=True)
def _heap_push(times, groups, size, t, g):  # type: ignore[no-untyped-def]
    i = size
    times[i] = t
    groups[i] = g
    while i > 0:
        parent = (i - 1) >> 1
        if times[parent] <= times[i]:
            break
        times[parent], times[i] = times[i], times[parent]
        groups[parent], groups[i] = groups[i], groups[parent]
        i = parent
    return size + 1


@njit(cache=True)
def _heap_pop(times, groups, size):  # type: ignore[no-untyped-def]
    size -= 1
    times[0] = times[size]
    groups[0] = groups[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and times[left + 1] < times[left]:
            child = left + 1
        if times[i] <= times[child]:
            break
        times[i], times[child] = times[child], times[i]
        groups[i], groups[child] = groups[child], groups[i]
        i = child
    return size


@njit(cache=True)
def _make_room(q, qhead, qtail, s):  # type: ignore[no-untyped-def]
    """Room at the tail of queue s: slide its live entries to the front, else double."""
    if qtail[s] < q.shape[1]:
        return q
    live = qtail[s] - qhead[s]
    if qhead[s] > 0:
        q[s, :live, :] = q[s, qhead[s] : qtail[s], :].copy()
        qhead[s] = 0
        qtail[s] = live
        return q
    bigger = np.empty((q.shape[0], q.shape[1] * 2, q.shape[2]))
    bigger[:, : q.shape[1], :] = q
    return bigger


@njit(cache=True)
def run(  # type: ignore[no-untyped-def]
    seed,
    replications,
    interval_len,
    calls,  # (n_intervals, n_skills) expected arrivals
    aht,  # (n_intervals, n_skills) mean handle seconds
    service_kind,
    service_sigma,
    patience_kind,
    patience_mean,
    patience_sigma,
    staff_step,
    staffing,  # (n_steps, n_groups) agents logged in and available
    group_skills,  # (n_groups, n_skills) bool
    group_order,  # groups by preference for an arriving call: specialists first
    within,
):
    """Replicated runs; returns stats (replications, n_intervals, n_skills, N_STATS)."""
    n_int, n_skills = calls.shape
    n_steps, n_groups = staffing.shape
    out = np.zeros((replications, n_int, n_skills, N_STATS))
    max_agents = 1
    for s in range(n_steps):
        max_agents = max(max_agents, staffing[s].sum())
    heap_t = np.empty(max_agents + 1)
    heap_g = np.empty(max_agents + 1, dtype=np.int64)
    skill_cum = np.empty(n_skills)
    # queue entries: arrival time, abandon time, service time, interval index
    q = np.empty((n_skills, 1024, 4))
    for rep in range(replications):
        np.random.seed(seed + rep)
        stats = out[rep]
        qhead = np.zeros(n_skills, dtype=np.int64)
        qtail = np.zeros(n_skills, dtype=np.int64)
        idle = np.zeros(n_groups, dtype=np.int64)
        busy = np.zeros(n_groups, dtype=np.int64)
        leaving = np.zeros(n_groups, dtype=np.int64)
        hsize = 0
        step = -1
        next_step_t = 0.0
        i = 0
        while True:
            # arrivals of interval i (an empty batch past the horizon)
            if i < n_int:
                total = calls[i].sum()
                count = np.random.poisson(total) if total > 0 else 0
                acc = 0.0
                for s in range(n_skills):
                    acc += calls[i, s]
                    skill_cum[s] = acc / total if total > 0 else 1.0
                times = np.sort(np.random.random(count)) * interval_len + i * interval_len
            else:
                count = 0
                times = np.empty(0)
            end_t = (i + 1) * interval_len if i < n_int else np.inf
            k = 0
            while True:
                t_arr = times[k] if k < count else np.inf
                t_done = heap_t[0] if hsize > 0 else np.inf
                t_staff = next_step_t if step + 1 < n_steps else np.inf
                now = min(t_arr, t_done, t_staff)
                if now == np.inf or (now >= end_t and i < n_int):
                    break
                if t_staff <= now:
                    # shift boundary: log agents in (they pull from the queues) or out
                    step += 1
                    next_step_t = (step + 1) * staff_step
                    for g in range(n_groups):
                        want = staffing[step, g]
                        have = idle[g] + busy[g] - leaving[g]
                        if want > have:
                            back = min(leaving[g], want - have)
                            leaving[g] -= back
                            idle[g] += want - have - back
                        elif want < have:
                            drop = min(idle[g], have - want)
                            idle[g] -= drop
                            leaving[g] += have - want - drop
                    # fall through to let new idle agents take waiting calls
                    free_group = -1
                    t_free = now
                elif t_done <= t_arr:
                    t_free = now
                    g = heap_g[0]
                    hsize = _heap_pop(heap_t, heap_g, hsize)
                    busy[g] -= 1
                    if leaving[g] > 0:
                        leaving[g] -= 1
                    else:
                        idle[g] += 1
                    free_group = g
                else:
                    # an arrival
                    u = np.random.random()
                    s = 0
                    while s < n_skills - 1 and u > skill_cum[s]:
                        s += 1
                    iv = i
                    stats[iv, s, OFFERED] += 1
                    k += 1
                    served = False
                    for gi in range(n_groups):
                        g = group_order[gi]
                        if idle[g] > 0 and group_skills[g, s]:
                            idle[g] -= 1
                            busy[g] += 1
                            dur = _draw(service_kind, aht[iv, s], service_sigma)
                            hsize = _heap_push(heap_t, heap_g, hsize, now + dur, g)
                            stats[iv, s, ANSWERED] += 1
                            stats[iv, s, WITHIN] += 1
                            served = True
                            break
                    if not served:
                        q = _make_room(q, qhead, qtail, s)
                        slot = qtail[s]
                        q[s, slot, 0] = now
                        q[s, slot, 1] = now + _draw(patience_kind, patience_mean[s], patience_sigma)
                        q[s, slot, 2] = _draw(service_kind, aht[iv, s], service_sigma)
                        q[s, slot, 3] = iv
                        qtail[s] += 1
                    continue
                # idle agents (just freed, or just logged in) take the longest-waiting calls
                for g in range(n_groups):
                    if free_group >= 0 and g != free_group:
                        continue
                    while idle[g] > 0:
                        best = -1
                        best_t = np.inf
                        for s in range(n_skills):
                            if not group_skills[g, s]:
                                continue
                            while qtail[s] > qhead[s]:
                                slot = qhead[s]
                                if q[s, slot, 1] <= t_free:  # gave up before we got to it
                                    stats[int(q[s, slot, 3]), s, ABANDONED] += 1
                                    qhead[s] += 1
                                else:
                                    break
                            if qtail[s] > qhead[s] and q[s, qhead[s], 0] < best_t:
                                best_t = q[s, qhead[s], 0]
                                best = s
                        if best < 0:
                            break
                        slot = qhead[best]
                        qhead[best] += 1
                        iv0 = int(q[best, slot, 3])
                        wait = t_free - q[best, slot, 0]
                        dur = q[best, slot, 2]
                        idle[g] -= 1
                        busy[g] += 1
                        hsize = _heap_push(heap_t, heap_g, hsize, t_free + dur, g)
                        stats[iv0, best, ANSWERED] += 1
                        stats[iv0, best, WAIT_SUM] += wait
                        if wait <= within:
                            stats[iv0, best, WITHIN] += 1
            if i >= n_int:
                break
            i += 1
        # the centre has closed: whoever still waits gives up (or waits forever, uncounted)
        for s in range(n_skills):
            while qtail[s] > qhead[s]:
                slot = qhead[s]
                if q[s, slot, 1] < np.inf:
                    stats[int(q[s, slot, 3]), s, ABANDONED] += 1
                qhead[s] += 1
    return out
