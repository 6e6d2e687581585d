"""A small in-process memo for the WFM pages: a forecast fitted once per history, however many
analysts open it at the same moment.

Fitting and scoring a year of half hours takes seconds of CPU; the history only changes when
calls are imported, and each key carries a fingerprint of the history's contents, so a memo is
never stale: new calls make a new key. Single flight: while one request computes a key, the
others asking for it wait for its answer instead of computing it again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")
KEEP = 32  # answers kept, newest used first

_lock = threading.Lock()
_memo: OrderedDict[Hashable, Any] = OrderedDict()
_computing: dict[Hashable, threading.Lock] = {}


def once(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s answer for ``key``, computed at most once while it is kept."""
    with _lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]  # type: ignore[no-any-return]
        flight = _computing.setdefault(key, threading.Lock())
    with flight:
        with _lock:
            if key in _memo:
                return _memo[key]  # type: ignore[no-any-return]
        value = compute()
        with _lock:
            _memo[key] = value
            _computing.pop(key, None)
            while len(_memo) > KEEP:
                _memo.popitem(last=False)
        return value


def fingerprint(history: pd.Series, closed: set[Any]) -> tuple[Hashable, ...]:
    """What a forecast depends on: the history's contents and the closed days."""
    import pandas as pd

    return (
        len(history),
        int(pd.util.hash_pandas_object(history, index=True).sum()),
        hash(frozenset(closed)),
    )
