"""Shared pieces of the standing tasks: pelvis height over planted feet, a tilted pelvis,
a foot lifted behind, interval envelopes and resting arms."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.kinematics import LAT, hip_ankle_reach, min_jerk

STAND_KNEE_DEG = 6.0  # soft knees: standing knee flexion


def standing_height(
    body: Body,
    centre_xy: np.ndarray,
    ankles: Mapping[str, np.ndarray],
    planted: Mapping[str, np.ndarray],
) -> np.ndarray:
    """Pelvis height that keeps every planted leg at the standing knee flexion (lowest wins)."""
    reach = hip_ankle_reach(body, STAND_KNEE_DEG)
    out = np.full(len(centre_xy), np.inf)
    for side in SIDES:
        hip_y = centre_xy[:, 1] + LAT[side] * body.hip_width_m / 2
        dx = ankles[side][:, 0] - centre_xy[:, 0]
        dy = ankles[side][:, 1] - hip_y
        h = ankles[side][:, 2] + np.sqrt(np.maximum(reach**2 - dx**2 - dy**2, 0.0))
        out = np.where(planted[side], np.minimum(out, h), out)
    if not np.all(np.isfinite(out)):
        raise AssertionError("no planted foot")
    return out


def tilted_hips(
    centre: np.ndarray, omega_rad: np.ndarray, pivot_side: str | np.ndarray, body: Body
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rotate the neutral pelvis about the pivot (stance) hip by ``omega`` (+ left hip up)."""
    half = body.hip_width_m / 2
    lat = (
        np.full(len(centre), LAT[pivot_side])
        if isinstance(pivot_side, str)
        else np.asarray(pivot_side, dtype=float)
    )
    arm = half * np.stack([np.zeros_like(omega_rad), np.cos(omega_rad), np.sin(omega_rad)], -1)
    pivot = centre + (lat * half)[:, None] * np.array([0.0, 1.0, 0.0])
    c = pivot - lat[:, None] * arm
    return c + arm, c - arm, c


def lifted_foot(
    planted: np.ndarray, env: np.ndarray, follow: np.ndarray, body: Body
) -> tuple[np.ndarray, np.ndarray]:
    """A foot lifted behind the body (knee bent) as ``env`` goes 0→1; returns ankle, pitch."""
    s = body.scale
    offset = np.array([-0.10 * s, 0.0, 0.20 * s])
    ankle = planted + env[:, None] * (offset + follow)
    return ankle, -math.radians(20.0) * env


def interval_env(t: np.ndarray, start: float, end: float, ramp: float) -> np.ndarray:
    """0 outside [start, end], 1 inside, minimum-jerk ramps of ``ramp`` s inside the interval."""
    up = min_jerk((t - start) / ramp)
    down = min_jerk((end - t) / ramp)
    return np.where((t > start) & (t < end), np.minimum(up, down), 0.0)


def standing_arms(n: int, deg: float = 5.0, elbow: float = 10.0):
    """Arms hanging still: shoulder flexion ``deg`` and elbow flexion ``elbow`` on both sides."""
    arm = {s: np.full(n, deg) for s in SIDES}
    elb = {s: np.full(n, elbow) for s in SIDES}
    return arm, elb
