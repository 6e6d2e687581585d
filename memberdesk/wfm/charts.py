"""SVG charts for the WFM pages: forecast vs actual, requirement vs scheduled.

Figures are built with matplotlib's object API on the Agg canvas (no pyplot global state), so
web workers can render charts concurrently.
"""

from __future__ import annotations

import io

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

_SIZE = (9.0, 3.2)


def _svg(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    return buf.getvalue()


def _positions(index: pd.Index) -> list[int]:
    # Intervals are plotted by position: closed nights and weekends would otherwise fill the
    # chart with flat gaps.
    return list(range(len(index)))


def _ticks(ax: object, index: pd.DatetimeIndex) -> None:
    days = pd.Series(range(len(index)), index=index).groupby(index.date).first()
    step = max(1, len(days) // 10)
    ax.set_xticks(list(days.to_numpy()[::step]))  # type: ignore[attr-defined]
    ax.set_xticklabels(  # type: ignore[attr-defined]
        [pd.Timestamp(d).strftime("%a %d %b") for d in days.index[::step]], rotation=30, ha="right"
    )


def forecast_vs_actual_svg(
    actual: pd.Series, forecast: pd.Series, *, naive: pd.Series | None = None, title: str = ""
) -> str:
    """Calls per interval: actual against forecast (and seasonal-naive if given), as SVG."""
    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    x = _positions(actual.index)
    ax.plot(x, actual.to_numpy(), color="#444444", lw=0.8, label="actual")
    ax.plot(x, forecast.reindex(actual.index).to_numpy(), color="#1f77b4", lw=1.2, label="forecast")
    if naive is not None:
        ax.plot(
            x,
            naive.reindex(actual.index).to_numpy(),
            color="#ff7f0e",
            lw=0.8,
            ls="--",
            label="seasonal naive",
        )
    ax.set_ylabel("calls per 30 min")
    ax.set_title(title or "Forecast vs actual")
    ax.legend(loc="upper right", fontsize="small")
    if isinstance(actual.index, pd.DatetimeIndex) and len(actual):
        _ticks(ax, actual.index)
    return _svg(fig)


def requirement_vs_scheduled_svg(
    requirement: pd.Series, scheduled: pd.Series, *, title: str = ""
) -> str:
    """Agents required per interval against agents scheduled on the phones, as SVG."""
    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    x = _positions(requirement.index)
    ax.step(x, requirement.to_numpy(), where="post", color="#d62728", lw=1.2, label="required")
    ax.step(
        x,
        scheduled.reindex(requirement.index).to_numpy(),
        where="post",
        color="#2ca02c",
        lw=1.2,
        label="scheduled",
    )
    ax.set_ylabel("agents")
    ax.set_title(title or "Requirement vs scheduled")
    ax.legend(loc="upper right", fontsize="small")
    if isinstance(requirement.index, pd.DatetimeIndex) and len(requirement):
        _ticks(ax, requirement.index)
    return _svg(fig)
