"""Sway of the pelvis centre over a hold, with the landmark-noise floor removed."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from gaitlab.core import anthropometry as anthro
from gaitlab.core.geometry import distance
from gaitlab.core.landmarks import Landmark, side_landmark
from gaitlab.core.types import PoseSequence
from gaitlab.tasks.balance.context import MIN_COVERAGE, HoldContext, rounded
from gaitlab.tasks.balance.flags import flag_large_sway
from gaitlab.tasks.balance.timer import Hold

#: Low-pass cutoff for the pelvis track before sway is measured. Pelvis (centre-of-mass)
#: sway in quiet single-leg stance lies mostly below 1 Hz; 2 Hz keeps it while removing about
#: two thirds of the remaining landmark-noise variance of a 6 Hz-cleaned track.
SWAY_CUTOFF_HZ = 2.0
#: The sway noise floor is estimated over at least this many seconds around a hold.
NOISE_WINDOW_S = 6.0
#: Eye and shoulder height / stature (Winter's anthropometric segment proportions): the eyes
#: are the highest BlazePose landmarks, so eyes-to-sole pixels / 0.936 is the stature in
#: pixels; seen from behind the face is hidden and the shoulders (0.818) stand in.
EYE_HEIGHT_FRAC = anthro.EYE_HEIGHT_OF_HEIGHT
SHOULDER_HEIGHT_FRAC = anthro.SHOULDER_HEIGHT_OF_HEIGHT

_FACE = (
    Landmark.LEFT_EYE,
    Landmark.RIGHT_EYE,
    Landmark.LEFT_EYE_INNER,
    Landmark.RIGHT_EYE_INNER,
    Landmark.LEFT_EYE_OUTER,
    Landmark.RIGHT_EYE_OUTER,
    Landmark.LEFT_EAR,
    Landmark.RIGHT_EAR,
)


def sway_rms_px(
    mid_x: np.ndarray, diff_x: np.ndarray, noise_diff_x: np.ndarray | None = None
) -> tuple[float, float]:
    """RMS sway of the pelvis centre with the landmark-noise floor removed.

    Landmark jitter adds its variance to the sway's: measured RMS² = true RMS² + σ²_noise,
    which at 2–3 px of noise is a 10–40 % overestimate of a 1 cm sway. The noise variance of
    the hip midpoint ``(L + R) / 2`` equals the variance of ``(L - R) / 2`` when the two
    hips jitter independently, and the true ``L - R`` (hip width on screen) hardly changes
    during a hold while the midpoint carries all the sway. So σ²_noise = var(L - R) / 4.

    Parameters
    ----------
    mid_x, diff_x
        ``(n,)`` hip-midpoint and left-minus-right hip image x over the hold, both filtered
        the same way. NaN frames are skipped.
    noise_diff_x
        Optional left-minus-right hip x over a longer window around the hold (same filter)
        to estimate the noise from: jitter is stationary, and a 2 s hold alone gives the
        estimate only a few degrees of freedom. Default: ``diff_x``.

    Returns
    -------
    ``(rms_px, noise_rms_px)``: the corrected RMS (0 if the noise explains it all) and the
    noise floor that was removed. NaN when fewer than 3 frames.

    A pelvis that turns about the vertical during the hold changes ``L - R`` too (strongly in
    a side view), which over-estimates the noise and so under-estimates the sway.
    """
    ok = np.isfinite(mid_x) & np.isfinite(diff_x)
    nd = diff_x[ok] if noise_diff_x is None else noise_diff_x[np.isfinite(noise_diff_x)]
    if ok.sum() < 3 or nd.size < 3:
        return math.nan, math.nan
    var_mid = float(np.var(mid_x[ok]))
    var_noise = float(np.var(nd)) / 4.0
    return math.sqrt(max(var_mid - var_noise, 0.0)), math.sqrt(var_noise)


def sway_path_px(mid_x: np.ndarray, diff_x: np.ndarray) -> tuple[float, float]:
    """Path length of the pelvis centre (sum of absolute frame-to-frame moves), with the
    noise's own path removed.

    Jitter makes the measured path much longer than the true one (+30–80 % for a 1 cm sway at
    2–3 px of noise, 30 fps) and the excess grows with the frame rate. Treating the
    frame-to-frame moves of sway and noise as independent zero-mean Gaussians, expected path
    lengths add in quadrature: P² = P_sway² + P_noise². The noise's path is that of the
    half left-minus-right hip difference (see :func:`sway_rms_px`), so
    P_sway = √(P² − P_noise²). Returns ``(path_px, noise_path_px)``; NaN with < 2 frames.
    """
    ok = np.isfinite(mid_x) & np.isfinite(diff_x)
    if ok.sum() < 2:
        return math.nan, math.nan
    p = float(np.sum(np.abs(np.diff(mid_x[ok]))))
    pn = float(np.sum(np.abs(np.diff(diff_x[ok])))) / 2.0
    return math.sqrt(max(p * p - pn * pn, 0.0)), pn


def _stance_leg_px(pose: PoseSequence, side: str, mask: np.ndarray) -> float:
    """Median hip→knee→ankle length of the standing leg over the hold: square to the camera
    and straight, unlike the lifted leg (foreshortened in a front view)."""
    hip, knee, ankle = (pose.point(side_landmark(side, q))[mask] for q in ("hip", "knee", "ankle"))
    length = distance(hip, knee) + distance(knee, ankle)
    length = length[np.isfinite(length)]
    return float(np.median(length)) if length.size else math.nan


def _stature_px(pose: PoseSequence, stance: str, mask: np.ndarray) -> float:
    """Stature in pixels during the hold, from the eyes (or, if the face is hidden, the
    shoulders) down to the standing foot's sole, over their fraction of stature."""
    xy = pose.xy[mask]
    sole_lms = [side_landmark(stance, "heel"), side_landmark(stance, "foot_index")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sole = np.nanmax(xy[:, sole_lms, 1], axis=1)
        for lms, frac in (
            (list(_FACE), EYE_HEIGHT_FRAC),
            ([Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER], SHOULDER_HEIGHT_FRAC),
        ):
            ext = sole - np.nanmean(xy[:, lms, 1], axis=1)
            ext = ext[np.isfinite(ext)]
            if ext.size >= MIN_COVERAGE * max(int(mask.sum()), 1):
                return float(np.median(ext)) / frac
    return math.nan


def measure_sway(hc: HoldContext, h: Hold, m: np.ndarray, d: dict[str, Any]) -> None:
    """Sway over the hold ``m`` into ``d`` (in % of the standing leg's length, and in cm
    with the body height) and the sway signal; flags a large sway."""
    pose, t = hc.ctx.pose, hc.ctx.pose.t_s
    leg_px = _stance_leg_px(pose, h.stance_leg, m)
    pad = max(0.0, (NOISE_WINDOW_S - h.hold_s) / 2.0)
    around = (t >= h.start_s - pad) & (t <= h.end_s + pad)
    rms_px, noise_px = sway_rms_px(hc.mid_x[m], hc.diff_x[m], hc.diff_x[around])
    path_px, _ = sway_path_px(hc.mid_x[m], hc.diff_x[m])
    d["leg_length_px"] = rounded(leg_px, 1)
    d["sway_rms_pct_leg"] = rounded(100.0 * rms_px / leg_px)
    d["sway_path_pct_leg"] = rounded(100.0 * path_px / leg_px)
    d["sway_noise_pct_leg"] = rounded(100.0 * noise_px / leg_px)
    mx = hc.mid_x[m]
    if np.isfinite(mx).any():
        hc.sway_sig[m] = 100.0 * (mx - np.nanmean(mx)) / leg_px
    if hc.ctx.height_cm is not None:
        cm_per_px = hc.ctx.height_cm / _stature_px(pose, h.stance_leg, m)
        d["sway_rms_cm"] = rounded(rms_px * cm_per_px)
        d["sway_path_cm"] = rounded(path_px * cm_per_px, 1)
        if not math.isfinite(cm_per_px):
            hc.warnings.append("sway in cm is not reported: the body height was not seen")
    flag_large_sway(hc, h, m, d)
