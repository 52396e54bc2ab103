"""Per-frame measures from a (cleaned) pose sequence.

Every signal is a ``(T,)`` array named with its unit, NaN where a landmark is missing or the
view cannot support it (MEASURES.md). All angles are in the image plane, from pixel
coordinates (x right, y down), and "left/right" are the subject's sides.

==============================  =========  ================================================
signal                          views      zero / sign
==============================  =========  ================================================
``fppa_{side}_deg``             frontal    0 straight; + knee medial of hip–ankle line
                                           (valgus), - lateral (varus)
``pelvic_obliquity_deg``        frontal    0 level; + subject's LEFT hip lower than right
``rearfoot_{side}_deg``         frontal    0 shank and heel line collinear; + ankle lateral
                                           of the knee–heel line = heel tucked medially
                                           (inversion, rolling outward onto the little-toe
                                           side); - eversion
``ankle_shift_{side}_pct_foot`` frontal    ankle relative to the heel/toe midpoint along the
                                           subject's left–right axis, % of foot length;
                                           + lateral (outward). Raw: subtract a baseline.
``trunk_lateral_lean_deg``      frontal    0 upright; + shoulders towards subject's left
``knee_flexion_{side}_deg``     sagittal   0 straight; + flexed (shank behind the thigh's
                                           line), - hyperextended
``trunk_lean_deg``              sagittal   0 upright; + forward (towards the facing side)
``heel_height_{side}_pct_foot`` any        heel rise above its standing baseline, % of foot
                                           length; + up
==============================  =========  ================================================

"Frontal" measures need an anterior or posterior view (oblique up to 30° off-axis, with a
warning by the caller); "sagittal" ones a side view. :func:`compute_signals` blanks them
frame by frame according to the view and says why in ``Signals.unavailable``.
"""

from __future__ import annotations

import warnings

import numpy as np

from gaitlab.core import anthropometry as anthro
from gaitlab.core.geometry import (
    angle_between,
    cross2,
    distance,
    fppa_deg,
    line_tilt_deg,
    midpoint,
    rotate_deg,
    signed_bend_deg,
    tilt_from_vertical_deg,
)
from gaitlab.core.landmarks import SIDES, other_side, side_landmark
from gaitlab.core.types import PoseSequence, Signals
from gaitlab.signals.clean import body_height_px
from gaitlab.signals.plausibility import gate_signals
from gaitlab.signals.view import (
    FRONTAL_VIEWS,
    REPORT_MAX_OFF_AXIS_DEG,
    SAGITTAL_VIEWS,
    VIEW_LABELS,
    facing_sign_x,
)

__all__ = [
    "FOOT_TO_SHANK_RATIO",
    "FRONTAL_SIGNALS",
    "SAGITTAL_SIGNALS",
    "compute_signals",
    "estimate_camera_roll_deg",
    "foot_length_px",
    "remove_roll",
]

FRONTAL_SIGNALS = (
    "fppa_left_deg",
    "fppa_right_deg",
    "pelvic_obliquity_deg",
    "rearfoot_left_deg",
    "rearfoot_right_deg",
    "ankle_shift_left_pct_foot",
    "ankle_shift_right_pct_foot",
    "trunk_lateral_lean_deg",
)
SAGITTAL_SIGNALS = ("knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_lean_deg")

#: Foot length / shank length (knee to ankle) from Winter's anthropometric segment lengths
#: (foot 0.152 H, leg 0.246 H; *Biomechanics and Motor Control of Human Movement*).
FOOT_TO_SHANK_RATIO = anthro.FOOT_TO_SHANK
#: A measured heel–toe distance shorter than this fraction of the length predicted from the
#: shank means the foot points at / away from the camera (foreshortened): use the
#: prediction instead.
FORESHORTENED_FRAC = 0.7
#: The measured foot length is the median of the heel–toe distances within this fraction
#: below their 90th percentile (the full-length cluster): unbiased by landmark jitter.
FOOT_LENGTH_BAND_FRAC = 0.05
#: Percentile of heel image-y (y down) taken as the standing baseline when no baseline
#: window is given: the heel's lowest positions, skipping the lowest 10 % as noise. Valid
#: when the subject is on the spot (calf raises, balance) and flat-footed ≥ 10 % of the time.
HEEL_BASELINE_PERCENTILE = 90.0
#: The baseline is the median of the frames within this fraction of the foot length above
#: that percentile: the percentile alone sits 1.3 noise sigmas below the standing level
#: (about +2 % of foot length on every height at BlazePose-like jitter), the median of the
#: standing cluster does not.
HEEL_BASELINE_BAND_FRAC = 0.05

_NAMES = {
    "fppa": "knee valgus (FPPA)",
    "pelvic_obliquity": "pelvic tilt",
    "rearfoot": "ankle roll (rearfoot angle)",
    "ankle_shift": "sideways ankle shift",
    "trunk_lateral_lean": "sideways trunk lean",
    "knee_flexion": "knee bend (flexion)",
    "trunk_lean": "forward trunk lean",
    "heel_height": "heel height",
}


def _display(name: str) -> str:
    for key in sorted(_NAMES, key=len, reverse=True):
        if name.startswith(key):
            return _NAMES[key]
    return name


def _pt(seq: PoseSequence, side: str, part: str) -> np.ndarray:
    return seq.point(side_landmark(side, part))


# -- camera roll --------------------------------------------------------------------------
def _lowest_at_place(p: np.ndarray, x_tol: float) -> np.ndarray:
    """``(T,)`` largest image y (lowest on screen) that track ``p`` reaches anywhere in the
    clip within about ``x_tol`` pixels horizontally (``x_tol`` to ``2 x_tol``, by bins): the
    floor level under the point. Per place rather than per time window, so that neither a
    tilted floor (camera roll) under a later footfall further along a walk, nor a foot held
    up for many seconds (single-leg stance) is taken for the floor."""
    out = np.full(len(p), np.nan)
    ok = np.isfinite(p).all(axis=1)
    if not ok.any() or not x_tol > 0:
        return out
    bins = np.floor(p[ok, 0] / x_tol).astype(int)
    bins -= bins.min()
    level = np.full(bins.max() + 3, -np.inf)
    np.maximum.at(level, bins + 1, p[ok, 1])
    out[ok] = np.maximum(np.maximum(level[bins], level[bins + 1]), level[bins + 2])
    return out


def _extent_px(seq: PoseSequence) -> np.ndarray:
    """``(T,)`` vertical extent of the detected landmarks: the subject's apparent size."""
    y = seq.xy[..., 1]
    ok = np.isfinite(y).sum(axis=1) >= 2
    out = np.full(len(seq), np.nan)
    if ok.any():
        out[ok] = np.nanmax(y[ok], axis=1) - np.nanmin(y[ok], axis=1)
    return out


def estimate_camera_roll_deg(
    seq: PoseSequence,
    *,
    baseline_s: tuple[float, float] | None = None,
    ground_tol_frac: float = 0.02,
    max_speed_frac: float = 0.25,
    min_spread_frac: float = 0.05,
    same_depth_tol: float = 0.05,
    max_points: int = 300,
    max_roll_deg: float = 20.0,
) -> float:
    """Camera roll in degrees: the on-screen tilt of the floor.

    Zero: camera level. Sign: positive when the floor appears rotated counter-clockwise on
    screen (rising to the right), as :func:`gaitlab.core.geometry.line_tilt_deg`. Pass the result
    as ``roll_deg`` to :func:`compute_signals` / :func:`remove_roll` to undo it.

    Ground contacts are heel and toe (foot_index) positions that are still (slower than
    ``max_speed_frac`` body heights per second) and at their lowest (within
    ``ground_tol_frac`` × body height of the lowest position that landmark reaches at the
    same place, ± half ``min_spread_frac`` body heights horizontally, in the whole clip),
    within ``baseline_s`` when given. Pairs of contacts of the same landmark type (heel with
    heel, toe with toe, so the landmarks' own heights above the sole cancel) at least
    ``min_spread_frac`` × body height apart define floor lines, and the roll is the median
    tilt of those lines. Two kinds of pair qualify: the same foot planted at two times at the
    same depth (apparent body size within ``same_depth_tol``: successive footfalls of a
    side-view walk), and the left and right foot in the same frame while both are flat
    (heels and toes all in contact: standing side by side, calf raises). Left and right
    contacts from different times are never paired: a step apart in depth (walking towards
    the camera, or the two foot lines of a side-view walk) differs by only a few percent in
    apparent size, yet shifts the floor point on screen by enough to tilt a short line by
    10° or more. Lines steeper than ``max_roll_deg`` are not floor lines (a foot held still
    off the floor next to the standing one; a camera turned further needs the video rotated,
    not a correction). NaN when no pair qualifies, e.g. a walk straight towards the camera.

    Accurate only when the floor lines are parallel to the image: feet side by side seen
    square-on, or a walk straight across a side view. A floor line turned by ``a`` out of the
    image plane converges to the horizon and reads ``atan(h tan(a) / d)`` too steep, for a
    camera ``h`` above the floor and ``d`` away: about 1.3° per 5° off square-on at
    1 m / 4 m, so a standing subject filmed 15° off-axis gives a roll about 4° off.
    """
    n = len(seq)
    body = body_height_px(seq)
    if n < 2 or not np.isfinite(body):
        return float("nan")
    t = seq.t_s
    extent = _extent_px(seq)
    frames = np.ones(n, dtype=bool)
    if baseline_s is not None:
        frames = (t >= baseline_s[0]) & (t <= baseline_s[1])
    x_tol = 0.5 * min_spread_frac * body
    points: dict[tuple[str, str], np.ndarray] = {}
    contact: dict[tuple[str, str], np.ndarray] = {}
    for part in ("heel", "foot_index"):
        for side in SIDES:
            p = _pt(seq, side, part)
            with np.errstate(invalid="ignore"):
                speed = np.hypot(np.gradient(p[:, 0], t), np.gradient(p[:, 1], t))
                ok = frames & np.isfinite(p).all(axis=1) & (speed <= max_speed_frac * body)
                ok &= p[:, 1] >= _lowest_at_place(p, x_tol) - ground_tol_frac * body
            points[side, part], contact[side, part] = p, ok
    both_flat = np.logical_and.reduce(list(contact.values()))
    min_dx = min_spread_frac * body
    tilts = []
    for part in ("heel", "foot_index"):
        # The same foot planted at different times (successive footfalls of a side-view walk).
        for side in SIDES:
            idx = np.flatnonzero(contact[side, part])
            if len(idx) > max_points:
                idx = idx[np.linspace(0, len(idx) - 1, max_points).round().astype(int)]
            pp, sc = points[side, part][idx], extent[idx]
            i, j = np.triu_indices(len(pp), k=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                same_depth = np.abs(sc[i] / sc[j] - 1.0) <= same_depth_tol
            sel = same_depth & (np.abs(pp[i, 0] - pp[j, 0]) >= min_dx)
            tilts.append(line_tilt_deg(pp[i[sel]], pp[j[sel]]))
        # Left and right together, only while both feet are flat on the floor (standing).
        pl, pr = points["left", part][both_flat], points["right", part][both_flat]
        sel = np.abs(pl[:, 0] - pr[:, 0]) >= min_dx
        tilts.append(line_tilt_deg(pl[sel], pr[sel]))
    all_tilts = np.concatenate(tilts)
    all_tilts = all_tilts[np.abs(all_tilts) <= max_roll_deg]
    return float(np.median(all_tilts)) if all_tilts.size else float("nan")


def remove_roll(seq: PoseSequence, roll_deg: float) -> PoseSequence:
    """Rotate the pixel landmarks by ``-roll_deg`` about the frame centre, so that a floor
    seen tilted by ``roll_deg`` (see :func:`estimate_camera_roll_deg`) becomes level."""
    if roll_deg == 0 or not np.isfinite(roll_deg):
        return seq
    w, h = seq.frame_size
    return seq.with_xy(rotate_deg(seq.xy, -roll_deg, center=(w / 2.0, h / 2.0)))


# -- scale --------------------------------------------------------------------------------
def foot_length_px(seq: PoseSequence) -> float:
    """Foot length in pixels for normalising heel height and ankle shift.

    The projected heel → foot_index distance is only ever shortened by the view, so its
    longest values over both feet and the clip (the median of those within 5 % of the 90th
    percentile) are the best 2D estimate, valid when the foot is roughly side-on (sagittal
    views). In front/back views the foot points at the camera and
    is foreshortened to a fraction of its length; then (measured < 70 % of the prediction)
    the length is predicted from the shank (knee → ankle, upright and square to the camera
    in those views): shank × foot/shank ratio, the ratio from BlazePose world landmarks when
    present (metric 3D, view-independent) or else Winter's anthropometric 0.62.
    NaN if neither foot nor shank was seen.
    """
    foot = np.concatenate([distance(_pt(seq, s, "heel"), _pt(seq, s, "foot_index")) for s in SIDES])
    shank = np.concatenate([distance(_pt(seq, s, "knee"), _pt(seq, s, "ankle")) for s in SIDES])
    foot, shank = foot[np.isfinite(foot)], shank[np.isfinite(shank)]
    measured = float("nan")
    if foot.size:
        # The percentile alone would sit 1.3 noise sigmas above the true length.
        top = np.percentile(foot, 90)
        measured = float(np.median(foot[foot >= (1.0 - FOOT_LENGTH_BAND_FRAC) * top]))
    if not shank.size:
        return measured
    ratio = FOOT_TO_SHANK_RATIO
    if seq.world is not None:
        wf = np.concatenate(
            [
                np.linalg.norm(
                    seq.world[:, side_landmark(s, "heel")]
                    - seq.world[:, side_landmark(s, "foot_index")],
                    axis=1,
                )
                for s in SIDES
            ]
        )
        ws = np.concatenate(
            [
                np.linalg.norm(
                    seq.world[:, side_landmark(s, "knee")]
                    - seq.world[:, side_landmark(s, "ankle")],
                    axis=1,
                )
                for s in SIDES
            ]
        )
        wf, ws = wf[np.isfinite(wf)], ws[np.isfinite(ws)]
        if wf.size and ws.size and np.median(ws) > 0:
            ratio = float(np.median(wf) / np.median(ws))
    predicted = ratio * float(np.median(shank))
    if np.isfinite(measured) and measured >= FORESHORTENED_FRAC * predicted:
        return measured
    return predicted


# -- the measures -------------------------------------------------------------------------
def _medial(seq: PoseSequence, side: str) -> np.ndarray:
    """Vector from this leg's hip to the other hip: the leg's medial direction in the image,
    right for anterior and posterior views alike."""
    other = other_side(side)
    return _pt(seq, other, "hip") - _pt(seq, side, "hip")


def _facing(seq: PoseSequence) -> np.ndarray:
    """Per-frame facing sign, gaps filled with the clip's majority; NaN if never known."""
    f = facing_sign_x(seq)
    known = f[np.isfinite(f)]
    if known.size:
        majority = np.sign(known.sum()) or known[-1]
        f = np.where(np.isfinite(f), f, majority)
    return f


def _raw_signals(
    seq: PoseSequence, heel_baseline_s: tuple[float, float] | None
) -> dict[str, np.ndarray]:
    v: dict[str, np.ndarray] = {}
    n = len(seq)
    foot_px = foot_length_px(seq)
    facing = _facing(seq)
    hip_l, hip_r = _pt(seq, "left", "hip"), _pt(seq, "right", "hip")
    hip_mid = midpoint(hip_l, hip_r)
    sh_mid = midpoint(_pt(seq, "left", "shoulder"), _pt(seq, "right", "shoulder"))

    for side in SIDES:
        hip, knee, ankle = _pt(seq, side, "hip"), _pt(seq, side, "knee"), _pt(seq, side, "ankle")
        heel, toe = _pt(seq, side, "heel"), _pt(seq, side, "foot_index")
        medial = _medial(seq, side)
        v[f"fppa_{side}_deg"] = fppa_deg(hip, knee, ankle, medial)
        # Rearfoot: + when the ankle lies lateral of the knee–heel line.
        v[f"rearfoot_{side}_deg"] = signed_bend_deg(knee, ankle, heel, -medial)
        lat = -medial / np.linalg.norm(medial, axis=1, keepdims=True)
        shift = ((ankle - midpoint(heel, toe)) * lat).sum(axis=1)
        v[f"ankle_shift_{side}_pct_foot"] = 100.0 * shift / foot_px

        thigh, shank = knee - hip, ankle - knee
        mag = angle_between(thigh, shank)
        # Flexion turns the shank backwards: clockwise on screen when facing image right.
        turn = np.sign(cross2(thigh, shank))
        signed = mag * turn * facing
        v[f"knee_flexion_{side}_deg"] = np.where(np.isfinite(facing), signed, mag)

        y = heel[:, 1]
        if heel_baseline_s is not None:
            win = (seq.t_s >= heel_baseline_s[0]) & (seq.t_s <= heel_baseline_s[1])
            base = np.nanmedian(y[win]) if np.isfinite(y[win]).any() else np.nan
        else:
            base = np.nan
            if np.isfinite(y).any():
                low = np.nanpercentile(y, HEEL_BASELINE_PERCENTILE)
                base = np.nanmedian(y[y >= low - HEEL_BASELINE_BAND_FRAC * foot_px])
        v[f"heel_height_{side}_pct_foot"] = 100.0 * (base - y) / foot_px

    d = hip_l - hip_r
    v["pelvic_obliquity_deg"] = np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0])))
    v["trunk_lateral_lean_deg"] = tilt_from_vertical_deg(hip_mid, sh_mid, toward_x=d[:, 0])
    v["trunk_lean_deg"] = tilt_from_vertical_deg(hip_mid, sh_mid, toward_x=facing)
    return {k: np.asarray(a, dtype=float).reshape(n) for k, a in v.items()}


_REQUIRES = {
    "fppa": ("hip", "knee", "ankle"),
    "rearfoot": ("knee", "ankle", "heel"),
    "ankle_shift": ("ankle", "heel", "foot_index"),
    "knee_flexion": ("hip", "knee", "ankle"),
    "heel_height": ("heel",),
}


def _missing_reason(name: str) -> str:
    for key, parts in _REQUIRES.items():
        if name.startswith(key + "_"):
            side = "left" if "_left_" in name else "right"
            words = [p.replace("_", " ").replace("foot index", "toes") for p in parts]
            if len(words) == 1:
                return f"{_display(name)}: the {side} {words[0]} was not detected in any frame"
            listed = ", ".join(words[:-1]) + " and " + words[-1]
            return f"{_display(name)}: the {side} {listed} were not detected together in any frame"
    if name == "pelvic_obliquity_deg":
        return "pelvic tilt: both hips were not detected together in any frame"
    return f"{_display(name)}: the hips and shoulders were not detected in any frame"


def _gate_reason(name: str, labels: np.ndarray, frontal: bool) -> str:
    what = _display(name)
    present = set(labels.tolist())
    if frontal:
        if present <= set(SAGITTAL_VIEWS):
            where = "this clip is filmed from the side"
        elif present <= {"oblique", *SAGITTAL_VIEWS}:
            where = (
                f"this clip is filmed too far to the side (more than "
                f"{REPORT_MAX_OFF_AXIS_DEG:g}° from straight on)"
            )
        else:
            where = "no part of this clip is filmed from the front or back"
        return f"{what} needs a front or back view; {where}"
    if present == {"anterior"}:
        where = "this clip is filmed from the front"
    elif present == {"posterior"}:
        where = "this clip is filmed from behind"
    elif present <= {"oblique", *FRONTAL_VIEWS}:
        where = (
            f"this clip is filmed too far from the side (more than "
            f"{REPORT_MAX_OFF_AXIS_DEG:g}° off a side view)"
        )
    else:
        where = "no part of this clip is filmed from the side"
    return f"{what} needs a side view; {where}"


def compute_signals(
    seq: PoseSequence,
    view: str | None = None,
    *,
    view_per_frame: np.ndarray | None = None,
    off_axis_deg: np.ndarray | None = None,
    roll_deg: float | None = 0.0,
    heel_baseline_s: tuple[float, float] | None = None,
) -> Signals:
    """Every per-frame measure of the module docstring's table, gated by view.

    Parameters
    ----------
    seq
        A cleaned pose sequence (see :func:`gaitlab.signals.clean.clean_offline`).
    view
        The clip's view (one of :data:`gaitlab.signals.view.VIEW_LABELS`), applied to every frame;
        ``None`` and no ``view_per_frame``: raw signals, no view gating.
    view_per_frame
        ``(T,)`` labels, e.g. from :func:`gaitlab.signals.view.classify_frames`, to gate frame by
        frame (a walk towards the camera then across it). Exclusive with ``view``.
    off_axis_deg
        Optional ``(T,)`` off-axis angles (:func:`gaitlab.signals.view.off_axis_deg` of
        :func:`gaitlab.signals.view.estimate_azimuth_deg`). With it, frontal measures are kept only
        up to 30° off-axis and sagittal ones only within 30° of a side view, whatever the
        label; without it, ``oblique`` frames keep both (the caller must warn).
        ``unknown`` frames are never blanked.
    roll_deg
        Camera roll to remove before measuring (see :func:`estimate_camera_roll_deg`);
        ``None`` estimates it from the clip (0 with a warning when it cannot). Only
        pelvic obliquity, heel height and trunk lean depend on it.
    heel_baseline_s
        ``(start_s, end_s)`` of a standing window for the heel-height baseline; default: the
        clip's 90th percentile of heel image-y.
    """
    n = len(seq)
    if view is not None and view_per_frame is not None:
        raise ValueError("give either view or view_per_frame, not both")
    labels: np.ndarray | None = None
    if view is not None:
        labels = np.full(n, view, dtype="<U14")
    elif view_per_frame is not None:
        labels = np.asarray(view_per_frame).astype(str)
        if labels.shape != (n,):
            raise ValueError(f"view_per_frame: expected shape ({n},), got {labels.shape}")
    if labels is not None:
        bad = sorted(set(labels.tolist()) - set(VIEW_LABELS))
        if bad:
            raise ValueError(f"unknown view label(s) {bad}; expected one of {VIEW_LABELS}")

    if roll_deg is None:
        roll_deg = estimate_camera_roll_deg(seq)
        if not np.isfinite(roll_deg):
            warnings.warn(
                "could not estimate the camera tilt (no still foot contact with the floor "
                "was seen); assuming a level camera",
                stacklevel=2,
            )
            roll_deg = 0.0
    level = remove_roll(seq, roll_deg)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        values = _raw_signals(level, heel_baseline_s)

    unavailable: dict[str, str] = {}
    for name, arr in values.items():
        if not np.isfinite(arr).any():
            unavailable[name] = _missing_reason(name)

    if labels is not None:
        frontal_ok = np.isin(labels, (*FRONTAL_VIEWS, "oblique", "unknown"))
        sagittal_ok = np.isin(labels, (*SAGITTAL_VIEWS, "oblique", "unknown"))
        if off_axis_deg is not None:
            off = np.asarray(off_axis_deg, dtype=float)
            if off.shape != (n,):
                raise ValueError(f"off_axis_deg: expected shape ({n},), got {off.shape}")
            known = np.isfinite(off)
            frontal_ok &= ~known | (off <= REPORT_MAX_OFF_AXIS_DEG)
            sagittal_ok &= ~known | (off >= 90.0 - REPORT_MAX_OFF_AXIS_DEG)
        for names, ok, frontal in (
            (FRONTAL_SIGNALS, frontal_ok, True),
            (SAGITTAL_SIGNALS, sagittal_ok, False),
        ):
            for name in names:
                values[name] = np.where(ok, values[name], np.nan)
                if n and not ok.any():
                    unavailable[name] = _gate_reason(name, labels, frontal)
    # a value no body produces is a failed measurement: withheld, never shown or saved
    gate_signals(values, unavailable)
    return Signals(t_s=seq.t_s.copy(), values=values, unavailable=unavailable)
