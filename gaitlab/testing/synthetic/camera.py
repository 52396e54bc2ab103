"""The pinhole camera that films the synthetic subject, and projection into the image.

Conventions: :mod:`gaitlab.testing.synthetic`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gaitlab.core.landmarks import N_LANDMARKS, Landmark


@dataclass(frozen=True)
class Camera:
    """A pinhole camera aimed at the subject (conventions: :mod:`gaitlab.testing.synthetic`)."""

    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0
    distance_m: float = 4.0
    height_m: float = 1.0
    focal_px: float | None = None
    width: int = 1280
    height: int = 720
    #: Height of the look-at point; ``None`` aims at the subject's pelvis.
    look_at_height_m: float | None = None

    def __post_init__(self) -> None:
        if self.distance_m <= 0 or self.width <= 0 or self.height <= 0:
            raise ValueError("Camera: distance_m, width and height must be positive")
        if self.focal_px is not None and self.focal_px <= 0:
            raise ValueError(f"Camera: focal_px must be positive, got {self.focal_px}")

    @property
    def f_px(self) -> float:
        """Focal length in pixels (60° horizontal field of view unless ``focal_px`` is set)."""
        if self.focal_px is not None:
            return float(self.focal_px)
        return self.width / 2 / math.tan(math.radians(30.0))

    @property
    def frame_size(self) -> tuple[int, int]:
        return (int(self.width), int(self.height))

    def extrinsics(self, look_at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rotation ``R`` (world→camera, rows = image x, image y, optical axis) and centre.

        ``look_at`` is ``(3,)`` or ``(T, 3)``; the results broadcast the same way.
        """
        target = np.array(look_at, dtype=float)
        if self.look_at_height_m is not None:
            target[..., 2] = self.look_at_height_m
        yaw = math.radians(self.yaw_deg)
        centre = target.copy()
        centre[..., 0] += self.distance_m * math.cos(yaw)
        centre[..., 1] += self.distance_m * math.sin(yaw)
        centre[..., 2] = self.height_m
        fwd = unit(target - centre)
        up = np.array([0.0, 0.0, 1.0])
        right = unit(np.cross(fwd, up))
        down = np.cross(fwd, right)
        p, r = math.radians(self.pitch_deg), math.radians(self.roll_deg)
        fwd, down = math.cos(p) * fwd + math.sin(p) * down, math.cos(p) * down - math.sin(p) * fwd
        # Rotate image axes by +roll: a level world line maps to atan2(dy, dx) = roll.
        img_x = math.cos(r) * right - math.sin(r) * down
        img_y = math.sin(r) * right + math.cos(r) * down
        rot = np.stack([img_x, img_y, fwd], axis=-2)
        return rot, centre


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` normalised along its last axis; ValueError for a zero-length vector."""
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(n < 1e-12):
        raise ValueError("degenerate direction (zero-length vector)")
    return v / n


def default_look_at(points_3d: np.ndarray) -> np.ndarray:
    """Mean hip centre of a 33-landmark pose, else the mean of all points."""
    pts = np.asarray(points_3d, dtype=float)
    if pts.shape[-2] == N_LANDMARKS:
        hips = pts[..., [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], :]
        return np.nanmean(hips.reshape(-1, 3), axis=0)
    return np.nanmean(pts.reshape(-1, 3), axis=0)


def _to_camera(points_3d: np.ndarray, camera: Camera, look_at: np.ndarray) -> np.ndarray:
    rot, centre = camera.extrinsics(look_at)
    pts = np.asarray(points_3d, dtype=float)
    rel = pts - centre[..., None, :] if centre.ndim == 2 else pts - centre
    if rot.ndim == 3:
        return np.einsum("tij,tnj->tni", rot, rel)
    return rel @ rot.T


def project(points_3d: np.ndarray, camera: Camera, look_at: np.ndarray | None = None) -> np.ndarray:
    """Project world points into the image, in pixels (x right, y down).

    Parameters
    ----------
    points_3d
        ``(T, N, 3)`` (usually ``N = 33``) or ``(N, 3)`` world points in metres.
    camera
        The camera.
    look_at
        ``(3,)`` fixed aim point, or ``(T, 3)`` per frame (a camera that tracks the subject).
        Default: the mean hip centre of ``points_3d`` (the mean of all points if ``N != 33``).

    Returns
    -------
    ``(..., N, 2)`` pixel coordinates; NaN for points at or behind the camera plane.
    """
    pts = np.asarray(points_3d, dtype=float)
    if pts.shape[-1] != 3 or pts.ndim not in (2, 3):
        raise ValueError(f"points_3d: expected shape (T, N, 3) or (N, 3), got {pts.shape}")
    target = default_look_at(pts) if look_at is None else np.asarray(look_at, dtype=float)
    if target.ndim == 2 and (pts.ndim != 3 or target.shape[0] != pts.shape[0]):
        raise ValueError(f"look_at: expected shape (3,) or ({pts.shape[0]}, 3), got {target.shape}")
    cam = _to_camera(pts, camera, target)
    z = cam[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = camera.f_px * cam[..., 0] / z + camera.width / 2
        v = camera.f_px * cam[..., 1] / z + camera.height / 2
    out = np.stack([u, v], axis=-1)
    out[z <= 1e-6] = np.nan
    return out


# ------------------------------------------------------------------------------------------
