"""A simulated caller: Twilio's webhook requests to the phone menu, signed for real with the
twilio library over the exact URL, as Twilio sends them."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from twilio.request_validator import RequestValidator

TOKEN = "0123456789abcdef0123456789abcdef"  # a made-up auth token, the shape of Twilio's
CALLER_PHONE = "+14155550142"
BUSY_TRIES = 8


def sid(prefix: str = "CA") -> str:
    return prefix + secrets.token_hex(16)


def said(twiml: str) -> list[str]:
    """What the caller hears, in order."""
    return re.findall(r"<Say[^>]*>([^<]*)</Say>", twiml)


def languages(twiml: str) -> set[str]:
    return set(re.findall(r'<Say language="([^"]+)"', twiml))


class Caller:
    """One call: ``start`` rings the number, ``press`` keys digits at the current prompt."""

    def __init__(
        self, client: Any, base: str = "http://testserver", phone: str = CALLER_PHONE
    ) -> None:
        self.client = client
        self.base = base
        self.call_sid = sid()
        self.phone = phone
        self.last = ""

    def post(self, path: str, fields: dict[str, str], token: str = TOKEN) -> Any:
        form = {"CallSid": self.call_sid, "From": self.phone, "To": "+15005550006", **fields}
        signature = RequestValidator(token).compute_signature(self.base + path, form)
        for _ in range(BUSY_TRIES):  # a live server under load may ask to come back (503)
            r = self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})
            if r.status_code != 503:
                break
            time.sleep(min(float(r.headers.get("Retry-After", "1")), 2.0))
        if r.status_code == 200:
            self.last = r.text
        return r

    def start(self) -> Any:
        return self.post("/api/ivr/twilio/voice", {"CallStatus": "ringing"})

    def press(self, digits: str) -> Any:
        return self.post("/api/ivr/twilio/gather", {"Digits": digits})

    def record(self, seconds: int = 14) -> Any:
        return self.post(
            "/api/ivr/twilio/voicemail",
            {
                "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
                "RecordingDuration": str(seconds),
            },
        )

    def hang_up(self) -> Any:
        return self.post("/api/ivr/twilio/status", {"CallStatus": "completed"})

    def heard(self) -> str:
        return " ".join(said(self.last))
