"""Kinematic walker, calf-raiser and balancer with known ground truth.

Every analyzer test starts here: a 3D skeleton of all 33 BlazePose landmarks is generated
from a few clinical parameters (cadence, knee valgus, pelvic drop, heel height, ankle roll …),
projected through a pinhole camera, optionally degraded the way BlazePose degrades (pixel
noise, dropouts, left/right leg swaps, low visibility of the far-side limbs), and returned
together with the exact answer.

Conventions
-----------
World frame
    Metres, right-handed, ``z`` up, floor at ``z = 0``. The subject faces ``+x`` (a walker
    progresses along ``+x``), ``+y`` is the subject's left. The subject stands (or the walking
    path is centred) at ``x = y = 0``.
Body
    Segment lengths from standing height with Winter's anthropometric ratios
    (:class:`Body`). The ``heel`` landmark is the back of the heel on the sole, ``foot_index``
    the tip of the second toe on the sole: both touch the floor (``z = 0``) when the foot is flat.
    The foot bends at the metatarsal heads (the toes stay flat on the floor in a heel rise).
Camera
    :class:`Camera` is placed ``distance_m`` (horizontal) from a look-at point, at
    ``height_m`` above the floor, and aimed at it. ``yaw_deg`` is the camera's bearing around
    the subject: ``0`` in front of the subject (anterior view: the subject's left appears on
    the image right), ``180`` behind (posterior), ``90`` on the subject's left (sagittal_left:
    the left side faces the camera, the walker moves towards the image left), ``-90``/``270``
    on the right (sagittal_right). ``pitch_deg`` tilts the camera further down (``> 0``) from
    that aim; ``roll_deg`` rotates the camera about its optical axis so that a level line in
    the world appears in the image at ``atan2(dy, dx) = +roll_deg`` (y down: it runs downhill to
    the right, the picture looks turned clockwise). The look-at point is the subject's mean
    pelvis centre (``Camera.look_at_height_m`` overrides its height, e.g. ``0.1`` to film the
    feet). Pinhole projection without distortion; principal point at the image centre;
    ``focal_px`` defaults to a 60° horizontal field of view.
Image
    Pixels, ``x`` right, ``y`` down (the :class:`~gaitlab.core.types.PoseSequence` convention).
World landmarks
    ``PoseSequence.world`` mimics BlazePose world landmarks: metres, origin at the hip centre,
    axes aligned with the camera (``x`` image right, ``y`` image down, ``z`` away from the
    camera).
Angles (truth signals, degrees)
    ``fppa_<side>_deg``: thigh (hip→knee) versus shank (knee→ankle) projected on the
    subject's frontal plane (``y``-``z``); positive when the knee lies medial of the hip–ankle
    line (valgus). ``pelvic_obliquity_deg``: hip–hip line against the horizontal in the
    frontal plane, positive when the left hip is lower than the right (as in ``measures``).
    ``ankle_roll_<side>_deg``: change of the frontal-plane angle between shank (knee→ankle)
    and heel line (ankle→heel) caused by the roll, i.e. from the same pose without roll
    (the standing baseline before each rep), positive when rolling outward (inversion: the
    ankle moves laterally over the foot).
    These are what an ideal orthographic frontal camera measures. A real camera a few metres
    away adds perspective error: on the default walker about 1–1.7° of FPPA at 3–4 m; a
    posterior camera at 1 m height sees only about 55 % of an ankle roll (the heel line is
    short and mostly points backwards at the top of a raise), 70 % at 0.3 m.

Time
    Frames at ``t = i / fps``; event times in the truth are exact (continuous time) and their
    ``frame`` is the nearest frame.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicHermiteSpline, PchipInterpolator
from scipy.ndimage import gaussian_filter1d

from gaitlab.core import anthropometry as anthro
from gaitlab.core.landmarks import LEG_LANDMARKS, N_LANDMARKS, Landmark, side_landmark
from gaitlab.core.types import Event, PoseSequence, Signals

__all__ = [
    "Body",
    "CalfRaiseTruth",
    "Camera",
    "FootContact",
    "RepTruth",
    "SingleLegStanceTruth",
    "SingleSupport",
    "SyntheticResult",
    "WalkTruth",
    "build_pose_sequence",
    "calf_raises",
    "frontal_angles",
    "project",
    "single_leg_stance",
    "walk",
]

_SIDES = ("left", "right")
#: +1 for the left side (towards +y), -1 for the right.
_LAT = {"left": 1.0, "right": -1.0}
_FACE = tuple(Landmark(i) for i in range(11))


# ------------------------------------------------------------------------------------------
# body and camera
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Body:
    """Segment lengths in metres, scaled from standing height.

    Ratios of height from Winter (Biomechanics and Motor Control of Human Movement, fig. 4.1):
    thigh 0.245, shank 0.246, ankle height 0.039, foot length 0.152, shoulder height 0.818,
    shoulder width 0.259, upper arm 0.186, forearm 0.146, hand 0.108, eye height 0.936.
    ``hip_width_m`` (0.11 H) is the distance between the hip landmarks, between the hip joint
    centres and the trochanters, roughly where BlazePose puts them. The ankle sits 25 % of the
    foot length in front of the heel, the metatarsal heads 72 % and the toe tip 100 %.
    """

    height_m: float = 1.70

    def __post_init__(self) -> None:
        if not 0.5 <= self.height_m <= 2.5:
            raise ValueError(f"height_m: expected 0.5–2.5 m, got {self.height_m}")

    @property
    def thigh_m(self) -> float:
        return anthro.THIGH_OF_HEIGHT * self.height_m

    @property
    def shank_m(self) -> float:
        return anthro.SHANK_OF_HEIGHT * self.height_m

    @property
    def ankle_height_m(self) -> float:
        return anthro.ANKLE_HEIGHT_OF_HEIGHT * self.height_m

    @property
    def foot_length_m(self) -> float:
        """Heel to toe tip (heel landmark to foot_index landmark with the foot flat)."""
        return anthro.FOOT_LENGTH_OF_HEIGHT * self.height_m

    @property
    def heel_back_m(self) -> float:
        return anthro.ANKLE_FROM_HEEL_OF_FOOT * self.foot_length_m

    @property
    def mtp_fwd_m(self) -> float:
        return 0.47 * self.foot_length_m

    @property
    def toe_m(self) -> float:
        return 0.28 * self.foot_length_m

    @property
    def hip_width_m(self) -> float:
        return anthro.HIP_WIDTH_OF_HEIGHT * self.height_m

    @property
    def leg_length_m(self) -> float:
        """Floor to hip with the leg straight."""
        return self.thigh_m + self.shank_m + self.ankle_height_m

    @property
    def shoulder_width_m(self) -> float:
        return anthro.SHOULDER_WIDTH_OF_HEIGHT * self.height_m

    @property
    def scale(self) -> float:
        return self.height_m / 1.70


@dataclass(frozen=True)
class Camera:
    """A pinhole camera aimed at the subject (see the module docstring for conventions)."""

    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0
    distance_m: float = 4.0
    height_m: float = 1.0
    focal_px: float | None = None
    width: int = 1280
    height: int = 720
    #: Height of the look-at point; ``None`` aims at the subject's pelvis.
    look_at_height_m: float | None = None

    def __post_init__(self) -> None:
        if self.distance_m <= 0 or self.width <= 0 or self.height <= 0:
            raise ValueError("Camera: distance_m, width and height must be positive")
        if self.focal_px is not None and self.focal_px <= 0:
            raise ValueError(f"Camera: focal_px must be positive, got {self.focal_px}")

    @property
    def f_px(self) -> float:
        """Focal length in pixels (60° horizontal field of view unless ``focal_px`` is set)."""
        if self.focal_px is not None:
            return float(self.focal_px)
        return self.width / 2 / math.tan(math.radians(30.0))

    @property
    def frame_size(self) -> tuple[int, int]:
        return (int(self.width), int(self.height))

    def extrinsics(self, look_at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rotation ``R`` (world→camera, rows = image x, image y, optical axis) and centre.

        ``look_at`` is ``(3,)`` or ``(T, 3)``; the results broadcast the same way.
        """
        target = np.array(look_at, dtype=float)
        if self.look_at_height_m is not None:
            target[..., 2] = self.look_at_height_m
        yaw = math.radians(self.yaw_deg)
        centre = target.copy()
        centre[..., 0] += self.distance_m * math.cos(yaw)
        centre[..., 1] += self.distance_m * math.sin(yaw)
        centre[..., 2] = self.height_m
        fwd = _unit(target - centre)
        up = np.array([0.0, 0.0, 1.0])
        right = _unit(np.cross(fwd, up))
        down = np.cross(fwd, right)
        p, r = math.radians(self.pitch_deg), math.radians(self.roll_deg)
        fwd, down = math.cos(p) * fwd + math.sin(p) * down, math.cos(p) * down - math.sin(p) * fwd
        # Rotate image axes by +roll: a level world line maps to atan2(dy, dx) = roll.
        img_x = math.cos(r) * right - math.sin(r) * down
        img_y = math.sin(r) * right + math.cos(r) * down
        rot = np.stack([img_x, img_y, fwd], axis=-2)
        return rot, centre


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(n < 1e-12):
        raise ValueError("degenerate direction (zero-length vector)")
    return v / n


def _default_look_at(points_3d: np.ndarray) -> np.ndarray:
    pts = np.asarray(points_3d, dtype=float)
    if pts.shape[-2] == N_LANDMARKS:
        hips = pts[..., [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], :]
        return np.nanmean(hips.reshape(-1, 3), axis=0)
    return np.nanmean(pts.reshape(-1, 3), axis=0)


def _to_camera(points_3d: np.ndarray, camera: Camera, look_at: np.ndarray) -> np.ndarray:
    rot, centre = camera.extrinsics(look_at)
    pts = np.asarray(points_3d, dtype=float)
    rel = pts - centre[..., None, :] if centre.ndim == 2 else pts - centre
    if rot.ndim == 3:
        return np.einsum("tij,tnj->tni", rot, rel)
    return rel @ rot.T


def project(points_3d: np.ndarray, camera: Camera, look_at: np.ndarray | None = None) -> np.ndarray:
    """Project world points into the image, in pixels (x right, y down).

    Parameters
    ----------
    points_3d
        ``(T, N, 3)`` (usually ``N = 33``) or ``(N, 3)`` world points in metres.
    camera
        The camera.
    look_at
        ``(3,)`` fixed aim point, or ``(T, 3)`` per frame (a camera that tracks the subject).
        Default: the mean hip centre of ``points_3d`` (the mean of all points if ``N != 33``).

    Returns
    -------
    ``(..., N, 2)`` pixel coordinates; NaN for points at or behind the camera plane.
    """
    pts = np.asarray(points_3d, dtype=float)
    if pts.shape[-1] != 3 or pts.ndim not in (2, 3):
        raise ValueError(f"points_3d: expected shape (T, N, 3) or (N, 3), got {pts.shape}")
    target = _default_look_at(pts) if look_at is None else np.asarray(look_at, dtype=float)
    if target.ndim == 2 and (pts.ndim != 3 or target.shape[0] != pts.shape[0]):
        raise ValueError(f"look_at: expected shape (3,) or ({pts.shape[0]}, 3), got {target.shape}")
    cam = _to_camera(pts, camera, target)
    z = cam[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = camera.f_px * cam[..., 0] / z + camera.width / 2
        v = camera.f_px * cam[..., 1] / z + camera.height / 2
    out = np.stack([u, v], axis=-1)
    out[z <= 1e-6] = np.nan
    return out


# ------------------------------------------------------------------------------------------
# result types
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SyntheticResult:
    """A generated clip: what the pose estimator would output, and the exact answer.

    ``pose`` carries noise, dropouts and swaps; ``xy_true`` is the clean, correctly labelled
    projection of ``joints_3d`` through ``camera`` aimed at ``look_at`` (``(T, 3)``).
    """

    pose: PoseSequence
    truth: WalkTruth | CalfRaiseTruth | SingleLegStanceTruth
    joints_3d: np.ndarray
    xy_true: np.ndarray
    camera: Camera
    look_at: np.ndarray
    body: Body


@dataclass(frozen=True)
class FootContact:
    """One initial contact: foot angle to the floor (heel→toe, + toe up) and overstride."""

    side: str
    t_s: float
    frame: int
    foot_angle_deg: float
    heel_ahead_of_pelvis_m: float


@dataclass(frozen=True)
class SingleSupport:
    """A single-support phase on ``side``; the other hip drops by ``pelvic_drop_deg`` at peak."""

    side: str
    start_s: float
    end_s: float
    pelvic_drop_deg: float


@dataclass(frozen=True, eq=False)
class WalkTruth:
    """Ground truth of :func:`walk`.

    ``signals`` (per frame): ``fppa_left_deg``, ``fppa_right_deg``, ``pelvic_obliquity_deg``,
    ``stance_left``, ``stance_right`` (bool), ``knee_flexion_<side>_deg`` (0 = straight),
    ``hip_flexion_<side>_deg`` (thigh against vertical in the sagittal plane, + forward),
    ``foot_angle_<side>_deg`` (heel→foot_index against the floor, + toe up),
    ``heel_height_<side>_m``, ``toe_height_<side>_m``.
    """

    events: tuple[Event, ...]
    contacts: tuple[FootContact, ...]
    single_supports: tuple[SingleSupport, ...]
    cadence_spm: float
    step_length_m: float
    speed_m_s: float
    stride_time_s: float
    step_time_s: float
    step_times_s: np.ndarray
    stance_fraction: float
    double_support_fraction: float
    foot_strike: str
    valgus_peak_deg: tuple[float, float]
    pelvic_drop_deg: tuple[float, float]
    signals: Signals

    def events_of(self, type_: str, side: str | None = None) -> list[Event]:
        return [e for e in self.events if e.type == type_ and (side is None or e.side == side)]


@dataclass(frozen=True)
class RepTruth:
    """One calf raise. Heights are the heel's rise above the floor at the top."""

    index: int
    start_s: float
    top_s: float
    hold_end_s: float
    end_s: float
    rise_s: float
    hold_s: float
    lower_s: float
    heel_height_m: float
    heel_height_pct: float
    ankle_roll_left_deg: float
    ankle_roll_right_deg: float


@dataclass(frozen=True, eq=False)
class CalfRaiseTruth:
    """Ground truth of :func:`calf_raises`.

    ``signals`` (per frame): ``heel_height_<side>_m``, ``heel_height_<side>_pct`` (of foot
    length), ``ankle_roll_<side>_deg`` (see module docstring), ``ankle_shift_<side>_pct``
    (lateral shift of the ankle relative to the heel/toe midpoint, change from standing, % of
    foot length, + lateral), ``foot_lifted_<side>`` (bool: the whole foot is off the floor).
    ``phase`` labels every frame: ``setup``, ``rise``, ``hold``, ``lower``, ``rest``,
    ``step_away``.
    """

    reps: tuple[RepTruth, ...]
    legs: str
    foot_length_m: float
    events: tuple[Event, ...]
    phase: np.ndarray
    signals: Signals


@dataclass(frozen=True, eq=False)
class SingleLegStanceTruth:
    """Ground truth of :func:`single_leg_stance`.

    Sway is of the pelvis centre (mid-hip) in the horizontal plane during the hold
    (lift to touch-down): RMS distance from its mean and path length.
    ``signals``: ``pelvis_x_m``, ``pelvis_y_m``, ``pelvic_obliquity_deg``, ``foot_lifted``.
    """

    stance_leg: str
    lift_s: float
    touchdown_s: float
    hold_s: float
    sway_rms_m: float
    sway_path_m: float
    pelvic_drop_deg: float
    leg_length_m: float
    events: tuple[Event, ...]
    signals: Signals


# ------------------------------------------------------------------------------------------
# small geometry helpers
# ------------------------------------------------------------------------------------------
def _mj(u: np.ndarray) -> np.ndarray:
    """Minimum-jerk ease 0→1 on u in [0, 1] (clipped)."""
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10 - 15 * u + 6 * u**2)


def _pitch(vx: float | np.ndarray, vz: float | np.ndarray, theta: np.ndarray):
    """Rotate (vx, vz) in the x–z plane by theta (rad, + lifts the +x end: toe up)."""
    c, s = np.cos(theta), np.sin(theta)
    return vx * c - vz * s, vx * s + vz * c


def frontal_angles(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, side: str) -> np.ndarray:
    """Signed knee angle in the subject's frontal plane (world ``y``–``z``), degrees.

    0 when hip, knee and ankle are collinear in that plane, positive when the knee lies medial
    of the hip–ankle line. This is the FPPA an ideal orthographic anterior/posterior camera
    measures. Inputs are ``(..., 3)`` world points.
    """
    t = knee[..., 1:] - hip[..., 1:]
    s = ankle[..., 1:] - knee[..., 1:]
    cross = t[..., 0] * s[..., 1] - t[..., 1] * s[..., 0]
    dot = np.sum(t * s, axis=-1)
    return _LAT[side] * np.degrees(np.arctan2(cross, dot))


def _rearfoot_angles(knee: np.ndarray, ankle: np.ndarray, heel: np.ndarray, side: str):
    """Shank (knee→ankle) vs heel line (ankle→heel) in the y–z plane, + inversion."""
    s = ankle[..., 1:] - knee[..., 1:]
    h = heel[..., 1:] - ankle[..., 1:]
    cross = s[..., 0] * h[..., 1] - s[..., 1] * h[..., 0]
    dot = np.sum(s * h, axis=-1)
    return -_LAT[side] * np.degrees(np.arctan2(cross, dot))


def _obliquity(joints: np.ndarray) -> np.ndarray:
    """Truth pelvic obliquity in degrees, + when the left hip is lower (as ``measures``)."""
    lh, rh = joints[:, Landmark.LEFT_HIP], joints[:, Landmark.RIGHT_HIP]
    return np.degrees(np.arctan2(rh[:, 2] - lh[:, 2], np.hypot(*(lh - rh)[:, :2].T)))


def _knee_ik(
    hip: np.ndarray,
    ankle: np.ndarray,
    body: Body,
    side: str,
    fppa_deg: np.ndarray | None = None,
) -> np.ndarray:
    """Knee positions for fixed thigh/shank lengths (``(n, 3)`` arrays in, ``(n, 3)`` out).

    The knee lies on the circle of points at thigh length from the hip and shank length from
    the ankle. Without ``fppa_deg`` it takes the most forward point (knee pointing along +x,
    FPPA 0); with it, the point rotated medially/laterally around the hip–ankle axis whose
    frontal-plane angle equals ``fppa_deg``.
    """
    l1, l2 = body.thigh_m, body.shank_m
    d = ankle - hip
    dist = np.linalg.norm(d, axis=-1)
    if np.any(dist > (l1 + l2) * (1 - 1e-9)):
        raise ValueError("leg cannot reach: hip–ankle distance exceeds thigh + shank")
    n = d / dist[:, None]
    a = (l1**2 - l2**2 + dist**2) / (2 * dist)
    r = np.sqrt(np.maximum(l1**2 - a**2, 0.0))
    centre = hip + a[:, None] * n
    fwd = np.array([1.0, 0.0, 0.0])
    u = fwd - (n @ fwd)[:, None] * n
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    medial = np.array([0.0, -_LAT[side], 0.0])
    w = np.cross(n, u)
    w *= np.sign(w @ medial)[:, None]  # +t turns the knee medially

    def knee_at(t: np.ndarray) -> np.ndarray:
        return centre + r[:, None] * (np.cos(t)[:, None] * u + np.sin(t)[:, None] * w)

    if fppa_deg is None:
        return knee_at(np.zeros(len(hip)))
    target = np.asarray(fppa_deg, dtype=float)
    t_lim = math.radians(80.0)
    lo, hi = np.full(len(hip), -t_lim), np.full(len(hip), t_lim)
    f_lo = frontal_angles(hip, knee_at(lo), ankle, side)
    f_hi = frontal_angles(hip, knee_at(hi), ankle, side)
    if np.any((target < f_lo - 1e-9) | (target > f_hi + 1e-9)):
        raise ValueError(
            "knee valgus too large for the knee flexion at that instant; lower valgus_peak_deg"
        )
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        below = frontal_angles(hip, knee_at(mid), ankle, side) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return knee_at(0.5 * (lo + hi))


def _hip_ankle_reach(body: Body, knee_deg: float | np.ndarray) -> float | np.ndarray:
    k = np.radians(knee_deg)
    return np.sqrt(body.thigh_m**2 + body.shank_m**2 + 2 * body.thigh_m * body.shank_m * np.cos(k))


def _foot_points(ankle: np.ndarray, pitch: np.ndarray, toe_pitch: np.ndarray, body: Body):
    """Heel, metatarsal heads and toe tip from the ankle and the foot pitches (x–z plane)."""
    hx, hz = _pitch(-body.heel_back_m, -body.ankle_height_m, pitch)
    mx, mz = _pitch(body.mtp_fwd_m, -body.ankle_height_m, pitch)
    tx, tz = _pitch(body.toe_m, 0.0, toe_pitch)
    heel = ankle + np.stack([hx, np.zeros_like(hx), hz], axis=-1)
    mtp = ankle + np.stack([mx, np.zeros_like(mx), mz], axis=-1)
    toe = mtp + np.stack([tx, np.zeros_like(tx), tz], axis=-1)
    return heel, mtp, toe


def _upper_body(
    body: Body,
    centre: np.ndarray,
    arm_flex_deg: Mapping[str, np.ndarray],
    elbow_deg: Mapping[str, np.ndarray],
    abduction_deg: float = 6.0,
) -> dict[Landmark, np.ndarray]:
    """Trunk upright over the pelvis centre, facing +x; arms from shoulder flexion angles."""
    h, s = body.height_m, body.scale
    out: dict[Landmark, np.ndarray] = {}
    n = len(centre)
    rise = centre[:, 2] - 0.530 * h  # pelvis height change from upright standing
    base = np.stack([centre[:, 0], centre[:, 1], np.zeros(n)], axis=-1)
    shoulder_z = anthro.SHOULDER_HEIGHT_OF_HEIGHT * h + rise
    eye_z = anthro.EYE_HEIGHT_OF_HEIGHT * h + rise
    eye = base + np.stack([np.zeros(n), np.zeros(n), eye_z], axis=-1)
    face = {
        Landmark.NOSE: (0.100, 0.0, -0.035),
        Landmark.LEFT_EYE_INNER: (0.085, 0.015, 0.0),
        Landmark.LEFT_EYE: (0.080, 0.032, 0.0),
        Landmark.LEFT_EYE_OUTER: (0.070, 0.048, 0.0),
        Landmark.LEFT_EAR: (-0.005, 0.075, -0.020),
        Landmark.MOUTH_LEFT: (0.085, 0.025, -0.075),
    }
    for lm, (x, y, z) in face.items():
        out[lm] = eye + s * np.array([x, y, z])
        mirror = Landmark[lm.name.replace("LEFT", "RIGHT")]
        out[mirror] = eye + s * np.array([x, -y, z])
    for side in _SIDES:
        lat = _LAT[side]
        sh = base + np.stack(
            [np.zeros(n), np.full(n, lat * body.shoulder_width_m / 2), shoulder_z], axis=-1
        )
        g = np.radians(np.asarray(arm_flex_deg[side], dtype=float))
        e = g + np.radians(np.asarray(elbow_deg[side], dtype=float))
        ab = math.sin(math.radians(abduction_deg))
        up_dir = np.stack([np.sin(g), np.full(n, lat * ab), -np.cos(g)], axis=-1)
        fo_dir = np.stack([np.sin(e), np.full(n, lat * ab), -np.cos(e)], axis=-1)
        elbow = sh + anthro.UPPER_ARM_OF_HEIGHT * h * up_dir
        wrist = elbow + anthro.FOREARM_OF_HEIGHT * h * fo_dir
        hand = anthro.HAND_OF_HEIGHT * h
        out[side_landmark(side, "shoulder")] = sh
        out[side_landmark(side, "elbow")] = elbow
        out[side_landmark(side, "wrist")] = wrist
        out[side_landmark(side, "index")] = wrist + 0.75 * hand * fo_dir + [0.015 * s, 0.0, 0.0]
        out[side_landmark(side, "pinky")] = (
            wrist + 0.6 * hand * fo_dir + [-0.01 * s, lat * 0.02 * s, 0.0]
        )
        out[side_landmark(side, "thumb")] = (
            wrist + 0.4 * hand * fo_dir + [0.035 * s, -lat * 0.01 * s, 0.0]
        )
    return out


def _stack_joints(parts: Mapping[Landmark, np.ndarray], n: int) -> np.ndarray:
    joints = np.full((n, N_LANDMARKS, 3), np.nan)
    for lm, p in parts.items():
        joints[:, int(lm)] = p
    if np.isnan(joints).any():
        missing = [Landmark(i).name for i in range(N_LANDMARKS) if np.isnan(joints[:, i]).any()]
        raise AssertionError(f"synthetic skeleton incomplete: {missing}")
    return joints


def _frame_of(t: float, fps: float) -> int:
    return int(round(t * fps))


# ------------------------------------------------------------------------------------------
# degradation: visibility, noise, dropout, swaps
# ------------------------------------------------------------------------------------------
def _visibility(
    joints: np.ndarray, camera: Camera, look_at: np.ndarray, xy: np.ndarray, rng
) -> np.ndarray:
    """BlazePose-like visibility: 0.9–1.0, lower for far-side limbs and the hidden face."""
    n = len(joints)
    vis = rng.uniform(0.9, 1.0, size=(n, N_LANDMARKS))
    _, centre = camera.extrinsics(look_at)
    centre = np.broadcast_to(centre, (n, 3))
    pelvis = 0.5 * (joints[:, Landmark.LEFT_HIP] + joints[:, Landmark.RIGHT_HIP])
    to_cam = centre - pelvis
    to_cam[:, 2] = 0.0
    to_cam = _unit(to_cam)
    lateral = joints[:, Landmark.LEFT_HIP] - joints[:, Landmark.RIGHT_HIP]
    lateral[:, 2] = 0.0
    lateral = _unit(lateral)
    forward = np.cross(lateral, [0.0, 0.0, 1.0])
    facing_left = np.sum(lateral * to_cam, axis=-1)
    facing_front = np.sum(forward * to_cam, axis=-1)

    def away(f: np.ndarray) -> np.ndarray:
        # 0 within ~15° of facing the camera, 1 when turned fully away.
        return np.clip((f - 0.25) / 0.75, 0.0, 1.0)

    for lm in Landmark:
        if lm in _FACE:
            vis[:, lm] -= 0.5 * away(-facing_front)
        if "LEFT" in lm.name:
            vis[:, lm] -= 0.4 * away(-facing_left)
        elif "RIGHT" in lm.name:
            vis[:, lm] -= 0.4 * away(facing_left)
    outside = (
        (xy[..., 0] < 0)
        | (xy[..., 0] > camera.width)
        | (xy[..., 1] < 0)
        | (xy[..., 1] > camera.height)
        | np.isnan(xy[..., 0])
    )
    vis[outside] = np.minimum(vis[outside], 0.1)
    return np.clip(vis, 0.0, 1.0)


def _leg_swap_index() -> np.ndarray:
    idx = np.arange(N_LANDMARKS)
    for lm in LEG_LANDMARKS:
        if lm.name.startswith("LEFT_"):
            other = Landmark["RIGHT_" + lm.name[5:]]
            idx[lm], idx[other] = other, lm
    return idx


def _degrade(
    joints: np.ndarray,
    t_s: np.ndarray,
    camera: Camera,
    look_at: np.ndarray,
    *,
    noise_px: float,
    dropout_prob: float,
    swap_frames: Sequence[tuple[int, int]] | None,
    seed: int,
    source: str,
) -> tuple[PoseSequence, np.ndarray]:
    if noise_px < 0:
        raise ValueError(f"noise_px: expected >= 0, got {noise_px}")
    if not 0 <= dropout_prob < 1:
        raise ValueError(f"dropout_prob: expected in [0, 1), got {dropout_prob}")
    n = len(joints)
    look_at = np.broadcast_to(np.asarray(look_at, dtype=float), (n, 3)).copy()
    xy_true = project(joints, camera, look_at)
    rng_vis, rng_noise, rng_drop = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    vis = _visibility(joints, camera, look_at, xy_true, rng_vis)
    xy = xy_true + rng_noise.normal(0.0, 1.0, size=xy_true.shape) * noise_px
    rot, _ = camera.extrinsics(look_at)
    pelvis = 0.5 * (joints[:, Landmark.LEFT_HIP] + joints[:, Landmark.RIGHT_HIP])
    world = np.einsum("tij,tnj->tni", rot, joints - pelvis[:, None, :])
    if swap_frames:
        idx = _leg_swap_index()
        for start, end in swap_frames:
            if not 0 <= start < end <= n:
                raise ValueError(f"swap_frames: range ({start}, {end}) outside 0..{n}")
            sl = slice(start, end)
            xy[sl] = xy[sl][:, idx]
            vis[sl] = vis[sl][:, idx]
            world[sl] = world[sl][:, idx]
    if dropout_prob > 0:
        drop = rng_drop.random((n, N_LANDMARKS)) < dropout_prob
        xy[drop] = np.nan
        world[drop] = np.nan
        vis[drop] = 0.0
    missing = np.isnan(xy).any(axis=-1)
    vis[missing] = 0.0
    xy[missing] = np.nan
    pose = PoseSequence(
        xy=xy, visibility=vis, t_s=t_s, frame_size=camera.frame_size, world=world, source=source
    )
    return pose, xy_true


def build_pose_sequence(
    joints_3d: np.ndarray,
    t_s: np.ndarray,
    camera: Camera,
    *,
    look_at: np.ndarray | None = None,
    noise_px: float = 0.0,
    dropout_prob: float = 0.0,
    swap_frames: Sequence[tuple[int, int]] | None = None,
    seed: int = 0,
    source: str = "synthetic",
) -> PoseSequence:
    """Project any ``(T, 33, 3)`` world pose into a :class:`PoseSequence`.

    Adds Gaussian pixel noise (``noise_px`` = sigma per axis), per-landmark dropouts (NaN,
    visibility 0) with probability ``dropout_prob``, left/right leg label swaps on the
    half-open frame ranges ``swap_frames`` (``[(start, end), ...]``, as BlazePose does), and a
    visibility of 0.9–1.0 lowered for far-side limbs, the face seen from behind and points
    outside the frame. ``look_at`` as in :func:`project`.
    """
    joints = np.asarray(joints_3d, dtype=float)
    if joints.ndim != 3 or joints.shape[1:] != (N_LANDMARKS, 3):
        raise ValueError(f"joints_3d: expected shape (T, 33, 3), got {joints.shape}")
    target = _default_look_at(joints) if look_at is None else look_at
    pose, _ = _degrade(
        joints,
        np.asarray(t_s, dtype=float),
        camera,
        target,
        noise_px=noise_px,
        dropout_prob=dropout_prob,
        swap_frames=swap_frames,
        seed=seed,
        source=source,
    )
    return pose


def _finish(
    joints: np.ndarray,
    t_s: np.ndarray,
    camera: Camera,
    look_at: np.ndarray,
    truth,
    body: Body,
    *,
    noise_px: float,
    dropout_prob: float,
    swap_frames: Sequence[tuple[int, int]] | None,
    seed: int,
    source: str,
) -> SyntheticResult:
    look_at = np.broadcast_to(np.asarray(look_at, dtype=float), (len(joints), 3)).copy()
    pose, xy_true = _degrade(
        joints,
        t_s,
        camera,
        look_at,
        noise_px=noise_px,
        dropout_prob=dropout_prob,
        swap_frames=swap_frames,
        seed=seed,
        source=source,
    )
    return SyntheticResult(
        pose=pose,
        truth=truth,
        joints_3d=joints,
        xy_true=xy_true,
        camera=camera,
        look_at=look_at,
        body=body,
    )


def _per_side(value: float | Sequence[float], name: str) -> dict[str, float]:
    if isinstance(value, int | float):
        return {"left": float(value), "right": float(value)}
    vals = tuple(float(v) for v in value)
    if len(vals) != 2:
        raise ValueError(f"{name}: expected a number or (left, right), got {value!r}")
    return dict(zip(_SIDES, vals, strict=True))


def _time_axis(duration_s: float, fps: float) -> np.ndarray:
    if fps <= 0 or duration_s <= 0:
        raise ValueError("duration_s and fps must be positive")
    n = int(math.floor(duration_s * fps + 1e-9)) + 1
    return np.arange(n) / fps


# ------------------------------------------------------------------------------------------
# walking
# ------------------------------------------------------------------------------------------
_STANCE = 0.60  # stance fraction of the stride; double support 0–0.10 and 0.50–0.60
_DS = 0.10
_FOOT_FLAT = 0.08  # foot flat reached
_HEEL_OFF = 0.35  # heel rise starts
_TO_PITCH = math.radians(45.0)  # rearfoot pitch (heel up) at toe off
_STRIKE_DEG = {"heel": 20.0, "midfoot": 3.0, "forefoot": -8.0}
# Stance knee flexion targets (phase, deg) that set the pelvis height: loading response
# ~16°, near straight in mid/terminal stance. The value at 0.5 (opposite heel strike) is
# solved so that the pelvis height is continuous when the other leg takes over.
_KNEE_TARGET_KNOTS = ((0.0, 4.0), (0.12, 16.0), (0.28, 5.0))


def _valgus_bump(u: np.ndarray, peak_at: float = 0.2) -> np.ndarray:
    """0→1→0 over stance fraction u in [0, 1], peaking at ``peak_at`` (loading response)."""
    u = np.clip(u, 0.0, 1.0)
    rise = 0.5 * (1 - np.cos(np.pi * u / peak_at))
    fall = 0.5 * (1 + np.cos(np.pi * (u - peak_at) / (1 - peak_at)))
    return np.where(u <= peak_at, rise, fall)


class _WalkModel:
    """Steady-state walking as a function of continuous time."""

    def __init__(
        self,
        body: Body,
        cadence_spm: float,
        step_length_m: float,
        step_width_m: float,
        valgus: dict[str, float],
        drop: dict[str, float],
        strike: str,
        duration_s: float,
    ) -> None:
        self.body = body
        self.stride_s = 120.0 / cadence_spm
        self.stride_m = 2.0 * step_length_m
        self.speed = self.stride_m / self.stride_s
        self.duration_s = duration_s
        self.lane = {s: _LAT[s] * step_width_m / 2 for s in _SIDES}
        self.valgus = valgus
        self.drop = drop
        self.alpha0 = math.radians(_STRIKE_DEG[strike])
        self.phi0 = {"left": 0.25, "right": 0.75}
        self.c_mid = 0.27  # phase at which the pelvis passes over the flat-foot ankle
        self.sway_m = 0.015 * body.scale
        self._build_knee_targets()
        self._build_height()
        self._build_swing()

    # -- timing ------------------------------------------------------------------------
    def cycle(self, side: str, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = np.asarray(t, dtype=float) / self.stride_s + self.phi0[side]
        # A time computed by hs_time(k) must land in cycle k at phase 0: without the
        # tolerance, rounding puts some of them at phase 0.99999… of cycle k - 1 (the end of
        # swing), and the model is built from the stance foot at such instants.
        k = np.floor(u + 1e-9)
        return np.maximum(u - k, 0.0), k

    def hs_time(self, side: str, k: np.ndarray) -> np.ndarray:
        return (np.asarray(k, dtype=float) - self.phi0[side]) * self.stride_s

    def pelvis_x(self, t: np.ndarray) -> np.ndarray:
        return self.speed * (np.asarray(t, dtype=float) - self.duration_s / 2)

    def sway_y(self, t: np.ndarray) -> np.ndarray:
        phi_l, _ = self.cycle("left", t)
        return self.sway_m * np.cos(2 * np.pi * (phi_l - 0.3))

    # -- stance foot -------------------------------------------------------------------
    def stance_foot(self, side: str, t: np.ndarray):
        """Ankle (n, 3), rearfoot pitch, toe pitch of the stance foot (valid for phase < 0.6)."""
        b = self.body
        phi, k = self.cycle(side, t)
        u = np.clip(phi / _FOOT_FLAT, 0, 1)
        v = np.clip((phi - _HEEL_OFF) / (_STANCE - _HEEL_OFF), 0, 1)
        theta = np.where(
            phi < _FOOT_FLAT,
            self.alpha0 * (1 - u) ** 2,
            np.where(phi > _HEEL_OFF, -_TO_PITCH * v**2, 0.0),
        )
        # Pivot on the heel when toe up, on the metatarsal heads (toes flat) when heel up.
        ax_h, az_h = _pitch(b.heel_back_m, b.ankle_height_m, theta)
        ax_m, az_m = _pitch(-b.mtp_fwd_m, b.ankle_height_m, theta)
        heel_pivot = theta > 0
        ax = np.where(heel_pivot, -b.heel_back_m + ax_h, b.mtp_fwd_m + ax_m)
        az = np.where(heel_pivot, az_h, az_m)
        toe_pitch = np.where(heel_pivot, theta, 0.0)
        x_flat = self.pelvis_x(self.hs_time(side, k) + self.c_mid * self.stride_s)
        ankle = np.stack([x_flat + ax, np.full_like(ax, self.lane[side]), az], axis=-1)
        return ankle, theta, toe_pitch

    # -- pelvis height -----------------------------------------------------------------
    def _hip_neutral_y(self, side: str, t: np.ndarray) -> np.ndarray:
        return self.sway_y(t) + _LAT[side] * self.body.hip_width_m / 2

    def _required_height(self, side: str, t: np.ndarray, knee_rad: np.ndarray) -> np.ndarray:
        b = self.body
        ankle, _, _ = self.stance_foot(side, t)
        dx = ankle[:, 0] - self.pelvis_x(t)
        dy = ankle[:, 1] - self._hip_neutral_y(side, t)
        d2 = b.thigh_m**2 + b.shank_m**2 + 2 * b.thigh_m * b.shank_m * np.cos(knee_rad)
        rest = d2 - dx**2 - dy**2
        if np.any(rest <= 0):
            raise ValueError(
                "step_length_m too long for this body height (the stance leg cannot reach)"
            )
        return ankle[:, 2] + np.sqrt(rest)

    def _knee_needed(self, side: str, phi: np.ndarray) -> np.ndarray:
        """Knee flexion that leaves room for the imposed frontal-plane angle."""
        b = self.body
        fppa = np.radians(np.abs(self.fppa_target(side, phi)))
        m = b.thigh_m * np.tan(fppa / 2)
        r = m / math.sin(math.radians(55.0))
        d = b.thigh_m + b.shank_m
        return np.arcsin(np.clip(r * d / (b.thigh_m * b.shank_m), 0, 1)) + math.radians(1.0)

    def fppa_target(self, side: str, phi: np.ndarray) -> np.ndarray:
        return self.valgus[side] * _valgus_bump(np.asarray(phi) / _STANCE) * (phi < _STANCE)

    def _build_knee_targets(self) -> None:
        ph = [k[0] for k in _KNEE_TARGET_KNOTS]
        kn = [math.radians(k[1]) for k in _KNEE_TARGET_KNOTS]
        first = PchipInterpolator(ph, kn)
        self._knee_target: dict[str, PchipInterpolator] = {}
        for side in _SIDES:
            other = "right" if side == "left" else "left"
            t_hs = self.hs_time(other, np.array([4.0]))
            need = self._knee_needed(other, np.zeros(1))
            h0 = self._required_height(other, t_hs, np.maximum(first(0.0), need))
            lo, hi = math.radians(0.5), math.radians(80.0)
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if self._required_height(side, t_hs, np.array([mid]))[0] > h0[0]:
                    lo = mid
                else:
                    hi = mid
            self._knee_target[side] = PchipInterpolator(ph + [0.5], kn + [0.5 * (lo + hi)])

    def _stance_heights(self, t: np.ndarray, floor: bool) -> np.ndarray:
        """Pelvis height that puts the stance leg at its target (or floor) knee flexion.

        ``floor=False``: the leg in its first half of stance (phase 0–0.5: exactly one leg at
        any time) at the target flexion. ``floor=True``: the lowest cap over both stance legs
        that keeps each knee flexed by at least 2° (and enough for the imposed valgus).
        """
        out = np.full(len(t), np.inf)
        for side in _SIDES:
            phi, _ = self.cycle(side, t)
            sel = phi < (_STANCE if floor else 0.5)
            if not sel.any():
                continue
            need = self._knee_needed(side, phi[sel])
            if floor:
                knee = np.maximum(need, math.radians(2.0))
            else:
                knee = np.maximum(self._knee_target[side](phi[sel]), need)
            out[sel] = np.minimum(out[sel], self._required_height(side, t[sel], knee))
        return out

    def _build_height(self) -> None:
        # A smooth periodic pelvis height: a low-order Fourier fit of the per-leg targets,
        # lowered just enough that no stance knee is ever straighter than its floor.
        n = 720
        t = (np.arange(n) / n - self.phi0["left"]) * self.stride_s  # one stride from left HS
        raw = self._stance_heights(t, floor=False)
        spec = np.fft.rfft(raw) / n
        self._h_harm = 10
        self._h_coef = spec[: self._h_harm + 1].copy()
        fine = (np.arange(4 * n) / (4 * n) - self.phi0["left"]) * self.stride_s
        excess = self._fourier_height(fine) - self._stance_heights(fine, floor=True)
        self._h_coef[0] -= max(0.0, float(excess.max())) + 1e-6

    def _fourier_height(self, t: np.ndarray) -> np.ndarray:
        phi_l, _ = self.cycle("left", np.asarray(t, dtype=float))
        k = np.arange(self._h_harm + 1)
        terms = self._h_coef[None, :] * np.exp(2j * np.pi * phi_l[:, None] * k[None, :])
        return terms[:, 0].real + 2 * terms[:, 1:].real.sum(axis=1)

    def height(self, t: np.ndarray) -> np.ndarray:
        return self._fourier_height(t)

    # -- pelvis frontal plane --------------------------------------------------------------
    def obliquity(self, t: np.ndarray) -> np.ndarray:
        """Pelvic obliquity (rad), + left hip higher: the swing-side hip drops in single support."""
        out = np.zeros(len(t))
        for side in _SIDES:
            phi, _ = self.cycle(side, t)
            single = (phi >= _DS) & (phi <= _STANCE - _DS)
            bump = np.sin(np.pi * (phi - _DS) / (_STANCE - 2 * _DS)) ** 2
            out += np.where(single, _LAT[side] * math.radians(self.drop[side]) * bump, 0.0)
        return out

    def hips(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Left hip, right hip and pelvis centre, (n, 3) each."""
        t = np.asarray(t, dtype=float)
        half = self.body.hip_width_m / 2
        neutral = np.stack([self.pelvis_x(t), self.sway_y(t), self.height(t)], axis=-1)
        om = self.obliquity(t)
        phi_l, _ = self.cycle("left", t)
        pivot_lat = np.where((phi_l >= _DS) & (phi_l <= _STANCE - _DS), 1.0, -1.0)
        arm = half * np.stack([np.zeros_like(om), np.cos(om), np.sin(om)], axis=-1)
        pivot = neutral + (pivot_lat * half)[:, None] * np.array([0.0, 1.0, 0.0])
        centre = pivot - pivot_lat[:, None] * arm
        return centre + arm, centre - arm, centre

    # -- legs ----------------------------------------------------------------------------
    def _hip(self, side: str, t: np.ndarray) -> np.ndarray:
        lh, rh, _ = self.hips(t)
        return lh if side == "left" else rh

    def _x_flat(self, side: str, k: np.ndarray) -> np.ndarray:
        return self.pelvis_x(self.hs_time(side, k) + self.c_mid * self.stride_s)

    def _build_swing(self) -> None:
        """Swing foot paths in world coordinates, from the stance state at toe off to heel strike.

        The ankle follows cubic Hermite curves: forward from its toe-off position and velocity
        to the landing position, landing at 80 % of walking speed forward (heel contact
        velocity is about 1 m/s in healthy adults) and 0.3 m/s downward; its height is set at
        three instants so the knee flexes to 62° at 30 % of swing, 30° at 70 % and 6° at 88 %.
        The foot pitch drops a further 8° after toe off, then rotates to
        its landing angle by 85 % of swing and holds it. Knees and hips follow by inverse
        kinematics; the foot is lifted where needed to clear the floor by 1.5 cm at mid swing.
        """
        b = self.body
        eps = 1e-5 * self.stride_s
        sw = (1 - _STANCE) * self.stride_s
        self._swing: dict[str, list[CubicHermiteSpline]] = {}
        for side in _SIDES:
            t_hs = float(self.hs_time(side, 4))
            t_to = t_hs - sw
            x0 = float(self._x_flat(side, np.array([3.0]))[0])
            a_to, p_to, q_to = self.stance_foot(side, np.array([t_to - 2 * eps, t_to - eps, t_to]))
            a_hs, p_hs, q_hs = self.stance_foot(side, np.array([t_hs]))

            def rate(v: np.ndarray) -> np.ndarray:
                return (3 * v[2] - 4 * v[1] + v[0]) / (2 * eps)

            v_ankle = rate(a_to)
            deg = math.radians
            spline_x = CubicHermiteSpline(
                [0.0, sw], [a_to[2, 0] - x0, a_hs[0, 0] - x0], [v_ankle[0], 0.8 * self.speed]
            )

            # Ankle heights that put the knee at 62° flexion at 30 % of swing (its peak) and
            # at 30° at 70 % of swing (terminal swing extension).
            def ankle_z(
                frac: float, knee_deg: float, side=side, t_to=t_to, x0=x0, spline_x=spline_x
            ) -> float:
                hip = self._hip(side, np.array([t_to + frac * sw]))[0]
                ax = x0 + float(spline_x(frac * sw))
                dist = _hip_ankle_reach(self.body, knee_deg)
                q2 = dist**2 - (ax - hip[0]) ** 2 - (self.lane[side] - hip[1]) ** 2
                if q2 <= 0:
                    raise ValueError("step_length_m too long for this body height (swing)")
                return hip[2] - math.sqrt(q2)

            fr = np.array([0.0, 0.3, 0.7, 0.88, 1.0])
            zk = np.array(
                [a_to[2, 2], ankle_z(0.3, 62.0), ankle_z(0.7, 30.0), ankle_z(0.88, 6.0), a_hs[0, 2]]
            )
            slopes = np.gradient(zk, fr * sw)
            slopes[[0, 1, -1]] = v_ankle[2], 0.0, -0.3 * b.scale
            spline_z = CubicHermiteSpline(fr * sw, zk, slopes)
            beta_to = q_to - p_to
            spline_p = CubicHermiteSpline(
                [0.0, 0.15 * sw, 0.85 * sw, sw],
                [p_to[2], p_to[2] - deg(8.0), p_hs[0], p_hs[0]],
                [rate(p_to), 0.0, 0.0, 0.0],
            )
            spline_b = CubicHermiteSpline(
                [0.0, 0.35 * sw, 0.7 * sw, sw],
                [beta_to[2], 0.0, 0.0, q_hs[0] - p_hs[0]],
                [rate(beta_to), 0.0, 0.0, 0.0],
            )
            self._swing[side] = [spline_x, spline_z, spline_p, spline_b]

    def swing_foot(self, side: str, t: np.ndarray, hip: np.ndarray):
        """Ankle (n, 3), rearfoot pitch and toe pitch of the swing foot (phase >= 0.6)."""
        b = self.body
        phi, k = self.cycle(side, t)
        sw = (1 - _STANCE) * self.stride_s
        tau = (phi - _STANCE) * self.stride_s
        sx, sz, sp, sb = self._swing[side]
        x = self._x_flat(side, k) + sx(tau)
        z = sz(tau)
        pitch = sp(tau)
        toe_pitch = pitch + sb(tau)
        # Floor clearance: lift the ankle smoothly where the lowest foot point would come
        # closer than the clearance profile (zero at toe off and heel strike).
        zero = np.zeros((len(tau), 3))
        heel, mtp, tip = _foot_points(zero, pitch, toe_pitch, b)
        lowest = np.minimum(np.minimum(heel[:, 2], mtp[:, 2]), tip[:, 2])
        s = tau / sw
        clearance = 0.015 * b.scale * np.sin(np.pi * s)
        window = _mj(s / 0.1) * _mj((1 - s) / 0.1)
        soft = 0.002
        z = z + window * soft * np.logaddexp(0.0, (clearance - lowest - z) / soft)
        # Reach: never straighter than 1.5° of knee flexion.
        dx = x - hip[:, 0]
        dy = self.lane[side] - hip[:, 1]
        room = _hip_ankle_reach(b, 1.5) ** 2 - dx**2 - dy**2
        if np.any(room <= 0):
            raise ValueError("step_length_m too long for this body height (swing)")
        z = np.maximum(z, hip[:, 2] - np.sqrt(room))
        ankle = np.stack([x, np.full_like(x, self.lane[side]), z], axis=-1)
        return ankle, pitch, toe_pitch

    def joints(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        n = len(t)
        b = self.body
        lh, rh, centre = self.hips(t)
        hips = {"left": lh, "right": rh}
        parts: dict[Landmark, np.ndarray] = {}
        for side in _SIDES:
            phi, _ = self.cycle(side, t)
            st = phi < _STANCE
            ankle = np.empty((n, 3))
            pitch = np.empty(n)
            toe = np.empty(n)
            a1, p1, q1 = self.stance_foot(side, t[st])
            ankle[st], pitch[st], toe[st] = a1, p1, q1
            a2, p2, q2 = self.swing_foot(side, t[~st], hips[side][~st])
            ankle[~st], pitch[~st], toe[~st] = a2, p2, q2
            knee = np.empty((n, 3))
            knee[st] = _knee_ik(hips[side][st], ankle[st], b, side, self.fppa_target(side, phi[st]))
            knee[~st] = _knee_ik(hips[side][~st], ankle[~st], b, side)
            heel, _, tip = _foot_points(ankle, pitch, toe, b)
            parts[side_landmark(side, "hip")] = hips[side]
            parts[side_landmark(side, "knee")] = knee
            parts[side_landmark(side, "ankle")] = ankle
            parts[side_landmark(side, "heel")] = heel
            parts[side_landmark(side, "foot_index")] = tip
        phi_l, _ = self.cycle("left", t)
        phi_r, _ = self.cycle("right", t)
        arm = {"left": 15.0 * np.cos(2 * np.pi * phi_r), "right": 15.0 * np.cos(2 * np.pi * phi_l)}
        elbow = {s: 20.0 + 0.5 * arm[s] for s in _SIDES}
        parts.update(_upper_body(b, centre, arm, elbow))
        return _stack_joints(parts, n)


def _sagittal_signals(joints: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for side in _SIDES:
        hip = joints[:, side_landmark(side, "hip")]
        knee = joints[:, side_landmark(side, "knee")]
        ankle = joints[:, side_landmark(side, "ankle")]
        heel = joints[:, side_landmark(side, "heel")]
        toe = joints[:, side_landmark(side, "foot_index")]
        th, sh = knee - hip, ankle - knee
        cos = np.sum(th * sh, axis=-1) / np.linalg.norm(th, axis=-1) / np.linalg.norm(sh, axis=-1)
        out[f"knee_flexion_{side}_deg"] = np.degrees(np.arccos(np.clip(cos, -1, 1)))
        out[f"hip_flexion_{side}_deg"] = np.degrees(np.arctan2(th[:, 0], -th[:, 2]))
        ft = toe - heel
        out[f"foot_angle_{side}_deg"] = np.degrees(
            np.arctan2(ft[:, 2], np.hypot(ft[:, 0], ft[:, 1]))
        )
        out[f"heel_height_{side}_m"] = heel[:, 2]
        out[f"toe_height_{side}_m"] = toe[:, 2]
    return out


def walk(
    *,
    cadence_spm: float = 110.0,
    step_length_m: float = 0.65,
    duration_s: float = 8.0,
    fps: float = 30.0,
    valgus_peak_deg: float | tuple[float, float] = (0.0, 0.0),
    pelvic_drop_deg: float | tuple[float, float] = 0.0,
    foot_strike: str = "heel",
    camera: Camera | None = None,
    camera_follows: bool = True,
    noise_px: float = 0.0,
    dropout_prob: float = 0.0,
    swap_frames: Sequence[tuple[int, int]] | None = None,
    seed: int = 0,
    height_m: float = 1.70,
    step_width_m: float = 0.10,
) -> SyntheticResult:
    """Steady-state walking along +x with exact gait events.

    Stance is 60 % of the stride (double support 0–10 % and 50–60 %). The stance foot is
    planted: heel rocker to foot flat at 8 %, heel rise about the metatarsal heads from 35 %
    (toes flat), toe off at 60 %. Knee flexion: about 2° at heel strike, 16° in loading
    response, 7° in mid stance, 35° around toe off, 63° peak in swing (74 %); the thigh moves
    between about −11° and +28° from vertical; the pelvis rises and falls about 5 cm and sways
    ±1.5 cm sideways. A large imposed valgus deepens the loading-response knee flexion (a
    straight knee cannot cave in). The left heel strikes first, at 0.75 stride.

    Event truth is exact. Zeni's rule (heel most anterior / toe most posterior relative to
    the pelvis) lands about 10 ms before the true heel strike and 30 ms after the true toe
    off on this model, as on real walkers (the toe leaves the floor at rest).

    Parameters
    ----------
    valgus_peak_deg
        Peak frontal-plane knee angle (FPPA, + valgus) during stance, ``(left, right)`` or
        one number for both: a smooth bump from heel strike to toe off peaking at 12 % of the
        stride (loading response, where dynamic valgus peaks).
    pelvic_drop_deg
        Contralateral pelvic drop, keyed by the STANCE side: ``(2, 6)`` drops the right hip 2°
        while standing on the left leg and the left hip 6° while standing on the right.
        A sin² bump over single support, rotating the pelvis about the stance hip.
    foot_strike
        ``heel`` (foot 20° toe-up at contact), ``midfoot`` (3°) or ``forefoot`` (−8°; the
        toes are flat on the floor at contact, so heel→toe reads about −6°).
    camera
        Default: ``Camera()`` (anterior, 4 m).
    camera_follows
        True: the camera moves with the walker (treadmill-like, the walker stays in frame).
        False: the camera stays aimed at the middle of the path (x = 0); the walker crosses a
        side view or approaches/leaves a frontal one (keep ``speed × duration / 2`` below
        ``camera.distance_m``, or the walker reaches the camera: points behind it are NaN);
        points outside the image get visibility ≤ 0.1.
    swap_frames
        Half-open frame ranges ``[(start, end)]`` where left/right leg labels are swapped.
    step_width_m
        Distance between the left and right foot lines (the hips are 0.11 × height apart).
    """
    if foot_strike not in _STRIKE_DEG:
        raise ValueError(f"foot_strike: expected one of {sorted(_STRIKE_DEG)}, got {foot_strike!r}")
    if not 40 <= cadence_spm <= 200:
        raise ValueError(f"cadence_spm: expected 40–200, got {cadence_spm}")
    if not 0.1 <= step_length_m:
        raise ValueError(f"step_length_m: expected >= 0.1, got {step_length_m}")
    body = Body(height_m)
    valgus = _per_side(valgus_peak_deg, "valgus_peak_deg")
    drop = _per_side(pelvic_drop_deg, "pelvic_drop_deg")
    if any(abs(v) > 25 for v in valgus.values()) or any(abs(v) > 20 for v in drop.values()):
        raise ValueError("valgus_peak_deg must be within ±25° and pelvic_drop_deg within ±20°")
    camera = Camera() if camera is None else camera
    t = _time_axis(duration_s, fps)
    model = _WalkModel(
        body, cadence_spm, step_length_m, step_width_m, valgus, drop, foot_strike, duration_s
    )
    joints = model.joints(t)

    # events, exact times
    events: list[Event] = []
    contacts: list[FootContact] = []
    supports: list[SingleSupport] = []
    for side in _SIDES:
        k0 = math.floor(model.phi0[side]) - 1
        k1 = math.ceil(duration_s / model.stride_s + model.phi0[side]) + 1
        for k in range(k0, k1 + 1):
            t_hs = float(model.hs_time(side, k))
            t_to = t_hs + _STANCE * model.stride_s
            if 0 <= t_hs <= t[-1]:
                events.append(Event("heel_strike", t_hs, _frame_of(t_hs, fps), side))
                jt = model.joints(np.array([t_hs]))[0]
                heel = jt[side_landmark(side, "heel")]
                tip = jt[side_landmark(side, "foot_index")]
                pelvis = 0.5 * (jt[Landmark.LEFT_HIP] + jt[Landmark.RIGHT_HIP])
                ang = math.degrees(math.atan2(tip[2] - heel[2], tip[0] - heel[0]))
                contacts.append(
                    FootContact(side, t_hs, _frame_of(t_hs, fps), ang, float(heel[0] - pelvis[0]))
                )
            if 0 <= t_to <= t[-1]:
                events.append(Event("toe_off", t_to, _frame_of(t_to, fps), side))
            ss0, ss1 = t_hs + _DS * model.stride_s, t_hs + (_STANCE - _DS) * model.stride_s
            if ss0 >= 0 and ss1 <= t[-1]:
                supports.append(SingleSupport(side, ss0, ss1, drop[side]))
    events.sort(key=lambda e: (e.t_s, e.type))
    contacts.sort(key=lambda c: c.t_s)
    supports.sort(key=lambda s: s.start_s)
    hs_times = np.array([e.t_s for e in events if e.type == "heel_strike"])

    values: dict[str, np.ndarray] = {}
    for side in _SIDES:
        values[f"fppa_{side}_deg"] = frontal_angles(
            joints[:, side_landmark(side, "hip")],
            joints[:, side_landmark(side, "knee")],
            joints[:, side_landmark(side, "ankle")],
            side,
        )
        phi, _ = model.cycle(side, t)
        values[f"stance_{side}"] = phi < _STANCE
    values["pelvic_obliquity_deg"] = _obliquity(joints)
    values.update(_sagittal_signals(joints))
    truth = WalkTruth(
        events=tuple(events),
        contacts=tuple(contacts),
        single_supports=tuple(supports),
        cadence_spm=float(cadence_spm),
        step_length_m=float(step_length_m),
        speed_m_s=model.speed,
        stride_time_s=model.stride_s,
        step_time_s=model.stride_s / 2,
        step_times_s=np.diff(hs_times),
        stance_fraction=_STANCE,
        double_support_fraction=2 * _DS,
        foot_strike=foot_strike,
        valgus_peak_deg=(valgus["left"], valgus["right"]),
        pelvic_drop_deg=(drop["left"], drop["right"]),
        signals=Signals(t_s=t, values=values),
    )
    mean_h = float(np.mean(model.height(t)))
    if camera_follows:
        look_at = np.stack([model.pelvis_x(t), np.zeros_like(t), np.full_like(t, mean_h)], axis=-1)
    else:
        look_at = np.array([0.0, 0.0, mean_h])
    return _finish(
        joints,
        t,
        camera,
        look_at,
        truth,
        body,
        noise_px=noise_px,
        dropout_prob=dropout_prob,
        swap_frames=swap_frames,
        seed=seed,
        source="synthetic:walk",
    )


# ------------------------------------------------------------------------------------------
# standing tasks: shared helpers
# ------------------------------------------------------------------------------------------
_STAND_KNEE_DEG = 6.0  # soft knees: standing knee flexion


def _standing_height(
    body: Body,
    centre_xy: np.ndarray,
    ankles: Mapping[str, np.ndarray],
    planted: Mapping[str, np.ndarray],
) -> np.ndarray:
    """Pelvis height that keeps every planted leg at the standing knee flexion (lowest wins)."""
    reach = _hip_ankle_reach(body, _STAND_KNEE_DEG)
    out = np.full(len(centre_xy), np.inf)
    for side in _SIDES:
        hip_y = centre_xy[:, 1] + _LAT[side] * body.hip_width_m / 2
        dx = ankles[side][:, 0] - centre_xy[:, 0]
        dy = ankles[side][:, 1] - hip_y
        h = ankles[side][:, 2] + np.sqrt(np.maximum(reach**2 - dx**2 - dy**2, 0.0))
        out = np.where(planted[side], np.minimum(out, h), out)
    if not np.all(np.isfinite(out)):
        raise AssertionError("no planted foot")
    return out


def _tilted_hips(
    centre: np.ndarray, omega_rad: np.ndarray, pivot_side: str | np.ndarray, body: Body
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rotate the neutral pelvis about the pivot (stance) hip by ``omega`` (+ left hip up)."""
    half = body.hip_width_m / 2
    lat = (
        np.full(len(centre), _LAT[pivot_side])
        if isinstance(pivot_side, str)
        else np.asarray(pivot_side, dtype=float)
    )
    arm = half * np.stack([np.zeros_like(omega_rad), np.cos(omega_rad), np.sin(omega_rad)], -1)
    pivot = centre + (lat * half)[:, None] * np.array([0.0, 1.0, 0.0])
    c = pivot - lat[:, None] * arm
    return c + arm, c - arm, c


def _lifted_foot(
    planted: np.ndarray, env: np.ndarray, follow: np.ndarray, body: Body
) -> tuple[np.ndarray, np.ndarray]:
    """A foot lifted behind the body (knee bent) as ``env`` goes 0→1; returns ankle, pitch."""
    s = body.scale
    offset = np.array([-0.10 * s, 0.0, 0.20 * s])
    ankle = planted + env[:, None] * (offset + follow)
    return ankle, -math.radians(20.0) * env


def _interval_env(t: np.ndarray, start: float, end: float, ramp: float) -> np.ndarray:
    """0 outside [start, end], 1 inside, minimum-jerk ramps of ``ramp`` s inside the interval."""
    up = _mj((t - start) / ramp)
    down = _mj((end - t) / ramp)
    return np.where((t > start) & (t < end), np.minimum(up, down), 0.0)


def _standing_arms(n: int, deg: float = 5.0, elbow: float = 10.0):
    arm = {s: np.full(n, deg) for s in _SIDES}
    elb = {s: np.full(n, elbow) for s in _SIDES}
    return arm, elb


def _legs_parts(
    body: Body,
    hips: Mapping[str, np.ndarray],
    ankles: Mapping[str, np.ndarray],
    pitch: Mapping[str, np.ndarray],
    toe_pitch: Mapping[str, np.ndarray],
    knees: Mapping[str, np.ndarray] | None = None,
    heels: Mapping[str, np.ndarray] | None = None,
    tips: Mapping[str, np.ndarray] | None = None,
) -> dict[Landmark, np.ndarray]:
    parts: dict[Landmark, np.ndarray] = {}
    for side in _SIDES:
        heel, _, tip = _foot_points(ankles[side], pitch[side], toe_pitch[side], body)
        if heels is not None and side in heels:
            heel = heels[side]
        if tips is not None and side in tips:
            tip = tips[side]
        knee = (
            knees[side]
            if knees is not None and side in knees
            else _knee_ik(hips[side], ankles[side], body, side)
        )
        parts[side_landmark(side, "hip")] = hips[side]
        parts[side_landmark(side, "knee")] = knee
        parts[side_landmark(side, "ankle")] = ankles[side]
        parts[side_landmark(side, "heel")] = heel
        parts[side_landmark(side, "foot_index")] = tip
    return parts


def _check_side(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {list(allowed)}, got {value!r}")


# ------------------------------------------------------------------------------------------
# calf raises
# ------------------------------------------------------------------------------------------
def _roll_about_x(points: np.ndarray, axis_y: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """Rotate ``(n, 3)`` points about the world x axis through (y = axis_y, z = 0) by psi."""
    y = points[:, 1] - axis_y
    z = points[:, 2]
    c, s = np.cos(psi), np.sin(psi)
    return np.stack([points[:, 0], axis_y + y * c - z * s, y * s + z * c], axis=-1)


def _per_rep_roll(value, reps: int) -> dict[str, np.ndarray]:
    def expand(v) -> np.ndarray:
        if isinstance(v, int | float):
            return np.full(reps, float(v))
        arr = np.asarray(v, dtype=float)
        if arr.shape != (reps,):
            raise ValueError(f"ankle_roll_deg: expected one value per rep ({reps}), got {v!r}")
        return arr

    if isinstance(value, Mapping):
        return {s: expand(value.get(s, 0.0)) for s in _SIDES}
    arr = expand(value)
    return {s: arr.copy() for s in _SIDES}


def calf_raises(
    *,
    reps: int = 5,
    rise_s: float = 1.0,
    hold_s: float = 0.5,
    lower_s: float = 1.5,
    rest_s: float = 1.0,
    heel_height_m: float = 0.06,
    ankle_roll_deg: float | Sequence[float] | Mapping[str, float | Sequence[float]] = 0.0,
    legs: str = "both",
    setup_s: float = 1.5,
    step_away_s: float = 0.0,
    fps: float = 30.0,
    camera: Camera | None = None,
    noise_px: float = 0.0,
    dropout_prob: float = 0.0,
    swap_frames: Sequence[tuple[int, int]] | None = None,
    seed: int = 0,
    height_m: float = 1.70,
) -> SyntheticResult:
    """Standing calf raises (heel raises) facing +x, feet hip-width apart.

    Each rep: rise (minimum-jerk), hold at the top, lower, rest. The heel rises by rotating the
    rearfoot about the metatarsal heads; the toes stay flat, so ``foot_index`` never moves.
    The body rises with the ankles. Timeline: ``setup_s`` standing, then the reps (each
    followed by ``rest_s``), then ``step_away_s`` of side-stepping out to the subject's right
    (feet lift clear of the floor: not reps).

    Parameters
    ----------
    heel_height_m
        Peak heel rise above the floor (the standing heel is on the floor). A roll lowers the
        heel slightly (by the cosine of the roll); ``RepTruth.heel_height_m`` is the height
        actually reached.
    ankle_roll_deg
        Outward roll (inversion, +) at the top of each rep, growing with the rise: one number,
        one per rep, or ``{"left": ..., "right": ...}`` of either. Realised as a rotation of
        the rearfoot about the floor line through the metatarsal heads, sized so that the
        frontal-plane angle between shank and heel line changes by exactly this much.
    legs
        ``"both"``, or ``"left"``/``"right"`` for a single-leg raise on that leg (the other
        foot is lifted behind during setup and put down after the last rep).
    """
    _check_side("legs", legs, ("both", "left", "right"))
    if reps < 0 or min(rise_s, lower_s) <= 0 or min(hold_s, rest_s, setup_s, step_away_s) < 0:
        raise ValueError("reps and the phase durations must be >= 0 (rise_s, lower_s > 0)")
    body = Body(height_m)
    rollback = body.heel_back_m + body.mtp_fwd_m
    if not 0 < heel_height_m < 0.8 * rollback:
        raise ValueError(
            f"heel_height_m: expected in (0, {0.8 * rollback:.3f}), got {heel_height_m}"
        )
    roll = _per_rep_roll(ankle_roll_deg, reps)
    if any(np.any(np.abs(v) > 20) for v in roll.values()):
        raise ValueError("ankle_roll_deg must be within ±20°")
    camera = Camera() if camera is None else camera
    working = list(_SIDES) if legs == "both" else [legs]
    free = None if legs == "both" else ("right" if legs == "left" else "left")
    if free is not None:
        setup_s = max(setup_s, 1.5)
        rest_last = max(rest_s, 1.0)
    else:
        rest_last = rest_s
    cycle = rise_s + hold_s + lower_s + rest_s
    reps_end = setup_s + reps * cycle - rest_s + rest_last
    duration = reps_end + step_away_s
    t = _time_axis(duration, fps)
    n = len(t)
    s = body.scale
    theta_top = math.asin(heel_height_m / rollback)

    # rep timing and the 0→1 rise envelope
    env = np.zeros(n)
    phase = np.full(n, "rest", dtype=object)
    phase[t < setup_s] = "setup"
    roll_t = {side: np.zeros(n) for side in _SIDES}
    rep_times = []
    for i in range(reps):
        t0 = setup_s + i * cycle
        t1, t2, t3 = t0 + rise_s, t0 + rise_s + hold_s, t0 + rise_s + hold_s + lower_s
        rep_times.append((t0, t1, t2, t3))
        e = np.select(
            [(t >= t0) & (t < t1), (t >= t1) & (t <= t2), (t > t2) & (t < t3)],
            [_mj((t - t0) / rise_s), np.ones(n), 1 - _mj((t - t2) / lower_s)],
            0.0,
        )
        env = np.maximum(env, e)
        for side in _SIDES:
            roll_t[side] += e * roll[side][i]
        phase[(t >= t0) & (t < t1)] = "rise"
        phase[(t >= t1) & (t < t2)] = "hold"
        phase[(t >= t2) & (t < t3)] = "lower"
    phase[t >= reps_end] = "step_away"

    # feet: planted positions, step-away stepping
    half = body.hip_width_m / 2
    planted = {
        side: np.tile([0.0, _LAT[side] * half, body.ankle_height_m], (n, 1)) for side in _SIDES
    }
    lift = {side: np.zeros(n) for side in _SIDES}  # step-away foot clearance (m)
    step_dt, step_dy = 0.6, -0.35 * s
    if step_away_s > 0:
        n_steps = int(step_away_s // step_dt)
        for k in range(n_steps):
            side = "right" if k % 2 == 0 else "left"
            u = (t - reps_end - k * step_dt) / step_dt
            planted[side][:, 1] += step_dy * _mj(u)
            bump = 0.06 * s * np.sin(np.pi * np.clip(u, 0, 1)) ** 2
            lift[side] += np.where((u > 0) & (u < 1), bump, 0.0)
    centre_xy = np.stack([np.zeros(n), 0.5 * (planted["left"][:, 1] + planted["right"][:, 1])], -1)

    # single-leg: weight shift over the stance foot, free foot lifted behind
    free_env = np.zeros(n)
    if free is not None:
        stance = legs
        shift_env = _interval_env(t, 0.15 * setup_s, reps_end - 0.1, 0.3 * setup_s)
        centre_xy[:, 1] += shift_env * 0.8 * _LAT[stance] * half
        free_env = _interval_env(t, 0.55 * setup_s, reps_end - 0.5, 0.3 * setup_s)

    # working feet: heel rise about the metatarsal heads, then the roll
    pitch = {side: np.zeros(n) for side in _SIDES}
    ankles = {}
    for side in _SIDES:
        p = -theta_top * env if side in working else np.zeros(n)
        pitch[side] = p
        mtp = planted[side] + np.array([body.mtp_fwd_m, 0.0, -body.ankle_height_m])
        ax, az = _pitch(-body.mtp_fwd_m, body.ankle_height_m, p)
        ankles[side] = mtp + np.stack([ax, np.zeros(n), az], -1)
        ankles[side][:, 2] += lift[side]
    if free is not None:
        follow = np.zeros((n, 3))
        ankles[free], pitch[free] = _lifted_foot(ankles[free], free_env, follow, body)
    toe_pitch = {side: np.where(side in working, 0.0, pitch[side]) * np.ones(n) for side in _SIDES}
    # the body rises with the working ankles
    rise = np.mean([ankles[sd] - (planted[sd]) for sd in working], axis=0)
    centre_xy[:, 0] += rise[:, 0]
    planted_mask = {sd: (free_env == 0) if sd == free else np.ones(n, bool) for sd in _SIDES}
    planted_mask = {sd: planted_mask[sd] & (lift[sd] == 0) for sd in _SIDES}
    rolled_guess = {}
    for side in _SIDES:
        mtp_y = planted[side][:, 1]
        psi0 = -_LAT[side] * np.radians(roll_t[side]) if side in working else np.zeros(n)
        a = ankles[side]
        rolled_guess[side] = np.stack(
            [
                a[:, 0],
                mtp_y + (a[:, 1] - mtp_y) * np.cos(psi0) - a[:, 2] * np.sin(psi0),
                (a[:, 1] - mtp_y) * np.sin(psi0) + a[:, 2] * np.cos(psi0),
            ],
            -1,
        )
    h = _standing_height(body, centre_xy, rolled_guess, planted_mask)
    centre = np.stack([centre_xy[:, 0], centre_xy[:, 1], h], -1)
    lh, rh, centre = _tilted_hips(centre, np.zeros(n), "left", body)
    hips = {"left": lh, "right": rh}

    # Solve the roll so that the frontal rearfoot angle changes by exactly the target.
    heels: dict[str, np.ndarray] = {}
    knees: dict[str, np.ndarray] = {}
    tips: dict[str, np.ndarray] = {}
    roll_sig: dict[str, np.ndarray] = {}
    shift_sig: dict[str, np.ndarray] = {}
    for side in _SIDES:
        axis_y = planted[side][:, 1]
        heel0, _, tip = _foot_points(ankles[side], pitch[side], toe_pitch[side], body)
        tips[side] = tip  # on the roll axis: the toes stay put

        def pose(psi: np.ndarray, side: str = side, heel0: np.ndarray = heel0, axis_y=axis_y):
            a = _roll_about_x(ankles[side], axis_y, -_LAT[side] * psi)
            hl = _roll_about_x(heel0, axis_y, -_LAT[side] * psi)
            return a, hl, _knee_ik(hips[side], a, body, side)

        def shift(a: np.ndarray, hl: np.ndarray, side: str = side, tip: np.ndarray = tip):
            return _LAT[side] * (a[:, 1] - 0.5 * (hl[:, 1] + tip[:, 1]))

        a0, h0, k0 = pose(np.zeros(n))
        base = _rearfoot_angles(k0, a0, h0, side)
        psi = np.radians(roll_t[side]) if side in working else np.zeros(n)
        if side in working:
            for _ in range(12):
                a1, h1, k1 = pose(psi)
                err = roll_t[side] - (_rearfoot_angles(k1, a1, h1, side) - base)
                psi = psi + np.radians(err)
        ankles[side], heels[side], knees[side] = pose(psi)
        roll_sig[side] = _rearfoot_angles(knees[side], ankles[side], heels[side], side) - base
        shift_sig[side] = (
            100 * (shift(ankles[side], heels[side]) - shift(a0, h0)) / body.foot_length_m
        )

    parts = _legs_parts(body, hips, ankles, pitch, toe_pitch, knees=knees, heels=heels, tips=tips)
    arm, elbow = _standing_arms(n)
    parts.update(_upper_body(body, centre, arm, elbow))
    joints = _stack_joints(parts, n)

    # truth
    L_foot = body.foot_length_m
    values: dict[str, np.ndarray] = {}
    for side in _SIDES:
        heel = joints[:, side_landmark(side, "heel")]
        tip = joints[:, side_landmark(side, "foot_index")]
        lifted = np.minimum(heel[:, 2], tip[:, 2]) > 1e-6
        values[f"heel_height_{side}_m"] = heel[:, 2]
        values[f"heel_height_{side}_pct"] = 100 * heel[:, 2] / L_foot
        values[f"ankle_roll_{side}_deg"] = np.where(lifted, np.nan, roll_sig[side])
        values[f"ankle_shift_{side}_pct"] = np.where(lifted, np.nan, shift_sig[side])
        values[f"foot_lifted_{side}"] = lifted
    events: list[Event] = []
    rep_truth: list[RepTruth] = []
    ev_side = None if free is None else legs
    for i, (t0, t1, t2, t3) in enumerate(rep_times):
        names = ("rep_start", "rep_top", "rep_lower_start", "rep_end")
        for name, tt in zip(names, (t0, t1, t2, t3), strict=True):
            events.append(Event(name, tt, _frame_of(tt, fps), ev_side))
        sel = (t >= t0) & (t <= t3)
        hh = max(float(np.max(values[f"heel_height_{sd}_m"][sel])) for sd in working)
        rep_truth.append(
            RepTruth(
                index=i,
                start_s=t0,
                top_s=t1,
                hold_end_s=t2,
                end_s=t3,
                rise_s=rise_s,
                hold_s=hold_s,
                lower_s=lower_s,
                heel_height_m=hh,
                heel_height_pct=100 * hh / L_foot,
                ankle_roll_left_deg=float(roll["left"][i]) if "left" in working else math.nan,
                ankle_roll_right_deg=float(roll["right"][i]) if "right" in working else math.nan,
            )
        )
    if free is not None:
        t_lift, t_down = 0.55 * setup_s, reps_end - 0.5
        events.append(Event("foot_lift", t_lift, _frame_of(t_lift, fps), free))
        events.append(Event("foot_touchdown", t_down, _frame_of(t_down, fps), free))
    if step_away_s > 0:
        events.append(Event("step_away_start", reps_end, _frame_of(reps_end, fps), None))
    events.sort(key=lambda e: e.t_s)
    truth = CalfRaiseTruth(
        reps=tuple(rep_truth),
        legs=legs,
        foot_length_m=L_foot,
        events=tuple(events),
        phase=phase.astype(str),
        signals=Signals(t_s=t, values=values),
    )
    look_at = np.array([0.0, 0.0, float(np.mean(h))])
    return _finish(
        joints,
        t,
        camera,
        look_at,
        truth,
        body,
        noise_px=noise_px,
        dropout_prob=dropout_prob,
        swap_frames=swap_frames,
        seed=seed,
        source="synthetic:calf_raises",
    )


# ------------------------------------------------------------------------------------------
# single-leg stance
# ------------------------------------------------------------------------------------------
def single_leg_stance(
    *,
    duration_s: float = 20.0,
    stance_leg: str = "left",
    lift_at_s: float = 2.0,
    hold_s: float = 10.0,
    sway_rms_m: float = 0.01,
    pelvic_drop_deg: float = 0.0,
    fps: float = 30.0,
    camera: Camera | None = None,
    noise_px: float = 0.0,
    dropout_prob: float = 0.0,
    swap_frames: Sequence[tuple[int, int]] | None = None,
    seed: int = 0,
    height_m: float = 1.70,
) -> SyntheticResult:
    """Standing on one leg, facing +x: shift, lift, hold with sway, touch down.

    The pelvis shifts over the stance foot in the 0.6 s before ``lift_at_s``; the free foot
    leaves the floor exactly at ``lift_at_s`` (knee bending, foot behind), rises over 0.4 s,
    follows the pelvis during the hold and is back on the floor exactly at
    ``lift_at_s + hold_s``. The pelvis centre sways (smoothed Gaussian noise, seeded) with an
    RMS horizontal distance from its mean over the hold of exactly ``sway_rms_m`` (30 % of
    that amplitude on two feet); the only floor is the sub-millimetre sideways motion of the
    pelvis centre while a pelvic drop eases in and out (``truth.sway_rms_m`` is the value
    actually realised). ``pelvic_drop_deg``: the free side's hip drops by this much
    (rotation about the stance hip), easing in over 0.5 s after the lift and out over the
    last 0.3 s before touch-down.
    """
    _check_side("stance_leg", stance_leg, _SIDES)
    if lift_at_s < 0 or hold_s < 1.0 or lift_at_s + hold_s > duration_s:
        raise ValueError(
            "single_leg_stance: need lift_at_s >= 0, hold_s >= 1 s and "
            "lift_at_s + hold_s <= duration_s"
        )
    if sway_rms_m < 0 or abs(pelvic_drop_deg) > 20:
        raise ValueError("sway_rms_m must be >= 0 and pelvic_drop_deg within ±20°")
    body = Body(height_m)
    camera = Camera() if camera is None else camera
    t = _time_axis(duration_s, fps)
    n = len(t)
    free = "right" if stance_leg == "left" else "left"
    half = body.hip_width_m / 2
    t_lift, t_down = lift_at_s, lift_at_s + hold_s

    planted = {
        side: np.tile([0.0, _LAT[side] * half, body.ankle_height_m], (n, 1)) for side in _SIDES
    }
    shift = _mj((t - (t_lift - 0.6)) / 0.55) * (1 - _mj((t - (t_down + 0.05)) / 0.6))
    foot_env = _interval_env(t, t_lift, t_down, 0.4)
    hold = (t >= t_lift) & (t <= t_down)

    # sway: smoothed noise, full amplitude on one leg
    rng = np.random.default_rng([seed, 7])
    raw = gaussian_filter1d(rng.normal(size=(n, 2)), sigma=max(0.3 * fps, 1.0), axis=0)
    raw -= raw[hold].mean(axis=0) if hold.any() else raw.mean(axis=0)
    raw[:, 1] *= 1.3  # more medio-lateral sway on one leg
    amp = 0.3 + 0.7 * _interval_env(t, t_lift - 0.3, t_down + 0.3, 0.3)
    sway = raw * amp[:, None]

    omega = math.radians(pelvic_drop_deg) * _LAT[stance_leg] * _interval_env(t, t_lift, t_down, 0.5)
    omega = np.where(t > t_down - 0.3, omega * (1 - _mj((t - (t_down - 0.3)) / 0.3)), omega)

    def pelvis(k: float):
        cxy = np.stack([np.zeros(n), shift * 0.85 * _LAT[stance_leg] * half], -1) + k * sway
        ankles = {sd: planted[sd] for sd in _SIDES}
        mask = {stance_leg: np.ones(n, bool), free: foot_env == 0}
        h = _standing_height(body, cxy, ankles, mask)
        centre = np.stack([cxy[:, 0], cxy[:, 1], h], -1)
        return _tilted_hips(centre, omega, stance_leg, body)

    # scale the sway so that the mid-hip RMS over the hold is exactly sway_rms_m
    lh0, rh0, _ = pelvis(0.0)
    mid0 = 0.5 * (lh0 + rh0)[:, :2]
    d = mid0[hold] - mid0[hold].mean(axis=0)
    sv = sway[hold] - sway[hold].mean(axis=0)
    a, b, c = np.sum(sv * sv), 2 * np.sum(d * sv), np.sum(d * d) - sway_rms_m**2 * hold.sum()
    k = 0.0
    if sway_rms_m > 0 and a > 0:
        k = (-b + math.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a)
    lh, rh, centre = pelvis(k)
    hips = {"left": lh, "right": rh}

    ankles = dict(planted)
    pitch = {sd: np.zeros(n) for sd in _SIDES}
    follow = np.zeros((n, 3))
    follow[:, :2] = centre[:, :2] - np.stack(
        [np.zeros(n), shift * 0.85 * _LAT[stance_leg] * half], -1
    )
    ankles[free], pitch[free] = _lifted_foot(planted[free], foot_env, follow, body)
    parts = _legs_parts(body, hips, ankles, pitch, pitch)
    arm, elbow = _standing_arms(n, deg=5.0, elbow=15.0)
    parts.update(_upper_body(body, centre, arm, elbow, abduction_deg=6.0 + 20.0 * foot_env.max()))
    joints = _stack_joints(parts, n)

    mid = 0.5 * (joints[:, Landmark.LEFT_HIP] + joints[:, Landmark.RIGHT_HIP])[:, :2]
    dev = mid[hold] - mid[hold].mean(axis=0)
    heel = joints[:, side_landmark(free, "heel")]
    tip = joints[:, side_landmark(free, "foot_index")]
    values = {
        "pelvis_x_m": mid[:, 0],
        "pelvis_y_m": mid[:, 1],
        "pelvic_obliquity_deg": _obliquity(joints),
        "foot_lifted": np.minimum(heel[:, 2], tip[:, 2]) > 1e-6,
    }
    events = (
        Event("foot_lift", t_lift, _frame_of(t_lift, fps), free),
        Event("foot_touchdown", t_down, _frame_of(t_down, fps), free),
    )
    truth = SingleLegStanceTruth(
        stance_leg=stance_leg,
        lift_s=t_lift,
        touchdown_s=t_down,
        hold_s=hold_s,
        sway_rms_m=float(np.sqrt(np.mean(np.sum(dev**2, axis=1)))),
        sway_path_m=float(np.sum(np.linalg.norm(np.diff(mid[hold], axis=0), axis=1))),
        pelvic_drop_deg=float(pelvic_drop_deg),
        leg_length_m=body.leg_length_m,
        events=events,
        signals=Signals(t_s=t, values=values),
    )
    look_at = np.array([0.0, 0.0, float(np.mean(centre[:, 2]))])
    return _finish(
        joints,
        t,
        camera,
        look_at,
        truth,
        body,
        noise_px=noise_px,
        dropout_prob=dropout_prob,
        swap_frames=swap_frames,
        seed=seed,
        source="synthetic:single_leg_stance",
    )
