"""Left or right foot: detected from the print, or given by the user."""

from __future__ import annotations

import numpy as np

from gaitlab.footprint.axis import Axis
from gaitlab.footprint.measure import Measure


def detect_side(ax: Axis, m: Measure) -> tuple[str | None, list[str]]:
    """Left or right from the big toe (medial) and the midfoot contact (lateral).

    With ``v`` the axis turned 90° (x right, y down), a right foot's lateral side is ``+v``:
    the big toe lies at ``v < 0`` and the midfoot band at ``v > 0``; a left foot mirrors.
    The arch cue is used only when there is an arch (midfoot clearly narrower than the
    heel): a collapsed midfoot bulges medially and would point the wrong way.
    """
    heel_w, mid_w = m.widths["heel"][0], m.widths["midfoot"][0]
    toe_vote = arch_vote = None
    if ax.big_toe is not None and len(ax.toes) >= 3 and not any(b.touches_border for b in ax.toes):
        areas = sorted((b.area for b in ax.toes), reverse=True)
        s_big = float((ax.big_toe.centroid - ax.heel) @ ax.v)
        if areas[0] >= 1.3 * areas[1] and abs(s_big) > 0.1 * heel_w:
            toe_vote = "right" if s_big < 0 else "left"
    L = m.t_max - m.t_min
    sel = (m.ts > m.t_min + 5 * L / 12) & (m.ts < m.t_min + 7 * L / 12) & (m.profile > 0)
    if np.count_nonzero(sel) > 3 and mid_w < 0.85 * heel_w:
        offset = float(np.mean(0.5 * (m.s_lo[sel] + m.s_hi[sel])))
        if abs(offset) > 0.08 * heel_w:
            arch_vote = "right" if offset > 0 else "left"
    if toe_vote and arch_vote and toe_vote != arch_vote:
        return None, ["the big toe and the arch point to different feet"]
    return toe_vote or arch_vote, []


def resolve_side(
    side: str | None, detected: str | None, warnings: list[str]
) -> tuple[str | None, str]:
    """The side to report and where it came from (``given``, ``detected`` or ``unknown``);
    warns when a given side disagrees with the print or no side is known."""
    if side is not None:
        side_source = "given"
        if detected is not None and detected != side:
            warnings.append(f"you said {side} foot but the print looks like a {detected} foot")
        final_side = side
    elif detected is not None:
        side_source, final_side = "detected", detected
    else:
        side_source, final_side = "unknown", None
        warnings.append("could not tell left from right: say which foot it is (side=...)")
    return final_side, side_source
