"""The phone menu in plain words for staff pages and contact notes (never codes on screen)."""

from __future__ import annotations

from collections.abc import Sequence

from memberdesk.ivr.enums import Choice, Outcome

CHOICES: dict[Choice, str] = {
    Choice.ENGLISH: "chose English",
    Choice.SPANISH: "chose Spanish",
    Choice.IDENTIFIED: "identified by member ID and date of birth",
    Choice.NOT_IDENTIFIED: "not identified (member ID and date of birth did not match)",
    Choice.CARD_STATUS: "heard their ID card status",
    Choice.NEW_CARD: "requested a new ID card",
    Choice.NEW_CARD_REFUSED: "asked for a new ID card (not sent)",
    Choice.ELIGIBILITY: "heard whether they are covered today",
    Choice.CASE_STATUS: "heard their open case's status",
    Choice.VOICEMAIL: "left a message for a call back",
    Choice.AGENT: "asked for a representative",
    Choice.RETRY: "pressed a key the menu did not expect",
    Choice.TOO_MANY_RETRIES: "sent to a representative after repeated unexpected keys",
}

OUTCOMES: dict[Outcome, str] = {
    Outcome.IN_MENU: "still in the menu",
    Outcome.CONTAINED: "answered by the menu",
    Outcome.TRANSFERRED: "sent to a representative",
    Outcome.VOICEMAIL: "left a message",
    Outcome.ABANDONED: "hung up before being answered",
}

VALUES = frozenset(c.value for c in Choice)
QUEUE_GROUPS = {"eligibility": "Eligibility and ID cards", "member-services": "Member services"}
LANGUAGES = {"en": "English", "es": "Spanish"}


def path_words(path: Sequence[str]) -> list[str]:
    """Each step of a call's path in words; repeated unexpected keys said once with a count."""
    out: list[str] = []
    retries = 0
    for step in [*path, ""]:
        if step == Choice.RETRY.value:
            retries += 1
            continue
        if retries:
            out.append(CHOICES[Choice.RETRY] + (f" ({retries} times)" if retries > 1 else ""))
            retries = 0
        if step:
            out.append(CHOICES.get(Choice(step), step) if step in VALUES else step)
    return out


def queue_words(queue: str | None) -> str:
    """``eligibility-es`` -> ``Eligibility and ID cards, Spanish``."""
    if not queue:
        return "none"
    group, _, lang = queue.rpartition("-")
    return f"{QUEUE_GROUPS.get(group, group)}, {LANGUAGES.get(lang, lang)}"
