"""The report's font: a Unicode TrueType face, so degrees, dashes and accents print."""

from __future__ import annotations

from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD = "GaitlabSans", "GaitlabSans-Bold"


def _candidates() -> list[tuple[Path, Path]]:
    """``(regular, bold)`` files to try, best first."""
    candidates = []
    try:
        # matplotlib (a dependency of mediapipe) is imported only for its font files.
        import matplotlib

        ttf = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
        candidates.append((ttf / "DejaVuSans.ttf", ttf / "DejaVuSans-Bold.ttf"))
    except ImportError:
        pass
    rl = Path(reportlab.__file__).parent / "fonts"
    candidates.append((rl / "Vera.ttf", rl / "VeraBd.ttf"))
    return candidates


def register_fonts() -> tuple[str, str]:
    """Register a Unicode TrueType font (degrees, dashes, accents): DejaVu Sans from
    matplotlib (a dependency of mediapipe), else Bitstream Vera shipped with reportlab;
    returns the ``(regular, bold)`` font names (Helvetica when neither is found)."""
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return REGULAR, BOLD
    for regular, bold in _candidates():
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
            pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
            addMapping(REGULAR, 0, 0, REGULAR)
            addMapping(REGULAR, 1, 0, BOLD)
            addMapping(REGULAR, 0, 1, REGULAR)
            addMapping(REGULAR, 1, 1, BOLD)
            return REGULAR, BOLD
    return "Helvetica", "Helvetica-Bold"
