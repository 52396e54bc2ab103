"""The synthetic balancer: :func:`single_leg_stance` with known sway and pelvic drop."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from gaitlab.core.landmarks import SIDES, Landmark, other_side, side_landmark
from gaitlab.core.types import Event, Signals
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.camera import Camera
from gaitlab.testing.synthetic.clip import check_choice, finish_clip, frame_of, time_axis
from gaitlab.testing.synthetic.kinematics import LAT, min_jerk, obliquity
from gaitlab.testing.synthetic.lift_styles import LIFT_STYLES, free_foot
from gaitlab.testing.synthetic.skeleton import legs_parts, stack_joints, upper_body
from gaitlab.testing.synthetic.standing import (
    interval_env,
    standing_arms,
    standing_height,
    tilted_hips,
)
from gaitlab.testing.synthetic.truth import SingleLegStanceTruth, SyntheticResult

#: Where the arms are during the hold: hanging (``low``), out to the sides for balance
#: (``out``), or raised overhead with the hands together (``overhead``, the tree pose's).
ARM_STYLES = ("low", "out", "overhead")


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
    lift_style: str = "behind",
    arms: str = "low",
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
    last 0.3 s before touch-down. ``lift_style``: how the free foot is held
    (:mod:`~.lift_styles`: ``behind``, ``front``, ``side``, ``calf``, ``tree``); it leaves
    the floor at ``lift_at_s`` and is back at ``lift_at_s + hold_s`` in every style. ``arms``:
    :data:`ARM_STYLES`, eased in with the lift.
    """
    check_choice("stance_leg", stance_leg, SIDES)
    check_choice("lift_style", lift_style, LIFT_STYLES)
    check_choice("arms", arms, ARM_STYLES)
    if lift_at_s < 0 or hold_s < 1.0 or lift_at_s + hold_s > duration_s:
        raise ValueError(
            "single_leg_stance: need lift_at_s >= 0, hold_s >= 1 s and "
            "lift_at_s + hold_s <= duration_s"
        )
    if sway_rms_m < 0 or abs(pelvic_drop_deg) > 20:
        raise ValueError("sway_rms_m must be >= 0 and pelvic_drop_deg within ±20°")
    body = Body(height_m)
    camera = Camera() if camera is None else camera
    t = time_axis(duration_s, fps)
    t_lift, t_down = lift_at_s, lift_at_s + hold_s
    hold = (t >= t_lift) & (t <= t_down)
    stance = _stance(body, t, stance_leg, t_lift, t_down, pelvic_drop_deg, fps, seed, hold)
    lh, rh, centre = stance.hips(_sway_scale(stance, hold, sway_rms_m))
    joints = _joints(stance, {"left": lh, "right": rh}, centre, lift_style, arms)

    mid = 0.5 * (joints[:, Landmark.LEFT_HIP] + joints[:, Landmark.RIGHT_HIP])[:, :2]
    dev = mid[hold] - mid[hold].mean(axis=0)
    heel = joints[:, side_landmark(stance.free, "heel")]
    tip = joints[:, side_landmark(stance.free, "foot_index")]
    values = {
        "pelvis_x_m": mid[:, 0],
        "pelvis_y_m": mid[:, 1],
        "pelvic_obliquity_deg": obliquity(joints),
        "foot_lifted": np.minimum(heel[:, 2], tip[:, 2]) > 1e-6,
    }
    events = (
        Event("foot_lift", t_lift, frame_of(t_lift, fps), stance.free),
        Event("foot_touchdown", t_down, frame_of(t_down, fps), stance.free),
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
    return finish_clip(
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


@dataclass(frozen=True)
class _Stance:
    """The subject standing on one leg over time, with the sway not yet scaled."""

    body: Body
    stance_leg: str
    planted: dict[str, np.ndarray]
    #: 0→1: the pelvis shifted over the stance foot.
    shift: np.ndarray
    #: 0→1: the free foot lifted behind.
    foot_env: np.ndarray
    #: Pelvic tilt about the stance hip, rad (+ left hip up).
    omega: np.ndarray
    #: ``(n, 2)`` horizontal sway of the pelvis centre, before scaling.
    sway: np.ndarray

    @property
    def free(self) -> str:
        return other_side(self.stance_leg)

    def shift_xy(self) -> np.ndarray:
        """Pelvis centre (x, y) from the weight shift alone."""
        n, half = len(self.shift), self.body.hip_width_m / 2
        return np.stack([np.zeros(n), self.shift * 0.85 * LAT[self.stance_leg] * half], -1)

    def hips(self, k: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Left hip, right hip and pelvis centre with the sway scaled by ``k``."""
        n = len(self.shift)
        cxy = self.shift_xy() + k * self.sway
        ankles = {sd: self.planted[sd] for sd in SIDES}
        mask = {self.stance_leg: np.ones(n, bool), self.free: self.foot_env == 0}
        h = standing_height(self.body, cxy, ankles, mask)
        centre = np.stack([cxy[:, 0], cxy[:, 1], h], -1)
        return tilted_hips(centre, self.omega, self.stance_leg, self.body)


def _stance(
    body: Body,
    t: np.ndarray,
    stance_leg: str,
    t_lift: float,
    t_down: float,
    pelvic_drop_deg: float,
    fps: float,
    seed: int,
    hold: np.ndarray,
) -> _Stance:
    """Feet, weight shift, foot lift, sway (seeded) and pelvic drop over time."""
    n = len(t)
    half = body.hip_width_m / 2
    planted = {
        side: np.tile([0.0, LAT[side] * half, body.ankle_height_m], (n, 1)) for side in SIDES
    }
    shift = min_jerk((t - (t_lift - 0.6)) / 0.55) * (1 - min_jerk((t - (t_down + 0.05)) / 0.6))
    foot_env = interval_env(t, t_lift, t_down, 0.4)

    # sway: smoothed noise, full amplitude on one leg
    rng = np.random.default_rng([seed, 7])
    raw = gaussian_filter1d(rng.normal(size=(n, 2)), sigma=max(0.3 * fps, 1.0), axis=0)
    raw -= raw[hold].mean(axis=0) if hold.any() else raw.mean(axis=0)
    raw[:, 1] *= 1.3  # more medio-lateral sway on one leg
    amp = 0.3 + 0.7 * interval_env(t, t_lift - 0.3, t_down + 0.3, 0.3)
    sway = raw * amp[:, None]

    omega = math.radians(pelvic_drop_deg) * LAT[stance_leg] * interval_env(t, t_lift, t_down, 0.5)
    omega = np.where(t > t_down - 0.3, omega * (1 - min_jerk((t - (t_down - 0.3)) / 0.3)), omega)
    return _Stance(body, stance_leg, planted, shift, foot_env, omega, sway)


def _sway_scale(stance: _Stance, hold: np.ndarray, sway_rms_m: float) -> float:
    """The sway factor that makes the mid-hip RMS over the hold exactly ``sway_rms_m``."""
    lh0, rh0, _ = stance.hips(0.0)
    mid0 = 0.5 * (lh0 + rh0)[:, :2]
    d = mid0[hold] - mid0[hold].mean(axis=0)
    sv = stance.sway[hold] - stance.sway[hold].mean(axis=0)
    a, b, c = np.sum(sv * sv), 2 * np.sum(d * sv), np.sum(d * d) - sway_rms_m**2 * hold.sum()
    k = 0.0
    if sway_rms_m > 0 and a > 0:
        k = (-b + math.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a)
    return k


def _joints(
    stance: _Stance, hips: dict[str, np.ndarray], centre: np.ndarray, style: str, arms: str
) -> np.ndarray:
    """The skeleton: legs (the free foot held as ``style`` says, following the pelvis), arms."""
    n = len(centre)
    body, free = stance.body, stance.free
    ankles = dict(stance.planted)
    pitch = {sd: np.zeros(n) for sd in SIDES}
    follow = np.zeros((n, 3))
    follow[:, :2] = centre[:, :2] - stance.shift_xy()
    ankles[free], pitch[free], knee = free_foot(
        style,
        planted=stance.planted[free],
        stance_ankle=stance.planted[stance.stance_leg],
        env=stance.foot_env,
        follow=follow,
        free_hip=hips[free],
        free_side=free,
        body=body,
    )
    knees = None if knee is None else {free: knee}
    parts = legs_parts(body, hips, ankles, pitch, pitch, knees=knees)
    arm, elbow = standing_arms(n, deg=5.0, elbow=15.0)
    abduction = 6.0 + 20.0 * stance.foot_env.max()
    if arms != "low":
        env = np.clip(2.0 * stance.foot_env, 0.0, 1.0)  # in place halfway through the lift
        flex = 170.0 if arms == "overhead" else 5.0
        for sd in SIDES:
            arm[sd] = 5.0 + (flex - 5.0) * env
        abduction = 80.0 if arms == "out" else 8.0
    parts.update(upper_body(body, centre, arm, elbow, abduction_deg=abduction))
    return stack_joints(parts, n)
