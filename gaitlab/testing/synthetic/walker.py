"""The synthetic walker: :func:`walk` and its exact gait events."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gaitlab.core.landmarks import SIDES, Landmark, side_landmark
from gaitlab.core.types import Event, Signals
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.camera import Camera
from gaitlab.testing.synthetic.clip import finish_clip, frame_of, per_side, time_axis
from gaitlab.testing.synthetic.kinematics import frontal_angles, obliquity
from gaitlab.testing.synthetic.truth import FootContact, SingleSupport, SyntheticResult, WalkTruth
from gaitlab.testing.synthetic.walk_model import DOUBLE_SUPPORT, STANCE, STRIKE_DEG, WalkModel


def _sagittal_signals(joints: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for side in SIDES:
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
    if foot_strike not in STRIKE_DEG:
        raise ValueError(f"foot_strike: expected one of {sorted(STRIKE_DEG)}, got {foot_strike!r}")
    if not 40 <= cadence_spm <= 200:
        raise ValueError(f"cadence_spm: expected 40–200, got {cadence_spm}")
    if not 0.1 <= step_length_m:
        raise ValueError(f"step_length_m: expected >= 0.1, got {step_length_m}")
    body = Body(height_m)
    valgus = per_side(valgus_peak_deg, "valgus_peak_deg")
    drop = per_side(pelvic_drop_deg, "pelvic_drop_deg")
    if any(abs(v) > 25 for v in valgus.values()) or any(abs(v) > 20 for v in drop.values()):
        raise ValueError("valgus_peak_deg must be within ±25° and pelvic_drop_deg within ±20°")
    camera = Camera() if camera is None else camera
    t = time_axis(duration_s, fps)
    model = WalkModel(
        body, cadence_spm, step_length_m, step_width_m, valgus, drop, foot_strike, duration_s
    )
    joints = model.joints(t)
    events, contacts, supports = _gait_events(model, t, fps, drop)
    hs_times = np.array([e.t_s for e in events if e.type == "heel_strike"])
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
        stance_fraction=STANCE,
        double_support_fraction=2 * DOUBLE_SUPPORT,
        foot_strike=foot_strike,
        valgus_peak_deg=(valgus["left"], valgus["right"]),
        pelvic_drop_deg=(drop["left"], drop["right"]),
        signals=Signals(t_s=t, values=_walk_signals(model, joints, t)),
    )
    return finish_clip(
        joints,
        t,
        camera,
        _walk_look_at(model, t, camera_follows),
        truth,
        body,
        noise_px=noise_px,
        dropout_prob=dropout_prob,
        swap_frames=swap_frames,
        seed=seed,
        source="synthetic:walk",
    )


def _foot_contact(model: WalkModel, side: str, t_hs: float, fps: float) -> FootContact:
    """Foot angle to the floor and heel ahead of the pelvis at one heel strike."""
    jt = model.joints(np.array([t_hs]))[0]
    heel = jt[side_landmark(side, "heel")]
    tip = jt[side_landmark(side, "foot_index")]
    pelvis = 0.5 * (jt[Landmark.LEFT_HIP] + jt[Landmark.RIGHT_HIP])
    ang = math.degrees(math.atan2(tip[2] - heel[2], tip[0] - heel[0]))
    return FootContact(side, t_hs, frame_of(t_hs, fps), ang, float(heel[0] - pelvis[0]))


def _gait_events(
    model: WalkModel, t: np.ndarray, fps: float, drop: dict[str, float]
) -> tuple[list[Event], list[FootContact], list[SingleSupport]]:
    """Heel strikes, toe offs, contacts and single supports inside the clip, exact times."""
    events: list[Event] = []
    contacts: list[FootContact] = []
    supports: list[SingleSupport] = []
    for side in SIDES:
        k0 = math.floor(model.phi0[side]) - 1
        k1 = math.ceil(model.duration_s / model.stride_s + model.phi0[side]) + 1
        for k in range(k0, k1 + 1):
            t_hs = float(model.hs_time(side, k))
            t_to = t_hs + STANCE * model.stride_s
            if 0 <= t_hs <= t[-1]:
                events.append(Event("heel_strike", t_hs, frame_of(t_hs, fps), side))
                contacts.append(_foot_contact(model, side, t_hs, fps))
            if 0 <= t_to <= t[-1]:
                events.append(Event("toe_off", t_to, frame_of(t_to, fps), side))
            ss0 = t_hs + DOUBLE_SUPPORT * model.stride_s
            ss1 = t_hs + (STANCE - DOUBLE_SUPPORT) * model.stride_s
            if ss0 >= 0 and ss1 <= t[-1]:
                supports.append(SingleSupport(side, ss0, ss1, drop[side]))
    events.sort(key=lambda e: (e.t_s, e.type))
    contacts.sort(key=lambda c: c.t_s)
    supports.sort(key=lambda s: s.start_s)
    return events, contacts, supports


def _walk_signals(model: WalkModel, joints: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """Per-frame truth: FPPA, stance, pelvic obliquity and the sagittal angles."""
    values: dict[str, np.ndarray] = {}
    for side in SIDES:
        values[f"fppa_{side}_deg"] = frontal_angles(
            joints[:, side_landmark(side, "hip")],
            joints[:, side_landmark(side, "knee")],
            joints[:, side_landmark(side, "ankle")],
            side,
        )
        phi, _ = model.cycle(side, t)
        values[f"stance_{side}"] = phi < STANCE
    values["pelvic_obliquity_deg"] = obliquity(joints)
    values.update(_sagittal_signals(joints))
    return values


def _walk_look_at(model: WalkModel, t: np.ndarray, camera_follows: bool) -> np.ndarray:
    """Aim at the pelvis (per frame) or at the middle of the path, at mean pelvis height."""
    mean_h = float(np.mean(model.height(t)))
    if camera_follows:
        return np.stack([model.pelvis_x(t), np.zeros_like(t), np.full_like(t, mean_h)], axis=-1)
    return np.array([0.0, 0.0, mean_h])
