"""Joint geometry of the synthetic skeleton: easing, foot pitch, knee inverse kinematics
and the frontal-plane angles the truth reports."""

from __future__ import annotations

import math

import numpy as np

from gaitlab.core.landmarks import Landmark
from gaitlab.testing.synthetic.body import Body

#: +1 for the left side (towards +y), -1 for the right.
LAT = {"left": 1.0, "right": -1.0}


def min_jerk(u: np.ndarray) -> np.ndarray:
    """Minimum-jerk ease 0→1 on u in [0, 1] (clipped)."""
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10 - 15 * u + 6 * u**2)


def pitch_xz(vx: float | np.ndarray, vz: float | np.ndarray, theta: np.ndarray):
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
    return LAT[side] * np.degrees(np.arctan2(cross, dot))


def rearfoot_angles(knee: np.ndarray, ankle: np.ndarray, heel: np.ndarray, side: str):
    """Shank (knee→ankle) vs heel line (ankle→heel) in the y–z plane, + inversion."""
    s = ankle[..., 1:] - knee[..., 1:]
    h = heel[..., 1:] - ankle[..., 1:]
    cross = s[..., 0] * h[..., 1] - s[..., 1] * h[..., 0]
    dot = np.sum(s * h, axis=-1)
    return -LAT[side] * np.degrees(np.arctan2(cross, dot))


def obliquity(joints: np.ndarray) -> np.ndarray:
    """Truth pelvic obliquity in degrees, + when the left hip is lower (as ``measures``)."""
    lh, rh = joints[:, Landmark.LEFT_HIP], joints[:, Landmark.RIGHT_HIP]
    return np.degrees(np.arctan2(rh[:, 2] - lh[:, 2], np.hypot(*(lh - rh)[:, :2].T)))


def knee_ik(
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
    medial = np.array([0.0, -LAT[side], 0.0])
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


def hip_ankle_reach(body: Body, knee_deg: float | np.ndarray) -> float | np.ndarray:
    """Hip–ankle distance (m) with the knee flexed by ``knee_deg``."""
    k = np.radians(knee_deg)
    return np.sqrt(body.thigh_m**2 + body.shank_m**2 + 2 * body.thigh_m * body.shank_m * np.cos(k))


def foot_points(ankle: np.ndarray, pitch: np.ndarray, toe_pitch: np.ndarray, body: Body):
    """Heel, metatarsal heads and toe tip from the ankle and the foot pitches (x–z plane)."""
    hx, hz = pitch_xz(-body.heel_back_m, -body.ankle_height_m, pitch)
    mx, mz = pitch_xz(body.mtp_fwd_m, -body.ankle_height_m, pitch)
    tx, tz = pitch_xz(body.toe_m, 0.0, toe_pitch)
    heel = ankle + np.stack([hx, np.zeros_like(hx), hz], axis=-1)
    mtp = ankle + np.stack([mx, np.zeros_like(mx), mz], axis=-1)
    toe = mtp + np.stack([tx, np.zeros_like(tx), tz], axis=-1)
    return heel, mtp, toe
