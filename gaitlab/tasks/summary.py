"""Clip-level metrics from per-frame signals, and the task guess for ``--task auto``."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.core.geometry import leg_length_px
from gaitlab.core.landmarks import Landmark
from gaitlab.core.types import PoseSequence, Signals
from gaitlab.signals.view import FRONTAL_VIEWS, SAGITTAL_VIEWS

#: A walk moves the pelvis at least this many leg lengths across the image (or changes the
#: subject's apparent size by this fraction when walking toward / away from the camera).
WALK_TRAVEL_LEGS = 1.5
WALK_SCALE_CHANGE = 0.3
#: Calf raises lift the heels at least this far (% of foot length) at least twice.
CALF_RAISE_MIN_PCT = 10.0
#: Walking on the spot or on a treadmill: the feet pass each other (their separation changes
#: sign by more than this many leg lengths) at least this many times.
STEP_SEPARATION_LEGS = 0.15
MIN_FOOT_CROSSINGS = 4


def _peak(values: np.ndarray, mask: np.ndarray) -> float | None:
    v = values[mask & np.isfinite(values)]
    return round(float(v.max()), 2) if v.size else None


def _mean(values: np.ndarray, mask: np.ndarray) -> float | None:
    v = values[mask & np.isfinite(values)]
    return round(float(v.mean()), 2) if v.size else None


def summary_metrics(
    task: str,
    pose: PoseSequence,
    signals: Signals,
    view_per_frame: np.ndarray,
    *,
    height_cm: float | None = None,
) -> dict[str, Any]:
    """Metrics meaningful from per-frame measures alone, each only from frames whose view
    supports it (a measure with no supporting frame is None)."""
    frontal = np.isin(view_per_frame, FRONTAL_VIEWS)
    sagittal = np.isin(view_per_frame, SAGITTAL_VIEWS)
    detected = pose.detected()
    metrics: dict[str, Any] = {
        "duration_analysed_s": round(pose.duration_s, 3),
        "frames_detected": int(detected.sum()),
    }
    for side in ("left", "right"):
        metrics[f"fppa_peak_{side}_deg"] = _peak(
            signals.values.get(f"fppa_{side}_deg", np.full(len(pose), np.nan)), frontal
        )
        metrics[f"knee_flexion_peak_{side}_deg"] = _peak(
            signals.values.get(f"knee_flexion_{side}_deg", np.full(len(pose), np.nan)), sagittal
        )
    if "trunk_lean_deg" in signals:
        metrics["trunk_lean_mean_deg"] = _mean(signals["trunk_lean_deg"], sagittal)
    if height_cm is not None:
        metrics["height_cm"] = height_cm
    return metrics


def infer_task(pose: PoseSequence, signals: Signals) -> str:
    """Guess the task for ``--task auto`` from how the body moves.

    walk: the pelvis travels more than 1.5 leg lengths across the image, the subject's
    apparent size (the trunk) grows or shrinks steadily by 30 % over the clip (walking toward
    or away from the camera), or the feet pass each other at least four times (a treadmill);
    calf-raise: a heel rises more than 10 % of foot length at least twice (the pipeline then
    asks the counter to confirm two reps); otherwise balance.
    """
    hips = (pose.point(Landmark.LEFT_HIP) + pose.point(Landmark.RIGHT_HIP)) / 2
    leg = leg_length_px(pose)
    ok = np.isfinite(hips[:, 0])
    if ok.sum() >= 2 and np.isfinite(leg) and leg > 0:
        travel = np.nanpercentile(hips[ok, 0], 95) - np.nanpercentile(hips[ok, 0], 5)
        if travel > WALK_TRAVEL_LEGS * leg:
            return "walk"
        if _scale_trend(pose, _body_size_px(pose)) > 1 + WALK_SCALE_CHANGE:
            return "walk"
        if _foot_crossings(pose, STEP_SEPARATION_LEGS * leg) >= MIN_FOOT_CROSSINGS:
            return "walk"
    # Each heel on its own: in a single-leg raise the free foot is held up throughout, so
    # the higher of the two heels never comes down.
    rises = 0
    for side in ("left", "right"):
        heel = signals.values.get(f"heel_height_{side}_pct_foot", np.full(len(pose), np.nan))
        with np.errstate(invalid="ignore"):
            up = np.nan_to_num(heel, nan=0.0) > CALF_RAISE_MIN_PCT
        rises = max(rises, int(np.sum(np.diff(up.astype(int)) == 1)))
    if rises >= 2:
        return "calf-raise"
    return "balance"


def _scale_trend(pose: PoseSequence, size_px: np.ndarray) -> float:
    """How many times larger (or smaller, inverted) the subject grows over the clip, from a
    straight line fitted to log apparent size against time.

    A walk toward or away from the camera changes the size steadily; leaning or turning on
    the spot changes it and changes it back (the trunk of a man balancing on one leg, seen
    from behind, shortened by 26 % and recovered within 1.7 s), which the line ignores.
    """
    ok = np.isfinite(size_px) & (size_px > 0)
    if ok.sum() < 3:
        return 1.0
    t_s = np.asarray(pose.t_s, dtype=float)[ok]
    if np.ptp(t_s) <= 0:
        return 1.0
    slope, _ = np.polyfit(t_s, np.log(size_px[ok]), 1)
    return float(np.exp(abs(slope) * np.ptp(t_s)))


def _body_size_px(pose: PoseSequence) -> np.ndarray:
    """Per-frame shoulder-to-hip length in pixels (apparent size).

    The trunk, not shoulder to ankle: a leg swung out to the side or lifted behind moves the
    ankles' midpoint by a third of the body's height (a single-leg stance seen from behind
    changed shoulder-to-ankle by 46 %), while the trunk's length changes only with distance.
    """
    sh = (pose.point(Landmark.LEFT_SHOULDER) + pose.point(Landmark.RIGHT_SHOULDER)) / 2
    hip = (pose.point(Landmark.LEFT_HIP) + pose.point(Landmark.RIGHT_HIP)) / 2
    return np.linalg.norm(hip - sh, axis=1)


def _foot_crossings(pose: PoseSequence, hysteresis_px: float) -> int:
    """How many times the ankles pass each other, along the direction they separate most.

    The left−right ankle vector is projected on its principal axis (forward-back in a side
    view, up-down in a front view); a crossing counts when the projection goes from beyond
    +hysteresis to beyond −hysteresis or back, so jitter around zero never counts.
    """
    d = pose.point(Landmark.LEFT_ANKLE) - pose.point(Landmark.RIGHT_ANKLE)
    d = d[np.isfinite(d).all(axis=1)]
    if len(d) < 3:
        return 0
    centred = d - np.median(d, axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    proj = centred @ vt[0]
    state, crossings = 0, 0
    for v in proj:
        s = 1 if v > hysteresis_px else -1 if v < -hysteresis_px else 0
        if s and s != state:
            crossings += state != 0
            state = s
    return crossings
