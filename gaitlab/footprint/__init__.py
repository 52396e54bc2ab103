"""Wet foot test: arch indices from a photo of a footprint (see :mod:`.analyze`)."""

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
