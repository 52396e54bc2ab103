"""Assembly of the 33-landmark skeleton: upper body over the pelvis, legs from hips and
feet, and the stacked ``(T, 33, 3)`` array."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from gaitlab.core import anthropometry as anthro
from gaitlab.core.landmarks import N_LANDMARKS, SIDES, Landmark, side_landmark
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.kinematics import LAT, foot_points, knee_ik


def upper_body(
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
    for side in SIDES:
        lat = LAT[side]
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


def stack_joints(parts: Mapping[Landmark, np.ndarray], n: int) -> np.ndarray:
    """The ``(n, 33, 3)`` skeleton from every landmark's ``(n, 3)`` track (all required)."""
    joints = np.full((n, N_LANDMARKS, 3), np.nan)
    for lm, p in parts.items():
        joints[:, int(lm)] = p
    if np.isnan(joints).any():
        missing = [Landmark(i).name for i in range(N_LANDMARKS) if np.isnan(joints[:, i]).any()]
        raise AssertionError(f"synthetic skeleton incomplete: {missing}")
    return joints


def legs_parts(
    body: Body,
    hips: Mapping[str, np.ndarray],
    ankles: Mapping[str, np.ndarray],
    pitch: Mapping[str, np.ndarray],
    toe_pitch: Mapping[str, np.ndarray],
    knees: Mapping[str, np.ndarray] | None = None,
    heels: Mapping[str, np.ndarray] | None = None,
    tips: Mapping[str, np.ndarray] | None = None,
) -> dict[Landmark, np.ndarray]:
    """Hip, knee, ankle, heel and toe tracks of both legs; knees by inverse kinematics and
    heel and toe from the foot pitches unless given."""
    parts: dict[Landmark, np.ndarray] = {}
    for side in SIDES:
        heel, _, tip = foot_points(ankles[side], pitch[side], toe_pitch[side], body)
        if heels is not None and side in heels:
            heel = heels[side]
        if tips is not None and side in tips:
            tip = tips[side]
        knee = (
            knees[side]
            if knees is not None and side in knees
            else knee_ik(hips[side], ankles[side], body, side)
        )
        parts[side_landmark(side, "hip")] = hips[side]
        parts[side_landmark(side, "knee")] = knee
        parts[side_landmark(side, "ankle")] = ankles[side]
        parts[side_landmark(side, "heel")] = heel
        parts[side_landmark(side, "foot_index")] = tip
    return parts
