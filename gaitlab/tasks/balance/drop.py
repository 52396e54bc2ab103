"""Pelvic drop over a hold: obliquity against its standing baseline."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.signals.view import FRONTAL_VIEWS
from gaitlab.tasks.balance.context import MIN_COVERAGE, HoldContext, rounded
from gaitlab.tasks.balance.flags import flag_sustained_drop
from gaitlab.tasks.balance.timer import Hold
from gaitlab.tasks.base import TaskContext

#: Lift-off and touch-down transients excluded from the pelvic-drop mean: this many seconds
#: at each end of the hold, at most :data:`DROP_TRIM_FRAC` of the hold.
DROP_TRIM_S = 0.5
DROP_TRIM_FRAC = 0.2
#: Standing baseline for pelvic obliquity: this window before the lift-off (s, s).
BASELINE_WINDOW_S = (5.0, 0.4)
#: Standing time (s) wanted for the baseline: with less before the lift, standing after the
#: touch-down (same window) is added. Pelvic obliquity jitters by ~3° per frame on a 50 px
#: hip line at 2–3 px of noise; the baseline must not add much to the hold's own noise.
MIN_BASELINE_S = 3.0
#: Below this much standing (s) there is no baseline and no pelvic drop.
MIN_BASELINE_ANY_S = 0.3


def _duration(t_s: np.ndarray, mask: np.ndarray) -> float:
    """Seconds covered by the frames in ``mask`` (each frame counts its interval)."""
    if len(t_s) < 2:
        return 0.0
    dt = np.diff(t_s, append=t_s[-1] + np.median(np.diff(t_s)))
    return float(np.sum(dt[mask]))


def measure_drop(hc: HoldContext, h: Hold, m: np.ndarray, d: dict[str, Any]) -> None:
    """Pelvic drop over the hold ``m`` into ``d`` and the drop signal: obliquity minus its
    standing baseline, + when the lifted side drops; flags a sustained drop."""
    t, obl = hc.ctx.pose.t_s, hc.obliquity
    d["pelvic_drop_mean_deg"] = None
    if not m.any() or np.isfinite(obl[m]).mean() < MIN_COVERAGE:
        d["pelvic_drop_note"] = "it needs a front or back view"
        return
    far, near = BASELINE_WINDOW_S
    ok = hc.standing & np.isfinite(obl)
    base_ok = ok & (t >= h.start_s - far) & (t <= h.start_s - near)
    if _duration(t, base_ok) < MIN_BASELINE_S:  # short standing before: add the time after
        base_ok |= ok & (t >= h.end_s + near) & (t <= h.end_s + far)
    if _duration(t, base_ok) < MIN_BASELINE_ANY_S:
        d["pelvic_drop_note"] = "there was no standing on both feet to compare with"
        return
    sign = 1.0 if h.lifted_leg == "left" else -1.0  # obliquity is + when the LEFT hip is lower
    drop = sign * (obl - float(np.median(obl[base_ok])))
    hc.drop_sig[m] = drop[m]
    trim = min(DROP_TRIM_S, DROP_TRIM_FRAC * h.hold_s)
    steady = m & (t >= h.start_s + trim) & (t <= h.end_s - trim) & np.isfinite(drop)
    if steady.any():
        d["pelvic_drop_mean_deg"] = rounded(float(np.mean(drop[steady])))
    if d["view"] == "oblique":
        hc.warnings.append(
            f"pelvic drop of the hold at {h.start_s:.1f} s is from an oblique view: film "
            "square from the front or back for a reliable value"
        )
    flag_sustained_drop(hc, h, np.where(steady, drop, np.nan))


def smooth_obliquity(lh: np.ndarray, rh: np.ndarray, ctx: TaskContext, n: int) -> np.ndarray:
    """Pelvic obliquity (+ when the LEFT hip is lower, as ``pelvic_obliquity_deg``) of the
    low-passed hips, blanked wherever the pipeline's own signal is (view gating).

    On a ~50 px hip line 2–3 px of landmark jitter moves the per-frame angle by ~3°, enough
    to split one sustained drop into several flags; the pelvis itself tilts slowly. Camera
    roll is not removed: it cancels in the drop, a difference from a standing baseline.
    """
    d = lh - rh
    with np.errstate(invalid="ignore"):
        obl = np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0])))
    gate = ctx.signals.values.get("pelvic_obliquity_deg")
    if gate is None:
        return np.where(np.isin(ctx.view_per_frame, FRONTAL_VIEWS), obl, np.nan)
    return np.where(np.isfinite(gate), obl, np.nan) if len(gate) == n else np.full(n, np.nan)
