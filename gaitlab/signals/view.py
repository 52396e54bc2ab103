"""Camera view classification: from which side the camera sees the subject, frame by frame.

Labels (MEASURES.md "Views"): ``anterior`` (camera in front), ``posterior`` (behind),
``sagittal_left`` (the subject's **left** side faces the camera), ``sagittal_right``,
``oblique`` (in between) and ``unknown`` (hips or shoulders not detected).

Geometry
--------
Subject frame (right-handed): X forward, Y to the subject's left, Z up. A camera at azimuth
``φ`` sits in direction ``(cos φ, sin φ, 0)`` from the subject and looks back at them with
its image "right" axis ``r = view × up = (-sin φ, cos φ, 0)``. Hence:

* ``φ = 0`` (anterior): the subject's left (+Y) projects to image **right**, as MEASURES
  says; ``φ = 180`` (posterior): to image left.
* ``φ = +90`` (camera on the subject's left, ``sagittal_left``): forward (+X) projects to
  image **left**, so the subject faces / walks towards the image left. ``φ = -90``
  (``sagittal_right``): the subject faces image right. Checked on real footage: the man
  walking right→left in ``walk_side_outdoor_60fps.mp4`` is ``sagittal_left``. The label is
  about which side faces the camera, not about the direction of travel.

The azimuth is recovered per frame as ``φ = atan2(sin, cos)`` with

* ``|cos φ|`` from the apparent width of the body: (hip width + shoulder width) / torso
  length, divided by the same ratio seen square-on. Width shrinks with ``|cos φ|`` while
  the torso length (a vertical segment) does not, and the ratio is independent of distance.
* the sign of ``cos φ`` from the left/right order: subject's left on image right → anterior.
* the sign of ``sin φ`` (which side is nearer) from two votes: BlazePose gives the occluded
  far side lower visibility, and the nose points forward, i.e. to image left when the left
  side faces the camera (``-sin φ`` is the image-x of "forward").

When BlazePose world landmarks are present the azimuth comes from them directly (their x is
image-right and z grows away from the camera, so ``φ = atan2(-Δz, Δx)`` of the left-minus-
right hip and shoulder vectors), with the 2D estimate as fallback per frame.

The thresholds below are geometric classification parameters, not clinical thresholds, so
they live here rather than in the thresholds file.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from gaitlab.core.geometry import distance, leg_length_px, midpoint
from gaitlab.core.landmarks import SIDES, Landmark, side_landmark
from gaitlab.core.types import PoseSequence

__all__ = [
    "FRONTAL_VIEWS",
    "SAGITTAL_VIEWS",
    "VIEW_LABELS",
    "ViewSummary",
    "classify_clip",
    "classify_frames",
    "estimate_azimuth_deg",
    "facing_sign_x",
    "label_from_azimuth",
    "off_axis_deg",
    "width_ratio",
]

VIEW_LABELS = ("anterior", "posterior", "sagittal_left", "sagittal_right", "oblique", "unknown")
FRONTAL_VIEWS = ("anterior", "posterior")
SAGITTAL_VIEWS = ("sagittal_left", "sagittal_right")

#: (hip width + shoulder width) / torso length (mid-shoulder to mid-hip), in pixels, of an
#: adult seen square-on. Anthropometry (Winter's segment proportions; shoulder-joint spacing
#: ≈ 0.20 H, BlazePose hip spacing ≈ 0.13 H, torso ≈ 0.29 H) gives ≈ 1.1–1.2. Used as the
#: square-on reference when the clip itself never shows a wide enough body.
EXPECTED_FRONTAL_WIDTH_RATIO = 1.15
#: Narrowest plausible square-on ratio. If the widest frames of the clip (95th percentile)
#: reach it, the clip is assumed to contain square-on frames and they become the reference
#: (adapting to this subject's build). Consequence: a clip that never shows the subject
#: square-on but stays within ~30° of it cannot be told from a narrow build in 2D; it is
#: read as frontal. World landmarks, when present, do not have this limit.
MIN_FRONTAL_WIDTH_RATIO = 0.95
#: Off-axis angle (0 = square-on front/back, 90 = side) up to which a frame is labelled
#: anterior/posterior. ``|cos|`` ≥ 0.94: landmark noise and the pelvis's own ±5° rotation in
#: gait stay inside.
FRONTAL_MAX_OFF_AXIS_DEG = 20.0
#: Off-axis angle from which a frame is labelled sagittal (within 20° of a true side view).
SAGITTAL_MIN_OFF_AXIS_DEG = 70.0
#: MEASURES.md: beyond about 30° off-axis frontal measures are not reported (and, by the
#: same projection error, sagittal ones beyond 30° from the side).
REPORT_MAX_OFF_AXIS_DEG = 30.0
#: Visibility difference (mean left-side minus mean right-side) that counts as a full vote
#: for the nearer side.
VIS_DIFF_FULL_VOTE = 0.2
#: Nose ahead of the ear midpoint by this fraction of torso length counts as a full vote.
NOSE_OFFSET_FULL_VOTE = 0.1
#: Nose-ahead-of-ears or toe-ahead-of-heel offsets below this fraction of leg length do not
#: vote for the facing direction.
NOSE_OFFSET_MIN = 0.02
#: Mean nose/eye visibility below which the face counts as not visible, and above which it
#: counts as clearly visible (for the left/right-swap warning).
FACE_HIDDEN_MAX_VIS = 0.3
FACE_SHOWN_MIN_VIS = 0.8
#: Median filter on the azimuth (seconds) and shortest view segment kept (seconds): a view
#: does not change faster than a person turns, so shorter blips are noise.
SMOOTH_S = 0.5
MIN_SEGMENT_S = 0.5

_LEFT_SIDE = tuple(
    Landmark[f"LEFT_{p}"]
    for p in (
        "EAR",
        "EYE",
        "SHOULDER",
        "ELBOW",
        "WRIST",
        "HIP",
        "KNEE",
        "ANKLE",
        "HEEL",
        "FOOT_INDEX",
    )
)
_RIGHT_SIDE = tuple(Landmark[lm.name.replace("LEFT_", "RIGHT_")] for lm in _LEFT_SIDE)
_FACE = (Landmark.NOSE, Landmark.LEFT_EYE, Landmark.RIGHT_EYE)


def _torso_px(seq: PoseSequence) -> np.ndarray:
    sh = midpoint(seq.point(Landmark.LEFT_SHOULDER), seq.point(Landmark.RIGHT_SHOULDER))
    hip = midpoint(seq.point(Landmark.LEFT_HIP), seq.point(Landmark.RIGHT_HIP))
    return distance(sh, hip)


def width_ratio(seq: PoseSequence) -> np.ndarray:
    """``(T,)`` (hip width + shoulder width) / torso length in pixels; NaN if any is missing."""
    w = distance(seq.point(Landmark.LEFT_HIP), seq.point(Landmark.RIGHT_HIP)) + distance(
        seq.point(Landmark.LEFT_SHOULDER), seq.point(Landmark.RIGHT_SHOULDER)
    )
    torso = _torso_px(seq)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(torso > 0, w / torso, np.nan)


def facing_sign_x(seq: PoseSequence) -> np.ndarray:
    """``(T,)`` image-x direction the subject faces: +1 right, -1 left, NaN if undetermined.

    Votes of the nose relative to the midpoint of the ears and of each foot (heel →
    foot_index); an offset counts when it exceeds 2 % of the leg length. Meaningful in side
    and oblique views; square-on the nose sits between the ears and the feet point at the
    camera, so the result is NaN there.
    """
    min_px = NOSE_OFFSET_MIN * leg_length_px(seq)
    ears = midpoint(seq.point(Landmark.LEFT_EAR), seq.point(Landmark.RIGHT_EAR))
    offsets = [seq.point(Landmark.NOSE)[:, 0] - ears[:, 0]]
    for side in SIDES:
        toe = seq.point(side_landmark(side, "foot_index"))
        offsets.append(toe[:, 0] - seq.point(side_landmark(side, "heel"))[:, 0])
    votes = np.zeros(len(seq))
    for off in offsets:
        with np.errstate(invalid="ignore"):
            votes += np.where(np.abs(off) >= min_px, np.sign(off), 0.0)
    return np.where(votes != 0, np.sign(votes), np.nan)


def _near_side_vote(seq: PoseSequence) -> np.ndarray:
    """``(T,)`` positive when the subject's left side is nearer the camera (sin φ > 0)."""
    vis = seq.visibility
    dvis = vis[:, list(_LEFT_SIDE)].mean(axis=1) - vis[:, list(_RIGHT_SIDE)].mean(axis=1)
    vote_vis = np.clip(dvis / VIS_DIFF_FULL_VOTE, -1.0, 1.0)
    ears = midpoint(seq.point(Landmark.LEFT_EAR), seq.point(Landmark.RIGHT_EAR))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = (seq.point(Landmark.NOSE)[:, 0] - ears[:, 0]) / _torso_px(seq)
    # Forward projects to image x ∝ -sin φ: a nose to the image left votes "left side near".
    vote_face = np.clip(-rel / NOSE_OFFSET_FULL_VOTE, -1.0, 1.0)
    return np.nan_to_num(vote_vis) + np.nan_to_num(vote_face)


def _world_azimuth(world: np.ndarray) -> np.ndarray:
    v = (world[:, Landmark.LEFT_HIP] - world[:, Landmark.RIGHT_HIP]) + (
        world[:, Landmark.LEFT_SHOULDER] - world[:, Landmark.RIGHT_SHOULDER]
    )
    az = np.degrees(np.arctan2(-v[:, 2], v[:, 0]))
    return np.where(np.hypot(v[:, 0], v[:, 2]) > 0, az, np.nan)


def _azimuth_2d(seq: PoseSequence, half: int) -> np.ndarray:
    # Smooth the ratio before taking the reference and arccos: arccos is steep near 1, so
    # landmark noise would otherwise both inflate the reference and bias every frontal
    # frame towards oblique.
    raw = width_ratio(seq)
    ratio = np.where(np.isfinite(raw), _rolling_nanmedian(raw, half), np.nan)
    ok = ratio[np.isfinite(ratio)]
    ref = EXPECTED_FRONTAL_WIDTH_RATIO
    if ok.size:
        widest = float(np.percentile(ok, 95))
        if widest >= MIN_FRONTAL_WIDTH_RATIO:
            ref = widest
    r = np.clip(ratio / ref, 0.0, 1.0)
    order = (
        seq.point(Landmark.LEFT_HIP)[:, 0]
        - seq.point(Landmark.RIGHT_HIP)[:, 0]
        + seq.point(Landmark.LEFT_SHOULDER)[:, 0]
        - seq.point(Landmark.RIGHT_SHOULDER)[:, 0]
    )
    cos = np.sign(order) * r
    near = np.sign(_near_side_vote(seq))
    sin = near * np.sqrt(1.0 - r**2)
    az = np.degrees(np.arctan2(sin, cos))
    # Nearer side unknown: only a square-on frame can still be placed.
    frontal_r = np.cos(np.radians(FRONTAL_MAX_OFF_AXIS_DEG))
    az = np.where((near == 0) & ~(r >= frontal_r), np.nan, az)
    return np.where(np.isfinite(ratio), az, np.nan)


def _rolling_nanmedian(v: np.ndarray, half: int) -> np.ndarray:
    if half < 1 or v.size < 2:
        return v
    padded = np.pad(v, half, constant_values=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(sliding_window_view(padded, 2 * half + 1), axis=-1)


def estimate_azimuth_deg(
    seq: PoseSequence, *, smooth_s: float = SMOOTH_S, use_world: bool = True
) -> np.ndarray:
    """``(T,)`` camera azimuth around the subject in degrees, in ``(-180, 180]``.

    Zero: camera square in front (anterior). Sign: positive when the camera is towards the
    subject's left (``+90`` = left side view, ``±180`` = behind). NaN where hips/shoulders
    are missing or the side cannot be told. Smoothed with a centred median of ``smooth_s``
    seconds applied to ``cos`` and ``sin`` separately (no wrap-around at ±180).
    """
    half = 0
    if len(seq) >= 2 and smooth_s > 0:
        half = int(round(smooth_s / 2.0 / float(np.median(np.diff(seq.t_s)))))
    az = _azimuth_2d(seq, half)
    if use_world and seq.world is not None:
        w = _world_azimuth(seq.world)
        az = np.where(np.isfinite(w), w, az)
    if half < 1:
        return az
    rad = np.radians(az)
    c = _rolling_nanmedian(np.cos(rad), half)
    s = _rolling_nanmedian(np.sin(rad), half)
    out = np.degrees(np.arctan2(s, c))
    # Keep frames that had no estimate missing: smoothing must not invent a view there.
    return np.where(np.isfinite(az), out, np.nan)


def off_axis_deg(azimuth_deg: np.ndarray) -> np.ndarray:
    """Angle between the camera and the nearest frontal axis, in ``[0, 90]``: 0 square-on
    from the front or back, 90 a pure side view. NaN propagates."""
    a = np.abs(np.asarray(azimuth_deg, dtype=float))
    return np.minimum(a, 180.0 - a)


def label_from_azimuth(azimuth_deg: np.ndarray) -> np.ndarray:
    """Per-frame view labels from azimuths (see module constants for the bands)."""
    az = np.asarray(azimuth_deg, dtype=float)
    off = off_axis_deg(az)
    labels = np.full(az.shape, "oblique", dtype="<U14")
    with np.errstate(invalid="ignore"):
        frontal = off <= FRONTAL_MAX_OFF_AXIS_DEG
        side = off >= SAGITTAL_MIN_OFF_AXIS_DEG
        labels[frontal & (np.abs(az) <= 90)] = "anterior"
        labels[frontal & (np.abs(az) > 90)] = "posterior"
        labels[side & (az > 0)] = "sagittal_left"
        labels[side & (az < 0)] = "sagittal_right"
    labels[~np.isfinite(az)] = "unknown"
    return labels


def _runs_of(labels: np.ndarray) -> list[list]:
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(labels)]])
    return [[str(labels[a]), int(a), int(b)] for a, b in zip(starts, stops, strict=True)]


def _merge_short(labels: np.ndarray, t_s: np.ndarray, min_segment_s: float) -> np.ndarray:
    """Relabel runs shorter than ``min_segment_s`` with their longer neighbour's label,
    shortest first, until every run is long enough (or only one is left)."""
    if len(labels) < 2 or min_segment_s <= 0:
        return labels
    dt = float(np.median(np.diff(t_s)))
    t_end = np.append(t_s[1:], t_s[-1] + dt)
    runs = _runs_of(labels)
    while len(runs) > 1:
        dur = [t_end[b - 1] - t_s[a] for _, a, b in runs]
        i = int(np.argmin(dur))
        if dur[i] >= min_segment_s:
            break
        left = runs[i - 1] if i > 0 else None
        right = runs[i + 1] if i + 1 < len(runs) else None
        if left is None or (right is not None and (right[2] - right[1]) > (left[2] - left[1])):
            target = right
        else:
            target = left
        runs[i][0] = target[0]
        merged: list[list] = []
        for run in runs:
            if merged and merged[-1][0] == run[0]:
                merged[-1][2] = run[2]
            else:
                merged.append(run)
        runs = merged
    out = labels.copy()
    for lab, a, b in runs:
        out[a:b] = lab
    return out


def classify_frames(
    seq: PoseSequence,
    *,
    smooth_s: float = SMOOTH_S,
    min_segment_s: float = MIN_SEGMENT_S,
    use_world: bool = True,
    azimuth_deg: np.ndarray | None = None,
) -> np.ndarray:
    """``(T,)`` view label per frame (one of :data:`VIEW_LABELS`).

    ``azimuth_deg``: the result of :func:`estimate_azimuth_deg` with the same ``smooth_s`` and
    ``use_world``, when the caller has it already (it is the costly part).

    Azimuth per frame (:func:`estimate_azimuth_deg`, median-smoothed over ``smooth_s``),
    labelled by the off-axis bands (:data:`FRONTAL_MAX_OFF_AXIS_DEG`,
    :data:`SAGITTAL_MIN_OFF_AXIS_DEG`), then segments shorter than ``min_segment_s`` are
    absorbed by their longer neighbour so a view never flickers.
    """
    az = (
        estimate_azimuth_deg(seq, smooth_s=smooth_s, use_world=use_world)
        if azimuth_deg is None
        else azimuth_deg
    )
    return _merge_short(label_from_azimuth(az), seq.t_s, min_segment_s)


@dataclass(frozen=True)
class ViewSummary:
    """The clip's view: the most common known label, the fraction of frames per label, the
    contiguous segments ``(start_s, end_s, view)`` (``end_s`` = start of the next segment,
    or the last frame's time) and warnings in plain language."""

    view: str
    fractions: dict[str, float]
    segments: list[tuple[float, float, str]]
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _face_warnings(seq: PoseSequence, labels: np.ndarray) -> tuple[str, ...]:
    face = seq.visibility[:, list(_FACE)].mean(axis=1)
    out = []
    ant = labels == "anterior"
    if ant.sum() and np.mean(face[ant] < FACE_HIDDEN_MAX_VIS) > 0.5:
        out.append(
            "the body is labelled as facing the camera but the face is not visible: the "
            "pose model may have swapped left and right (posterior view?)"
        )
    post = labels == "posterior"
    if post.sum() and np.mean(face[post] > FACE_SHOWN_MIN_VIS) > 0.5:
        out.append(
            "the body is labelled as seen from behind but the face is clearly visible: the "
            "pose model may have swapped left and right (anterior view?)"
        )
    return tuple(out)


def classify_clip(
    seq: PoseSequence,
    *,
    smooth_s: float = SMOOTH_S,
    min_segment_s: float = MIN_SEGMENT_S,
    use_world: bool = True,
    labels: np.ndarray | None = None,
) -> ViewSummary:
    """Summarise the per-frame views of a clip (see :class:`ViewSummary`).

    Fractions count frames (all six labels, summing to 1). The clip's ``view`` is the most
    frequent label other than ``unknown``; ``unknown`` only if no frame could be placed.
    ``labels``: :func:`classify_frames` of ``seq``, when the caller has it already.
    """
    if labels is None:
        labels = classify_frames(
            seq, smooth_s=smooth_s, min_segment_s=min_segment_s, use_world=use_world
        )
    n = len(labels)
    fractions = {lab: (float(np.mean(labels == lab)) if n else 0.0) for lab in VIEW_LABELS}
    known = {k: v for k, v in fractions.items() if k != "unknown" and v > 0}
    view = max(known, key=known.__getitem__) if known else "unknown"
    segments: list[tuple[float, float, str]] = []
    if n:
        runs = _runs_of(labels)
        for lab, a, b in runs:
            end = float(seq.t_s[b]) if b < n else float(seq.t_s[-1])
            segments.append((float(seq.t_s[a]), end, lab))
    return ViewSummary(
        view=view, fractions=fractions, segments=segments, warnings=_face_warnings(seq, labels)
    )
