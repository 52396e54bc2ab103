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
    elif len(ax.toes) == 1 and ax.toes[0].elongation >= 2.0 and not ax.toes[0].touches_border:
        toe_vote = _joined_toes_vote(ax)
    L = m.t_max - m.t_min
    sel = (m.ts > m.t_min + 5 * L / 12) & (m.ts < m.t_min + 7 * L / 12) & (m.profile > 0)
    if np.count_nonzero(sel) > 3 and mid_w < 0.85 * heel_w:
        offset = float(np.mean(0.5 * (m.s_lo[sel] + m.s_hi[sel])))
        if abs(offset) > 0.08 * heel_w:
            arch_vote = "right" if offset > 0 else "left"
    if toe_vote and arch_vote and toe_vote != arch_vote:
        return None, ["the big toe and the arch point to different feet"]
    return toe_vote or arch_vote, []


def _joined_toes_vote(ax: Axis) -> str | None:
    """Toes printed as one mark: its big-toe end is the thicker (along the axis) by far."""
    b = ax.toes[0]
    iy, ix = np.nonzero(b.sub)
    P = np.column_stack([ix + b.origin[0], iy + b.origin[1]]).astype(float) - ax.heel
    t, s = P @ ax.u, P @ ax.v
    lo, hi = s.min() + 0.1 * np.ptp(s), s.max() - 0.1 * np.ptp(s)
    thick_lo, thick_hi = np.ptp(t[s <= lo]), np.ptp(t[s >= hi])
    if max(thick_lo, thick_hi) < 1.4 * min(thick_lo, thick_hi):
        return None
    return "right" if thick_lo > thick_hi else "left"  # the big toe is medial: -v on a right foot


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


def pair_sides(
    centres: list[np.ndarray],
    axes: list[np.ndarray],
    lengths: list[float],
    detected: list[str | None],
) -> tuple[list[str | None], list[str], list[str]]:
    """Sides of two feet on one sheet: ``(sides, sources, warnings)``.

    Standing side by side, toes the same way, the right foot is on the right: with ``u``
    the mean heel-to-toe direction and ``v`` it turned 90° (x right, y down, the right
    foot's lateral side), the right foot is the one further along ``v``. That holds when
    the feet point within 45° of each other and stand at least a quarter of a foot length
    apart across ``u``; otherwise each foot's own cues decide (the other gets the other
    side), and when those are missing or both say the same the sides stay unknown.
    """
    u1, u2 = axes
    warnings: list[str] = []
    if float(u1 @ u2) > np.cos(np.radians(45.0)):
        u = (u1 + u2) / np.linalg.norm(u1 + u2)
        v = np.array([-u[1], u[0]])
        across = float((centres[1] - centres[0]) @ v)
        if abs(across) >= 0.25 * float(np.mean(lengths)):
            sides: list[str | None] = ["left", "right"] if across > 0 else ["right", "left"]
            for k, (s, d) in enumerate(zip(sides, detected, strict=True)):
                if d is not None and d != s:
                    warnings.append(
                        f"print {k + 1} stands on the {s} but its toes or arch look like a {d} "
                        "foot: the position is used; check the overlay"
                    )
            return sides, ["position", "position"], warnings
    d1, d2 = detected
    if d1 is not None and d2 is not None and d1 != d2:
        return [d1, d2], ["detected", "detected"], warnings
    if (d1 is None) != (d2 is None):
        known = d1 or d2
        other = "left" if known == "right" else "right"
        sides = [known, other] if d1 is not None else [other, known]
        return sides, ["detected", "paired"] if d1 is not None else ["paired", "detected"], warnings
    warnings.append(
        "could not tell which print is the left foot: stand side by side with the toes "
        "pointing the same way, or photograph one foot at a time and say which (side=...)"
    )
    return [None, None], ["unknown", "unknown"], warnings
