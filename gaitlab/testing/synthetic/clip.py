"""The frame of every generated clip: time axis, frame numbers, per-side parameters, and
the packaging of skeleton and truth into a :class:`SyntheticResult`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.camera import Camera
from gaitlab.testing.synthetic.degrade import degrade
from gaitlab.testing.synthetic.handheld import CameraMotion
from gaitlab.testing.synthetic.truth import SyntheticResult


def frame_of(t: float, fps: float) -> int:
    """The frame nearest to time ``t`` (s)."""
    return int(round(t * fps))


def finish_clip(
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
    motions: Sequence[CameraMotion] = (),
) -> SyntheticResult:
    """Degrade the clean skeleton as the pose estimator would and package it with its truth."""
    look_at = np.broadcast_to(np.asarray(look_at, dtype=float), (len(joints), 3)).copy()
    pose, xy_true = degrade(
        joints,
        t_s,
        camera,
        look_at,
        noise_px=noise_px,
        dropout_prob=dropout_prob,
        swap_frames=swap_frames,
        seed=seed,
        source=source,
        motions=motions,
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


def per_side(value: float | Sequence[float], name: str) -> dict[str, float]:
    """``{"left": ..., "right": ...}`` from one number or a ``(left, right)`` pair."""
    if isinstance(value, int | float):
        return {"left": float(value), "right": float(value)}
    vals = tuple(float(v) for v in value)
    if len(vals) != 2:
        raise ValueError(f"{name}: expected a number or (left, right), got {value!r}")
    return dict(zip(SIDES, vals, strict=True))


def time_axis(duration_s: float, fps: float) -> np.ndarray:
    """Frame times ``i / fps`` from 0 up to ``duration_s`` included."""
    if fps <= 0 or duration_s <= 0:
        raise ValueError("duration_s and fps must be positive")
    n = int(math.floor(duration_s * fps + 1e-9)) + 1
    return np.arange(n) / fps


def check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    """ValueError unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {list(allowed)}, got {value!r}")
