"""Accuracy acceptance of the core chain against synthetic ground truth.

MEASURES.md, "Accuracy the project must demonstrate": angles on noise-free projected
skeletons within 0.5°; with realistic 2D landmark noise FPPA and pelvic drop within 2°,
ankle roll within 2°. Every clip goes through :func:`gaitlab.signals.chain.measure_pose`, the
chain ``gaitlab analyze`` runs: ``clean_offline`` → ``classify_frames`` → ``compute_signals``
gated per frame and by off-axis angle, with the camera roll estimated from the clip.

Cameras (:class:`gaitlab.testing.synthetic.Camera`; yaw 0 anterior, 180 posterior, 90 on the
subject's left): ``FAR`` is 30 m away with a long lens, practically orthographic, the
subject about 510 px tall in 1280×720; realistic cameras stand 3–5 m away with the default
60° lens (subject 380–630 px).

Where an acceptance number is not met, the test asserts the error actually achieved (a
regression guard) and says the target it misses, so the gap stays visible in the code and
the closing note; every test here runs and can fail.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest

from gaitlab.core.landmarks import Landmark
from gaitlab.core.thresholds import load_thresholds
from gaitlab.core.types import PoseSequence, Signals
from gaitlab.signals.chain import measure_pose
from gaitlab.signals.measures import FRONTAL_SIGNALS, compute_signals, estimate_camera_roll_deg
from gaitlab.signals.view import (
    classify_frames,
    estimate_azimuth_deg,
    label_from_azimuth,
    off_axis_deg,
)
from gaitlab.tasks.base import TaskContext
from gaitlab.tasks.summary import infer_task
from gaitlab.tasks.walk import analyze_walk
from gaitlab.testing.synthetic import (
    Camera,
    SyntheticResult,
    build_pose_sequence,
    calf_raises,
    single_leg_stance,
    walk,
)

# A walk towards a camera has no two floor contacts at one depth: the roll cannot be
# estimated and the chain warns that it assumes a level camera. Expected here.
pytestmark = pytest.mark.filterwarnings("ignore:could not estimate the camera tilt:UserWarning")

SIDES = ("left", "right")
FAR = {"distance_m": 30.0, "focal_px": 9000.0, "height_m": 0.9}
#: Far camera at ankle height (the heel line seen square-on) for ankle roll.
FAR_LOW = {"distance_m": 30.0, "focal_px": 9000.0, "height_m": 0.066}
#: Landmark jitter, sigma per axis as a fraction of the apparent body height: 2 px on a
#: 500 px subject. BlazePose infers on a 256 px crop of the person, so its pixel error
#: scales with the person's size in the image. Measured on the real clips in
#: tests/data: the hip landmarks' residual above 6 Hz (where walking has almost no
#: power) is 0.24–0.42 % of body height (1.7–2.9 px on a 686 px man at 60 fps, 0.7–1.2 px on
#: a 337 px woman at 30 fps). Real errors also have a slow, systematic part (landmark
#: placement) that white noise does not model: these numbers are a lower bound.
JITTER_FRAC = 0.004


# -- the chain ----------------------------------------------------------------------------
def measured(pose: PoseSequence) -> tuple[PoseSequence, np.ndarray, Signals]:
    """:func:`gaitlab.signals.chain.measure_pose`, the chain ``gaitlab analyze`` runs."""
    m = measure_pose(pose)
    return m.pose, m.view_per_frame, m.signals


def geometry_only(pose: PoseSequence) -> Signals:
    """The same chain without the cleaning: on noise-free input it isolates the geometry
    (projection, signs, view gating, roll estimation) from the 6 Hz low-pass."""
    return compute_signals(
        pose,
        view_per_frame=classify_frames(pose),
        off_axis_deg=off_axis_deg(estimate_azimuth_deg(pose)),
        roll_deg=None,
    )


def apparent_height_px(camera: Camera, height_m: float = 1.70) -> float:
    return height_m * camera.f_px / camera.distance_m


def jitter_px(camera: Camera) -> float:
    return JITTER_FRAC * apparent_height_px(camera)


# -- reading the truth --------------------------------------------------------------------
def complete_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` runs of True that neither start nor end the clip."""
    m = np.concatenate([[0], np.asarray(mask, dtype=int), [0]])
    d = np.diff(m)
    runs = zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True)
    return [(int(a), int(b)) for a, b in runs if a > 0 and b < len(mask)]


def stance_peaks(values: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Peak of ``values`` over each complete stance (or any phase mask)."""
    return np.array([np.nanmax(values[a:b]) for a, b in complete_runs(stance)])


def ensemble_peak(values: np.ndarray, t: np.ndarray, intervals, n: int = 51) -> float:
    """Peak of the average of ``values`` over ``intervals``, each time-normalised to
    ``n`` points: the gait-lab ensemble curve. Averaging before taking the peak keeps the
    landmark jitter from biasing it upwards, as the peak of every single stance is."""
    curves = []
    for a, b in intervals:
        m = (t >= a) & (t <= b)
        curves.append(np.interp(np.linspace(0.0, 1.0, n), (t[m] - a) / (b - a), values[m]))
    return float(np.max(np.nanmean(curves, axis=0)))


def drop_signal(obliquity: np.ndarray, double_support: np.ndarray, side: str) -> np.ndarray:
    """Contralateral pelvic drop while standing on ``side``: obliquity relative to the
    double-support baseline (which also cancels camera roll), + when the free side's hip
    is lower. Obliquity is + when the LEFT hip is lower, i.e. a drop while on the right."""
    sign = 1.0 if side == "right" else -1.0
    return sign * (obliquity - np.nanmean(obliquity[double_support]))


def obliquity_3d(result: SyntheticResult) -> np.ndarray:
    """Truth pelvic obliquity from the joints (calf raises carry none in their signals)."""
    lh = result.joints_3d[:, Landmark.LEFT_HIP]
    rh = result.joints_3d[:, Landmark.RIGHT_HIP]
    return np.degrees(np.arctan2(rh[:, 2] - lh[:, 2], np.hypot(*(lh - rh)[:, :2].T)))


# -- clips (cached: several tests read the same one) --------------------------------------
@cache
def walk_clip(
    yaw: float,
    *,
    cadence: float = 110.0,
    fps: float = 30.0,
    valgus: tuple[float, float] = (6.0, 12.0),
    drop: tuple[float, float] = (5.0, 3.0),
    distance: float | None = None,
    noisy: bool = False,
    duration: float = 8.0,
    follows: bool = True,
    seed: int = 0,
) -> tuple[SyntheticResult, PoseSequence, np.ndarray, Signals]:
    camera = Camera(yaw_deg=yaw, **FAR) if distance is None else Camera(yaw, distance_m=distance)
    result = walk(
        cadence_spm=cadence,
        fps=fps,
        valgus_peak_deg=valgus,
        pelvic_drop_deg=drop,
        camera=camera,
        camera_follows=follows,
        duration_s=duration,
        noise_px=jitter_px(camera) if noisy else 0.0,
        seed=seed,
    )
    return (result, *measured(result.pose))


@cache
def calf_clip(
    camera: Camera,
    *,
    roll: tuple[float, float] = (0.0, 0.0),
    heel_m: float = 0.06,
    reps: int = 3,
    noisy: bool = False,
    seed: int = 0,
) -> tuple[SyntheticResult, PoseSequence, np.ndarray, Signals]:
    result = calf_raises(
        reps=reps,
        heel_height_m=heel_m,
        ankle_roll_deg={"left": roll[0], "right": roll[1]},
        camera=camera,
        noise_px=jitter_px(camera) if noisy else 0.0,
        seed=seed,
    )
    return (result, *measured(result.pose))


def rep_roll_errors(clip: tuple[SyntheticResult, PoseSequence, np.ndarray, Signals]) -> np.ndarray:
    """Per rep and side: measured ankle roll minus truth. Measured: median rearfoot angle
    over the top hold minus its median over all standing frames (setup and rests; MEASURES:
    change from the standing baseline); truth: ``ankle_roll_<side>_deg`` over the hold."""
    result, _, _, signals = clip
    t, truth = result.pose.t_s, result.truth.signals
    standing = np.isin(result.truth.phase, ("setup", "rest"))
    out = []
    for rep in result.truth.reps:
        top = (t >= rep.top_s) & (t <= rep.hold_end_s)
        for side in SIDES:
            rear = signals[f"rearfoot_{side}_deg"]
            measured = np.nanmedian(rear[top]) - np.nanmedian(rear[standing])
            out.append(measured - np.median(truth[f"ankle_roll_{side}_deg"][top]))
    return np.array(out)


# ==========================================================================================
# 1. Noise-free angles within 0.5°
# ==========================================================================================
CADENCE_FPS = [(c, f) for c in (80.0, 110.0, 140.0) for f in (30.0, 60.0)]


@pytest.mark.parametrize("valgus", [(0.0, 15.0), (15.0, 7.5)], ids=["valgus0-15", "valgus15-7"])
@pytest.mark.parametrize(("cadence", "fps"), CADENCE_FPS)
@pytest.mark.parametrize(("yaw", "view"), [(0.0, "anterior"), (180.0, "posterior")])
def test_noise_free_fppa_and_pelvic_obliquity(yaw, view, cadence, fps, valgus):
    result, _, views, sig = walk_clip(
        yaw, cadence=cadence, fps=fps, valgus=valgus, drop=(6.0, 2.0), duration=5.0
    )
    truth = result.truth.signals
    assert set(views.tolist()) == {view}
    # Geometry, every frame: the chain without the low-pass (nothing to clean).
    raw = geometry_only(result.pose)
    for side in SIDES:
        np.testing.assert_allclose(raw[f"fppa_{side}_deg"], truth[f"fppa_{side}_deg"], atol=0.5)
    np.testing.assert_allclose(raw["pelvic_obliquity_deg"], truth["pelvic_obliquity_deg"], atol=0.5)
    # Through the whole chain: the clinical values. (Frame by frame the 6 Hz low-pass lags
    # the steep rise of a 15° valgus bump at 140 steps/min by up to 1.2°; its peak by 0.45°.)
    for side in SIDES:
        stance = truth[f"stance_{side}"]
        np.testing.assert_allclose(
            stance_peaks(sig[f"fppa_{side}_deg"], stance),
            stance_peaks(truth[f"fppa_{side}_deg"], stance),
            atol=0.5,
        )
    np.testing.assert_allclose(sig["pelvic_obliquity_deg"], truth["pelvic_obliquity_deg"], atol=0.5)
    ds = truth["stance_left"] & truth["stance_right"]
    for ss in result.truth.single_supports:
        m = (truth.t_s >= ss.start_s) & (truth.t_s <= ss.end_s)
        measured = drop_signal(sig["pelvic_obliquity_deg"], ds, ss.side)[m].max()
        assert measured == pytest.approx(ss.pelvic_drop_deg, abs=0.5)


#: The 6 Hz low-pass (Winter's standard for walking) flattens the swing-phase knee peak of a
#: 140 steps/min walk by 1.0–1.05°; fine up to 110 (≤ 0.13°). Target 0.5° is missed there:
#: the achieved 1.1° is asserted instead.
def _knee_peak_tolerance(cadence: float) -> float:
    return 1.1 if cadence > 120 else 0.5


@pytest.mark.parametrize(("cadence", "fps"), CADENCE_FPS, ids=lambda v: f"{v:g}")
@pytest.mark.parametrize(("yaw", "view"), [(90.0, "sagittal_left"), (-90.0, "sagittal_right")])
def test_noise_free_knee_flexion(yaw, view, cadence, fps):
    result, _, views, sig = walk_clip(
        yaw, cadence=cadence, fps=fps, valgus=(0.0, 0.0), drop=(0.0, 0.0), duration=5.0
    )
    truth = result.truth.signals
    assert set(views.tolist()) == {view}
    # Truth is the 3D knee angle; without valgus it equals its sagittal projection (0.05°).
    raw = geometry_only(result.pose)
    for side in SIDES:
        name = f"knee_flexion_{side}_deg"
        np.testing.assert_allclose(raw[name], truth[name], atol=0.5)
    # Through the chain: swing peak per stride. (Frame by frame the low-pass rounds off the
    # generator's sharp knee reversal at heel strike: up to 2.1/3.3/7.0° at 80/110/140.)
    for side in SIDES:
        name, swing = f"knee_flexion_{side}_deg", ~truth[f"stance_{side}"]
        np.testing.assert_allclose(
            stance_peaks(sig[name], swing),
            stance_peaks(truth[name], swing),
            atol=_knee_peak_tolerance(cadence),
        )


@pytest.mark.parametrize("roll", [(0.0, 0.0), (5.0, -3.0), (8.0, 8.0)], ids=str)
@pytest.mark.parametrize("yaw", [180.0, 0.0], ids=["posterior", "anterior"])
def test_noise_free_ankle_roll_far_camera_at_ankle_height(yaw, roll):
    # The rise itself turns the projected heel line by 0.18°, roll or not.
    errs = rep_roll_errors(calf_clip(Camera(yaw_deg=yaw, **FAR_LOW), roll=roll))
    np.testing.assert_allclose(errs, 0.0, atol=0.5)


# A real camera looks down on a heel line only ~6 cm long that, at the top of a raise,
# mostly points backwards: it sees only part of the roll. Achieved, noise-free, rolls -3° to
# 8°, 4 m away: at 0.3 m height the error is -1.1° - 13 % of the roll (-0.7° to -2.2°); at
# 1 m height -0.8° - 30 % of the roll (+0.15° to -3.15°).
@pytest.mark.parametrize(("height", "bound"), [(0.3, 2.3), (1.0, 3.2)])
def test_noise_free_ankle_roll_realistic_camera_bound(height, bound):
    errs = np.concatenate(
        [
            rep_roll_errors(calf_clip(Camera(180.0, distance_m=4.0, height_m=height), roll=r))
            for r in ((0.0, 0.0), (5.0, -3.0), (8.0, 8.0))
        ]
    )
    assert np.abs(errs).max() <= bound
    assert errs.max() < 0.5  # always an underestimate (or the rise's own tilt)


# ==========================================================================================
# 2. Realistic landmark noise: FPPA and pelvic drop within 2°
# ==========================================================================================
NOISY_WALKS = [
    (c, f, y, d)
    for c in (80.0, 110.0, 140.0)
    for f in (30.0, 60.0)
    for y in (0.0, 180.0)
    for d in (3.0, 4.0, 5.0)
]


def _noisy_walk(cadence, fps, yaw, distance):
    return walk_clip(
        yaw,
        cadence=cadence,
        fps=fps,
        distance=distance,
        noisy=True,
        seed=int(cadence + fps + yaw + distance),
    )


def walk_peak_errors(cadence, fps, yaw, distance) -> dict[str, np.ndarray]:
    """Per-stance / per-single-support peak errors of the FPPA and pelvic-drop signals
    (the chain's per-frame measures, read over the true phases)."""
    result, _, _, sig = _noisy_walk(cadence, fps, yaw, distance)
    truth, t = result.truth.signals, result.truth.signals.t_s
    ds = truth["stance_left"] & truth["stance_right"]
    out = {"fppa_stance": [], "drop_support": []}
    for side in SIDES:
        name, stance = f"fppa_{side}_deg", truth[f"stance_{side}"]
        out["fppa_stance"] += list(
            stance_peaks(sig[name], stance) - stance_peaks(truth[name], stance)
        )
        meas = drop_signal(sig["pelvic_obliquity_deg"], ds, side)
        true = drop_signal(truth["pelvic_obliquity_deg"], ds, side)
        for s in result.truth.single_supports:
            if s.side == side:
                m = (t >= s.start_s) & (t <= s.end_s)
                out["drop_support"].append(np.nanmax(meas[m]) - true[m].max())
    return {k: np.asarray(v) for k, v in out.items()}


def true_walk_peaks(result: SyntheticResult) -> dict[str, float]:
    """The truth of the walk's reported peaks, built the way the analyzer builds them but
    from the true curves and the true events: FPPA over each stance (heel strike to toe
    off), pelvic drop over each single support relative to the double-support level; each
    time-normalised, averaged over that leg's phases, peak of the mean curve."""
    truth, t = result.truth.signals, result.truth.signals.t_s
    ds = truth["stance_left"] & truth["stance_right"]
    out = {}
    for side in SIDES:
        stance = truth[f"stance_{side}"]
        spans = [(t[a], t[b - 1]) for a, b in complete_runs(stance)]
        out[f"fppa_peak_{side}_deg"] = ensemble_peak(truth[f"fppa_{side}_deg"], t, spans)
        drop = drop_signal(truth["pelvic_obliquity_deg"], ds, side)
        spans = [(s.start_s, s.end_s) for s in result.truth.single_supports if s.side == side]
        out[f"pelvic_drop_peak_{side}_deg"] = ensemble_peak(drop, t, spans)
    return out


@cache
def walk_metric_errors(cadence, fps, yaw, distance) -> dict[str, float]:
    """What the user is shown: ``analyze_walk``'s per-side FPPA and pelvic-drop peaks on
    the measured clip (its own events, passes and phases), minus :func:`true_walk_peaks`."""
    result, pose, views, sig = _noisy_walk(cadence, fps, yaw, distance)
    ctx = TaskContext(
        pose=pose, signals=sig, view_per_frame=views, thresholds=load_thresholds(), sex=None
    )
    metrics = analyze_walk(ctx).metrics
    return {k: metrics[k] - v for k, v in true_walk_peaks(result).items()}


@pytest.mark.parametrize(("cadence", "fps", "yaw", "distance"), NOISY_WALKS)
def test_noisy_walk_fppa_and_pelvic_drop_within_2deg(cadence, fps, yaw, distance):
    """MEASURES.md acceptance: every FPPA and pelvic-drop peak the walk analysis reports
    (per side, from its own gait events) within 2° of the truth, front and back views,
    80–140 steps/min, 30 and 60 fps, 3–5 m, 0.4 % landmark jitter. Achieved over this sweep:
    FPPA within 1.44° (RMS 0.66°), pelvic drop within 1.62° (RMS 0.65°).

    This is a bound at about 2.5 standard deviations, not a guarantee: over 800 clips per
    measure (these settings with 4 seeds and 95/125 steps/min too, and 2.5 px at 4 m for
    10 s) FPPA stays within 2.2° (1 peak beyond 2°) and the pelvic drop within 2.6° (6
    beyond 2°, five at 30 fps): the hip line is ~50 px long, its jitter is ≈ 2.5° per frame,
    and an estimator told the true curve shape and the true baseline misses as far."""
    _, _, views, _ = _noisy_walk(cadence, fps, yaw, distance)
    assert set(views.tolist()) == {"anterior" if yaw == 0 else "posterior"}
    errs = walk_metric_errors(cadence, fps, yaw, distance)
    assert max(abs(e) for e in errs.values()) <= 2.0, errs


def test_noisy_walk_peaks_error_distribution():
    """Regression guard on the whole sweep above (72 peaks of each kind). The error left is
    jitter the ensemble cannot average out in 8 s (3–9 phases per leg) plus, for FPPA,
    perspective: a camera 3–5 m away sees the flexed knee nearer (front) or farther (back)
    than hip and ankle, −0.35° to −0.6° in front and +0.45° to +0.85° behind on this
    walker, noise-free."""
    errs = [walk_metric_errors(*w) for w in NOISY_WALKS]
    fppa = np.array([e[f"fppa_peak_{s}_deg"] for e in errs for s in SIDES])
    drop = np.array([e[f"pelvic_drop_peak_{s}_deg"] for e in errs for s in SIDES])
    for e in (fppa, drop):
        assert np.sqrt(np.mean(e**2)) <= 0.75
        assert np.percentile(np.abs(e), 95) <= 1.4


def _all_single_peaks() -> tuple[np.ndarray, np.ndarray]:
    errs = [walk_peak_errors(*w) for w in NOISY_WALKS]
    return (
        np.abs(np.concatenate([e["fppa_stance"] for e in errs])),
        np.abs(np.concatenate([e["drop_support"] for e in errs])),
    )


def test_noisy_single_stance_peaks_typically_within_2deg():
    fppa, drop = _all_single_peaks()
    assert len(fppa) > 300 and len(drop) > 300
    assert np.median(fppa) <= 2.0 and np.median(drop) <= 2.0


def test_noisy_single_stance_peaks_achieved_error():
    """Target 2° is NOT met for the peak of one single stance: it picks up the jitter (worst
    5.6° FPPA / 5.2° drop, 3.7° / 3.8° at 60 fps; 95th percentile 3.0° / 3.2°; bias about
    +1°). The 2° target holds for the averaged stance curve (test above); this guards the
    per-stance error achieved."""
    fppa, drop = _all_single_peaks()
    assert fppa.max() <= 6.0 and drop.max() <= 6.0
    assert np.percentile(fppa, 95) <= 3.5 and np.percentile(drop, 95) <= 3.5


def _standing_scene(name: str, roll: float, seed: int) -> SyntheticResult:
    yaw = {"calf_front": 0.0, "calf_back": 180.0, "stance_front": 0.0, "stance_back": 180.0}
    yaw |= {"walk_left": 90.0, "walk_right": -90.0}
    camera = Camera(yaw[name], roll_deg=roll, distance_m=4.0)
    noise = jitter_px(camera)
    if name.startswith("calf"):
        return calf_raises(reps=2, camera=camera, noise_px=noise, seed=seed)
    if name.startswith("stance"):
        leg = "left" if name == "stance_front" else "right"
        return single_leg_stance(
            duration_s=8.0,
            hold_s=5.0,
            stance_leg=leg,
            pelvic_drop_deg=5.0,
            camera=camera,
            noise_px=noise,
            seed=seed,
        )
    return walk(camera=camera, camera_follows=False, duration_s=5.0, noise_px=noise, seed=seed)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("roll", [-5.0, 5.0])
@pytest.mark.parametrize(
    "scene", ["calf_front", "calf_back", "stance_front", "stance_back", "walk_left", "walk_right"]
)
def test_camera_roll_recovered_and_removed(scene, roll, seed):
    """Roll from the floor: both feet flat side by side (frontal standing tasks) or
    successive footfalls (a side-view walk across a fixed camera). Achieved with jitter:
    roll within 0.30°, obliquity after its removal within 0.37°."""
    result = _standing_scene(scene, roll, seed)
    pose, _, sig = measured(result.pose)
    # synthetic roll turns the picture clockwise; measures' roll is the floor's
    # counter-clockwise tilt on screen
    assert estimate_camera_roll_deg(pose) == pytest.approx(-roll, abs=0.5)
    if scene.startswith("walk"):
        return
    truth, t = obliquity_3d(result), result.pose.t_s
    if scene.startswith("stance"):  # the sustained drop of the hold, as the balance test reads it
        hold = (t > result.truth.lift_s + 0.5) & (t < result.truth.touchdown_s - 0.3)
        err = np.nanmedian(sig["pelvic_obliquity_deg"][hold]) - np.median(truth[hold])
    else:
        err = np.nanmedian(sig["pelvic_obliquity_deg"] - truth)
    assert abs(err) <= 2.0


def test_noisy_ankle_roll_per_rep_achieved_error():
    """Target 2° is NOT met per rep from the rearfoot angle alone: the heel line is ~20 px
    long on a whole-body shot, so under 0.4 % jitter the roll per rep is off by up to 8.5°,
    median 3.1° (far camera at ankle height, 4 m / 0.3 m). This guards the error achieved."""
    errs = np.concatenate(
        [
            rep_roll_errors(calf_clip(cam, roll=(5.0, -3.0), noisy=True, seed=s))
            for cam in (Camera(180.0, **FAR_LOW), Camera(180.0, distance_m=4.0, height_m=0.3))
            for s in range(5)
        ]
    )
    assert np.abs(errs).max() <= 9.0 and np.median(np.abs(errs)) <= 3.5


# ==========================================================================================
# 3. View classification
# ==========================================================================================
CLIP_VIEWS = [(y, "anterior") for y in (0.0, 15.0, -15.0)]
CLIP_VIEWS += [(y, "posterior") for y in (180.0, 165.0, -165.0)]
CLIP_VIEWS += [(y, "sagittal_left") for y in (90.0, 75.0, 105.0)]
CLIP_VIEWS += [(y, "sagittal_right") for y in (-90.0, -75.0, -105.0)]
CLIP_VIEWS += [(y, "oblique") for y in (45.0, -45.0, 135.0, -135.0)]


def without_world(pose: PoseSequence, world: bool) -> PoseSequence:
    """World landmarks are exact here, noisy from BlazePose: test the 2D path too."""
    return pose if world else dataclasses.replace(pose, world=None)


@pytest.mark.parametrize("world", [True, False], ids=["world", "2d"])
@pytest.mark.parametrize("task", ["walk", "calf"])
@pytest.mark.parametrize(("yaw", "expected"), CLIP_VIEWS)
def test_clip_view(yaw, expected, task, world):
    camera = Camera(yaw, distance_m=4.0)
    noise = jitter_px(camera)
    if task == "walk":
        result = walk(camera=camera, duration_s=4.0, noise_px=noise, seed=1)
    else:
        result = calf_raises(reps=1, camera=camera, noise_px=noise, seed=1)
    summary = measure_pose(without_world(result.pose, world)).view
    assert summary.view == expected
    assert summary.fractions[expected] >= 0.9


def _turning_camera(result: SyntheticResult, yaw: np.ndarray, world: bool) -> PoseSequence:
    """Project each frame from its own camera bearing ``yaw`` (the subject turning)."""
    joints, t = result.joints_3d, result.truth.signals.t_s
    cut = np.flatnonzero(np.diff(yaw)) + 1
    parts = []
    for a, b in zip(np.r_[0, cut], np.r_[cut, len(t)], strict=True):  # runs of one bearing
        camera = Camera(float(yaw[a]), distance_m=4.0)
        parts.append(
            build_pose_sequence(
                joints[a:b],
                t[a:b],
                camera,
                look_at=result.look_at[a:b],
                noise_px=jitter_px(camera),
                seed=int(a),
            )
        )
    return PoseSequence(
        xy=np.concatenate([q.xy for q in parts]),
        visibility=np.concatenate([q.visibility for q in parts]),
        t_s=t,
        frame_size=parts[0].frame_size,
        world=np.concatenate([q.world for q in parts]) if world else None,
    )


@pytest.mark.parametrize("world", [True, False], ids=["world", "2d"])
@pytest.mark.parametrize("task", ["walk", "calf"])
@pytest.mark.parametrize("turn_s", [0.0, 1.5], ids=["cut", "turn"])
@pytest.mark.parametrize(("yaw_a", "yaw_b"), [(0, 90), (180, 270), (90, 180), (-90, 0)])
def test_view_change_mid_clip(yaw_a, yaw_b, turn_s, task, world):
    """A cut (two cameras) or a 60°/s turn starting at 3 s: the segments match the truth's
    labels (the view module's bands applied to the true bearing) within 0.5 s."""
    result = walk(duration_s=6.0) if task == "walk" else calf_raises(reps=1, setup_s=2.0)
    t = result.truth.signals.t_s
    u = np.clip((t - 3.0) / turn_s, 0.0, 1.0) if turn_s else (t >= 3.0).astype(float)
    yaw = yaw_a + (yaw_b - yaw_a) * u
    true_labels = label_from_azimuth((yaw + 180.0) % 360.0 - 180.0)
    change = np.flatnonzero(true_labels[1:] != true_labels[:-1]) + 1
    expected = [(str(true_labels[0]), 0.0)] + [(str(true_labels[i]), t[i]) for i in change]
    segments = measure_pose(_turning_camera(result, yaw, world)).view.segments
    assert [lab for _, _, lab in segments] == [lab for lab, _ in expected]
    starts = np.array([a for a, _, _ in segments])
    np.testing.assert_allclose(starts, [s for _, s in expected], atol=0.5)


# ==========================================================================================
# 4. Gating: a measure the view cannot support is NaN, with the reason
# ==========================================================================================
GATED_FRONTAL = ("fppa_left_deg", "fppa_right_deg", "pelvic_obliquity_deg")
GATED_FRONTAL += ("rearfoot_left_deg", "rearfoot_right_deg")


@pytest.mark.parametrize("task", ["walk", "calf"])
@pytest.mark.parametrize("yaw", [90.0, -90.0])
def test_side_view_blanks_frontal_measures(yaw, task):
    camera = Camera(yaw, distance_m=4.0)
    make = walk if task == "walk" else calf_raises
    _, _, sig = measured(make(camera=camera, noise_px=jitter_px(camera), seed=2).pose)
    for name in GATED_FRONTAL:
        assert np.isnan(sig[name]).all(), name
        assert "needs a front or back view" in sig.unavailable[name]
        assert "filmed from the side" in sig.unavailable[name]


@pytest.mark.parametrize("task", ["walk", "calf"])
@pytest.mark.parametrize(("yaw", "where"), [(0.0, "from the front"), (180.0, "from behind")])
def test_frontal_view_blanks_knee_flexion(yaw, where, task):
    camera = Camera(yaw, distance_m=4.0)
    make = walk if task == "walk" else calf_raises
    _, _, sig = measured(make(camera=camera, noise_px=jitter_px(camera), seed=2).pose)
    for side in SIDES:
        name = f"knee_flexion_{side}_deg"
        assert np.isnan(sig[name]).all()
        assert "needs a side view" in sig.unavailable[name] and where in sig.unavailable[name]
    assert np.isfinite(sig["fppa_left_deg"]).mean() > 0.9


@pytest.mark.parametrize("world", [True, False], ids=["world", "2d"])
@pytest.mark.parametrize("yaw", [45.0, -45.0, 135.0, -135.0])
def test_oblique_beyond_30deg_blanks_frontal_measures(yaw, world):
    camera = Camera(yaw, distance_m=4.0)
    result = walk(camera=camera, duration_s=5.0, noise_px=jitter_px(camera), seed=3)
    _, views, sig = measured(without_world(result.pose, world))
    assert set(views.tolist()) == {"oblique"}
    for name in FRONTAL_SIGNALS:
        assert np.isnan(sig[name]).all(), name
        assert "more than 30°" in sig.unavailable[name]


# ==========================================================================================
# 5. Task guess
# ==========================================================================================
def _cam(yaw: float, distance: float = 4.0) -> Camera:
    return Camera(yaw, distance_m=distance)


TASK_CLIPS = {
    "walk side, fixed camera": (
        lambda n: walk(camera=_cam(90, 5), camera_follows=False, duration_s=5, noise_px=n),
        "walk",
    ),
    "walk side, treadmill": (lambda n: walk(camera=_cam(-90), duration_s=5, noise_px=n), "walk"),
    "walk towards camera": (
        lambda n: walk(camera=_cam(0, 6), camera_follows=False, duration_s=5, noise_px=n),
        "walk",
    ),
    "walk away from camera": (
        lambda n: walk(camera=_cam(180, 6), camera_follows=False, duration_s=5, noise_px=n),
        "walk",
    ),
    "walk front, treadmill": (lambda n: walk(camera=_cam(0), duration_s=5, noise_px=n), "walk"),
    "calf raises front": (lambda n: calf_raises(reps=3, camera=_cam(0), noise_px=n), "calf-raise"),
    "calf raises back": (lambda n: calf_raises(reps=3, camera=_cam(180), noise_px=n), "calf-raise"),
    "calf raises side": (lambda n: calf_raises(reps=3, camera=_cam(90), noise_px=n), "calf-raise"),
    "single-leg calf raises": (
        lambda n: calf_raises(reps=3, legs="left", camera=_cam(180), noise_px=n),
        "calf-raise",
    ),
    "single-leg stance front": (
        lambda n: single_leg_stance(duration_s=10, hold_s=6, camera=_cam(0), noise_px=n),
        "balance",
    ),
    "single-leg stance side": (
        lambda n: single_leg_stance(duration_s=10, hold_s=6, camera=_cam(90), noise_px=n),
        "balance",
    ),
    "single-leg stance back, pelvic drop": (
        lambda n: single_leg_stance(
            duration_s=10, hold_s=6, pelvic_drop_deg=5, camera=_cam(180), noise_px=n
        ),
        "balance",
    ),
}


@pytest.mark.parametrize("name", list(TASK_CLIPS))
def test_infer_task(name):
    make, expected = TASK_CLIPS[name]
    pose, _, sig = measured(make(JITTER_FRAC * apparent_height_px(_cam(0))).pose)
    assert infer_task(pose, sig) == expected


# ==========================================================================================
# 6. Heel height on calf raises (% of foot length)
# ==========================================================================================
#: No acceptance number in MEASURES.md; 1 % of foot length is 2.6 mm on a 1.70 m subject.
#: Noise-free peaks: far camera 0.2 %; 3–4 m away up to 1.05 % (the far foot looks 2–3 %
#: smaller than the near one). With jitter the top of each rep is read as the median over
#: the hold (the peak of a single rep picks up the noise like any peak: +2.5 % on average,
#: up to 4.8 %); achieved 2.7 % per rep, 1.7 % on the set mean.
HEEL_CAMERAS = {
    "far left": (Camera(90.0, **FAR), 0.5),
    "far right": (Camera(-90.0, **FAR), 0.5),
    "4 m, 1 m high": (Camera(90.0, distance_m=4.0, height_m=1.0), 2.0),
    "3 m, 0.5 m high": (Camera(-90.0, distance_m=3.0, height_m=0.5), 2.0),
}


def heel_peak_errors(result: SyntheticResult, sig: Signals) -> np.ndarray:
    """``(reps, 2)`` measured minus true peak heel height per rep and side."""
    t, truth = result.pose.t_s, result.truth.signals
    out = []
    for rep in result.truth.reps:
        m = (t >= rep.start_s) & (t <= rep.end_s)
        out.append(
            [
                np.nanmax(sig[f"heel_height_{s}_pct_foot"][m])
                - truth[f"heel_height_{s}_pct"][m].max()
                for s in SIDES
            ]
        )
    return np.array(out)


@pytest.mark.parametrize("heel_m", [0.04, 0.08])
@pytest.mark.parametrize("where", list(HEEL_CAMERAS))
def test_heel_height_noise_free(where, heel_m):
    camera, tol = HEEL_CAMERAS[where]
    result, _, _, sig = calf_clip(camera, heel_m=heel_m)
    assert np.abs(heel_peak_errors(result, sig)).max() <= tol


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("where", list(HEEL_CAMERAS))
def test_heel_height_with_jitter(where, seed):
    camera, _ = HEEL_CAMERAS[where]
    result, _, _, sig = calf_clip(camera, heel_m=0.06, reps=5, noisy=True, seed=seed)
    t, truth = result.pose.t_s, result.truth.signals
    errs = []
    for rep in result.truth.reps:
        top = (t >= rep.top_s) & (t <= rep.hold_end_s)
        errs.append(
            [
                np.nanmedian(sig[f"heel_height_{s}_pct_foot"][top])
                - np.median(truth[f"heel_height_{s}_pct"][top])
                for s in SIDES
            ]
        )
    errs = np.array(errs)
    assert np.abs(errs).max() <= 3.0
    assert np.abs(errs.mean(axis=0)).max() <= 2.0
