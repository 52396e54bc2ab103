"""The calf-raise analyzer of a whole clip (:func:`analyze_calf_raise`): the counter run
over the cleaned pose, its reps summed up, per-frame signals for frames.csv."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.core.types import Event, Flag, PoseSequence
from gaitlab.signals.camera_motion import camera_moved_warning, stabilise
from gaitlab.signals.measures import estimate_camera_roll_deg, foot_length_px
from gaitlab.signals.plausibility import gate_signals, withheld_reason
from gaitlab.signals.view import estimate_azimuth_deg, off_axis_deg
from gaitlab.tasks.base import TaskContext, TaskResult
from gaitlab.tasks.calf_raise.config import CalfRaiseConfig
from gaitlab.tasks.calf_raise.counter import CalfRaiseCounter
from gaitlab.tasks.calf_raise.fatigue_test import heel_rise_test
from gaitlab.tasks.calf_raise.inputs import CalfRaiseInputs, foot_length_cm
from gaitlab.tasks.calf_raise.results import FEET_OUT_OF_VIEW, CalfRaiseRep

#: The camera roll (:func:`gaitlab.signals.measures.estimate_camera_roll_deg`) is undone only within
#: this many degrees of a frontal or side view: in between, the feet stand at different
#: distances and the line between them looks tilted by perspective alone.
CAMERA_ROLL_MAX_OFF_AXIS_DEG = 10.0


def _frontal_mask(ctx: TaskContext) -> np.ndarray:
    n = len(ctx.pose)
    out = np.zeros((n, 2), bool)
    for k, side in enumerate(SIDES):
        name = f"ankle_shift_{side}_pct_foot"
        if name in ctx.signals:
            out[:, k] = np.isfinite(ctx.signals[name])
        else:
            out[:, k] = np.isin(
                np.asarray(ctx.view_per_frame).astype(str), ("anterior", "posterior")
            )
    return out


def _mean(values: list[float | None]) -> float | None:
    v = [x for x in values if x is not None and math.isfinite(x)]
    return round(float(np.mean(v)), 3) if v else None


def _camera_roll(pose: PoseSequence, azimuth: np.ndarray) -> float:
    """The camera roll to undo, or 0 (see :data:`CAMERA_ROLL_MAX_OFF_AXIS_DEG`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        roll = estimate_camera_roll_deg(pose)
        off = float(np.nanmedian(off_axis_deg(azimuth))) if np.isfinite(azimuth).any() else 0.0
    lo, hi = CAMERA_ROLL_MAX_OFF_AXIS_DEG, 90.0 - CAMERA_ROLL_MAX_OFF_AXIS_DEG
    if not math.isfinite(roll) or lo < off < hi:
        return 0.0
    return roll


def _run_counter(
    ctx: TaskContext,
    pose: PoseSequence,
    inputs: CalfRaiseInputs,
    foot_px: float,
    config: CalfRaiseConfig | None,
) -> tuple[CalfRaiseCounter, np.ndarray]:
    """The counter fed every frame, and the heel rise it saw frame by frame."""
    foot_cm = None
    if ctx.height_cm is not None:
        fc = foot_length_cm(pose, ctx.height_cm, foot_px)
        foot_cm = fc if math.isfinite(fc) else None
    counter = CalfRaiseCounter(config, thresholds=ctx.thresholds, sex=ctx.sex, foot_cm=foot_cm)
    heel_rise = np.full(len(ctx.pose), np.nan)
    for i, fr in enumerate(inputs.frames()):
        counter.update(fr)
        heel_rise[i] = counter.heel_rise_pct_
    counter.finish()
    return counter, heel_rise


def _frame_signals(
    pose: PoseSequence,
    inputs: CalfRaiseInputs,
    heel_rise: np.ndarray,
    roll_signal: dict[int, tuple[float, float]],
) -> dict[str, np.ndarray]:
    """Per-frame signals for frames.csv: the inputs, the heel rise, each ankle's roll."""
    n = len(pose)
    sig = inputs.signals()
    sig["heel_rise_pct_foot"] = heel_rise
    row_of = {int(f): i for i, f in enumerate(pose.frame_index)}
    for k, side in enumerate(SIDES):
        a = np.full(n, np.nan)
        for fr, vals in roll_signal.items():
            if fr in row_of:
                a[row_of[fr]] = vals[k]
        sig[f"ankle_roll_{side}_deg"] = a
    return sig


def _rep_events(pose: PoseSequence, reps: list[CalfRaiseRep]) -> list[Event]:
    """Each rep's start, top and end as timeline events."""
    events: list[Event] = []
    for rep in reps:
        side = None if rep.legs == "both" else rep.legs
        for typ, tt in (("rep_start", rep.start_s), ("rep_top", rep.top_s), ("rep_end", rep.end_s)):
            fr = int(pose.frame_index[int(np.argmin(np.abs(pose.t_s - tt)))])
            events.append(Event(typ, float(tt), fr, side))
    return events


def _rep_metrics(reps: list[CalfRaiseRep], feet_seen: float) -> dict[str, Any]:
    """The set's summary: count, legs, mean phase times, heel heights, ankle roll, wobble."""
    cms = [r.height_cm for r in reps if r.height_cm is not None]
    heights = [r.height_pct_foot for r in reps if math.isfinite(r.height_pct_foot)]
    legs = {r.legs for r in reps}
    metrics: dict[str, Any] = {
        # feet (almost) never in view: the count is unknown, not zero
        "reps": len(reps) if reps or feet_seen >= 0.2 else None,
        "legs": (legs.pop() if len(legs) == 1 else "mixed") if reps else None,
        "rise_mean_s": _mean([r.rise_s for r in reps]),
        "hold_mean_s": _mean([r.hold_s for r in reps]),
        "lower_mean_s": _mean([r.lower_s for r in reps]),
        "heel_rise_peak_pct_foot": round(max(heights), 2) if heights else None,
        "heel_rise_mean_pct_foot": _mean([r.height_pct_foot for r in reps]),
        "heel_rise_peak_cm": round(max(cms), 2) if cms else None,
    }
    for side in SIDES:
        vals = [v for r in reps if (v := r.roll(side)) is not None]
        metrics[f"ankle_roll_peak_{side}_deg"] = round(max(vals), 2) if vals else None
        metrics[f"ankle_wobble_mean_{side}_pct_foot"] = _mean(
            [getattr(r, f"wobble_{side}_pct_foot") for r in reps]
        )
    return metrics


#: A clip shorter than this cannot learn a standing baseline and show a whole raise.
MIN_SET_S = 2.0


def _why_no_reps(
    pose: PoseSequence,
    counter: CalfRaiseCounter,
    feet_seen: float,
    camera_moves_s: tuple[float, ...],
    heel_rise: np.ndarray,
) -> str:
    """Why no rep was counted, in words (never a silent zero)."""
    why: list[str] = []
    if pose.duration_s < MIN_SET_S:
        why.append(
            f"the recording is too short ({pose.duration_s:.1f} s): a raise and the standing "
            "before it need at least 2 s"
        )
    if feet_seen < 0.8:
        why.append(f"the feet were in view in only {feet_seen:.0%} of frames")
    for reason in dict.fromkeys(r for _, r in counter.rejected_):
        why.append(f"a raise was seen but not counted: {reason}")
    if camera_moves_s and why:
        why.append(camera_moved_warning(camera_moves_s))
    if not why:
        peak = float(np.nanmax(heel_rise)) if np.isfinite(heel_rise).any() else math.nan
        level = counter.config.start_level_pct
        why.append(
            f"the heels never rose {level:g} % of a foot length above the floor"
            + (f" (highest {peak:.0f} %)" if math.isfinite(peak) else "")
        )
    return "; ".join(why)


def _roll_unavailable(ctx: TaskContext, inputs: CalfRaiseInputs) -> str | None:
    """Why the ankle roll cannot be measured in this clip (None: it can)."""
    if np.isfinite(inputs.ankle_lat_pct).any():
        return None
    return ctx.signals.unavailable.get(
        "rearfoot_left_deg",
        "ankle roll needs a front or back view; no part of this clip is filmed from the "
        "front or back",
    ).replace(" (rearfoot angle)", "")


def analyze_calf_raise(
    ctx: TaskContext, mode: str = "set", config: CalfRaiseConfig | None = None
) -> TaskResult:
    """Count and measure calf raises (:mod:`gaitlab.tasks.calf_raise`).

    ``mode``: ``"set"`` (an exercise set) or ``"test"`` (single-leg heel-rise test to
    fatigue, scored by :func:`heel_rise_test`). Runs :class:`CalfRaiseCounter` frame by frame
    over the cleaned pose, exactly as the live path does.
    """
    if mode not in ("set", "test"):
        raise ValueError(f"mode must be 'set' or 'test', got {mode!r}")
    # heights and positions in the clip's first framing: a zoom, pan or shaking hand
    # moves the whole picture, not the heels
    stab = stabilise(ctx.pose)
    pose = stab.pose
    foot_px = foot_length_px(pose) if len(pose) else math.nan
    if not (math.isfinite(foot_px) and foot_px > 0):
        why = f"{FEET_OUT_OF_VIEW.split(':')[0]}: the feet were not seen"
        return TaskResult(
            metrics={"reps": None, "legs": None, "reps_unavailable": why}, warnings=[why]
        )
    azimuth = estimate_azimuth_deg(pose)
    inputs = CalfRaiseInputs.from_pose(
        pose,
        foot_px=foot_px,
        roll_deg=_camera_roll(pose, azimuth),
        frontal=_frontal_mask(ctx),
        azimuth_deg=azimuth,
        camera_moving=stab.moving,
    )
    counter, heel_rise = _run_counter(ctx, pose, inputs, foot_px, config)
    reps = counter.reps_
    warn = list(counter.warnings_)
    if stab.camera_moves_s:
        warn.append(camera_moved_warning(stab.camera_moves_s))
    feet_seen = float(
        (np.isfinite(inputs.heel_pct) & np.isfinite(inputs.toe_pct)).any(axis=1).mean()
    )
    if feet_seen < 0.8 and FEET_OUT_OF_VIEW not in warn:
        warn.append(
            f"{FEET_OUT_OF_VIEW.split(':')[0]}: they were seen in only {feet_seen:.0%} of frames"
        )
    sig = _frame_signals(pose, inputs, heel_rise, counter.roll_signal_)
    withheld = gate_signals(sig, {}, ctx.thresholds)
    if withheld.get("heel_rise_pct_foot"):
        warn.append(withheld_reason("heel_rise_pct_foot", ctx.thresholds))
    roll_reason = _roll_unavailable(ctx, inputs)
    if roll_reason is not None:
        warn.append(roll_reason)
    events = _rep_events(pose, reps)
    flags: list[Flag] = [f for rep in reps for f in rep.flags]
    metrics = _rep_metrics(reps, feet_seen)
    if not reps:
        metrics["reps_unavailable"] = _why_no_reps(
            pose, counter, feet_seen, stab.camera_moves_s, heel_rise
        )
    if reps and roll_reason is None and not any(r.ankle_roll_peak_deg is not None for r in reps):
        warn.append("ankle roll: the working feet were not seen from the front or back")
    if ctx.height_cm is None and reps:
        warn.append("heel height in cm needs the subject's height")
    if mode == "test":
        m, f, notes = heel_rise_test(
            reps, ctx.thresholds, sex=ctx.sex, body_mass_kg=ctx.body_mass_kg
        )
        metrics.update(m)
        flags += f
        warn += notes
        if ctx.body_mass_kg is None:
            warn.append("heel-rise test work (J) needs the subject's body mass")
    return TaskResult(
        metrics=metrics,
        events=sorted(events, key=lambda e: e.t_s),
        reps=[r.to_dict() for r in reps],
        flags=sorted(flags, key=lambda f: f.start_s),
        warnings=list(dict.fromkeys(warn)),
        signals=sig,
    )
