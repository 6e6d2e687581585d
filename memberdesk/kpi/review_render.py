"""The team reviews as documents: the same templates for the page, the HTML file and the PDF.

Shared by the command line (``memberdesk report``) and the pages, so that what is printed for the
team meeting is what the supervisor saw on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from memberdesk.kpi.charts import trend_svg
from memberdesk.kpi.review import MonthFigures, Quarter, Review
from memberdesk.kpi.targets import threshold_of
from memberdesk.kpi.words import LINES, STANDING, seconds_words, share_words, target_words
from memberdesk.surveys.words import points_words

PDF_LIBRARIES = "the Pango text library (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"


def _minutes(value: float | None) -> float | None:
    return None if value is None else value / 60


Measure = tuple[str, str, Callable[[MonthFigures], Any], str]


def measures(threshold: float) -> list[Measure]:
    """The rows of a summary table: label, goal key, value of a month, and how it is shown."""
    return [
        ("Calls offered", "", lambda m: m.calls.offered, "count"),
        ("Calls answered", "", lambda m: m.calls.answered, "count"),
        (
            f"Service level (answered within {threshold:g} seconds)",
            "service_level",
            lambda m: m.calls.service_level,
            "share",
        ),
        ("Hung up while waiting", "abandon_rate", lambda m: m.calls.abandon_rate, "share"),
        ("Average wait before an answer", "", lambda m: m.calls.asa_seconds, "seconds"),
        ("Average time handling a call", "", lambda m: m.calls.aht_seconds, "seconds"),
        ("Occupancy (time on calls while signed in)", "", lambda m: m.occupancy, "share"),
        ("Answered calls transferred", "", lambda m: m.calls.transfer_rate, "share"),
        (
            "Resolved at the first contact",
            "first_contact_resolution",
            lambda m: m.fcr_rate,
            "share",
        ),
    ]


def shown(value: Any, how: str) -> str:
    """A value in words: 1,234; 82.4%; 6 min 12 s; a dash for nothing."""
    if value is None:
        return "—"
    if how == "count":
        return f"{value:,}"
    return share_words(value) if how == "share" else seconds_words(value)


def summary_rows(
    goals: dict[str, Any], threshold: float, this: MonthFigures, before: MonthFigures
) -> list[dict[str, str]]:
    """Each measure this period and the one before, its target in words, and its standing."""
    rows = []
    for label, key, value_of, how in measures(threshold):
        value = value_of(this)
        goal = goals.get(key)
        standing, found = "", None
        if goal is not None and value is not None and goal.has_thresholds:
            found = goal.status(value)
            standing = STANDING[found.value] if found else ""
        target = target_words(goal)
        if goal is not None and not target and goal.achieved is not None:
            target = f"benchmark: {share_words(goal.achieved)} reached before"
        rows.append(
            {
                "label": label,
                "this": shown(value, how),
                "before": shown(value_of(before), how),
                "target": target[:1].upper() + target[1:] if target else "",
                "standing": standing,
                "status": found.value if found else "",
            }
        )
    return rows


def survey_rows(review: Review) -> list[dict[str, str]]:
    """CSAT and NPS this month and the month before, against target; the CAHPS items and
    composite over the pack's look-back ("not reported" under 100 answers)."""
    this, before = review.surveys, review.surveys_before
    if this is None or before is None:
        return []
    now_, then = this["total"], before["total"]
    rows = []
    for key, label, show in (
        ("csat", "Satisfied (4 or 5 out of 5)", share_words),
        ("nps", "Net promoter score (−100 to +100)", points_words),
    ):
        status = now_["status"].get(key, "")
        rows.append(
            {
                "label": label,
                "this": show(now_[key]),
                "before": show(then[key]),
                "target": (this["targets"].get(key) or "").capitalize(),
                "standing": STANDING.get(status, ""),
                "status": status,
            }
        )
    for key, label in (
        ("cahps_help", "Got the help or information they needed (usually or always)"),
        ("cahps_courtesy", "Treated with courtesy and respect (usually or always)"),
    ):
        item = now_[key]
        shown_ = share_words(item["usually_or_always"]) if item["reported"] else "Not reported"
        rows.append({"label": label, "this": shown_, "before": "", "target": "", "standing": "",
                     "status": ""})  # fmt: skip
    return rows


def review_context(review: Review) -> dict[str, Any]:
    """What the review's templates need."""
    goals = review.goals
    threshold = threshold_of(goals)
    months = [m.month for m in review.trend]
    level, gone = goals.get("service_level"), goals.get("abandon_rate")
    trend = review.trend
    specs: list[tuple[str, dict[str, list[float | None]], bool, float | None, str]] = [
        (
            "Service level by month",
            {"Service level": [m.calls.service_level for m in trend]},
            True,
            level.breach_below if level else None,
            "target",
        ),
        (
            "Share of callers who hung up while waiting, by month",
            {"Hung up while waiting": [m.calls.abandon_rate for m in trend]},
            True,
            gone.breach_above if gone else None,
            "limit",
        ),
        (
            "Calls offered and answered by month",
            {
                "Offered": [float(m.calls.offered) for m in trend],
                "Answered": [float(m.calls.answered) for m in trend],
            },
            False,
            None,
            "",
        ),
        (
            "Average handling and wait by month, in minutes",
            {
                "Handling": [_minutes(m.calls.aht_seconds) for m in trend],
                "Wait": [_minutes(m.calls.asa_seconds) for m in trend],
            },
            False,
            None,
            "",
        ),
    ]
    charts = [
        (title, trend_svg(title, months, series, percent=pct, target=aim, target_label=label))
        for title, series, pct, aim, label in specs
    ]
    commended = sorted(
        (a for a in review.by_agent if a.best_day is not None),
        key=lambda a: (-a.best_answered, a.agent),
    )[:5]
    return {
        "review": review,
        "line": LINES.get(review.pack, review.pack),
        "month_name": f"{review.month:%B %Y}",
        "summary": summary_rows(goals, threshold, review.this, review.before),
        "charts": charts,
        "commended": commended,
        "survey_rows": survey_rows(review),
        "share": share_words,
        "seconds": seconds_words,
    }


def quarter_context(q: Quarter) -> dict[str, Any]:
    """What the quarterly summary's template needs."""
    threshold = threshold_of(q.goals)
    return {
        "q": q,
        "line": LINES.get(q.pack, q.pack),
        "summary": summary_rows(q.goals, threshold, q.total, q.before),
        "share": share_words,
        "seconds": seconds_words,
    }


def document(template: str, context: dict[str, Any], title: str) -> str:
    """A whole HTML document (its own styles, no script) for a file or a PDF."""
    from memberdesk.web.pages import templates

    body = templates.get_template(template).render(**context)
    return templates.get_template("kpi/review_doc.html").render(title=title, body=Markup(body))  # noqa: S704


def to_pdf(html: str) -> bytes:
    """The document as PDF (WeasyPrint; OSError naming the missing library when it is absent)."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # WeasyPrint loads Pango when imported
        raise OSError(f"making a PDF needs {PDF_LIBRARIES}") from exc
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return pdf
