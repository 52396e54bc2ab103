"""The synthetic calf-raiser: :func:`calf_raises` with known reps, heel heights and
ankle rolls."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gaitlab.core.landmarks import SIDES, other_side, side_landmark
from gaitlab.core.types import Event, Signals
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.camera import Camera
from gaitlab.testing.synthetic.clip import check_choice, finish_clip, frame_of, time_axis
from gaitlab.testing.synthetic.handheld import CameraMotion
from gaitlab.testing.synthetic.kinematics import (
    LAT,
    foot_points,
    knee_ik,
    min_jerk,
    pitch_xz,
    rearfoot_angles,
)
from gaitlab.testing.synthetic.skeleton import legs_parts, stack_joints, upper_body
from gaitlab.testing.synthetic.standing import (
    interval_env,
    lifted_foot,
    standing_arms,
    standing_height,
    tilted_hips,
)
from gaitlab.testing.synthetic.truth import CalfRaiseTruth, RepTruth, SyntheticResult


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
        return {s: expand(value.get(s, 0.0)) for s in SIDES}
    arr = expand(value)
    return {s: arr.copy() for s in SIDES}


@dataclass(frozen=True)
class _Timeline:
    """Phase durations of a calf-raise clip, in seconds, and which legs work."""

    reps: int
    rise_s: float
    hold_s: float
    lower_s: float
    rest_s: float
    #: Standing before the first rep (at least 1.5 s on one leg: the free foot is lifted).
    setup_s: float
    step_away_s: float
    legs: str
    working: tuple[str, ...]
    free: str | None
    cycle_s: float
    #: End of the rest after the last rep: the step away starts here.
    reps_end_s: float


def _timeline(
    reps: int,
    rise_s: float,
    hold_s: float,
    lower_s: float,
    rest_s: float,
    setup_s: float,
    step_away_s: float,
    legs: str,
) -> _Timeline:
    working = tuple(SIDES) if legs == "both" else (legs,)
    free = None if legs == "both" else other_side(legs)
    if free is not None:
        setup_s = max(setup_s, 1.5)
        rest_last = max(rest_s, 1.0)
    else:
        rest_last = rest_s
    cycle = rise_s + hold_s + lower_s + rest_s
    reps_end = setup_s + reps * cycle - rest_s + rest_last
    return _Timeline(
        reps=reps,
        rise_s=rise_s,
        hold_s=hold_s,
        lower_s=lower_s,
        rest_s=rest_s,
        setup_s=setup_s,
        step_away_s=step_away_s,
        legs=legs,
        working=working,
        free=free,
        cycle_s=cycle,
        reps_end_s=reps_end,
    )


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
    camera_motion: Sequence[CameraMotion] = (),
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
    camera_motion
        A handheld phone's zooms, pans and shake during the clip
        (:class:`~gaitlab.testing.synthetic.handheld.CameraMotion`), applied to the picture.
    """
    check_choice("legs", legs, ("both", "left", "right"))
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
    tl = _timeline(reps, rise_s, hold_s, lower_s, rest_s, setup_s, step_away_s, legs)
    t = time_axis(tl.reps_end_s + tl.step_away_s, fps)
    theta_top = math.asin(heel_height_m / rollback)
    env, phase, roll_t, rep_times = _rep_envelopes(t, tl, roll)
    planted, lift = _planted_feet(body, t, tl)
    centre_xy, free_env = _weight_shift(body, t, tl, planted)
    ankles, pitch, toe_pitch = _raised_feet(body, tl, planted, lift, env, free_env, theta_top)
    hips, centre, h = _pelvis(body, tl, planted, lift, ankles, roll_t, centre_xy, free_env)
    knees, heels, tips, roll_sig, shift_sig = _roll_feet(
        body, tl, planted, hips, ankles, pitch, toe_pitch, roll_t
    )
    parts = legs_parts(body, hips, ankles, pitch, toe_pitch, knees=knees, heels=heels, tips=tips)
    arm, elbow = standing_arms(len(t))
    parts.update(upper_body(body, centre, arm, elbow))
    joints = stack_joints(parts, len(t))

    values = _calf_signals(body, joints, roll_sig, shift_sig)
    events, rep_truth = _calf_events(body, tl, rep_times, values, roll, fps, t)
    truth = CalfRaiseTruth(
        reps=tuple(rep_truth),
        legs=legs,
        foot_length_m=body.foot_length_m,
        events=tuple(events),
        phase=phase.astype(str),
        signals=Signals(t_s=t, values=values),
    )
    look_at = np.array([0.0, 0.0, float(np.mean(h))])
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
        source="synthetic:calf_raises",
        motions=camera_motion,
    )


def _rep_envelopes(
    t: np.ndarray, tl: _Timeline, roll: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], list[tuple[float, float, float, float]]]:
    """The 0→1 rise envelope, the phase label of every frame, the roll over time (deg) and
    each rep's (start, top, lower start, end) times."""
    n = len(t)
    env = np.zeros(n)
    phase = np.full(n, "rest", dtype=object)
    phase[t < tl.setup_s] = "setup"
    roll_t = {side: np.zeros(n) for side in SIDES}
    rep_times = []
    for i in range(tl.reps):
        t0 = tl.setup_s + i * tl.cycle_s
        t1 = t0 + tl.rise_s
        t2, t3 = t0 + tl.rise_s + tl.hold_s, t0 + tl.rise_s + tl.hold_s + tl.lower_s
        rep_times.append((t0, t1, t2, t3))
        e = np.select(
            [(t >= t0) & (t < t1), (t >= t1) & (t <= t2), (t > t2) & (t < t3)],
            [min_jerk((t - t0) / tl.rise_s), np.ones(n), 1 - min_jerk((t - t2) / tl.lower_s)],
            0.0,
        )
        env = np.maximum(env, e)
        for side in SIDES:
            roll_t[side] += e * roll[side][i]
        phase[(t >= t0) & (t < t1)] = "rise"
        phase[(t >= t1) & (t < t2)] = "hold"
        phase[(t >= t2) & (t < t3)] = "lower"
    phase[t >= tl.reps_end_s] = "step_away"
    return env, phase, roll_t, rep_times


def _planted_feet(
    body: Body, t: np.ndarray, tl: _Timeline
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Ankle positions of feet flat on the floor, hip-width apart, stepping out to the right
    during the step away; and each foot's clearance above the floor while it steps (m)."""
    n = len(t)
    s = body.scale
    half = body.hip_width_m / 2
    planted = {
        side: np.tile([0.0, LAT[side] * half, body.ankle_height_m], (n, 1)) for side in SIDES
    }
    lift = {side: np.zeros(n) for side in SIDES}
    step_dt, step_dy = 0.6, -0.35 * s
    if tl.step_away_s > 0:
        n_steps = int(tl.step_away_s // step_dt)
        for k in range(n_steps):
            side = "right" if k % 2 == 0 else "left"
            u = (t - tl.reps_end_s - k * step_dt) / step_dt
            planted[side][:, 1] += step_dy * min_jerk(u)
            bump = 0.06 * s * np.sin(np.pi * np.clip(u, 0, 1)) ** 2
            lift[side] += np.where((u > 0) & (u < 1), bump, 0.0)
    return planted, lift


def _weight_shift(
    body: Body, t: np.ndarray, tl: _Timeline, planted: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Pelvis centre (x, y) between the feet, shifted over the stance foot for a single-leg
    raise; and the 0→1 envelope of the free foot lifted behind (zeros on two legs)."""
    n = len(t)
    half = body.hip_width_m / 2
    centre_xy = np.stack([np.zeros(n), 0.5 * (planted["left"][:, 1] + planted["right"][:, 1])], -1)
    free_env = np.zeros(n)
    if tl.free is not None:
        stance = tl.legs
        shift_env = interval_env(t, 0.15 * tl.setup_s, tl.reps_end_s - 0.1, 0.3 * tl.setup_s)
        centre_xy[:, 1] += shift_env * 0.8 * LAT[stance] * half
        free_env = interval_env(t, 0.55 * tl.setup_s, tl.reps_end_s - 0.5, 0.3 * tl.setup_s)
    return centre_xy, free_env


def _raised_feet(
    body: Body,
    tl: _Timeline,
    planted: dict[str, np.ndarray],
    lift: dict[str, np.ndarray],
    env: np.ndarray,
    free_env: np.ndarray,
    theta_top: float,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Ankles, rearfoot and toe pitches: working heels rise about the metatarsal heads (by
    ``theta_top`` rad at the top of the envelope ``env``), the free foot is lifted behind."""
    n = len(env)
    pitch = {side: np.zeros(n) for side in SIDES}
    ankles = {}
    for side in SIDES:
        p = -theta_top * env if side in tl.working else np.zeros(n)
        pitch[side] = p
        mtp = planted[side] + np.array([body.mtp_fwd_m, 0.0, -body.ankle_height_m])
        ax, az = pitch_xz(-body.mtp_fwd_m, body.ankle_height_m, p)
        ankles[side] = mtp + np.stack([ax, np.zeros(n), az], -1)
        ankles[side][:, 2] += lift[side]
    if tl.free is not None:
        follow = np.zeros((n, 3))
        ankles[tl.free], pitch[tl.free] = lifted_foot(ankles[tl.free], free_env, follow, body)
    toe_pitch = {
        side: np.where(side in tl.working, 0.0, pitch[side]) * np.ones(n) for side in SIDES
    }
    return ankles, pitch, toe_pitch


def _pelvis(
    body: Body,
    tl: _Timeline,
    planted: dict[str, np.ndarray],
    lift: dict[str, np.ndarray],
    ankles: dict[str, np.ndarray],
    roll_t: dict[str, np.ndarray],
    centre_xy: np.ndarray,
    free_env: np.ndarray,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Hips and pelvis centre: the body rises with the working ankles, standing height over
    the planted feet (rolled by a first guess); returns hips, centre and pelvis height."""
    n = len(centre_xy)
    rise = np.mean([ankles[sd] - (planted[sd]) for sd in tl.working], axis=0)
    centre_xy[:, 0] += rise[:, 0]
    planted_mask = {sd: (free_env == 0) if sd == tl.free else np.ones(n, bool) for sd in SIDES}
    planted_mask = {sd: planted_mask[sd] & (lift[sd] == 0) for sd in SIDES}
    rolled_guess = {}
    for side in SIDES:
        mtp_y = planted[side][:, 1]
        psi0 = -LAT[side] * np.radians(roll_t[side]) if side in tl.working else np.zeros(n)
        a = ankles[side]
        rolled_guess[side] = np.stack(
            [
                a[:, 0],
                mtp_y + (a[:, 1] - mtp_y) * np.cos(psi0) - a[:, 2] * np.sin(psi0),
                (a[:, 1] - mtp_y) * np.sin(psi0) + a[:, 2] * np.cos(psi0),
            ],
            -1,
        )
    h = standing_height(body, centre_xy, rolled_guess, planted_mask)
    centre = np.stack([centre_xy[:, 0], centre_xy[:, 1], h], -1)
    lh, rh, centre = tilted_hips(centre, np.zeros(n), "left", body)
    return {"left": lh, "right": rh}, centre, h


def _roll_feet(
    body: Body,
    tl: _Timeline,
    planted: dict[str, np.ndarray],
    hips: dict[str, np.ndarray],
    ankles: dict[str, np.ndarray],
    pitch: dict[str, np.ndarray],
    toe_pitch: dict[str, np.ndarray],
    roll_t: dict[str, np.ndarray],
):
    """Roll each working rearfoot so that the frontal rearfoot angle changes by exactly the
    target. Replaces ``ankles`` by the rolled ones; returns knees, heels, toe tips, the roll
    (deg) and the ankle's lateral shift (% of foot length) over time."""
    n = len(roll_t["left"])
    heels: dict[str, np.ndarray] = {}
    knees: dict[str, np.ndarray] = {}
    tips: dict[str, np.ndarray] = {}
    roll_sig: dict[str, np.ndarray] = {}
    shift_sig: dict[str, np.ndarray] = {}
    for side in SIDES:
        axis_y = planted[side][:, 1]
        heel0, _, tip = foot_points(ankles[side], pitch[side], toe_pitch[side], body)
        tips[side] = tip  # on the roll axis: the toes stay put

        def pose(psi: np.ndarray, side: str = side, heel0: np.ndarray = heel0, axis_y=axis_y):
            a = _roll_about_x(ankles[side], axis_y, -LAT[side] * psi)
            hl = _roll_about_x(heel0, axis_y, -LAT[side] * psi)
            return a, hl, knee_ik(hips[side], a, body, side)

        def shift(a: np.ndarray, hl: np.ndarray, side: str = side, tip: np.ndarray = tip):
            return LAT[side] * (a[:, 1] - 0.5 * (hl[:, 1] + tip[:, 1]))

        a0, h0, k0 = pose(np.zeros(n))
        base = rearfoot_angles(k0, a0, h0, side)
        psi = np.radians(roll_t[side]) if side in tl.working else np.zeros(n)
        if side in tl.working:
            for _ in range(12):
                a1, h1, k1 = pose(psi)
                err = roll_t[side] - (rearfoot_angles(k1, a1, h1, side) - base)
                psi = psi + np.radians(err)
        ankles[side], heels[side], knees[side] = pose(psi)
        roll_sig[side] = rearfoot_angles(knees[side], ankles[side], heels[side], side) - base
        shift_sig[side] = (
            100 * (shift(ankles[side], heels[side]) - shift(a0, h0)) / body.foot_length_m
        )
    return knees, heels, tips, roll_sig, shift_sig


def _calf_signals(
    body: Body,
    joints: np.ndarray,
    roll_sig: dict[str, np.ndarray],
    shift_sig: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Per-frame truth: heel heights, ankle roll and shift (NaN while a foot is lifted)."""
    foot_m = body.foot_length_m
    values: dict[str, np.ndarray] = {}
    for side in SIDES:
        heel = joints[:, side_landmark(side, "heel")]
        tip = joints[:, side_landmark(side, "foot_index")]
        lifted = np.minimum(heel[:, 2], tip[:, 2]) > 1e-6
        values[f"heel_height_{side}_m"] = heel[:, 2]
        values[f"heel_height_{side}_pct"] = 100 * heel[:, 2] / foot_m
        values[f"ankle_roll_{side}_deg"] = np.where(lifted, np.nan, roll_sig[side])
        values[f"ankle_shift_{side}_pct"] = np.where(lifted, np.nan, shift_sig[side])
        values[f"foot_lifted_{side}"] = lifted
    return values


def _calf_events(
    body: Body,
    tl: _Timeline,
    rep_times: list[tuple[float, float, float, float]],
    values: dict[str, np.ndarray],
    roll: dict[str, np.ndarray],
    fps: float,
    t: np.ndarray,
) -> tuple[list[Event], list[RepTruth]]:
    """Rep events and truths, the free foot's lift and touch-down, the step away."""
    foot_m = body.foot_length_m
    events: list[Event] = []
    rep_truth: list[RepTruth] = []
    ev_side = None if tl.free is None else tl.legs
    for i, (t0, t1, t2, t3) in enumerate(rep_times):
        names = ("rep_start", "rep_top", "rep_lower_start", "rep_end")
        for name, tt in zip(names, (t0, t1, t2, t3), strict=True):
            events.append(Event(name, tt, frame_of(tt, fps), ev_side))
        sel = (t >= t0) & (t <= t3)
        hh = max(float(np.max(values[f"heel_height_{sd}_m"][sel])) for sd in tl.working)
        rep_truth.append(
            RepTruth(
                index=i,
                start_s=t0,
                top_s=t1,
                hold_end_s=t2,
                end_s=t3,
                rise_s=tl.rise_s,
                hold_s=tl.hold_s,
                lower_s=tl.lower_s,
                heel_height_m=hh,
                heel_height_pct=100 * hh / foot_m,
                ankle_roll_left_deg=float(roll["left"][i]) if "left" in tl.working else math.nan,
                ankle_roll_right_deg=float(roll["right"][i]) if "right" in tl.working else math.nan,
            )
        )
    if tl.free is not None:
        t_lift, t_down = 0.55 * tl.setup_s, tl.reps_end_s - 0.5
        events.append(Event("foot_lift", t_lift, frame_of(t_lift, fps), tl.free))
        events.append(Event("foot_touchdown", t_down, frame_of(t_down, fps), tl.free))
    if tl.step_away_s > 0:
        events.append(Event("step_away_start", tl.reps_end_s, frame_of(tl.reps_end_s, fps), None))
    events.sort(key=lambda e: e.t_s)
    return events, rep_truth
