"""The balance analyzer: holds, their measures, the best hold's metrics and flags."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.core.landmarks import SIDES, Landmark
from gaitlab.core.types import Event, PoseSequence
from gaitlab.signals.clean import lowpass
from gaitlab.tasks.balance.context import HoldContext, rounded
from gaitlab.tasks.balance.drop import smooth_obliquity
from gaitlab.tasks.balance.flags import flag_short_hold
from gaitlab.tasks.balance.holds import (
    PHASE_CODES,
    detect_holds,
    hold_mask,
    hold_warnings,
    nearest_index,
)
from gaitlab.tasks.balance.measures import measure_hold
from gaitlab.tasks.balance.norms import targets
from gaitlab.tasks.balance.sway import SWAY_CUTOFF_HZ
from gaitlab.tasks.balance.timer import MIN_LIFT_S, BalanceTimer, Hold
from gaitlab.tasks.base import TaskContext, TaskResult

_BEST_HOLD_KEYS = (
    "sway_rms_pct_leg",
    "sway_path_pct_leg",
    "sway_noise_pct_leg",
    "sway_direction",
    "pelvic_drop_mean_deg",
    "arms_out_time_s",
)


def _hold_context(ctx: TaskContext, timer: BalanceTimer, phase: np.ndarray) -> HoldContext:
    """The hips low-passed for sway (:data:`~.sway.SWAY_CUTOFF_HZ`) and the other tracks the
    per-hold measures share; warnings start with what the timer could not see."""
    pose = ctx.pose
    n = len(pose)
    smooth = lowpass(pose, cutoff_hz=SWAY_CUTOFF_HZ) if n >= 2 else pose
    lh, rh = smooth.point(Landmark.LEFT_HIP), smooth.point(Landmark.RIGHT_HIP)
    return HoldContext(
        ctx=ctx,
        view=np.asarray(ctx.view_per_frame).astype(str),
        standing=phase == PHASE_CODES["standing"],
        mid_x=(lh[:, 0] + rh[:, 0]) / 2.0,
        diff_x=lh[:, 0] - rh[:, 0],
        obliquity=smooth_obliquity(lh, rh, ctx, n),
        warnings=hold_warnings(timer),
        flags=[],
        sway_sig=np.full(n, np.nan),
        drop_sig=np.full(n, np.nan),
    )


def _hold_events(pose: PoseSequence, holds: list[Hold]) -> tuple[list[Event], np.ndarray]:
    """A ``hold_start`` / ``hold_end`` event pair per hold and the per-frame time since the
    start of the hold (NaN outside the holds)."""
    t = pose.t_s
    events: list[Event] = []
    elapsed = np.full(len(pose), np.nan)
    for h in holds:
        for kind, at in (("hold_start", h.start_s), ("hold_end", h.end_s)):
            frame = int(pose.frame_index[nearest_index(t, at)])
            events.append(Event(kind, at, frame, h.stance_leg))
        m = hold_mask(t, h)
        elapsed[m] = t[m] - h.start_s
    return events, elapsed


def _hold_metrics(
    hc: HoldContext, holds: list[Hold], per_hold: list[dict[str, Any]]
) -> dict[str, Any]:
    """Hold counts and times, the longest hold's measures, its target and norm; flags a
    short longest hold."""
    ctx = hc.ctx
    metrics: dict[str, Any] = {"holds": len(holds)}
    for side in SIDES:
        best = [h.hold_s for h in holds if h.stance_leg == side]
        metrics[f"hold_time_{side}_s"] = rounded(max(best), 3) if best else None
    if holds:
        k = int(np.argmax([h.hold_s for h in holds]))
        best_hold, d = holds[k], per_hold[k]
        metrics["hold_time_s"] = rounded(best_hold.hold_s, 3)
        metrics["stance_leg"] = best_hold.stance_leg
        metrics["hold_end_reason"] = best_hold.end_reason
        metrics["hold_began_before_recording"] = best_hold.began_before_recording
        metrics["hold_ended_after_recording"] = best_hold.ended_after_recording
        metrics.update({key: d.get(key) for key in _BEST_HOLD_KEYS})
        if d["pelvic_drop_mean_deg"] is None:
            hc.warnings.append(f"pelvic drop is not reported: {d['pelvic_drop_note']}")
        flag_short_hold(hc, best_hold)
    else:
        hc.warnings.append(
            "no single-leg hold was found: lift one foot clearly off the floor for at least "
            f"{MIN_LIFT_S:g} s with both feet in view"
        )
        best_hold, d = None, {}
        metrics.update({"hold_time_s": None, "stance_leg": None, "hold_end_reason": None})
        metrics["hold_began_before_recording"] = metrics["hold_ended_after_recording"] = None
        metrics.update(dict.fromkeys(_BEST_HOLD_KEYS))
    if ctx.height_cm is not None:
        metrics["sway_rms_cm"] = d.get("sway_rms_cm")
        metrics["sway_path_cm"] = d.get("sway_path_cm")
    metrics.update(targets(ctx, ctx.thresholds, best_hold, hc.warnings))
    return metrics


def analyze_balance(ctx: TaskContext) -> TaskResult:
    """Single-leg balance: holds, hold time, stance leg, sway, pelvic drop, norms, flags.

    Metrics (of the longest hold unless named per leg): ``holds``, ``hold_time_s``,
    ``stance_leg``, ``hold_time_left_s`` / ``hold_time_right_s`` (best hold standing on that
    leg), ``hold_end_reason``, ``hold_began_before_recording`` /
    ``hold_ended_after_recording`` (the hold was under way in the first / still in the last
    frame: its time is "at least"; each ``reps`` entry has ``began_before_recording`` /
    ``ended_after_recording``), ``sway_rms_pct_leg``, ``sway_path_pct_leg``,
    ``sway_noise_pct_leg`` (the noise floor that was removed), ``sway_direction``,
    ``sway_rms_cm`` / ``sway_path_cm`` (with ``ctx.height_cm``), ``pelvic_drop_mean_deg``
    (front/back views), ``arms_out_time_s``, ``target_met`` / ``target_low_s`` /
    ``target_high_s`` (programme target), ``norm_s`` / ``norm_age_band`` /
    ``hold_pct_of_norm`` (with ``ctx.age_years``). Each hold is a ``hold_start`` /
    ``hold_end`` event pair (side = stance leg) and an entry of ``reps`` with its own
    measures. Extra per-frame signals: ``foot_lifted_left``, ``foot_lifted_right``,
    ``balance_phase``, ``balance_hold_elapsed_s``, ``balance_sway_pct_leg``,
    ``stance_pelvic_drop_deg``.
    """
    timer, signals = detect_holds(ctx.pose)
    hc = _hold_context(ctx, timer, signals["balance_phase"])
    events, elapsed = _hold_events(ctx.pose, timer.holds_)
    per_hold = [measure_hold(hc, h) for h in timer.holds_]
    metrics = _hold_metrics(hc, timer.holds_, per_hold)
    signals["balance_hold_elapsed_s"] = elapsed
    signals["balance_sway_pct_leg"] = hc.sway_sig
    signals["stance_pelvic_drop_deg"] = hc.drop_sig
    return TaskResult(
        metrics=metrics,
        events=sorted(events, key=lambda e: e.t_s),
        reps=per_hold,
        flags=sorted(hc.flags, key=lambda f: f.start_s),
        warnings=list(dict.fromkeys(hc.warnings)),
        signals=signals,
    )
