"""The report's look: its colours and paragraph styles, built once per report for its font."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle

INK = colors.HexColor("#1d2731")
MUTED = colors.HexColor("#5b6670")
ACCENT = colors.HexColor("#0b5563")
WARN = colors.HexColor("#b35900")
RULE_GREY = colors.HexColor("#d5dade")
#: Background of a measure outside its reference, and of a table's head row.
WARN_BACKGROUND = colors.HexColor("#fff4e5")
HEAD_BACKGROUND = colors.HexColor("#e8eef1")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one report: body text, small print, table cells, headings and
    picture captions, all in the font ``regular`` (``bold`` for the bold ones)."""

    regular: str
    base: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_b: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    caption: ParagraphStyle


def make_styles(regular: str, bold: str) -> Styles:
    """The report's styles in the fonts ``regular`` and ``bold``."""
    base = ParagraphStyle(
        "base", fontName=regular, fontSize=8.6, leading=11.2, textColor=INK, alignment=TA_LEFT
    )
    small = ParagraphStyle("small", parent=base, fontSize=7.4, leading=9.4, textColor=MUTED)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.2, leading=10.2)
    cell_b = ParagraphStyle("cellb", parent=cell, fontName=bold)
    h1 = ParagraphStyle("h1", parent=base, fontName=bold, fontSize=17, leading=21, textColor=ACCENT)
    h2 = ParagraphStyle(
        "h2",
        parent=base,
        fontName=bold,
        fontSize=10.5,
        leading=13,
        textColor=ACCENT,
        spaceBefore=7,
        spaceAfter=3,
    )
    caption = ParagraphStyle("cap", parent=small, alignment=1)
    return Styles(regular, base, small, cell, cell_b, h1, h2, caption)
