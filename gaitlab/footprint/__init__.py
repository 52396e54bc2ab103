"""Wet foot test: arch indices from a photo of a footprint (see :mod:`.analyze`): one foot
or a left and a right foot on one sheet, wet prints on paper or cardboard and ink-mat
(pedograph) prints on printed forms.

Real footprint photos with a licence that allows keeping them in the repository were not
found; every test case, the real-world ones included (ink-mat grids, forms with labels and
logos, cardboard, high arches printed in pieces), is synthetic
(:mod:`gaitlab.testing.footprints`), made to look like the real thing. The three reference
prints shown by the app (``reference/*.jpg``) are synthetic prints of known arch index.
"""

from gaitlab.footprint.analyze import analyze_footprint, analyze_sheet, run_footprint
from gaitlab.footprint.indices import ARCH_TYPES, classify_arch
from gaitlab.footprint.overlay import render_overlay
from gaitlab.footprint.result import (
    FootprintError,
    FootprintResult,
    MeasuredWidth,
    SheetResult,
)

__all__ = [
    "ARCH_TYPES",
    "FootprintError",
    "FootprintResult",
    "MeasuredWidth",
    "SheetResult",
    "analyze_footprint",
    "analyze_sheet",
    "classify_arch",
    "render_overlay",
    "run_footprint",
]
