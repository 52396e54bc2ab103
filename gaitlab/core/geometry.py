"""Vectorised 2D geometry on pixel coordinates.

Every function takes arrays of shape ``(..., 2)`` in **pixels of the upright frame** (x to the
right, y *down*), broadcasts over the leading axes, and propagates NaN: a missing landmark
gives a NaN result, never a number. Never pass normalised ``[0, 1]`` coordinates: on a
non-square frame they stretch one axis and distort every angle.

Screen convention
-----------------
Because image y grows downwards, the usual ``atan2(dy, dx)`` turns clockwise on screen. All
signed angles here are converted so that **positive = counter-clockwise as seen on the
screen** (the maths convention with y up), and "up" means towards the top of the image.
"""

from __future__ import annotations

import numpy as np

from gaitlab.core.landmarks import SIDES, side_landmark
from gaitlab.core.types import PoseSequence

__all__ = [
    "angle_between",
    "cross2",
    "distance",
    "drawn_angle_deg",
    "fppa_deg",
    "leg_length_px",
    "line_tilt_deg",
    "midpoint",
    "offset_toward",
    "rotate_deg",
    "segment_angle_deg",
    "signed_bend_deg",
    "signed_distance_to_line",
    "tilt_from_vertical_deg",
]


def _arr(p: np.ndarray) -> np.ndarray:
    a = np.asarray(p, dtype=float)
    if a.shape[-1:] != (2,):
        raise ValueError(f"expected points of shape (..., 2), got {a.shape}")
    return a


def cross2(v1: np.ndarray, v2: np.ndarray) -> np.ndarray:
    """z-component of ``v1 × v2`` computed in **y-down** pixel coordinates.

    Positive when ``v2`` is clockwise from ``v1`` as seen on the screen.
    """
    v1, v2 = _arr(v1), _arr(v2)
    return v1[..., 0] * v2[..., 1] - v1[..., 1] * v2[..., 0]


def _dot(v1: np.ndarray, v2: np.ndarray) -> np.ndarray:
    return v1[..., 0] * v2[..., 0] + v1[..., 1] * v2[..., 1]


def _wrap180(ang: np.ndarray) -> np.ndarray:
    """Map degrees into ``(-180, 180]`` (``atan2`` returns -180 for a -0.0 y)."""
    return np.where(ang <= -180.0, ang + 360.0, ang)


def distance(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Euclidean distance in pixels between ``p`` and ``q``."""
    d = _arr(q) - _arr(p)
    return np.hypot(d[..., 0], d[..., 1])


def midpoint(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Midpoint of ``p`` and ``q``."""
    return (_arr(p) + _arr(q)) / 2.0


def angle_between(v1: np.ndarray, v2: np.ndarray, *, signed: bool = False) -> np.ndarray:
    """Angle in degrees between vectors ``v1`` and ``v2`` in the image plane.

    Unsigned (default): in ``[0, 180]``, 0 when parallel, 180 when opposite.
    Signed: in ``(-180, 180]``, the rotation taking ``v1`` onto ``v2``, positive
    counter-clockwise as seen on the screen. A zero-length vector gives NaN.
    """
    v1, v2 = _arr(v1), _arr(v2)
    cr = cross2(v1, v2)
    dt = _dot(v1, v2)
    zero = (np.hypot(v1[..., 0], v1[..., 1]) == 0) | (np.hypot(v2[..., 0], v2[..., 1]) == 0)
    ang = _wrap180(np.degrees(np.arctan2(-cr, dt)))  # -cr: y-down → screen counter-clockwise
    if not signed:
        ang = np.abs(ang)
    return np.where(zero, np.nan, ang)


def segment_angle_deg(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Direction of the segment ``p → q`` against the image horizontal, in degrees.

    Plane: image plane. Zero: ``q`` straight to the right of ``p``. Sign: positive
    counter-clockwise on screen, so ``q`` straight *above* ``p`` gives +90 (even though its
    pixel y is smaller). Range ``(-180, 180]``.
    """
    d = _arr(q) - _arr(p)
    ang = _wrap180(np.degrees(np.arctan2(-d[..., 1], d[..., 0])))
    return np.where((d[..., 0] == 0) & (d[..., 1] == 0), np.nan, ang)


def line_tilt_deg(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Tilt of the (undirected) line through ``p`` and ``q`` against the image horizontal.

    Plane: image plane. Zero: horizontal. Sign: positive when the line rises to the right on
    screen (counter-clockwise). Independent of the order of ``p`` and ``q``; range
    ``(-90, 90]``.
    """
    d = _arr(q) - _arr(p)
    flip = np.where(d[..., 0] < 0, -1.0, 1.0)
    dx, dy = d[..., 0] * flip, d[..., 1] * flip
    ang = np.degrees(np.arctan2(-dy, dx))
    ang = np.where(ang <= -90.0, ang + 180.0, ang)  # vertical line pointing down → +90
    return np.where((dx == 0) & (dy == 0), np.nan, ang)


def drawn_angle_deg(points_px: np.ndarray, reference: str | None = None) -> float:
    """The angle a person drew on a frame, in degrees.

    Three points ``a, b, c``: the (unsigned) angle at ``b`` between ``b → a`` and ``b → c``,
    in ``[0, 180]``. Two points: the (unsigned) angle of the line through them against the
    image ``reference``, ``"vertical"`` or ``"horizontal"``, in ``[0, 90]``. NaN when two
    points coincide.

    Raises
    ------
    ValueError
        Not two or three points, or two points without a known reference.
    """
    p = np.asarray(points_px, dtype=float)
    if p.shape == (3, 2):
        return float(angle_between(p[0] - p[1], p[2] - p[1]))
    if p.shape != (2, 2) or reference not in ("vertical", "horizontal"):
        raise ValueError("an angle needs three points, or two and a vertical or horizontal")
    tilt = abs(float(line_tilt_deg(p[0], p[1])))  # 0 horizontal … 90 vertical
    return tilt if reference == "horizontal" else 90.0 - tilt


def tilt_from_vertical_deg(
    base: np.ndarray, top: np.ndarray, toward_x: np.ndarray | float = 1.0
) -> np.ndarray:
    """Angle of ``base → top`` from the image vertical (up), in degrees.

    Plane: image plane. Zero: ``top`` straight above ``base``. Sign: positive when ``top``
    leans towards image ``+x`` multiplied by the sign of ``toward_x`` (pass ``-1`` or a
    per-frame ``±1`` array to make "positive" mean e.g. "forward" or "towards the subject's
    left"). Range ``(-180, 180]``; NaN where ``toward_x`` is 0 or NaN.
    """
    d = _arr(top) - _arr(base)
    s = np.sign(np.asarray(toward_x, dtype=float))
    s = np.where(s == 0, np.nan, s)
    ang = _wrap180(np.degrees(np.arctan2(d[..., 0] * s, -d[..., 1])))
    return np.where((d[..., 0] == 0) & (d[..., 1] == 0), np.nan, ang)


def signed_distance_to_line(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Perpendicular distance in pixels from ``p`` to the infinite line through ``a`` and ``b``.

    Sign: positive when ``p`` lies to the *left* of the direction ``a → b`` as seen on screen
    (counter-clockwise side). NaN when ``a == b``.
    """
    p, a, b = _arr(p), _arr(a), _arr(b)
    ab = b - a
    n = np.hypot(ab[..., 0], ab[..., 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n == 0, np.nan, -cross2(ab, p - a) / n)


def offset_toward(p: np.ndarray, a: np.ndarray, b: np.ndarray, toward: np.ndarray) -> np.ndarray:
    """Distance from ``p`` to the line ``a–b``, positive on the side ``toward`` points to.

    ``toward`` is any vector (e.g. the medial direction of a leg); only the sign of its
    component along the line's normal matters. NaN when that component is exactly zero (the
    side is undefined) or any input is missing.
    """
    p, a, b, toward = _arr(p), _arr(a), _arr(b), _arr(toward)
    d = signed_distance_to_line(p, a, b)
    ab = b - a
    normal_left = np.stack([ab[..., 1], -ab[..., 0]], axis=-1)  # screen-left normal (y-down)
    s = np.sign(_dot(normal_left, toward))
    s = np.where(s == 0, np.nan, s)
    return d * s


def signed_bend_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray, toward: np.ndarray) -> np.ndarray:
    """Bend at joint ``b`` of the chain ``a → b → c``, signed by the side ``b`` lies on.

    Plane: image plane. Magnitude: angle between ``a → b`` and ``b → c`` (``180°`` minus the
    inner angle ``a-b-c``), 0 when the three points are collinear. Sign: positive when ``b``
    lies on the ``toward`` side of the chord ``a–c``. NaN where a point is missing or the side
    is undefined (``toward`` parallel to the chord).
    """
    a, b, c = _arr(a), _arr(b), _arr(c)
    mag = angle_between(b - a, c - b)
    off = offset_toward(b, a, c, toward)
    sign = np.sign(off)
    # Exactly collinear: the side is irrelevant, the bend is 0.
    return np.where(off == 0, 0.0, mag * sign)


def fppa_deg(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, medial: np.ndarray
) -> np.ndarray:
    """Frontal plane projection angle of one leg, in degrees.

    Plane: image plane of a front or back view. Zero: hip, knee and ankle collinear.
    Magnitude: angle between the thigh (hip → knee) and the shank (knee → ankle). Sign:
    positive when the knee lies *medial* of the hip–ankle line (valgus, "knee caving in"),
    negative when lateral (varus). ``medial`` is a vector pointing to the subject's midline
    for this leg, e.g. from this leg's hip to the other hip; with it the sign is right in
    anterior and posterior views alike.
    """
    return signed_bend_deg(hip, knee, ankle, medial)


def rotate_deg(
    p: np.ndarray, angle_deg: np.ndarray | float, center: np.ndarray | tuple[float, float] = (0, 0)
) -> np.ndarray:
    """Rotate points about ``center`` by ``angle_deg``, counter-clockwise as seen on screen."""
    p = _arr(p)
    c = np.asarray(center, dtype=float)
    th = np.radians(np.asarray(angle_deg, dtype=float))
    cos, sin = np.cos(th), np.sin(th)
    d = p - c
    # Counter-clockwise on screen with y down: x' = x cos + y sin, y' = -x sin + y cos.
    x = d[..., 0] * cos + d[..., 1] * sin
    y = -d[..., 0] * sin + d[..., 1] * cos
    return np.stack([x, y], axis=-1) + c


def leg_length_px(seq: PoseSequence) -> float:
    """Robust leg length of the subject in pixels: the median over frames and both sides of
    thigh + shank length (hip → knee → ankle).

    Summing the two segments keeps it independent of knee flexion; the median over the clip
    keeps it robust to odd frames. In a walk towards the camera the apparent size changes;
    this is then the clip's typical size. NaN if no leg was ever seen whole.
    """
    lengths = []
    for side in SIDES:
        hip = seq.point(side_landmark(side, "hip"))
        knee = seq.point(side_landmark(side, "knee"))
        ankle = seq.point(side_landmark(side, "ankle"))
        lengths.append(distance(hip, knee) + distance(knee, ankle))
    vals = np.concatenate(lengths)
    vals = vals[np.isfinite(vals)]
    return float(np.median(vals)) if vals.size else float("nan")
