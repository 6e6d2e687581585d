"""A logging filter that strips PHI-shaped text from every log line and traceback.

The first defence is never logging PHI (search terms travel in bodies, SQL parameters are hidden,
errors name fields, not values); this filter is the net under it.
"""

from __future__ import annotations

import logging
import re

PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b\d{9}-\d{2}\b"), "[member-id]"),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[ssn]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b"), "[phone]"),
    (re.compile(r"\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"), "[date]"),
]


def redact(text: str) -> str:
    """``text`` with member IDs, SSNs, e-mail addresses, phone numbers and dates replaced."""
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback) in place before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not crash the request
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
