"""Forward coordinates: the feet relative to the pelvis along the walking direction."""

from __future__ import annotations

import numpy as np

from gaitlab.core.landmarks import SIDES, Landmark, side_landmark
from gaitlab.core.types import PoseSequence
from gaitlab.tasks.walk.series import gradient


def side_point(pose: PoseSequence, side: str, part: str) -> np.ndarray:
    """``(T, 2)`` pixel track of one side's landmark ``part`` (``"heel"``, ``"knee"`` …)."""
    return pose.point(side_landmark(side, part))


def pelvis_xy(pose: PoseSequence) -> np.ndarray:
    """``(T, 2)`` pixel track of the pelvis centre (the hip midpoint)."""
    return 0.5 * (pose.point(Landmark.LEFT_HIP) + pose.point(Landmark.RIGHT_HIP))


def world_leg_m(pose: PoseSequence) -> float:
    """Median hip→knee→ankle length of the world landmarks (m); NaN without them."""
    if pose.world is None:
        return float("nan")
    w = pose.world
    vals = []
    for side in SIDES:
        hip, knee, ankle = (w[:, side_landmark(side, p)] for p in ("hip", "knee", "ankle"))
        vals.append(np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ankle - knee, axis=1))
    v = np.concatenate(vals)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def raw_forward(pose: PoseSequence, axis: str) -> dict[str, np.ndarray]:
    """Heel and toe positions relative to the pelvis along ``axis`` (sign not yet set):
    ``{"left_heel": (T,), ...}``; pixels for the image axes, metres for world."""
    out: dict[str, np.ndarray] = {}
    if axis == "world":
        w = pose.world
        assert w is not None
        pelvis = 0.5 * (w[:, Landmark.LEFT_HIP] + w[:, Landmark.RIGHT_HIP])
        for side in SIDES:
            for part in ("heel", "foot_index"):
                rel = w[:, side_landmark(side, part)] - pelvis
                out[f"{side}_{part}"] = rel[:, 2]  # depth: z grows away from the camera
        return out
    pelvis = pelvis_xy(pose)
    k = 0 if axis == "image_x" else 1
    for side in SIDES:
        for part in ("heel", "foot_index"):
            out[f"{side}_{part}"] = side_point(pose, side, part)[:, k] - pelvis[:, k]
    return out


def walking_direction(t: np.ndarray, raw: dict[str, np.ndarray]) -> float:
    """Walking direction along the axis: the planted feet move backwards relative to the
    pelvis for most of the time (each foot is down ~60 % of the stride), so the median
    relative velocity of the toes points backwards, whether the camera is fixed or pans."""
    vel = np.concatenate([gradient(t, raw[f"{s}_foot_index"]) for s in SIDES])
    vel = vel[np.isfinite(vel)]
    if not vel.size:
        return 0.0
    return float(-np.sign(np.median(vel)))
