"""Shared pieces of the QA pages: the scorecard form's fields read from a posted form, errors
in plain words beside their item, and a scorecard's items laid out for the template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from memberdesk.cases.ui_forms import sentence
from memberdesk.errors import MemberdeskError
from memberdesk.quality.models import QaScorecard

POINT_WORDS = {0: "Not met", 1: "Met"}


def point_label(points: int, top: int) -> str:
    """``0 — not met``, ``1 — partly``, ``2 — fully`` as a person reads a scale."""
    if top == 1:
        return POINT_WORDS[points]
    if points == 0:
        return "0 — not met"
    if points == top:
        return f"{points} — fully met"
    return f"{points} — partly"


def items_view(
    card: QaScorecard, given: Mapping[str, int | None] | None = None
) -> list[dict[str, Any]]:
    """Each item with its choices (and the one given, if any) for the form."""
    out = []
    for i in card.items:
        choices = [(str(p), point_label(p, i.max_score)) for p in range(i.max_score, -1, -1)]
        if i.allow_na:
            choices.append(("na", "Does not apply"))
        chosen = None
        if given is not None and i.key in given:
            chosen = "na" if given[i.key] is None else str(given[i.key])
        out.append({"item": i, "choices": choices, "chosen": chosen})
    return out


def read_scores(
    card: QaScorecard, form: Mapping[str, Any]
) -> tuple[dict[str, int | None], dict[str, str]]:
    """The points chosen per item (``score_<key>`` fields), and what is missing."""
    scores: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for i in card.items:
        raw = str(form.get(f"score_{i.key}", "")).strip()
        if raw == "na":
            scores[i.key] = None
        elif raw.isdigit():
            scores[i.key] = int(raw)
        else:
            errors[f"score_{i.key}"] = "Choose a score for this item."
    return scores, errors


def form_errors(exc: ValidationError | MemberdeskError) -> dict[str, str]:
    """A refusal in words, keyed by the form field it is about (``score_<key>`` for an item)."""
    if isinstance(exc, MemberdeskError):
        parts = (exc.field or "").split(".")
        if len(parts) >= 3 and parts[1] == "scores":
            return {f"score_{parts[2]}": sentence(exc.message)}
        name = parts[-1] if exc.field else ""
        return {name: sentence(exc.message)}
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        name = loc[-1] if loc else ""
        out.setdefault(name, sentence(str(err["msg"])))
    return out
