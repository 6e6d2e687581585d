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
    if len(days) <= 2:  # a day or two: the times of day say more than the dates
        at = list(range(0, len(index), max(1, len(index) // 8)))
        ax.set_xticks(at)  # type: ignore[attr-defined]
        ax.set_xticklabels(  # type: ignore[attr-defined]
            [index[i].strftime("%a %H:%M") for i in at], rotation=30, ha="right"
        )
        return
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
        color="#2e7d32",
        lw=1.4,
        ls="--",  # dashed, so the two lines differ by more than colour
        label="scheduled",
    )
    ax.set_ylabel("agents")
    ax.set_title(title or "Requirement vs scheduled")
    ax.legend(loc="upper right", fontsize="small")
    if isinstance(requirement.index, pd.DatetimeIndex) and len(requirement):
        _ticks(ax, requirement.index)
    return _svg(fig)


# ----------------------------------------------------------------------------- for the pages


def data_uri(svg: str) -> str:
    """An SVG as a ``data:`` image: matplotlib styles with ``style`` attributes, which the
    site's Content-Security-Policy refuses in the page itself but an image keeps to itself."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def totals_svg(
    labels: list[str], actual: list[float], forecast: list[float], *, unit: str, title: str
) -> str:
    """Calls per day or month: actual bars beside forecast bars (hatched, so colour is not
    the only cue), as SVG."""
    import numpy as np

    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    ax.bar(x - 0.2, actual, width=0.4, color="#444444", label="actual")
    ax.bar(
        x + 0.2,
        forecast,
        width=0.4,
        color="#9ec5e8",
        edgecolor="#1f5fa8",
        hatch="//",
        label="forecast",
    )
    step = max(1, len(labels) // 12)
    ax.set_xticks(list(x[::step]), labels[::step], rotation=30, ha="right", fontsize=8)
    ax.set_ylabel(f"calls per {unit}")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def bands_svg(
    labels: list[str],
    mean: list[float | None],
    low: list[float | None],
    high: list[float | None],
    *,
    target: float | None,
    title: str,
) -> str:
    """Simulated service level per interval with its confidence band and the target, as SVG."""
    import numpy as np

    def pct(v: list[float | None]) -> np.ndarray:
        return np.array([np.nan if a is None else 100 * a for a in v], dtype=float)

    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    ax.fill_between(x, pct(low), pct(high), color="#9ec5e8", alpha=0.6, label="95% band")
    ax.plot(x, pct(mean), color="#1f5fa8", marker="o", ms=3, lw=1.2, label="service level")
    if target is not None:
        ax.axhline(100 * target, color="#444444", ls=(0, (6, 4)), lw=1, label="target")
    step = max(1, len(labels) // 12)
    ax.set_xticks(list(x[::step]), labels[::step], rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 102)
    ax.yaxis.set_major_formatter("{x:.0f}%")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def months_svg(labels: list[str], calls: list[float], surge: list[bool], *, title: str) -> str:
    """Agent-handled calls per month, surge months hatched, as SVG."""
    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    bars = ax.bar(x, calls, color="#9ec5e8", edgecolor="#1f5fa8")
    for bar, up in zip(bars, surge, strict=True):
        if up:
            bar.set_hatch("//")
            bar.set_facecolor("#f3c98b")
            bar.set_edgecolor("#b35900")
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel("calls per month")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
