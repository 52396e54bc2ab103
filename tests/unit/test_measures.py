"""Per-frame measures on 3D stick figures with known joint geometry, projected
orthographically (subject frame: X forward, Y to the subject's left, Z up, metres; camera
azimuth 0 = in front, 180 = behind, +90 = on the subject's left)."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.core.geometry import rotate_deg
from gaitlab.core.landmarks import N_LANDMARKS, Landmark, side_landmark
from gaitlab.core.types import PoseSequence
from gaitlab.signals.measures import (
    FRONTAL_SIGNALS,
    SAGITTAL_SIGNALS,
    compute_signals,
    estimate_camera_roll_deg,
    foot_length_px,
)
from gaitlab.signals.view import classify_frames

PX = 400.0  # pixels per metre
THIGH = 0.43  # hip (Z 0.95) to knee (Z 0.52)
SHANK = 0.43  # knee to ankle (Z 0.09)
FOOT = float(np.hypot(0.24, 0.03))  # heel (-0.05, Z 0.03) to toe (0.19, Z 0.0)

LEFT_PARTS = {
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
    "KNEE": (0.0, 0.10, 0.52),
    "ANKLE": (0.0, 0.10, 0.09),
    "HEEL": (-0.05, 0.10, 0.03),
    "FOOT_INDEX": (0.19, 0.10, 0.0),
}


def skeleton(n: int = 30) -> np.ndarray:
    """``(n, 33, 3)`` standing subject, legs straight and vertical."""
    p = np.zeros((N_LANDMARKS, 3))
    p[Landmark.NOSE] = (0.11, 0.0, 1.64)
    p[Landmark.MOUTH_LEFT] = (0.09, 0.025, 1.58)
    p[Landmark.MOUTH_RIGHT] = (0.09, -0.025, 1.58)
    for part, (x, y, z) in LEFT_PARTS.items():
        p[Landmark[f"LEFT_{part}"]] = (x, y, z)
        p[Landmark[f"RIGHT_{part}"]] = (x, -y, z)
    return np.repeat(p[None], n, axis=0)


def lm(side: str, part: str) -> int:
    return int(side_landmark(side, part))


def medial_y(side: str) -> float:
    """+Y is the subject's left: the left leg's medial direction is -Y."""
    return -1.0 if side == "left" else 1.0


def project(
    pts: np.ndarray, azimuth_deg: float, *, roll_deg: float = 0.0, world: bool = False
) -> PoseSequence:
    phi = np.radians(azimuth_deg)
    right = np.array([-np.sin(phi), np.cos(phi)])
    toward = np.array([np.cos(phi), np.sin(phi)])
    x = 640.0 + PX * (pts[..., :2] @ right)
    y = 80.0 + PX * (1.8 - pts[..., 2])
    xy = np.stack([x, y], -1)
    if roll_deg:
        xy = rotate_deg(xy, roll_deg, center=(640.0, 400.0))
    w = None
    if world:
        hip = (pts[:, Landmark.LEFT_HIP] + pts[:, Landmark.RIGHT_HIP]) / 2
        rel = pts - hip[:, None]
        w = np.stack([rel[..., :2] @ right, -rel[..., 2], -(rel[..., :2] @ toward)], -1)
    n = len(pts)
    return PoseSequence(
        xy=xy,
        visibility=np.full((n, N_LANDMARKS), 0.9),
        t_s=np.arange(n) / 30.0,
        frame_size=(1280, 800),
        world=w,
    )


# -- FPPA ---------------------------------------------------------------------------------
@pytest.mark.parametrize("azimuth", [0.0, 180.0], ids=["anterior", "posterior"])
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("knee_medial_m", [0.0, 0.02, 0.05, -0.03])
def test_fppa_known_knee_displacement(azimuth, side, knee_medial_m):
    pts = skeleton(5)
    pts[:, lm(side, "knee"), 1] += medial_y(side) * knee_medial_m
    expected = 2 * np.degrees(np.arctan2(knee_medial_m, THIGH))  # thigh == shank
    sig = compute_signals(project(pts, azimuth), view="anterior" if azimuth == 0 else "posterior")
    np.testing.assert_allclose(sig[f"fppa_{side}_deg"], expected, atol=0.5)
    other = "right" if side == "left" else "left"
    np.testing.assert_allclose(sig[f"fppa_{other}_deg"], 0.0, atol=1e-9)


def test_fppa_oblique_projection_still_signed():
    pts = skeleton(5)
    pts[:, lm("left", "knee"), 1] -= 0.05  # valgus
    sig = compute_signals(project(pts, 25.0))
    assert (sig["fppa_left_deg"] > 5).all()


# -- pelvic obliquity and camera roll -----------------------------------------------------
@pytest.mark.parametrize("azimuth", [0.0, 180.0])
@pytest.mark.parametrize("left_drop_m", [0.0, 0.01, 0.025, -0.02])
def test_pelvic_obliquity_sign(azimuth, left_drop_m):
    pts = skeleton(5)
    pts[:, Landmark.LEFT_HIP, 2] -= left_drop_m
    expected = np.degrees(np.arctan2(left_drop_m, 0.2))  # + when the LEFT hip is lower
    sig = compute_signals(project(pts, azimuth))
    np.testing.assert_allclose(sig["pelvic_obliquity_deg"], expected, atol=0.5)


@pytest.mark.parametrize("roll", [-8.0, -2.0, 3.0, 10.0])
@pytest.mark.parametrize("azimuth", [0.0, 180.0, 90.0])
def test_camera_roll_estimated_and_removed(roll, azimuth):
    pts = skeleton(20)
    pts[:, Landmark.LEFT_HIP, 2] -= 0.02
    pts[:, lm("left", "heel"), 1] += 0.02  # feet a little apart in every view
    pts[:, lm("left", "foot_index"), 0] += 0.3  # left foot ahead (visible in side views)
    pts[:, lm("left", "heel"), 0] += 0.3
    pts[:, lm("left", "ankle"), 0] += 0.3
    seq = project(pts, azimuth, roll_deg=roll)
    assert estimate_camera_roll_deg(seq) == pytest.approx(roll, abs=0.5)
    if azimuth != 90.0:
        truth = np.degrees(np.arctan2(0.02, 0.2))
        raw = compute_signals(seq)["pelvic_obliquity_deg"]
        assert np.abs(raw - truth).min() > 1.0  # roll biases the raw tilt
        for roll_deg in (roll, None):
            fixed = compute_signals(seq, roll_deg=roll_deg)["pelvic_obliquity_deg"]
            np.testing.assert_allclose(fixed, truth, atol=0.5)


def test_camera_roll_uses_frames_with_both_feet_down():
    pts = skeleton(60)
    pts[30:, lm("left", "heel"), 2] += np.linspace(0, 0.1, 30)  # left heel lifts
    pts[30:, lm("left", "foot_index"), 2] += np.linspace(0, 0.1, 30)
    assert estimate_camera_roll_deg(project(pts, 0.0)) == pytest.approx(0.0, abs=0.5)
    assert estimate_camera_roll_deg(
        project(pts, 0.0, roll_deg=4.0), baseline_s=(0.0, 0.5)
    ) == pytest.approx(4.0, abs=0.5)


def test_camera_roll_nan_when_feet_missing():
    seq = project(skeleton(5), 0.0)
    xy = seq.xy.copy()
    xy[:, [Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX]] = np.nan
    assert np.isnan(estimate_camera_roll_deg(seq.with_xy(xy)))


# -- rearfoot and ankle shift -------------------------------------------------------------
@pytest.mark.parametrize("azimuth", [180.0, 0.0], ids=["posterior", "anterior"])
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("heel_medial_m", [0.0, 0.01, 0.02, -0.015])
def test_rearfoot_sign(azimuth, side, heel_medial_m):
    pts = skeleton(5)
    pts[:, lm(side, "heel"), 1] += medial_y(side) * heel_medial_m
    # heel tucked medially under a lateral ankle = inversion (rolling outward): positive
    expected = np.degrees(np.arctan2(heel_medial_m, 0.06))
    sig = compute_signals(project(pts, azimuth))
    np.testing.assert_allclose(sig[f"rearfoot_{side}_deg"], expected, atol=0.5)


@pytest.mark.parametrize("azimuth", [180.0, 0.0])
@pytest.mark.parametrize("side", ["left", "right"])
def test_ankle_shift_lateral_positive(azimuth, side):
    pts = skeleton(5)
    pts[:, lm(side, "ankle"), 1] -= medial_y(side) * 0.02  # ankle 2 cm lateral
    seq = project(pts, azimuth)
    expected = 100 * 0.02 * PX / foot_length_px(seq)
    sig = compute_signals(seq)
    np.testing.assert_allclose(sig[f"ankle_shift_{side}_pct_foot"], expected, atol=1e-6)


# -- heel height --------------------------------------------------------------------------
def calf_raise(n: int = 60, peak_deg: float = 25.0) -> tuple[np.ndarray, np.ndarray]:
    """Both heels rotate up about the toes (foot length constant); the first half of the
    frames is flat-footed. Returns the points and the heel rise in metres per frame."""
    pts = skeleton(n)
    ramp = peak_deg * np.sin(np.linspace(0, np.pi, n - n // 2))
    theta = np.radians(np.r_[np.zeros(n // 2), ramp])
    c, s = np.cos(theta), np.sin(theta)
    rise = np.zeros(n)
    for side in ("left", "right"):
        toe = pts[:, lm(side, "foot_index")]
        rel = pts[:, lm(side, "heel")] - toe
        x, z = rel[:, 0], rel[:, 2]
        pts[:, lm(side, "heel"), 0] = toe[:, 0] + c * x + s * z
        pts[:, lm(side, "heel"), 2] = toe[:, 2] - s * x + c * z
        rise = -s * x + c * z - z
    return pts, rise


def test_heel_height_sagittal_percent_of_foot():
    pts, rise = calf_raise()
    seq = project(pts, 90.0)
    assert foot_length_px(seq) == pytest.approx(FOOT * PX, rel=1e-6)
    sig = compute_signals(seq, view="sagittal_left")
    for side in ("left", "right"):
        np.testing.assert_allclose(sig[f"heel_height_{side}_pct_foot"], 100 * rise / FOOT, atol=0.5)


@pytest.mark.parametrize("world", [False, True])
def test_heel_height_frontal_uses_shank_scale(world):
    pts, rise = calf_raise()
    seq = project(pts, 180.0, world=world)
    foot_px = foot_length_px(seq)
    # Foot points away from the camera: predicted from the shank (anthropometric, or the
    # metric world-landmark ratio, which recovers the true length).
    if world:
        assert foot_px == pytest.approx(FOOT * PX, rel=0.01)
    else:
        assert foot_px == pytest.approx(0.152 / 0.246 * SHANK * PX, rel=1e-6)
    sig = compute_signals(seq, view="posterior")
    np.testing.assert_allclose(
        sig["heel_height_left_pct_foot"], 100 * rise * PX / foot_px, atol=0.5
    )


def test_heel_height_baseline_window():
    pts, rise = calf_raise()
    seq = project(pts, 90.0)
    sig = compute_signals(seq, heel_baseline_s=(0.0, 0.5))
    np.testing.assert_allclose(sig["heel_height_left_pct_foot"], 100 * rise / FOOT, atol=0.5)


# -- sagittal measures --------------------------------------------------------------------
def bent_leg(pts: np.ndarray, side: str, thigh_fwd_deg: float, shank_back_deg: float) -> None:
    """Thigh rotated forward from vertical, shank rotated backward (flexion = sum)."""
    hip = pts[:, lm(side, "hip")]
    a, b = np.radians(thigh_fwd_deg), np.radians(shank_back_deg)
    knee = hip + THIGH * np.array([np.sin(a), 0.0, -np.cos(a)])
    ankle = knee + SHANK * np.array([-np.sin(b), 0.0, -np.cos(b)])
    pts[:, lm(side, "knee")] = knee
    shift = ankle - pts[:, lm(side, "ankle")]
    for part in ("ankle", "heel", "foot_index"):
        pts[:, lm(side, part)] += shift


@pytest.mark.parametrize("azimuth", [90.0, -90.0], ids=["sagittal_left", "sagittal_right"])
@pytest.mark.parametrize(
    ("thigh", "shank", "flexion"),
    [
        (0.0, 0.0, 0.0),
        (20.0, 10.0, 30.0),
        (40.0, 30.0, 70.0),
        (-5.0, -3.0, -8.0),
    ],
)
def test_knee_flexion_signed(azimuth, thigh, shank, flexion):
    pts = skeleton(5)
    bent_leg(pts, "left", thigh, shank)
    seq = project(pts, azimuth)
    sig = compute_signals(seq, view="sagittal_left" if azimuth > 0 else "sagittal_right")
    np.testing.assert_allclose(sig["knee_flexion_left_deg"], flexion, atol=0.5)
    np.testing.assert_allclose(sig["knee_flexion_right_deg"], 0.0, atol=1e-9)


@pytest.mark.parametrize("azimuth", [90.0, -90.0])
@pytest.mark.parametrize("lean", [0.0, 10.0, -5.0])
def test_trunk_lean_forward_positive(azimuth, lean):
    pts = skeleton(5)
    torso = 1.45 - 0.95
    a = np.radians(lean)
    for part in ("SHOULDER",):
        for s in ("LEFT", "RIGHT"):
            pts[:, Landmark[f"{s}_{part}"], 0] = torso * np.sin(a)
            pts[:, Landmark[f"{s}_{part}"], 2] = 0.95 + torso * np.cos(a)
    sig = compute_signals(project(pts, azimuth))
    np.testing.assert_allclose(sig["trunk_lean_deg"], lean, atol=0.5)


@pytest.mark.parametrize("azimuth", [0.0, 180.0])
def test_trunk_lateral_lean_towards_left_positive(azimuth):
    pts = skeleton(5)
    for s in ("LEFT", "RIGHT"):
        pts[:, Landmark[f"{s}_SHOULDER"], 1] += 0.5 * np.tan(np.radians(6.0))
    sig = compute_signals(project(pts, azimuth))
    np.testing.assert_allclose(sig["trunk_lateral_lean_deg"], 6.0, atol=0.5)


# -- view gating --------------------------------------------------------------------------
def test_side_view_blanks_frontal_measures_with_reason():
    sig = compute_signals(project(skeleton(10), 90.0), view="sagittal_left")
    for name in FRONTAL_SIGNALS:
        assert np.isnan(sig[name]).all()
    assert sig.unavailable["fppa_left_deg"] == (
        "knee valgus (FPPA) needs a front or back view; this clip is filmed from the side"
    )
    assert np.isfinite(sig["knee_flexion_left_deg"]).all()
    assert "knee_flexion_left_deg" not in sig.unavailable


@pytest.mark.parametrize(("view", "where"), [("anterior", "front"), ("posterior", "behind")])
def test_frontal_view_blanks_knee_flexion(view, where):
    sig = compute_signals(project(skeleton(10), 0.0 if view == "anterior" else 180.0), view=view)
    for name in SAGITTAL_SIGNALS:
        assert np.isnan(sig[name]).all()
    where = "the front" if where == "front" else where
    assert sig.unavailable["knee_flexion_right_deg"] == (
        f"knee bend (flexion) needs a side view; this clip is filmed from {where}"
    )
    assert np.isfinite(sig["fppa_left_deg"]).all()
    assert np.isfinite(sig["heel_height_left_pct_foot"]).all()


def test_per_frame_view_gating():
    pts = skeleton(120)
    half = np.r_[np.zeros(60), np.full(60, 90.0)]
    seqs = [project(pts[i : i + 1], a) for i, a in enumerate(half)]
    seq = PoseSequence(
        xy=np.concatenate([s.xy for s in seqs]),
        visibility=np.concatenate([s.visibility for s in seqs]),
        t_s=np.arange(120) / 30.0,
        frame_size=(1280, 800),
    )
    labels = classify_frames(seq)
    assert (labels[:55] == "anterior").all() and (labels[65:] == "sagittal_left").all()
    sig = compute_signals(seq, view_per_frame=labels)
    front = labels == "anterior"
    assert np.isfinite(sig["fppa_left_deg"][front]).all()
    assert np.isnan(sig["fppa_left_deg"][~front]).all()
    assert np.isnan(sig["knee_flexion_left_deg"][front]).all()
    assert np.isfinite(sig["knee_flexion_left_deg"][~front]).all()
    assert "fppa_left_deg" not in sig.unavailable  # available in part of the clip


def test_off_axis_gating_of_oblique_frames():
    n = 4
    seq = project(skeleton(n), 0.0)
    labels = np.array(["oblique"] * n)
    off = np.array([25.0, 35.0, 65.0, np.nan])
    sig = compute_signals(seq, view_per_frame=labels, off_axis_deg=off)
    np.testing.assert_array_equal(np.isfinite(sig["fppa_left_deg"]), [True, False, False, True])
    np.testing.assert_array_equal(
        np.isfinite(sig["knee_flexion_left_deg"]), [False, False, True, True]
    )
    sig = compute_signals(seq, view_per_frame=labels, off_axis_deg=np.full(n, 40.0))
    assert "more than 30°" in sig.unavailable["fppa_left_deg"]


def test_missing_landmark_reason():
    seq = project(skeleton(5), 0.0)
    xy = seq.xy.copy()
    xy[:, Landmark.LEFT_ANKLE] = np.nan
    sig = compute_signals(seq.with_xy(xy))
    assert np.isnan(sig["fppa_left_deg"]).all()
    assert "left hip, knee and ankle were not detected together" in sig.unavailable["fppa_left_deg"]
    assert np.isfinite(sig["fppa_right_deg"]).all()
    xy[:, Landmark.RIGHT_HEEL] = np.nan
    sig = compute_signals(seq.with_xy(xy))
    assert sig.unavailable["heel_height_right_pct_foot"] == (
        "heel height: the right heel was not detected in any frame"
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"view": "side"}, "unknown view label"),
        ({"view": "anterior", "view_per_frame": np.array(["anterior"] * 3)}, "either view"),
        ({"view_per_frame": np.array(["anterior"] * 2)}, "expected shape"),
        (
            {"view_per_frame": np.array(["anterior"] * 3), "off_axis_deg": np.zeros(2)},
            "off_axis_deg",
        ),
    ],
)
def test_bad_view_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compute_signals(project(skeleton(3), 0.0), **kwargs)


def test_signal_names_and_length():
    seq = project(skeleton(7), 0.0)
    sig = compute_signals(seq)
    expected = {
        *FRONTAL_SIGNALS,
        *SAGITTAL_SIGNALS,
        "heel_height_left_pct_foot",
        "heel_height_right_pct_foot",
    }
    assert set(sig.values) == expected
    assert all(v.shape == (7,) for v in sig.values.values())
    np.testing.assert_array_equal(sig.t_s, seq.t_s)
