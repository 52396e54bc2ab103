"""What the counter reports: measured reps (:class:`CalfRaiseRep`) and its events
(:class:`RepEvent`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gaitlab.core.types import Flag


@dataclass(frozen=True)
class CalfRaiseRep:
    """One measured rep. Times in seconds (clip time), heights in % of foot length.

    ``ankle_roll_*_deg`` is the change of the frontal-plane rearfoot angle from the standing
    baseline before the rep to the top (+ outward); ``ankle_roll_peak_deg`` the larger of the
    two sides (the one to look at). None where the view cannot show it or the foot did not
    work. ``legs``: "both", "left" or "right" (which heels rose with their toes down).
    """

    index: int
    start_s: float
    top_s: float
    hold_end_s: float
    end_s: float
    rise_s: float
    hold_s: float
    lower_s: float
    height_pct_foot: float
    height_cm: float | None
    legs: str
    frame: int
    ankle_roll_left_deg: float | None = None
    ankle_roll_right_deg: float | None = None
    ankle_shift_left_pct_foot: float | None = None
    ankle_shift_right_pct_foot: float | None = None
    wobble_left_pct_foot: float | None = None
    wobble_right_pct_foot: float | None = None
    height_left_pct_foot: float | None = None
    height_right_pct_foot: float | None = None
    detected_s: float = math.nan
    flags: tuple[Flag, ...] = ()

    @property
    def ankle_roll_peak_deg(self) -> float | None:
        vals = [v for v in (self.ankle_roll_left_deg, self.ankle_roll_right_deg) if v is not None]
        return max(vals) if vals else None

    def roll(self, side: str) -> float | None:
        return getattr(self, f"ankle_roll_{side}_deg")

    def to_dict(self) -> dict[str, Any]:
        """The output contract's rep object (DESIGN.md)."""

        def r(v: float | None, nd: int = 3) -> float | None:
            return None if v is None or not math.isfinite(v) else round(float(v), nd)

        return {
            "index": self.index,
            "start_s": r(self.start_s),
            "top_s": r(self.top_s),
            "hold_end_s": r(self.hold_end_s),
            "end_s": r(self.end_s),
            "rise_s": r(self.rise_s),
            "hold_s": r(self.hold_s),
            "lower_s": r(self.lower_s),
            "height_pct_foot": r(self.height_pct_foot, 2),
            "height_cm": r(self.height_cm, 2),
            "height_left_pct_foot": r(self.height_left_pct_foot, 2),
            "height_right_pct_foot": r(self.height_right_pct_foot, 2),
            "legs": self.legs,
            "frame": self.frame,
            "ankle_roll_peak_deg": r(self.ankle_roll_peak_deg, 2),
            "ankle_roll_left_deg": r(self.ankle_roll_left_deg, 2),
            "ankle_roll_right_deg": r(self.ankle_roll_right_deg, 2),
            "ankle_shift_left_pct_foot": r(self.ankle_shift_left_pct_foot, 2),
            "ankle_shift_right_pct_foot": r(self.ankle_shift_right_pct_foot, 2),
            "wobble_left_pct_foot": r(self.wobble_left_pct_foot, 2),
            "wobble_right_pct_foot": r(self.wobble_right_pct_foot, 2),
            "flags": [f.rule for f in self.flags],
        }


@dataclass(frozen=True)
class RepEvent:
    """What :meth:`~gaitlab.tasks.calf_raise.counter.CalfRaiseCounter.update` reports.

    ``type``: ``rep_start`` (heel crossed the start level: a rep is under way),
    ``rep_top`` (the heel reached its plateau), ``rep_lower`` (it left the plateau) — these
    three at detection time, for live feedback — then ``rep_end`` with the finished,
    measured ``rep`` (its phase times are the fitted ones), or ``rep_rejected`` (it was a
    step or incomplete; ``reason``), ``feet_out_of_view`` / ``feet_in_view``.
    """

    type: str
    t_s: float
    frame: int
    rep: CalfRaiseRep | None = None
    reason: str = ""


#: The warning (and ``feet_out_of_view`` event reason) when the feet leave the picture.
FEET_OUT_OF_VIEW = "step back so your feet are in view: the feet left the picture"
