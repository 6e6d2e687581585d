"""Form answers in plain words for the case pages (pure): a field that did not pass, or a
change refused, said as a sentence a person can act on."""

from __future__ import annotations

from pydantic_core import ErrorDetails


def sentence(message: str) -> str:
    """A service message as a sentence: capital letter, full stop."""
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


class PageRefusal(Exception):
    """A change refused, already said in plain words for the page."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message, self.status = message, status


# Plain words for a form field that did not pass, whatever the validator said.
FIELD_HELP = {
    "case_type": "Choose what the case is about.",
    "priority": "Choose a priority.",
    "summary": "Write what the member needs (up to 4,000 characters).",
    "text": "Write the note (up to 4,000 characters).",
    "corrects": "Choose the note this corrects.",
    "state": "Choose the state to move the case to.",
    "rationale": "Write the decision rationale: why (up to 4,000 characters).",
    "reason": "Choose why the case needs the next tier.",
    "context_summary": "Write what the receiver needs to know (up to 4,000 characters).",
    "member_question": "Write the question the member should ask (up to 4,000 characters).",
    "to_user_id": "Choose who or which queue receives the case.",
    "to_queue_id": "Choose who or which queue receives the case.",
}
RULE_HELP = {
    "give exactly one of to_user_id and to_queue_id": "Choose who or which queue receives "
    "the case.",
    "a warm transfer needs the member_question to coach the member": "A warm transfer needs "
    "the question the member should ask.",
}


def plain(errors: list[ErrorDetails]) -> list[str]:
    """Validation errors as sentences a person can act on."""
    out: list[str] = []
    for err in errors:
        field = next((str(p) for p in reversed(err["loc"]) if str(p) in FIELD_HELP), None)
        msg = str(err["msg"]).removeprefix("Value error, ")
        text = FIELD_HELP[field] if field else RULE_HELP.get(msg, sentence(msg))
        if text not in out:
            out.append(text)
    return out
