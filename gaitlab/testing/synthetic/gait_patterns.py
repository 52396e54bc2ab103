"""Pathological and slow walking with exact gait events: :func:`pattern_walk`.

Unlike :func:`~gaitlab.testing.synthetic.walker.walk` (a periodic, symmetric gait cycle),
this walker is built from a list of footfalls, so each foot may have its own step time,
step length, double support, foot clearance, contact angle and swing path. The patterns
(:data:`PATTERNS`) are the ones a physiotherapist films (the affected leg is the right):

``step_to``
    The right foot lands beside the left instead of passing it (step length ~0); the left
    steps ahead. The acted limp of the real case in the validation: ~96 steps/min.
``step_through``
    A step-through limp: the right step long and slow, the left step short and quick.
``antalgic``
    A painful right leg: short stance on it (the left swings quickly), long double support.
``shuffle``
    Short quick steps, the feet barely leave the floor (8 mm clearance) and land flat.
``circumduction``
    The right leg swings out sideways (12 cm) with a stiff knee and little clearance.
``cane``
    Slow step-to with a cane: 52 steps/min, long double support, short steps.
``slow``
    A symmetric but slow walk, 48 steps/min.

World frame and conventions as in the package docstring (``z`` up, walking along ``+x``).
Stance: the foot lands at its contact angle pivoting on the heel, is flat after
:data:`HEEL_ROCKER_S`, and rises on the metatarsal heads over the last 40 % of its stance to
its toe-off pitch. Swing: the ankle follows a cubic Hermite curve forward, from the stance
foot's velocity at toe off to 80 % of the walking speed at heel strike; its height keeps
the foot's lowest point at the clearance profile ``clearance × sin(π s)`` (s = swing
fraction) above the floor; the foot pitch turns from the toe-off pitch to the contact
angle by 85 % of swing. The pelvis follows the footfalls (over the middle of the two feet
at each heel strike, monotone in between) at the height the stance legs allow with 8° of
knee flexion. Events are exact (continuous time); ``frame`` is the nearest frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.interpolate import CubicHermiteSpline, PchipInterpolator
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from gaitlab.core.landmarks import SIDES, other_side
from gaitlab.core.types import Event, Signals
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.camera import Camera
from gaitlab.testing.synthetic.clip import finish_clip, frame_of, time_axis
from gaitlab.testing.synthetic.kinematics import (
    LAT,
    foot_points,
    hip_ankle_reach,
    min_jerk,
    pitch_xz,
)
from gaitlab.testing.synthetic.skeleton import legs_parts, stack_joints, upper_body
from gaitlab.testing.synthetic.truth import SyntheticResult, WalkTruth

#: Time from heel contact to foot flat (s), at most 30 % of the stance.
HEEL_ROCKER_S = 0.1
#: The pelvis height is smoothed over this window (s).
PELVIS_SMOOTH_S = 0.2
#: Share of the stance, at its end, over which the heel rises.
HEEL_RISE_SHARE = 0.4


@dataclass(frozen=True)
class GaitPattern:
    """Per-side parameters of a gait (``(left, right)`` pairs; the right leg is affected).

    ``step_time_s``: from the other foot's heel strike to this foot's; ``step_length_m``:
    how far this foot lands ahead of the other; ``double_support_s``: after this foot lands,
    how long until the other lifts; ``clearance_m``: the foot's lowest point above the floor
    at mid swing; ``strike_deg``: foot pitch at contact (+ toe up); ``toe_off_deg``: heel-up
    pitch at toe off; ``circumduction_m``: sideways excursion at mid swing; ``cane``: the
    right hand holds a cane ahead (arm forward, no swing).
    """

    step_time_s: tuple[float, float]
    step_length_m: tuple[float, float]
    double_support_s: tuple[float, float]
    clearance_m: tuple[float, float] = (0.02, 0.02)
    strike_deg: tuple[float, float] = (18.0, 18.0)
    toe_off_deg: tuple[float, float] = (40.0, 40.0)
    circumduction_m: tuple[float, float] = (0.0, 0.0)
    cane: bool = False

    def of(self, name: str, side: str) -> float:
        return float(getattr(self, name)[SIDES.index(side)])


PATTERNS: dict[str, GaitPattern] = {
    "step_to": GaitPattern((0.60, 0.65), (0.45, 0.03), (0.16, 0.20)),
    "step_through": GaitPattern((0.45, 0.70), (0.40, 0.60), (0.12, 0.18)),
    "antalgic": GaitPattern((0.42, 0.68), (0.40, 0.55), (0.20, 0.10)),
    "shuffle": GaitPattern(
        (0.50, 0.50), (0.28, 0.28), (0.12, 0.12), (0.008, 0.008), (2.0, 2.0), (12.0, 12.0)
    ),
    "circumduction": GaitPattern(
        (0.55, 0.70),
        (0.50, 0.50),
        (0.14, 0.14),
        (0.02, 0.01),
        (18.0, 8.0),
        (40.0, 20.0),
        (0.0, 0.12),
    ),
    "cane": GaitPattern(
        (1.10, 1.20),
        (0.35, 0.05),
        (0.40, 0.45),
        (0.015, 0.01),
        (10.0, 10.0),
        (30.0, 30.0),
        cane=True,
    ),
    "slow": GaitPattern((1.25, 1.25), (0.40, 0.40), (0.30, 0.30), strike_deg=(12.0, 12.0)),
}


@dataclass
class _Footfalls:
    """The footfalls of one foot: heel strike times, toe off times (the lift before each
    strike) and the foot-flat ankle ``x`` of each stance."""

    hs: list[float] = field(default_factory=list)
    to: list[float] = field(default_factory=list)
    x: list[float] = field(default_factory=list)


def _footfalls(p: GaitPattern, duration_s: float) -> dict[str, _Footfalls]:
    """Alternating footfalls from well before 0 to well after ``duration_s`` (the left lands
    first at −2 s): the trailing foot lifts ``double_support_s`` after the leading one lands."""
    feet = {s: _Footfalls() for s in SIDES}
    side, t, x = "left", -2.0, 0.0
    feet["right"].hs.append(t - p.of("step_time_s", "left"))
    feet["right"].x.append(-p.of("step_length_m", "left"))
    feet["right"].to.append(-np.inf)
    feet["left"].to.append(-np.inf)
    last_hs_other = feet["right"].hs[0]
    while t < duration_s + 6.0:
        other = other_side(side)
        if feet[side].hs:  # the first left strike's lift is before the clip
            feet[side].to.append(last_hs_other + p.of("double_support_s", other))
        feet[side].hs.append(t)
        feet[side].x.append(x)
        last_hs_other = t
        side = other
        t += p.of("step_time_s", side)
        x += p.of("step_length_m", side)
    return feet


def _stance_pose(p: GaitPattern, body: Body, side: str, f: _Footfalls, k: int, t: np.ndarray):
    """Ankle (n, 3), pitch and toe pitch of stance ``k`` of one foot at times ``t``."""
    t_hs, t_to = f.hs[k], f.to[k + 1]
    stance = t_to - t_hs
    rocker = min(HEEL_ROCKER_S, 0.3 * stance)
    alpha = math.radians(p.of("strike_deg", side))
    rise = math.radians(p.of("toe_off_deg", side))
    u = np.clip((t - t_hs) / rocker, 0.0, 1.0)
    v = np.clip((t - (t_to - HEEL_RISE_SHARE * stance)) / (HEEL_RISE_SHARE * stance), 0.0, 1.0)
    theta = np.where(u < 1.0, alpha * (1.0 - u) ** 2, -rise * v**2)
    ax_h, az_h = pitch_xz(body.heel_back_m, body.ankle_height_m, theta)
    ax_m, az_m = pitch_xz(-body.mtp_fwd_m, body.ankle_height_m, theta)
    heel_pivot = theta > 0
    ax = np.where(heel_pivot, -body.heel_back_m + ax_h, body.mtp_fwd_m + ax_m)
    az = np.where(heel_pivot, az_h, az_m)
    ankle = np.stack([f.x[k] + ax, np.full_like(ax, LAT[side] * 0.05), az], axis=-1)
    return ankle, theta, np.where(heel_pivot, theta, 0.0)


def _swing_pose(p: GaitPattern, body: Body, side: str, f: _Footfalls, k: int, t: np.ndarray):
    """Ankle, pitch and toe pitch in the swing that ends with heel strike ``k``."""
    t0, t1 = f.to[k], f.hs[k]
    a0, p0, _ = _stance_pose(p, body, side, f, k - 1, np.array([t0]))
    a1, p1, _ = _stance_pose(p, body, side, f, k, np.array([t1]))
    sw = t1 - t0
    s = np.clip((t - t0) / sw, 0.0, 1.0)
    # Leaving at the stance foot's own velocity (rolling over the toes), landing at 80 % of
    # the walking speed forward (as the symmetric walker: about 1 m/s in healthy adults).
    eps = 1e-4
    a_prev, _, _ = _stance_pose(p, body, side, f, k - 1, np.array([t0 - eps]))
    v0 = (a0[0, 0] - a_prev[0, 0]) / eps
    speed = float(np.sum(p.step_length_m) / np.sum(p.step_time_s))
    x = CubicHermiteSpline([0.0, sw], [a0[0, 0], a1[0, 0]], [v0, 0.8 * speed])(s * sw)
    pitch = p0[0] + (p1[0] - p0[0]) * min_jerk(s / 0.85)
    toe_pitch = pitch + (0.0 - p0[0]) * (1.0 - min_jerk(s / 0.35))
    zero = np.zeros((len(s), 3))
    heel, mtp, tip = foot_points(zero, pitch, toe_pitch, body)
    lowest = np.minimum(np.minimum(heel[:, 2], mtp[:, 2]), tip[:, 2])
    z = p.of("clearance_m", side) * np.sin(np.pi * s) - lowest
    y = LAT[side] * (0.05 + p.of("circumduction_m", side) * np.sin(np.pi * s) ** 2)
    return np.stack([x, y, z], axis=-1), pitch, toe_pitch


def _feet(p: GaitPattern, body: Body, feet: dict[str, _Footfalls], t: np.ndarray):
    """Per side: ankle (n, 3), pitch, toe pitch and the stance mask at times ``t``."""
    out = {}
    for side in SIDES:
        f = feet[side]
        n = len(t)
        ankle, pitch, toe = np.zeros((n, 3)), np.zeros(n), np.zeros(n)
        stance = np.zeros(n, dtype=bool)
        for k in range(len(f.to) - 1):
            sel = (t >= f.to[k]) & (t < f.hs[k])
            if k > 0 and sel.any():
                ankle[sel], pitch[sel], toe[sel] = _swing_pose(p, body, side, f, k, t[sel])
            sel = (t >= f.hs[k]) & (t < f.to[k + 1])
            if sel.any():
                ankle[sel], pitch[sel], toe[sel] = _stance_pose(p, body, side, f, k, t[sel])
                stance |= sel
        out[side] = (ankle, pitch, toe, stance)
    return out


def _pelvis(body: Body, feet: dict[str, _Footfalls], legs: dict, t: np.ndarray) -> np.ndarray:
    """Pelvis centre (n, 3): over the middle of the feet at each heel strike (monotone in
    between), as high as the stance legs allow with 8° of knee flexion."""
    knots = sorted(
        (h, 0.5 * (f.x[k] + feet[other_side(s)].x[k if s == "left" else k - 1]))
        for s, f in feet.items()
        for k, h in enumerate(f.hs)
        if s == "left" or k > 0
    )
    kt = np.array([k[0] for k in knots])
    kx = np.maximum.accumulate(np.array([k[1] for k in knots]))
    px = PchipInterpolator(kt, kx)(t)
    reach = float(hip_ankle_reach(body, 8.0))
    z = np.full(len(t), np.inf)
    for side in SIDES:
        ankle, _, _, stance = legs[side]
        dy = ankle[:, 1] - LAT[side] * body.hip_width_m / 2
        room = reach**2 - (ankle[:, 0] - px) ** 2 - dy**2
        zs = ankle[:, 2] + np.sqrt(np.maximum(room, 1e-6))
        z = np.where(stance, np.minimum(z, zs), z)
    z = np.where(np.isfinite(z), z, np.nan)
    z = np.interp(t, t[np.isfinite(z)], z[np.isfinite(z)])
    # The height jumps where a leg starts or ends its stance; a moving average of the running
    # minimum over PELVIS_SMOOTH_S is smooth and never above any stance leg's reach (each
    # window averaged contains the instant).
    w = max(1, int(round(PELVIS_SMOOTH_S / float(np.median(np.diff(t))))) | 1)
    z = uniform_filter1d(minimum_filter1d(z, w, mode="nearest"), w, mode="nearest")
    return np.stack([px, np.zeros_like(px), z], axis=-1)


def _fit_swing_legs(body: Body, centre: np.ndarray, legs: dict) -> None:
    """Lift a swing ankle where the leg could not reach it (in place)."""
    reach = float(hip_ankle_reach(body, 2.0))
    for side in SIDES:
        ankle = legs[side][0]
        hip = centre + np.array([0.0, LAT[side] * body.hip_width_m / 2, 0.0])
        room = reach**2 - (ankle[:, 0] - hip[:, 0]) ** 2 - (ankle[:, 1] - hip[:, 1]) ** 2
        if np.any(room <= 0):
            raise ValueError("step too long for this body height")
        ankle[:, 2] = np.maximum(ankle[:, 2], hip[:, 2] - np.sqrt(room))


def pattern_walk(
    pattern: str | GaitPattern,
    *,
    duration_s: float = 8.0,
    fps: float = 30.0,
    camera: Camera | None = None,
    noise_px: float = 0.0,
    seed: int = 0,
    height_m: float = 1.70,
) -> SyntheticResult:
    """A walk of one of :data:`PATTERNS` (or a :class:`GaitPattern`) with its exact events.

    The camera follows the pelvis (the walker stays in frame); default: a side view from
    the walker's left, 4 m away. ``truth.events`` are the heel strikes and toe offs inside
    the clip; ``truth.cadence_spm`` is 60 / the mean step time.
    """
    p = PATTERNS[pattern] if isinstance(pattern, str) else pattern
    body = Body(height_m)
    camera = Camera(yaw_deg=90.0) if camera is None else camera
    t = time_axis(duration_s, fps)
    feet = _footfalls(p, duration_s)
    legs = _feet(p, body, feet, t)
    centre = _pelvis(body, feet, legs, t)
    _fit_swing_legs(body, centre, legs)
    half = np.array([0.0, body.hip_width_m / 2, 0.0])
    hips = {"left": centre + half, "right": centre - half}
    parts = legs_parts(
        body,
        hips,
        {s: legs[s][0] for s in SIDES},
        {s: legs[s][1] for s in SIDES},
        {s: legs[s][2] for s in SIDES},
    )
    arm = {
        s: 12.0 * np.clip((legs[other_side(s)][0][:, 0] - centre[:, 0]) / 0.3, -1, 1) for s in SIDES
    }
    if p.cane:
        arm["right"] = np.full(len(t), 25.0)
    parts.update(upper_body(body, centre, arm, {s: 20.0 + 0.5 * arm[s] for s in SIDES}))
    joints = stack_joints(parts, len(t))
    events = [
        Event(kind, float(te), frame_of(te, fps), side)
        for side in SIDES
        for kind, times in (("heel_strike", feet[side].hs), ("toe_off", feet[side].to))
        for te in times
        if 0.0 <= te <= t[-1]
    ]
    events.sort(key=lambda e: (e.t_s, e.type))
    hs_times = np.array([e.t_s for e in events if e.type == "heel_strike"])
    step_s = float(np.mean(p.step_time_s))
    stance = {s: legs[s][3] for s in SIDES}
    truth = WalkTruth(
        events=tuple(events),
        contacts=(),
        single_supports=(),
        cadence_spm=60.0 / step_s,
        step_length_m=float(np.mean(p.step_length_m)),
        speed_m_s=float(np.sum(p.step_length_m) / np.sum(p.step_time_s)),
        stride_time_s=float(np.sum(p.step_time_s)),
        step_time_s=step_s,
        step_times_s=np.diff(hs_times),
        stance_fraction=float(np.mean([stance[s].mean() for s in SIDES])),
        double_support_fraction=float(np.mean(stance["left"] & stance["right"])),
        foot_strike="heel" if min(p.strike_deg) > 5.0 else "midfoot",
        valgus_peak_deg=(0.0, 0.0),
        pelvic_drop_deg=(0.0, 0.0),
        signals=Signals(t_s=t, values={f"stance_{s}": stance[s] for s in SIDES}),
    )
    mean_h = float(np.mean(centre[:, 2]))
    look_at = np.stack([centre[:, 0], np.zeros(len(t)), np.full(len(t), mean_h)], axis=-1)
    return finish_clip(
        joints,
        t,
        camera,
        look_at,
        truth,
        body,
        noise_px=noise_px,
        dropout_prob=0.0,
        swap_frames=None,
        seed=seed,
        source=f"synthetic:{pattern if isinstance(pattern, str) else 'pattern'}",
    )
