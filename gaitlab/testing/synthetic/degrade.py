"""What the pose estimator does to a clean skeleton: visibility, pixel noise, dropouts and
left/right leg swaps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gaitlab.core.landmarks import LEG_LANDMARKS, N_LANDMARKS, Landmark
from gaitlab.core.types import PoseSequence
from gaitlab.testing.synthetic.camera import Camera, default_look_at, project, unit
from gaitlab.testing.synthetic.handheld import CameraMotion, apply_camera_motion

_FACE = tuple(Landmark(i) for i in range(11))


# ------------------------------------------------------------------------------------------
# degradation: visibility, noise, dropout, swaps
# ------------------------------------------------------------------------------------------
def _visibility(
    joints: np.ndarray, camera: Camera, look_at: np.ndarray, xy: np.ndarray, rng
) -> np.ndarray:
    """BlazePose-like visibility: 0.9–1.0, lower for far-side limbs and the hidden face."""
    n = len(joints)
    vis = rng.uniform(0.9, 1.0, size=(n, N_LANDMARKS))
    _, centre = camera.extrinsics(look_at)
    centre = np.broadcast_to(centre, (n, 3))
    pelvis = 0.5 * (joints[:, Landmark.LEFT_HIP] + joints[:, Landmark.RIGHT_HIP])
    to_cam = centre - pelvis
    to_cam[:, 2] = 0.0
    to_cam = unit(to_cam)
    lateral = joints[:, Landmark.LEFT_HIP] - joints[:, Landmark.RIGHT_HIP]
    lateral[:, 2] = 0.0
    lateral = unit(lateral)
    forward = np.cross(lateral, [0.0, 0.0, 1.0])
    facing_left = np.sum(lateral * to_cam, axis=-1)
    facing_front = np.sum(forward * to_cam, axis=-1)

    def away(f: np.ndarray) -> np.ndarray:
        # 0 within ~15° of facing the camera, 1 when turned fully away.
        return np.clip((f - 0.25) / 0.75, 0.0, 1.0)

    for lm in Landmark:
        if lm in _FACE:
            vis[:, lm] -= 0.5 * away(-facing_front)
        if "LEFT" in lm.name:
            vis[:, lm] -= 0.4 * away(-facing_left)
        elif "RIGHT" in lm.name:
            vis[:, lm] -= 0.4 * away(facing_left)
    outside = (
        (xy[..., 0] < 0)
        | (xy[..., 0] > camera.width)
        | (xy[..., 1] < 0)
        | (xy[..., 1] > camera.height)
        | np.isnan(xy[..., 0])
    )
    vis[outside] = np.minimum(vis[outside], 0.1)
    return np.clip(vis, 0.0, 1.0)


def _leg_swap_index() -> np.ndarray:
    """Landmark order with every left leg landmark exchanged for its right one."""
    idx = np.arange(N_LANDMARKS)
    for lm in LEG_LANDMARKS:
        if lm.name.startswith("LEFT_"):
            other = Landmark["RIGHT_" + lm.name[5:]]
            idx[lm], idx[other] = other, lm
    return idx


def degrade(
    joints: np.ndarray,
    t_s: np.ndarray,
    camera: Camera,
    look_at: np.ndarray,
    *,
    noise_px: float,
    dropout_prob: float,
    swap_frames: Sequence[tuple[int, int]] | None,
    seed: int,
    source: str,
    motions: Sequence[CameraMotion] = (),
) -> tuple[PoseSequence, np.ndarray]:
    """The degraded :class:`PoseSequence` and the clean projection ``xy_true`` (see
    :func:`build_pose_sequence`); ``look_at`` is ``(T, 3)`` or broadcast to it."""
    if noise_px < 0:
        raise ValueError(f"noise_px: expected >= 0, got {noise_px}")
    if not 0 <= dropout_prob < 1:
        raise ValueError(f"dropout_prob: expected in [0, 1), got {dropout_prob}")
    n = len(joints)
    look_at = np.broadcast_to(np.asarray(look_at, dtype=float), (n, 3)).copy()
    xy_true = project(joints, camera, look_at)
    if motions:
        xy_true = apply_camera_motion(xy_true, t_s, tuple(motions))
    rng_vis, rng_noise, rng_drop = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    vis = _visibility(joints, camera, look_at, xy_true, rng_vis)
    xy = xy_true + rng_noise.normal(0.0, 1.0, size=xy_true.shape) * noise_px
    rot, _ = camera.extrinsics(look_at)
    pelvis = 0.5 * (joints[:, Landmark.LEFT_HIP] + joints[:, Landmark.RIGHT_HIP])
    world = np.einsum("tij,tnj->tni", rot, joints - pelvis[:, None, :])
    if swap_frames:
        idx = _leg_swap_index()
        for start, end in swap_frames:
            if not 0 <= start < end <= n:
                raise ValueError(f"swap_frames: range ({start}, {end}) outside 0..{n}")
            sl = slice(start, end)
            xy[sl] = xy[sl][:, idx]
            vis[sl] = vis[sl][:, idx]
            world[sl] = world[sl][:, idx]
    if dropout_prob > 0:
        drop = rng_drop.random((n, N_LANDMARKS)) < dropout_prob
        xy[drop] = np.nan
        world[drop] = np.nan
        vis[drop] = 0.0
    missing = np.isnan(xy).any(axis=-1)
    vis[missing] = 0.0
    xy[missing] = np.nan
    pose = PoseSequence(
        xy=xy, visibility=vis, t_s=t_s, frame_size=camera.frame_size, world=world, source=source
    )
    return pose, xy_true


def build_pose_sequence(
    joints_3d: np.ndarray,
    t_s: np.ndarray,
    camera: Camera,
    *,
    look_at: np.ndarray | None = None,
    noise_px: float = 0.0,
    dropout_prob: float = 0.0,
    swap_frames: Sequence[tuple[int, int]] | None = None,
    seed: int = 0,
    source: str = "synthetic",
) -> PoseSequence:
    """Project any ``(T, 33, 3)`` world pose into a :class:`PoseSequence`.

    Adds Gaussian pixel noise (``noise_px`` = sigma per axis), per-landmark dropouts (NaN,
    visibility 0) with probability ``dropout_prob``, left/right leg label swaps on the
    half-open frame ranges ``swap_frames`` (``[(start, end), ...]``, as BlazePose does), and a
    visibility of 0.9–1.0 lowered for far-side limbs, the face seen from behind and points
    outside the frame. ``look_at`` as in :func:`project`.
    """
    joints = np.asarray(joints_3d, dtype=float)
    if joints.ndim != 3 or joints.shape[1:] != (N_LANDMARKS, 3):
        raise ValueError(f"joints_3d: expected shape (T, 33, 3), got {joints.shape}")
    target = default_look_at(joints) if look_at is None else look_at
    pose, _ = degrade(
        joints,
        np.asarray(t_s, dtype=float),
        camera,
        target,
        noise_px=noise_px,
        dropout_prob=dropout_prob,
        swap_frames=swap_frames,
        seed=seed,
        source=source,
    )
    return pose
