"""Trend charts as SVG images (matplotlib, drawn on the server: no script in the page).

A chart goes into the page as a ``data:`` image rather than inline SVG: matplotlib styles its
drawing with ``style`` attributes, which the site's Content-Security-Policy (rightly) refuses in
the page itself but which an image keeps to itself. Each chart has its title as the image's
text, draws the target as a labelled dashed line (so colour is never the only cue), and sits
beside a table of the same numbers in the review.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from datetime import date

LINE_STYLES = ("-", "--", ":")
MARKERS = ("o", "s", "^")
COLOURS = ("#1f5fa8", "#b35900", "#2e7d32")  # 4.5:1 or better on white


def trend_svg(
    title: str,
    months: Sequence[date],
    series: Mapping[str, Sequence[float | None]],
    *,
    percent: bool = False,
    target: float | None = None,
    target_label: str = "",
) -> str:
    """A line chart of monthly values (None: no data that month) as a ``data:`` URI of SVG."""
    import matplotlib  # late: only reviews draw charts
    from matplotlib.figure import Figure

    # Text stays text in the SVG (smaller, and sharp at any size). Set once for the process:
    # rc_context would change the global settings under other threads drawing at the time.
    matplotlib.rcParams["svg.fonttype"] = "none"

    fig = Figure(figsize=(6.4, 2.6), dpi=100)
    ax = fig.subplots()
    x = list(range(len(months)))
    for i, (label, values) in enumerate(series.items()):
        ys = [float("nan") if v is None else (100 * v if percent else v) for v in values]
        ax.plot(
            x,
            ys,
            linestyle=LINE_STYLES[i % 3],
            marker=MARKERS[i % 3],
            color=COLOURS[i % 3],
            label=label,
        )
    if target is not None:
        level = 100 * target if percent else target
        ax.axhline(level, color="#444444", linestyle=(0, (6, 4)), linewidth=1)
        ax.annotate(
            target_label,
            (x[-1] if x else 0, level),
            textcoords="offset points",
            xytext=(0, 4),
            ha="right",
            fontsize=8,
            color="#333333",
        )
    ticks = [
        f"{m:%b}\n{m:%Y}" if m.month == 1 or i == 0 else f"{m:%b}" for i, m in enumerate(months)
    ]
    ax.set_xticks(x, ticks, fontsize=8)
    if percent:
        ax.yaxis.set_major_formatter("{x:.0f}%")
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        ax.legend(fontsize=8, frameon=False, loc="best")
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue().encode()).decode()
