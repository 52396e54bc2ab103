"""Everything measured over one hold: view, sway, pelvic drop and arms."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.core.geometry import angle_between
from gaitlab.core.landmarks import SIDES, side_landmark
from gaitlab.core.types import PoseSequence
from gaitlab.signals.view import FRONTAL_VIEWS, SAGITTAL_VIEWS
from gaitlab.tasks.balance.context import MIN_COVERAGE, HoldContext, rounded
from gaitlab.tasks.balance.drop import measure_drop
from gaitlab.tasks.balance.holds import hold_mask
from gaitlab.tasks.balance.sway import measure_sway
from gaitlab.tasks.balance.timer import Hold


def _majority_view(labels: np.ndarray) -> str:
    vals, counts = np.unique(labels.astype(str), return_counts=True)
    return str(vals[np.argmax(counts)]) if vals.size else "unknown"


def _arms_out_s(
    pose: PoseSequence, view: np.ndarray, mask: np.ndarray, limit_deg: float
) -> float | None:
    """Seconds of the hold with either arm abducted beyond ``limit_deg`` (shoulder→wrist
    against shoulder→hip), from front/back views only; None when fewer than half of the
    hold's frames are frontal with the arms seen."""
    ang = np.full(len(pose), np.nan)
    for side in SIDES:
        sh = pose.point(side_landmark(side, "shoulder"))
        a = angle_between(
            pose.point(side_landmark(side, "hip")) - sh,
            pose.point(side_landmark(side, "wrist")) - sh,
        )
        ang = np.fmax(ang, a)
    seen = np.isin(view, FRONTAL_VIEWS) & mask & np.isfinite(ang)
    if seen.sum() < MIN_COVERAGE * max(int(mask.sum()), 1):
        return None
    dt = np.diff(pose.t_s, append=pose.t_s[-1])
    with np.errstate(invalid="ignore"):
        return float(np.sum(dt[seen & (ang > limit_deg)]))


def measure_hold(hc: HoldContext, h: Hold) -> dict[str, Any]:
    """Everything measured over one hold, as a JSON-ready dict (also its ``reps`` entry)."""
    pose, th = hc.ctx.pose, hc.ctx.thresholds
    t = pose.t_s
    m = hold_mask(t, h)
    hv = _majority_view(hc.view[m])
    d: dict[str, Any] = {
        "index": h.index,
        "start_s": round(h.start_s, 3),
        "end_s": round(h.end_s, 3),
        "hold_s": round(h.hold_s, 3),
        "stance_leg": h.stance_leg,
        "end_reason": h.end_reason,
        "began_before_recording": h.began_before_recording,
        "ended_after_recording": h.ended_after_recording,
        "view": hv,
        "sway_direction": "medio-lateral"
        if hv in FRONTAL_VIEWS
        else "antero-posterior"
        if hv in SAGITTAL_VIEWS
        else "mixed",
    }
    measure_sway(hc, h, m, d)
    measure_drop(hc, h, m, d)
    arms = th.get("balance_arms_out")
    d["arms_out_time_s"] = (
        rounded(_arms_out_s(pose, hc.view, m, arms.for_sex())) if arms is not None else None
    )
    return d
