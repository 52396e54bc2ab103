"""Calf raises filmed as people film them: a phone held by hand (zoom, pan, shake at any
moment of the set), any view with the feet in it; values no body produces withheld; a
reason whenever no rep is counted.

The synthetic sets are those of :mod:`test_calf_raise` (every view, tempo, single leg,
set-up and step-away), with :class:`~gaitlab.testing.synthetic.CameraMotion` applied to
the picture before the pose estimator's noise.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from test_calf_raise import CASES, PHASES, THRESHOLDS, Case, analyze, match, simulate

from gaitlab.core.types import PoseSequence
from gaitlab.present.flags import nothing_measured
from gaitlab.signals.camera_motion import CameraMotionTracker, stabilise
from gaitlab.signals.chain import measure_pose
from gaitlab.signals.clean import gate_visibility, one_euro
from gaitlab.signals.measures import compute_signals
from gaitlab.signals.plausibility import bound_for, gate_signals, plausible
from gaitlab.signals.view import classify_frames, estimate_azimuth_deg
from gaitlab.tasks.live_counters import CalfRaiseLiveCounter
from gaitlab.testing.synthetic import Camera, CameraMotion, calf_raises

KINDS = ("zoom_in", "zoom_out", "pan", "shake")


def set_length_s(case: Case) -> float:
    kw = {"setup_s": 2.0, "reps": 5, "rise_s": 1.0, "hold_s": 0.5, "lower_s": 1.5, **case.kwargs}
    rest = kw.get("rest_s", 1.0)
    return kw["setup_s"] + kw["reps"] * (kw["rise_s"] + kw["hold_s"] + kw["lower_s"] + rest)


def motion_cases(seed: int = 0) -> list[tuple[str, Case, CameraMotion]]:
    """Every set of the sweep under each kind of camera motion, at a random moment of the
    set (before, during or between reps); half the zooms and pans go back later.

    ``zoom_in``: ×1.3 from a framing 1.3 times wider (the zoomed picture is the sweep's);
    ``zoom_out``: ×1/1.3 from the sweep's framing; ``pan``: half a body width either way;
    ``shake``: 2 % of the subject's height (RMS), 2–5 s long.
    """
    rng = np.random.default_rng(seed)
    out = []
    for kind in KINDS:
        for c in CASES:
            end = set_length_s(c)
            start = float(rng.uniform(0.5, end - 1.0))
            back = float(rng.uniform(start + 1.0, end + 1.0)) if rng.random() < 0.5 else None
            cam = c.camera
            if kind == "zoom_in":
                cam = replace(cam, distance_m=cam.distance_m * 1.3)
                m = CameraMotion("zoom", start, 0.5, 1.3, back)
            elif kind == "zoom_out":
                m = CameraMotion("zoom", start, 0.5, 1 / 1.3, back)
            elif kind == "pan":
                m = CameraMotion("pan", start, 0.7, 0.5 * (1 if rng.random() < 0.5 else -1), back)
            else:
                dur = float(rng.uniform(2, 5))
                m = CameraMotion("shake", start, dur, 0.02, seed=int(rng.integers(1 << 30)))
            out.append((kind, replace(c, name=f"{kind}/{c.name}", camera=cam), m))
    return out


def simulate_moving(case: Case, motion: CameraMotion):
    kw = {"setup_s": 2.0, "step_away_s": 2.0, **case.kwargs}
    return calf_raises(
        camera=case.camera,
        noise_px=case.noise_px,
        seed=case.seed,
        camera_motion=(motion,),
        **kw,
    )


@pytest.fixture(scope="module")
def moving_runs() -> dict[str, tuple[str, Any, Any, CameraMotion]]:
    out = {}
    for kind, case, motion in motion_cases():
        res = simulate_moving(case, motion)
        out[case.name] = (kind, res, analyze(res), motion)
    return out


# -- a still camera ---------------------------------------------------------------------------
def test_a_still_camera_changes_nothing() -> None:
    """Every set of the sweep (set-up, single-leg lifts, step-away included) comes out of
    the camera tracker exactly as it went in: the counting on a still camera is untouched."""
    for case in CASES:
        m = measure_pose(simulate(case).pose)
        st = stabilise(m.pose)
        assert st.moves_s == () and not st.moving.any(), case.name
        assert st.pose is m.pose


# -- a handheld camera ------------------------------------------------------------------------
def test_rep_count_under_zoom_pan_and_shake(moving_runs) -> None:
    """Counts under a ×1.3 zoom, a pan of half a body width or 2 % shake at a random moment
    of every set of the sweep (64 sets). Before the camera tracker: 50 % exact (zoom in
    11/16, zoom out 3/16, pan 16/16, shake 2/16), up to 6 reps off."""
    diffs = {n: len(out.reps) - len(res.truth.reps) for n, (_, res, out, _) in moving_runs.items()}
    exact = np.mean([d == 0 for d in diffs.values()])
    assert exact >= 0.85, (exact, {n: d for n, d in diffs.items() if d})
    assert all(abs(d) <= 2 for d in diffs.values()), diffs
    assert np.mean([abs(d) <= 1 for d in diffs.values()]) >= 0.98, diffs
    for kind in ("zoom_in", "pan"):
        per_kind = [d == 0 for n, d in diffs.items() if n.startswith(kind)]
        assert np.mean(per_kind) >= 0.9, (kind, diffs)


def test_phase_times_under_zoom_pan_and_shake(moving_runs) -> None:
    """Phase times of the reps found: most are as good as on a still camera; a rep whose
    rise or lowering the camera moved through is timed less well (frames as a move began
    are left out of the fit)."""
    errs = []
    for _, res, out, _ in moving_runs.values():
        for rep, tr in match(res, out):
            errs += [abs(rep[f"{p}_s"] - getattr(tr, f"{p}_s")) for p in PHASES]
    errs_arr = np.array(errs)
    assert errs_arr.size > 800
    # measured: 79.7 % within 0.1 s (a still camera: 95 %)
    assert np.mean(errs_arr <= 0.1) >= 0.75, np.mean(errs_arr <= 0.1)
    assert np.mean(errs_arr <= 0.2) >= 0.85, np.mean(errs_arr <= 0.2)


def test_a_camera_move_is_said(moving_runs) -> None:
    """A zoom is found and said in the warnings, with its time; a still camera says nothing
    (:func:`test_a_still_camera_changes_nothing`)."""
    zooms = [out for k, _, out, _ in moving_runs.values() if k.startswith("zoom")]
    said = [any(w.startswith("the camera moved") for w in out.warnings) for out in zooms]
    assert np.mean(said) >= 0.9, np.mean(said)


def test_the_tracker_undoes_a_zoom_and_a_pan() -> None:
    """After a zoom and a pan have settled, every landmark is back where the first framing
    had it: within 4 px (under 1 % of the subject's height in the picture; the heel rising
    changes the perspective of the segments that give the scale by ~0.5 %), typically
    within a pixel."""
    case = CASES[0]
    motion = (CameraMotion("zoom", 3.0, 0.5, 1.3), CameraMotion("pan", 6.0, 0.7, 0.5))
    kw = {"setup_s": 2.0, **case.kwargs}
    still = calf_raises(camera=case.camera, noise_px=0.0, **kw)
    moved = calf_raises(camera=case.camera, noise_px=0.0, camera_motion=motion, **kw)
    st = stabilise(moved.pose)
    assert len(st.moves_s) == 2
    late = still.pose.t_s > 8.0
    err = np.abs(st.pose.xy[late] - still.pose.xy[late])
    assert np.nanmax(err) < 4.0, np.nanmax(err)
    assert np.nanmedian(err) < 1.0, np.nanmedian(err)


def live_count(res) -> int:
    """The live counter (as the webcam loop feeds it: One Euro filtered rolling window)."""
    live = one_euro(gate_visibility(res.pose))
    counter = CalfRaiseLiveCounter(thresholds=THRESHOLDS)
    reps = 0
    for i in range(len(live)):
        window = live[max(0, i - 90) : i + 1]
        az = estimate_azimuth_deg(window)
        counter.observe(window, classify_frames(window, azimuth_deg=az), azimuth_deg=az)
        reps += sum(e["type"] == "rep_end" for e in counter.update(float(live.t_s[i]), {}))
    reps += sum(e["type"] == "rep_end" for e in counter.finish())
    return reps


def test_live_counts_through_a_zoom_as_offline() -> None:
    """The live counter undoes the camera the same way: the issue's set (zoom in as the first
    rise starts, out again near the end) filmed from behind-left at 60 fps counts its reps
    live and offline; without the tracker it counted none."""
    cam = Camera(yaw_deg=135.0, distance_m=4.5)
    kw = {"reps": 3, "rise_s": 1.2, "hold_s": 1.4, "lower_s": 1.5, "setup_s": 2.0}
    motion = CameraMotion("zoom", 2.0, 0.6, 1.3, back_s=13.0)
    res = calf_raises(camera=cam, noise_px=2.0, fps=60, camera_motion=(motion,), seed=3, **kw)
    out = analyze(res)
    assert len(out.reps) == 3
    assert live_count(res) == 3


# -- any view with the feet in it --------------------------------------------------------------
VIEW_YAWS = (0.0, 30.0, -45.0, 60.0, 90.0, -120.0, 135.0, -150.0, 180.0)


@pytest.mark.parametrize("yaw", VIEW_YAWS)
def test_any_view_with_the_feet_counts(yaw: float) -> None:
    """Front, back, side and obliques up to 60° count every rep; ankle roll is reported only
    within 30° of a front or back view and otherwise withheld with the reason."""
    res = calf_raises(
        reps=4, camera=Camera(yaw_deg=yaw, distance_m=3.5), noise_px=2.5, setup_s=2.0,
        step_away_s=2.0, seed=int(abs(yaw)) + 1,
    )  # fmt: skip
    out = analyze(res)
    assert len(out.reps) == 4, (yaw, out.warnings)
    off = min(abs(yaw) % 180, 180 - abs(yaw) % 180)
    rolls = [r["ankle_roll_peak_deg"] for r in out.reps]
    if off > 35:
        assert all(r is None for r in rolls), rolls
        assert any("ankle roll" in w for w in out.warnings), out.warnings


# -- plausible or withheld ---------------------------------------------------------------------
def test_bounds_come_from_the_thresholds_file() -> None:
    assert bound_for("heel_rise_pct_foot", THRESHOLDS)[:2] == (-25.0, 60.0)
    # a foot lifted to walk or balance goes higher: the heel-height bound is a calf raise's
    assert bound_for("heel_height_left_pct_foot", THRESHOLDS) is None
    assert bound_for("heel_height_left_pct_foot", THRESHOLDS, "calf-raise")[:2] == (-25.0, 60.0)
    assert bound_for("pelvic_obliquity_deg", THRESHOLDS)[:2] == (-35.0, 35.0)
    assert bound_for("fppa_right_deg", THRESHOLDS)[:2] == (-45.0, 45.0)
    assert bound_for("knee_flexion_left_deg", THRESHOLDS)[:2] == (-15.0, 160.0)
    assert bound_for("rearfoot_left_deg", THRESHOLDS) is None
    for key in ("plausible_heel_height", "plausible_pelvic_obliquity", "plausible_fppa"):
        assert THRESHOLDS[key].source


def test_values_no_body_produces_are_withheld() -> None:
    values = {
        "heel_height_left_pct_foot": np.array([10.0, 100.1, 232.7, -90.0, 30.0]),
        "pelvic_obliquity_deg": np.array([-65.0, -65.0, -65.0, -65.0, -65.0]),
        "knee_flexion_left_deg": np.array([5.0, -40.0, 90.0, np.nan, 170.0]),
        "rearfoot_left_deg": np.array([80.0, 0.0, 0.0, 0.0, 0.0]),
    }
    unavailable: dict[str, str] = {}
    counts = gate_signals(values, unavailable, THRESHOLDS, "calf-raise")
    assert counts == {
        "heel_height_left_pct_foot": 3,
        "pelvic_obliquity_deg": 5,
        "knee_flexion_left_deg": 2,
    }
    np.testing.assert_array_equal(
        values["heel_height_left_pct_foot"], [10.0, np.nan, np.nan, np.nan, 30.0]
    )
    assert (
        "pelvic_obliquity_deg" in unavailable and "withheld" in unavailable["pelvic_obliquity_deg"]
    )
    assert "heel_height_left_pct_foot" not in unavailable  # some frames are left
    assert values["rearfoot_left_deg"][0] == 80.0  # no bound: untouched
    assert not plausible("heel_rise_pct_foot", 100.1, THRESHOLDS)
    assert plausible("heel_rise_pct_foot", 30.0, THRESHOLDS)
    assert not plausible("heel_rise_pct_foot", math.nan, THRESHOLDS)


def test_a_foreshortened_foot_never_reads_as_a_huge_heel_height() -> None:
    """The observed bug: a foot pointing at the camera (heel–toe distance in the picture a
    fraction of the foot) read as heel heights of 100–230 % of foot length. The per-frame
    measures the overlay draws and the summaries save keep every value within bounds."""
    res = calf_raises(reps=2, camera=Camera(yaw_deg=180.0, distance_m=3.5), noise_px=2.0)
    xy = res.pose.xy.copy()
    late = res.pose.t_s > 4.0
    xy[late, 29, 1] -= 150.0  # the left heel's landmark jumps up the shin
    xy[late, 23, 1] += 200.0  # and the left hip drops: a lost landmark
    pose = PoseSequence(xy, res.pose.visibility, res.pose.t_s, res.pose.frame_size)
    sig = compute_signals(pose, view="posterior")
    gate_signals(sig.values, sig.unavailable, THRESHOLDS, "calf-raise")  # as analyze and live
    for name, arr in sig.values.items():
        b = bound_for(name, THRESHOLDS, "calf-raise")
        if b is not None:
            vals = arr[np.isfinite(arr)]
            assert np.all((vals >= b[0]) & (vals <= b[1])), name
    assert np.isnan(sig.values["heel_height_left_pct_foot"][late]).all()
    assert np.isnan(sig.values["pelvic_obliquity_deg"][late]).all()


def test_live_heel_rise_is_withheld_when_implausible() -> None:
    counter = CalfRaiseLiveCounter(thresholds=THRESHOLDS)
    counter._counter.heel_rise_pct_ = 100.1
    assert counter.state()["heel_rise_pct_foot"] is None
    counter._counter.heel_rise_pct_ = 21.0
    assert counter.state()["heel_rise_pct_foot"] == 21.0


# -- never a silent zero ----------------------------------------------------------------------
def test_no_reps_always_says_why() -> None:
    cam = Camera(yaw_deg=180.0, distance_m=3.5)
    short = calf_raises(reps=0, setup_s=1.5, camera=cam, noise_px=2.0)
    out = analyze(short)
    assert out.metrics["reps"] == 0
    assert "too short" in out.metrics["reps_unavailable"]
    standing = calf_raises(reps=0, setup_s=6.0, camera=cam, noise_px=2.0, seed=4)
    out = analyze(standing)
    assert "never rose" in out.metrics["reps_unavailable"]
    # the recording ends mid-rep: the raise was seen, and it says so
    mid = calf_raises(reps=1, setup_s=2.0, rise_s=1.0, hold_s=3.0, camera=cam, noise_px=2.0)
    cut = mid.pose[: int(np.searchsorted(mid.pose.t_s, 4.5))]
    out = analyze(replace(mid, pose=cut))
    assert out.metrics["reps"] == 0
    assert "not counted" in out.metrics["reps_unavailable"]
    feet_off = calf_raises(reps=3, setup_s=2.0, camera=Camera(yaw_deg=0.0, distance_m=1.2),
                           noise_px=2.0)  # fmt: skip
    out = analyze(feet_off)
    assert out.metrics["reps"] in (None, 0)
    assert "feet" in out.metrics["reps_unavailable"]
    counted = analyze(calf_raises(reps=2, setup_s=2.0, camera=cam, noise_px=2.0))
    assert len(counted.reps) == 2 and "reps_unavailable" not in counted.metrics


def test_no_green_all_clear_when_nothing_was_measured() -> None:
    assert nothing_measured({"metrics": {"reps": 0, "reps_unavailable": "feet out of view"}})
    assert nothing_measured({"metrics": {"reps": None, "duration_analysed_s": 9.0}})
    assert nothing_measured({"metrics": {"reps": 3, "rise_mean_s": 1.0}}) is None


def test_tracker_waits_for_the_body() -> None:
    """No landmarks, no camera: the tracker keeps the identity until it has seen a body."""
    tracker = CameraMotionTracker()
    cam = tracker.update(0.0, np.full((33, 2), np.nan))
    np.testing.assert_allclose(cam.undo(np.array([[10.0, 20.0]])), [[10.0, 20.0]])
