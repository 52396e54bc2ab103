"""What a footprint analysis returns, and the error that asks for a retake."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gaitlab.core.errors import GaitlabError

RETAKE = (
    "retake the photo from straight above with the whole print and a margin of paper "
    "around it in the frame"
)


class FootprintError(GaitlabError):
    """The photo cannot give a footprint measurement; the message says what to retake."""


Point = tuple[float, float]
Segment = tuple[Point, Point]


@dataclass(frozen=True)
class MeasuredWidth:
    """One width across the foot axis: its value and where it was measured.

    ``width_px`` is in the measurement frame (the rectified sheet when the photo was
    rectified, else the photo); ``segment`` runs edge to edge in photo pixels.
    """

    name: str
    label: str
    width_px: float
    segment: Segment


@dataclass(frozen=True)
class FootprintResult:
    """What :func:`analyze_footprint` found. Geometry in photo pixels (x right, y down)."""

    arch_index: float
    chippaux_smirak_index: float
    staheli_index: float
    arch_type: str
    side: str | None
    side_source: str
    side_detected: str | None
    axis: Segment
    thirds: tuple[Segment, Segment, Segment, Segment]
    widths: Mapping[str, MeasuredWidth]
    outline: np.ndarray = field(repr=False)
    toes: tuple[np.ndarray, ...] = field(repr=False)
    foot_length_px: float
    areas_px: Mapping[str, float]
    cutoffs: Mapping[str, dict[str, Any]]
    index_types: Mapping[str, str | None]
    rectified: bool
    image_size: tuple[int, int]
    warnings: tuple[str, ...]

    def summary(self) -> dict[str, Any]:
        """The JSON-able part (no outlines)."""
        return {
            "arch_index": round(self.arch_index, 4),
            "chippaux_smirak_index": round(self.chippaux_smirak_index, 4),
            "staheli_index": round(self.staheli_index, 4),
            "arch_type": self.arch_type,
            "side": self.side,
            "side_source": self.side_source,
            "side_detected": self.side_detected,
            "index_types": dict(self.index_types),
            "cutoffs": {k: dict(v) for k, v in self.cutoffs.items()},
            "widths_px": {k: round(w.width_px, 2) for k, w in self.widths.items()},
            "width_segments_px": {
                k: [[round(c, 1) for c in p] for p in w.segment] for k, w in self.widths.items()
            },
            "foot_length_px": round(self.foot_length_px, 2),
            "areas_px": {k: round(v, 1) for k, v in self.areas_px.items()},
            "axis_px": [[round(c, 1) for c in p] for p in self.axis],
            "rectified": self.rectified,
            "toes_excluded": len(self.toes),
            "warnings": list(self.warnings),
            "note": "A footprint is a screening clue for the arch, not a diagnosis.",
        }
