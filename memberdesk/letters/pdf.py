"""Lay a composed letter out as PDF with fpdf2 (pure Python; no system libraries), fonts from
installed packages (fonts.py). Pure: the letter in, the PDF's bytes out.

The rendered template text is a small line format, so that a template reads as the letter
does: ``# `` a title, ``## `` a heading, ``- `` a bullet, a blank line between paragraphs;
other lines run on into one paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from memberdesk.letters import fonts, words
from memberdesk.letters.compose import Composed
from memberdesk.letters.render import NEUTRAL, SOFT_BREAK

BODY = "dejavu"
CJK_ALL = "notocjk"  # the whole CJK font, only when the letter's own text needs it
CJK_TAGS = "notocjk-tags"  # the taglines' subset
SIZE = 10.5
LINE = 5.2
MARGIN = 20.0  # mm

PAGE_WORDS = {"en": ("Page", "of", "Reference"), "es": ("Página", "de", "Referencia")}


@dataclass(frozen=True)
class Recipient:
    """Who the letter is addressed to, and where (already chosen: confidential or home)."""

    name: str
    address_lines: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    kind: str  # title, heading, bullet, para
    text: str


def blocks(text: str) -> list[Block]:
    """Rendered template text as blocks of the line format."""
    out: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(Block("para", " ".join(para)))
            para.clear()

    for raw in text.split("\n"):  # not splitlines(): it also splits at SOFT_BREAK
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            out.append(Block("heading", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            out.append(Block("title", line[2:].strip()))
        elif line.startswith("- "):
            flush()
            out.append(Block("bullet", line[2:].strip()))
        else:
            para.append(line)
    flush()
    return out


def _shown(text: str) -> str:
    return text.replace(NEUTRAL, "").replace(SOFT_BREAK, "\n")


def _document(composed: Composed, needs_cjk: bool) -> Any:
    from fpdf import FPDF

    words_ = PAGE_WORDS.get(composed.language, PAGE_WORDS["en"])

    class LetterPDF(FPDF):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-14)
            self.set_font(BODY, size=8)
            self.set_text_color(90, 90, 90)
            page = f"{words_[0]} {self.page_no()} {words_[1]} {{nb}}"
            self.cell(0, 5, f"{words_[2]} {composed.reference}  ·  {page}", align="C")

    pdf = LetterPDF(format="Letter", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=20)
    # No names in the document's properties: they travel with the file and show in viewers.
    pdf.set_title("Letter")
    pdf.set_creator("memberdesk")
    pdf.add_font(BODY, "", str(fonts.dejavu()))
    pdf.add_font(BODY, "B", str(fonts.dejavu(bold=True)))
    if needs_cjk:
        pdf.add_font(CJK_ALL, "", str(fonts.cjk()))
        pdf.set_fallback_fonts([CJK_ALL])
    # Shaping (HarfBuzz) joins Arabic and Persian letters and orders right-to-left text.
    pdf.set_text_shaping(True)
    return pdf


def _write(pdf: Any, block: Block) -> None:
    width = pdf.epw
    if block.kind == "title":
        pdf.set_font(BODY, "B", 14)
        pdf.multi_cell(width, 7, _shown(block.text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    elif block.kind == "heading":
        pdf.ln(2)
        pdf.set_font(BODY, "B", 11.5)
        pdf.multi_cell(width, 6, _shown(block.text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    elif block.kind == "bullet":
        pdf.set_font(BODY, "", SIZE)
        pdf.cell(6, LINE, "•")
        pdf.multi_cell(
            width - 6, LINE, _shown(block.text), align="L", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(1)
    else:
        pdf.set_font(BODY, "", SIZE)
        pdf.multi_cell(width, LINE, _shown(block.text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)


def _letterhead(pdf: Any, composed: Composed, recipient: Recipient) -> None:
    pdf.set_font(BODY, "B", 10)
    pdf.set_text_color(30, 60, 110)
    pdf.cell(0, 5, composed.letterhead, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    pdf.set_font(BODY, "", SIZE)
    pdf.cell(0, LINE, words.day(composed.letter_date, composed.language))
    pdf.ln(LINE * 2)
    for line in (recipient.name, *recipient.address_lines):
        pdf.cell(0, LINE, _shown(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)


def _taglines_page(pdf: Any, composed: Composed) -> None:
    pdf.add_page()
    pdf.set_font(BODY, "B", 14)
    pdf.cell(0, 8, composed.tagline_heading, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(BODY, "", 9.5)
    pdf.multi_cell(pdf.epw, 5, composed.tagline_english, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for tag in composed.taglines:
        family = BODY if fonts.drawable(tag.name + tag.text) else CJK_TAGS
        pdf.set_font(family, "", 9.5)
        align = "R" if tag.rtl else "L"
        pdf.multi_cell(pdf.epw, 5, tag.text, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def to_pdf(composed: Composed, recipient: Recipient) -> tuple[bytes, int]:
    """The letter as PDF (and its page count): letterhead, body, rights notice, then the
    taglines page."""
    own_text = composed.body + composed.rights + recipient.name + "".join(recipient.address_lines)
    pdf = _document(composed, needs_cjk=not fonts.drawable(own_text))
    if not all(fonts.drawable(t.name + t.text) for t in composed.taglines):
        from memberdesk.letters.compose import all_tagline_text

        pdf.add_font(CJK_TAGS, "", str(fonts.cjk_subset(all_tagline_text())))
    pdf.add_page()
    _letterhead(pdf, composed, recipient)
    for block in blocks(composed.body):
        _write(pdf, block)
    pdf.ln(2)
    for block in blocks(composed.rights):
        _write(pdf, block)
    _taglines_page(pdf, composed)
    return bytes(pdf.output()), int(pdf.pages_count)
