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
    #: How the foot printed: ``sole`` ``"one piece"`` or ``"heel and ball apart"``,
    #: ``midfoot`` ``"band"``, ``"thin strip"`` or ``"no contact"``, ``toes``
    #: ``"separate"``, ``"joined"`` or ``"none found"``.
    print_parts: Mapping[str, str] = field(default_factory=dict)
    side_source_detail: str | None = None

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
            "print_parts": dict(self.print_parts),
            "warnings": list(self.warnings),
            "note": "A footprint is a screening clue for the arch, not a diagnosis.",
        }


#: The indices compared between the feet.
INDICES = ("arch_index", "chippaux_smirak_index", "staheli_index")


@dataclass(frozen=True)
class SheetResult:
    """Every foot measured on one sheet (one, or a left and a right side by side).

    ``feet`` are ordered left to right in the photo; each holds the sheet's warnings too.
    ``warnings`` are the sheet's own (tilt, marks left out, a print cut off).
    """

    feet: tuple[FootprintResult, ...]
    warnings: tuple[str, ...]
    rectified: bool
    image_size: tuple[int, int]

    def foot(self, side: str) -> FootprintResult | None:
        """The ``"left"`` or ``"right"`` foot, if it is on the sheet and its side known."""
        return next((f for f in self.feet if f.side == side), None)

    @property
    def difference(self) -> dict[str, float] | None:
        """Left minus right for each index, when both feet are on the sheet and told apart."""
        left, right = self.foot("left"), self.foot("right")
        if left is None or right is None:
            return None
        return {k: float(getattr(left, k) - getattr(right, k)) for k in INDICES}

    def metrics(self) -> dict[str, float | str]:
        """Flat name → value pairs for the history: ``arch_index_left`` … (no suffix for a
        foot whose side is unknown)."""
        out: dict[str, float | str] = {}
        for f in self.feet:
            tag = f"_{f.side}" if f.side else ""
            for k in INDICES:
                v = getattr(f, k)
                if np.isfinite(v):
                    out[f"{k}{tag}"] = round(float(v), 4)
            out[f"arch_type{tag}"] = f.arch_type
        diff = self.difference
        if diff is not None:
            for k, v in diff.items():
                out[f"{k}_left_minus_right"] = round(v, 4)
        return out

    def summary(self) -> dict[str, Any]:
        """JSON-able: ``feet`` (each foot's summary), the left–right difference, the
        metrics; with one foot its fields are also at the top level (as before)."""
        diff = self.difference
        out: dict[str, Any] = {}
        if len(self.feet) == 1:
            out.update(self.feet[0].summary())
        out.update(
            {
                "feet_found": len(self.feet),
                "feet": [f.summary() for f in self.feet],
                "left_right_difference": None
                if diff is None
                else {k: round(v, 4) for k, v in diff.items()},
                "sheet_warnings": list(self.warnings),
                "rectified": self.rectified,
                "image_size_px": list(self.image_size),
                "metrics": self.metrics(),
                "note": "A footprint is a screening clue for the arch, not a diagnosis.",
            }
        )
        return out
