"""The usual ways of holding the free foot in single-leg stance, for the synthetic balancer.

Each style places the free ankle (and, where the knee does not simply bend forward, the
knee) as the lift envelope goes 0→1, in the balancer's world frame (metres, ``z`` up,
facing ``+x``, ``+y`` the subject's left), scaled with the body:

``behind``
    Knee bent, foot behind and 20 cm up (the default; :func:`~.standing.lifted_foot`).
``front``
    Hip and knee flexed, foot 25 cm forward and 20 cm up.
``side``
    Hip abducted, foot 25 cm out to the side and 12 cm up, knee nearly straight.
``calf``
    The sole resting on the inner calf of the standing leg (ankle at 60 % of knee height,
    toes pointing down and 15–20 cm off the floor), the knee turned out.
``tree``
    Yoga tree pose: the sole on the inner thigh of the standing leg (ankle a hand above the
    knee, toes pointing down), the knee turned out to the side.
"""

from __future__ import annotations

import math

import numpy as np

from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.kinematics import LAT
from gaitlab.testing.synthetic.standing import lifted_foot

LIFT_STYLES = ("behind", "front", "side", "calf", "tree")


def knee_towards(hip: np.ndarray, ankle: np.ndarray, body: Body, bend: np.ndarray) -> np.ndarray:
    """Knee at thigh length from the hip and shank length from the ankle, on the side of the
    hip–ankle line given by the direction ``bend`` (``(3,)`` or ``(n, 3)``)."""
    l1, l2 = body.thigh_m, body.shank_m
    d = ankle - hip
    dist = np.linalg.norm(d, axis=-1)
    if np.any(dist > (l1 + l2) * (1 - 1e-9)):
        raise ValueError("leg cannot reach: hip–ankle distance exceeds thigh + shank")
    n = d / dist[:, None]
    a = (l1**2 - l2**2 + dist**2) / (2 * dist)
    r = np.sqrt(np.maximum(l1**2 - a**2, 0.0))
    b = np.broadcast_to(np.asarray(bend, dtype=float), d.shape)
    u = b - np.sum(b * n, axis=-1, keepdims=True) * n
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    return hip + a[:, None] * n + r[:, None] * u


def free_foot(
    style: str,
    *,
    planted: np.ndarray,
    stance_ankle: np.ndarray,
    env: np.ndarray,
    follow: np.ndarray,
    free_hip: np.ndarray,
    free_side: str,
    body: Body,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Free ankle ``(n, 3)``, foot pitch ``(n,)`` (rad) and knee ``(n, 3)`` (None: the knee
    bends forward, :func:`~.kinematics.knee_ik`) for one lift style."""
    if style == "behind":
        ankle, pitch = lifted_foot(planted, env, follow, body)
        return ankle, pitch, None
    s, lat = body.scale, LAT[free_side]
    e = env[:, None]
    if style in ("front", "side"):
        front = [0.25 * s, 0.0, 0.20 * s]
        offset = np.array(front if style == "front" else [0.0, lat * 0.25 * s, 0.12 * s])
        return planted + e * (offset + follow), np.zeros(len(env)), None
    if style not in ("calf", "tree"):
        raise ValueError(f"lift_style: expected one of {list(LIFT_STYLES)}, got {style!r}")
    # against the inner side of the standing leg: mid-shank, or a hand above the knee
    knee_z = body.ankle_height_m + body.shank_m
    height = 0.6 * knee_z if style == "calf" else knee_z + 0.12 * s
    target = np.stack(
        [
            stance_ankle[:, 0] + 0.03 * s,
            stance_ankle[:, 1] + lat * 0.07 * s,
            np.full(len(env), height),
        ],
        axis=-1,
    )
    # up and out around the standing leg on the way (a straight line would cross it)
    out = np.zeros_like(target)
    out[:, 1] = lat * 0.15 * s * np.sin(math.pi * env)
    ankle = planted + e * (target - planted) + out + e * follow
    pitch = -math.radians(50.0) * env  # toes pointing down, the sole against the leg
    # the knee turns out to the side as the foot comes up
    bend = (1 - e) * np.array([1.0, 0.0, 0.0]) + e * np.array([0.35, lat * 1.0, 0.0])
    knee = knee_towards(free_hip, ankle, body, bend)
    return ankle, pitch, knee
