"""Reading letters' PDFs back, as a member's viewer would."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pages_text(data: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (lines wrap anywhere). pypdf reads the CJK
    font's two-byte codes with a NUL beside each character (poppler's pdftotext does not)."""
    reader = PdfReader(io.BytesIO(data))
    return [
        re.sub(r"\s+", " ", (page.extract_text() or "").replace("\x00", ""))
        for page in reader.pages
    ]


def squeezed(text: str) -> str:
    """No whitespace at all: CJK text comes out of a PDF with spaces between characters."""
    return re.sub(r"\s+", "", text)
