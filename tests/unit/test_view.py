"""View classification from a 3D stick figure projected orthographically from known azimuths.

Subject frame: X forward, Y to the subject's left, Z up (metres). A camera at azimuth ``phi``
sits in direction (cos phi, sin phi, 0) from the subject: 0 = in front, +90 = on the
subject's left, 180 = behind, -90 = on the right.
"""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.core.landmarks import N_LANDMARKS, Landmark
from gaitlab.core.types import PoseSequence
from gaitlab.signals.view import (
    VIEW_LABELS,
    classify_clip,
    classify_frames,
    estimate_azimuth_deg,
    facing_sign_x,
    label_from_azimuth,
    off_axis_deg,
)

# (X forward, Y left, Z up) of the LEFT landmark (right: Y negated), metres.
SIDED = {
    "EYE_INNER": (0.09, 0.015, 1.68),
    "EYE": (0.085, 0.03, 1.68),
    "EYE_OUTER": (0.08, 0.045, 1.68),
    "EAR": (0.0, 0.075, 1.65),
    "SHOULDER": (0.0, 0.18, 1.45),
    "ELBOW": (0.0, 0.20, 1.15),
    "WRIST": (0.03, 0.20, 0.88),
    "PINKY": (0.04, 0.20, 0.82),
    "INDEX": (0.05, 0.19, 0.81),
    "THUMB": (0.06, 0.18, 0.84),
    "HIP": (0.0, 0.10, 0.95),
    "KNEE": (0.02, 0.10, 0.52),
    "ANKLE": (0.0, 0.10, 0.09),
    "HEEL": (-0.05, 0.10, 0.03),
    "FOOT_INDEX": (0.19, 0.11, 0.0),
}
FACE = ("NOSE", "EYE_INNER", "EYE", "EYE_OUTER", "MOUTH")


def skeleton() -> np.ndarray:
    """``(33, 3)`` standing subject."""
    p = np.zeros((N_LANDMARKS, 3))
    p[Landmark.NOSE] = (0.11, 0.0, 1.64)
    p[Landmark.MOUTH_LEFT] = (0.09, 0.025, 1.58)
    p[Landmark.MOUTH_RIGHT] = (0.09, -0.025, 1.58)
    for part, (x, y, z) in SIDED.items():
        p[Landmark[f"LEFT_{part}"]] = (x, y, z)
        p[Landmark[f"RIGHT_{part}"]] = (x, -y, z)
    return p


def project(
    points: np.ndarray,
    azimuth_deg: np.ndarray,
    *,
    px_per_m: float = 300.0,
    face_visible: bool | None = None,
    t_s: np.ndarray | None = None,
    world: bool = False,
) -> PoseSequence:
    """Orthographic views of ``points`` ``(33, 3)`` or ``(T, 33, 3)`` from per-frame azimuths."""
    az = np.atleast_1d(np.asarray(azimuth_deg, dtype=float))
    n = len(az)
    pts = np.broadcast_to(points, (n, N_LANDMARKS, 3))
    phi = np.radians(az)[:, None]
    right = np.stack([-np.sin(phi), np.cos(phi)], -1)  # image-right axis in (X, Y)
    toward = np.stack([np.cos(phi), np.sin(phi)], -1)  # towards the camera
    u = (pts[..., :2] * right).sum(-1)
    xy = np.stack([640.0 + px_per_m * u, 100.0 + px_per_m * (1.8 - pts[..., 2])], -1)
    vis = np.empty((n, N_LANDMARKS))
    for lm in Landmark:
        side = 1.0 if "LEFT" in lm.name else (-1.0 if "RIGHT" in lm.name else 0.0)
        vis[:, lm] = 0.6 + 0.35 * side * np.sin(phi[:, 0])
    face = 0.55 + 0.4 * np.cos(phi[:, 0])
    if face_visible is not None:
        face = np.full(n, 0.95 if face_visible else 0.05)
    for lm in Landmark:
        if any(
            lm.name == f or lm.name.endswith("_" + f) or lm.name.startswith(f + "_") for f in FACE
        ):
            vis[:, lm] = face
    hip_mid = (pts[:, Landmark.LEFT_HIP] + pts[:, Landmark.RIGHT_HIP]) / 2
    w = None
    if world:
        rel = pts - hip_mid[:, None]
        w = np.stack(
            [(rel[..., :2] * right).sum(-1), -rel[..., 2], -(rel[..., :2] * toward).sum(-1)], -1
        )
    return PoseSequence(
        xy=xy,
        visibility=vis,
        t_s=np.arange(n) / 30.0 if t_s is None else t_s,
        frame_size=(1280, 720),
        world=w,
    )


CASES = [
    (0, "anterior"),
    (10, "anterior"),
    (-15, "anterior"),
    (180, "posterior"),
    (170, "posterior"),
    (90, "sagittal_left"),
    (80, "sagittal_left"),
    (-90, "sagittal_right"),
    (270, "sagittal_right"),
    (45, "oblique"),
    (-45, "oblique"),
    (135, "oblique"),
    (-135, "oblique"),
]


@pytest.mark.parametrize("world", [False, True], ids=["2d", "world"])
@pytest.mark.parametrize(("azimuth", "expected"), CASES)
def test_static_views(azimuth, expected, world):
    seq = project(skeleton(), np.full(60, float(azimuth)), world=world)
    labels = classify_frames(seq)
    assert (labels == expected).all(), labels[:5]
    summary = classify_clip(seq)
    assert summary.view == expected
    assert summary.fractions[expected] == 1.0
    assert summary.segments == [(0.0, float(seq.t_s[-1]), expected)]


@pytest.mark.parametrize("azimuth", [-170, -120, -60, -30, 0, 25, 60, 100, 150, 180])
def test_world_azimuth_exact(azimuth):
    seq = project(skeleton(), np.full(10, float(azimuth)), world=True)
    est = estimate_azimuth_deg(seq)
    diff = (est - azimuth + 180) % 360 - 180
    assert np.abs(diff).max() < 0.5


def test_2d_azimuth_in_a_turn():
    """A slow turn from facing the camera to a left side view: |cos| from the width ratio."""
    az = np.linspace(0.0, 90.0, 180)
    seq = project(skeleton(), az)
    est = estimate_azimuth_deg(seq)
    # arccos is flat near 0: the width ratio cannot resolve the first few degrees.
    assert np.abs(est[az < 15] - az[az < 15]).max() < 8.0
    mid = (az >= 15) & (az < 85)
    assert np.abs(est[mid] - az[mid]).max() < 2.0
    np.testing.assert_allclose(off_axis_deg(est[mid]), az[mid], atol=2.0)


@pytest.mark.parametrize(("azimuth", "facing"), [(90, -1.0), (-90, 1.0), (60, -1.0), (-120, 1.0)])
def test_facing_direction(azimuth, facing):
    # Left side to the camera: the subject faces / walks towards the image LEFT.
    seq = project(skeleton(), np.full(3, float(azimuth)))
    np.testing.assert_array_equal(facing_sign_x(seq), facing)


def test_facing_undetermined_square_on():
    assert np.isnan(facing_sign_x(project(skeleton(), np.zeros(3)))).all()


def test_walk_towards_then_across():
    az = np.r_[np.zeros(60), np.full(60, -90.0)]  # 2 s towards the camera, 2 s left→right
    summary = classify_clip(project(skeleton(), az))
    assert [s[2] for s in summary.segments] == ["anterior", "sagittal_right"]
    assert summary.segments[1][0] == pytest.approx(2.0, abs=0.1)
    assert summary.fractions["anterior"] == pytest.approx(0.5, abs=0.05)


def test_short_blip_is_absorbed():
    az = np.zeros(90)
    az[40:44] = 90.0  # 0.13 s: noise, not a turn
    labels = classify_frames(project(skeleton(), az))
    assert (labels == "anterior").all()


def test_noise_robust():
    rng = np.random.default_rng(0)
    for azimuth, expected in ((0, "anterior"), (90, "sagittal_left"), (180, "posterior")):
        seq = project(skeleton(), np.full(90, float(azimuth)))
        noisy = seq.with_xy(seq.xy + rng.normal(0, 3.0, seq.xy.shape))
        assert np.mean(classify_frames(noisy) == expected) > 0.95


def test_scale_invariant():
    for px_per_m in (60.0, 1500.0):
        seq = project(skeleton(), np.full(20, 90.0), px_per_m=px_per_m)
        assert classify_clip(seq).view == "sagittal_left"


def test_missing_landmarks_unknown():
    seq = project(skeleton(), np.zeros(60))
    xy = seq.xy.copy()
    xy[:, Landmark.LEFT_HIP] = np.nan
    summary = classify_clip(seq.with_xy(xy))
    assert summary.view == "unknown" and summary.fractions["unknown"] == 1.0
    assert set(summary.fractions) == set(VIEW_LABELS)


def test_face_contradiction_warns():
    seq = project(skeleton(), np.zeros(30), face_visible=False)
    assert any("swapped" in w for w in classify_clip(seq).warnings)
    assert classify_clip(project(skeleton(), np.zeros(30))).warnings == ()


@pytest.mark.parametrize(
    ("azimuth", "label"),
    [
        (0, "anterior"),
        (20, "anterior"),
        (21, "oblique"),
        (69, "oblique"),
        (70, "sagittal_left"),
        (-110, "sagittal_right"),
        (-111, "oblique"),
        (160, "posterior"),
        (np.nan, "unknown"),
    ],
)
def test_label_bands(azimuth, label):
    assert label_from_azimuth(np.array([azimuth]))[0] == label
