"""The step table: every step of every pass, with the steps left out of the timing and why."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.tasks.walk.events import MAX_STEP_S, STEP_RANGE
from gaitlab.tasks.walk.sides import SideEvents
from gaitlab.tasks.walk.timing import typical_steps


def _exclusion(s0: str, s1: str, duration_s: float, typical_s: float) -> str | None:
    """Why a step (heel strike on ``s0`` to the next on ``s1``) is left out of the timing,
    or None; the same rules as :func:`~.timing.temporal_metrics`."""
    if s0 == s1:
        return "two heel strikes of the same foot in a row: the other foot's was missed"
    if duration_s > MAX_STEP_S:
        return f"longer than {MAX_STEP_S:.0f} s: a pause, not a step"
    lo, hi = STEP_RANGE
    if np.isfinite(typical_s) and not lo * typical_s <= duration_s <= hi * typical_s:
        return (
            f"{duration_s / typical_s:.2f} × this foot's typical step (outside {lo}–{hi}): "
            "a missed or a spurious heel strike"
        )
    return None


def pass_steps(
    ev: dict[str, SideEvents],
    pass_index: int,
    heel_at: dict[str, Any],
    frame_at: Any,
    gait: str = "walking",
) -> list[dict[str, Any]]:
    """The steps of one pass, one row per heel strike after the pass's first.

    Parameters
    ----------
    ev
        The pass's events per side.
    pass_index
        The pass's number (0-based).
    heel_at
        Per side, a function of time (s) giving that heel's position along the walking
        direction in leg lengths (NaN where unknown).
    frame_at
        A function of time (s) giving the source frame index.
    gait
        ``"walking"`` or ``"running"``: in running the other foot is in the air at a heel
        strike, so the heels' distance is not the step's length, which is then None.

    Returns
    -------
    Rows ``{pass, t_s, frame, side, duration_s, length_legs, included, excluded_reason}``:
    the step ends with the heel strike at ``t_s`` of ``side``; its length is the distance
    between the two heels along the walking direction at that strike, both feet being on
    the ground then (None when a heel is not seen). The distance, not the signed difference:
    the landing heel leads whichever label the pose model gave it, and in a step-to gait it
    lands level with the other (a length near 0).
    """
    hs = sorted((h, s) for s in SIDES for h in ev[s].hs)
    valid = [
        (s1, t1 - t0)
        for (t0, s0), (t1, s1) in zip(hs[:-1], hs[1:], strict=True)
        if s0 != s1 and t1 - t0 <= MAX_STEP_S
    ]
    typical = typical_steps(valid) if valid else {s: float("nan") for s in SIDES}
    rows = []
    for (t0, s0), (t1, s1) in zip(hs[:-1], hs[1:], strict=True):
        length = abs(float(heel_at[SIDES[0]](t1) - heel_at[SIDES[1]](t1)))
        if gait == "running":
            length = float("nan")
        reason = _exclusion(s0, s1, t1 - t0, typical[s1])
        rows.append(
            {
                "pass": pass_index,
                "t_s": round(float(t1), 4),
                "frame": int(frame_at(t1)),
                "side": s1,
                "duration_s": round(float(t1 - t0), 4),
                "length_legs": round(length, 3) if np.isfinite(length) else None,
                "included": reason is None,
                "excluded_reason": reason,
            }
        )
    return rows
