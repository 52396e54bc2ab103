"""Single-leg balance: hold detection, sway, pelvic drop, norms, flags, and the live timer.

Every clip is a synthetic single-leg stance with exact truth (gaitlab.testing.synthetic), projected
through a camera at 4 m, 1280×720, with Gaussian landmark noise, and run through exactly
what the pipeline runs: :func:`gaitlab.signals.chain.measure_pose`, then :func:`analyze_balance`.

Sway truth: one camera sees one horizontal direction of the pelvis centre (medio-lateral
from the front or back, antero-posterior from the side), so the reference is the RMS / path
of the true mid-hip track along that world axis over the true hold, in % of the true
hip→knee→ankle length (what ``leg_length_px`` measures).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest

from gaitlab.core.landmarks import Landmark, side_landmark
from gaitlab.core.thresholds import load_thresholds
from gaitlab.core.types import PoseSequence
from gaitlab.signals.chain import measure_pose
from gaitlab.tasks.balance import (
    BALANCE_VALUE_KEYS,
    LIFT_HIGH_FRAC,
    LIFT_LOW_FRAC,
    BalanceTimer,
    analyze_balance,
    balance_values,
    fit_rest_onset,
    norm_for_age,
    sway_rms_px,
)
from gaitlab.tasks.base import TaskContext, TaskResult
from gaitlab.testing.synthetic import (
    Camera,
    SyntheticResult,
    build_pose_sequence,
    calf_raises,
    single_leg_stance,
    walk,
)

TH = load_thresholds()
FRONT, BACK, LEFT_SIDE, RIGHT_SIDE = 0.0, 180.0, 90.0, -90.0
FOOT = ("ankle", "heel", "foot_index")


# -- helpers ------------------------------------------------------------------------------
def analyze(
    pose: PoseSequence, *, height_cm: float | None = None, age_years: float | None = None
) -> TaskResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "could not estimate the camera tilt"
        m = measure_pose(pose)
    ctx = TaskContext(
        pose=m.pose,
        signals=m.signals,
        view_per_frame=m.view_per_frame,
        thresholds=TH,
        height_cm=height_cm,
        age_years=age_years,
    )
    return analyze_balance(ctx)


def stance(
    *,
    yaw: float = FRONT,
    hold_s: float = 10.0,
    fps: float = 30.0,
    noise_px: float = 2.5,
    sway_m: float = 0.015,
    drop_deg: float = 5.0,
    leg: str = "left",
    seed: int = 0,
    lift_at_s: float = 2.0,
    after_s: float = 2.0,
) -> SyntheticResult:
    return single_leg_stance(
        duration_s=lift_at_s + hold_s + after_s,
        stance_leg=leg,
        lift_at_s=lift_at_s,
        hold_s=hold_s,
        sway_rms_m=sway_m,
        pelvic_drop_deg=drop_deg,
        fps=fps,
        camera=Camera(yaw_deg=yaw),
        noise_px=noise_px,
        seed=seed,
    )


def true_sway_pct(res: SyntheticResult, yaw: float) -> tuple[float, float]:
    """(RMS, path) of the true pelvis centre along the axis the camera sees, % leg length."""
    tr = res.truth
    t = tr.signals.t_s
    hold = (t >= tr.lift_s) & (t <= tr.touchdown_s)
    axis = "pelvis_y_m" if abs(math.cos(math.radians(yaw))) > 0.5 else "pelvis_x_m"
    v = tr.signals[axis][hold]
    leg_m = res.body.thigh_m + res.body.shank_m
    return 100 * float(np.std(v)) / leg_m, 100 * float(np.sum(np.abs(np.diff(v)))) / leg_m


def gated(pose: PoseSequence, i: int) -> np.ndarray:
    """One frame as the live loop sees it: landmarks below 0.5 visibility are missing."""
    xy = pose.xy[i].copy()
    xy[pose.visibility[i] < 0.5] = np.nan
    return xy


def the_hold(result: TaskResult) -> dict:
    assert result.metrics["holds"] == 1, result.reps
    return result.reps[0]


# -- accuracy against synthetic truth -----------------------------------------------------
#: Sway RMS tolerance by hold length. In a short hold the landmark noise and the sway share
#: too few independent samples for the noise floor to be removed reliably: over 2 s the
#: sway–noise cross term alone scatters the RMS by ~±7 % (1 sd) at 2–3 px.
SWAY_TOL = {2.0: 0.25, 10.0: 0.10, 60.0: 0.10}

CASES = [
    # (view yaw, hold s, fps, noise px, stance leg, seed)
    (FRONT, 2.0, 30, 3.0, "left", 1),
    (FRONT, 10.0, 60, 2.0, "right", 2),
    (FRONT, 60.0, 30, 2.5, "left", 3),
    (BACK, 2.0, 60, 2.5, "right", 4),
    (BACK, 10.0, 30, 3.0, "left", 5),
    (BACK, 60.0, 60, 2.0, "right", 6),
    (LEFT_SIDE, 2.0, 30, 2.0, "right", 7),
    (LEFT_SIDE, 10.0, 60, 3.0, "left", 8),
    (RIGHT_SIDE, 10.0, 30, 2.5, "right", 9),
    (RIGHT_SIDE, 60.0, 60, 3.0, "left", 10),
]


@pytest.mark.parametrize(("yaw", "hold_s", "fps", "noise", "leg", "seed"), CASES)
def test_hold_timing_sway_and_drop_match_truth(yaw, hold_s, fps, noise, leg, seed) -> None:
    res = stance(yaw=yaw, hold_s=hold_s, fps=fps, noise_px=noise, leg=leg, seed=seed)
    out = analyze(res.pose, height_cm=170.0)
    h = the_hold(out)
    assert h["stance_leg"] == leg == out.metrics["stance_leg"]
    assert h["start_s"] == pytest.approx(res.truth.lift_s, abs=0.1)
    assert h["end_s"] == pytest.approx(res.truth.touchdown_s, abs=0.1)
    assert out.metrics["hold_time_s"] == pytest.approx(hold_s, abs=0.15)
    assert h["end_reason"] == "touchdown"

    rms, path = true_sway_pct(res, yaw)
    assert out.metrics["sway_rms_pct_leg"] == pytest.approx(rms, rel=SWAY_TOL[hold_s])
    # cm: the same RMS scaled by the stature seen on screen (Winter: eyes at 0.936 H)
    rms_cm = rms / 100 * (res.body.thigh_m + res.body.shank_m) * 100
    assert out.metrics["sway_rms_cm"] == pytest.approx(rms_cm, rel=SWAY_TOL[hold_s] + 0.05)
    if hold_s >= 60:  # path length needs a long hold to average its own noise correction
        assert out.metrics["sway_path_pct_leg"] == pytest.approx(path, rel=0.25)

    frontal = yaw in (FRONT, BACK)
    assert out.metrics["sway_direction"] == ("medio-lateral" if frontal else "antero-posterior")
    if frontal:
        assert out.metrics["pelvic_drop_mean_deg"] == pytest.approx(5.0, abs=2.0)
    else:
        assert out.metrics["pelvic_drop_mean_deg"] is None
        assert any("pelvic drop is not reported" in w for w in out.warnings)


def test_noise_free_clip_is_exact() -> None:
    """Without landmark noise only the model remains: lift-off within one frame, the drop
    within 0.1°, sway within 3 %."""
    res = stance(yaw=FRONT, hold_s=10.0, noise_px=0.0, drop_deg=7.0, leg="right")
    out = analyze(res.pose)
    h = the_hold(out)
    assert h["start_s"] == pytest.approx(res.truth.lift_s, abs=1 / 30)
    assert h["end_s"] == pytest.approx(res.truth.touchdown_s, abs=1 / 30)
    assert out.metrics["pelvic_drop_mean_deg"] == pytest.approx(7.0, abs=0.1)
    assert out.metrics["sway_rms_pct_leg"] == pytest.approx(true_sway_pct(res, FRONT)[0], rel=0.03)


def test_the_noise_floor_is_removed_from_sway() -> None:
    """Landmark jitter adds its variance to the sway's. With a small (5 mm) sway the raw RMS
    of the hip midpoint is far too high; the corrected one is right."""
    res = stance(yaw=FRONT, hold_s=20.0, noise_px=3.0, sway_m=0.005, seed=11)
    out = analyze(res.pose)
    h = the_hold(out)
    truth = true_sway_pct(res, FRONT)[0]
    uncorrected = math.hypot(h["sway_rms_pct_leg"], h["sway_noise_pct_leg"])
    assert uncorrected > 1.15 * truth  # what a naive RMS would report
    assert h["sway_rms_pct_leg"] == pytest.approx(truth, rel=0.10)


def test_sway_rms_px_subtracts_the_noise_of_the_hip_difference() -> None:
    rng = np.random.default_rng(0)
    sway = 3.0 * np.sin(np.linspace(0, 20, 3000))  # RMS 3/√2 px
    n_l, n_r = rng.normal(0, 2.0, (2, 3000))
    mid, diff = sway + (n_l + n_r) / 2, n_l - n_r
    rms, noise = sway_rms_px(mid, diff)
    assert noise == pytest.approx(math.sqrt(2.0), rel=0.05)
    assert rms == pytest.approx(3 / math.sqrt(2), rel=0.03)
    assert math.isnan(sway_rms_px(mid[:2], diff[:2])[0])


def test_fit_rest_onset_finds_the_start_of_a_rise() -> None:
    t = np.arange(0.0, 0.3, 1 / 60)
    y = 0.01 + 3.0 * np.clip(t - 0.137, 0, None) ** 2
    assert fit_rest_onset(t, y, rising=True) == pytest.approx(0.137, abs=0.002)
    assert fit_rest_onset(t, y[::-1], rising=False) == pytest.approx(
        t[-1] - 0.137 + t[0], abs=0.002
    )
    assert fit_rest_onset(t[:3], y[:3], rising=True) is None


# -- which holds ----------------------------------------------------------------------------
def test_two_holds_one_per_leg() -> None:
    a = stance(hold_s=8.0, leg="left", seed=1, noise_px=0.0, after_s=1.5)
    b = stance(hold_s=5.0, leg="right", seed=2, noise_px=0.0, lift_at_s=1.5)
    joints = np.concatenate([a.joints_3d, b.joints_3d])
    t = np.arange(len(joints)) / 30.0
    pose = build_pose_sequence(
        joints, t, a.camera, look_at=np.concatenate([a.look_at, b.look_at]), noise_px=2.5
    )
    out = analyze(pose)
    assert out.metrics["holds"] == 2
    offset = a.pose.duration_s + 1 / 30
    assert [r["stance_leg"] for r in out.reps] == ["left", "right"]
    assert out.reps[0]["start_s"] == pytest.approx(2.0, abs=0.1)
    assert out.reps[1]["start_s"] == pytest.approx(offset + 1.5, abs=0.1)
    assert out.metrics["hold_time_left_s"] == pytest.approx(8.0, abs=0.15)
    assert out.metrics["hold_time_right_s"] == pytest.approx(5.0, abs=0.15)
    assert out.metrics["stance_leg"] == "left"  # the longest hold
    kinds = [(e.type, e.side) for e in out.events]
    assert kinds == [
        ("hold_start", "left"),
        ("hold_end", "left"),
        ("hold_start", "right"),
        ("hold_end", "right"),
    ]
    for e in out.events:
        assert pose.t_s[e.frame] == pytest.approx(e.t_s, abs=1 / 60 + 1e-9)


def test_a_stance_foot_shift_ends_the_hold() -> None:
    res = stance(hold_s=10.0, noise_px=0.0, leg="left")
    joints = res.joints_3d.copy()
    t = res.pose.t_s
    slide = np.clip((t - 7.0) / 0.2, 0, 1) * 0.15  # the standing foot slides 15 cm sideways
    for part in FOOT:
        joints[:, side_landmark("left", part), 1] += slide
    pose = build_pose_sequence(joints, t, res.camera, look_at=res.look_at, noise_px=2.5)
    h = the_hold(analyze(pose))
    assert h["end_reason"] == "stance_shift"
    assert h["end_s"] == pytest.approx(7.0, abs=0.2)


def test_hidden_lifted_foot_in_a_side_view_is_reported_not_guessed() -> None:
    # Camera on the subject's left: the right foot is the far one. Hide it completely.
    far = [int(side_landmark("right", p)) for p in FOOT]
    res = stance(yaw=LEFT_SIDE, leg="left", hold_s=6.0)
    vis = res.pose.visibility.copy()
    vis[:, far] = 0.1
    out = analyze(replace(res.pose, visibility=vis))
    assert out.metrics["holds"] == 0
    assert out.metrics["hold_time_s"] is None
    assert any("could not be told" in w for w in out.warnings)
    # The near foot lifted while the far one is hidden: the hold is on the hidden leg.
    res = stance(yaw=LEFT_SIDE, leg="right", hold_s=6.0)
    vis = res.pose.visibility.copy()
    vis[:, far] = 0.1
    h = the_hold(analyze(replace(res.pose, visibility=vis)))
    assert h["stance_leg"] == "right"
    assert h["start_s"] == pytest.approx(res.truth.lift_s, abs=0.1)


@pytest.mark.parametrize(
    "make",
    [
        lambda: calf_raises(reps=3, legs="both", camera=Camera(yaw_deg=180), noise_px=2.5),
        lambda: walk(camera=Camera(yaw_deg=90, distance_m=6), noise_px=2.5, duration_s=5),
        lambda: walk(
            camera=Camera(yaw_deg=0, distance_m=7),
            camera_follows=False,
            noise_px=2.5,
            duration_s=4,
        ),
    ],
    ids=["calf-raises", "walk-side", "walk-towards"],
)
def test_no_hold_in_other_movements(make) -> None:
    out = analyze(make().pose)
    assert out.metrics["holds"] == 0
    assert out.metrics["hold_time_s"] is None
    assert any("no single-leg hold" in w for w in out.warnings)


# -- the causal timer -----------------------------------------------------------------------
def frame_values(t: float, rise_right: float, leg_px: float = 200.0) -> dict[str, float]:
    """A frame where the right foot is ``rise_right`` leg lengths above its floor."""
    v = {}
    for side, x0 in (("left", 600.0), ("right", 680.0)):
        for k, part in enumerate(FOOT):
            y = 600.0 - (rise_right * leg_px if side == "right" else 0.0) - 5.0 * (k == 0)
            v[f"{side}_{part}_x_px"], v[f"{side}_{part}_y_px"] = x0 + 10.0 * k, y
    v["leg_length_px"] = leg_px
    return v


def ease(u: np.ndarray) -> np.ndarray:
    """Minimum-jerk 0→1 on u in [0, 1] (the shape of a voluntary movement)."""
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10 - 15 * u + 6 * u**2)


def test_jitter_between_the_hysteresis_levels_never_splits_a_hold() -> None:
    timer = BalanceTimer()
    events = []
    t = np.arange(0, 8, 1 / 30)
    rise = 0.08 * (ease((t - 2.0) / 0.3) - ease((t - 5.7) / 0.3))  # lift-off 2 s, down 6 s
    rise[(t > 3) & (t < 5)] = 0.035  # wobbling inside the band (between low and high)
    rise[(t > 4) & (t < 4.07)] = 0.0  # two frames of touching: shorter than MIN_TOUCH_S
    assert LIFT_LOW_FRAC < 0.035 < LIFT_HIGH_FRAC
    for ti, r in zip(t, rise, strict=True):
        events += timer.update(ti, frame_values(ti, r))
    events += timer.finish()
    assert [e["type"] for e in events] == ["hold_start", "hold_end"]
    assert len(timer.holds_) == 1
    assert timer.holds_[0].stance_leg == "left"
    assert timer.holds_[0].start_s == pytest.approx(2.0, abs=0.05)
    assert timer.holds_[0].end_s == pytest.approx(6.0, abs=0.05)


def test_timer_state_during_and_after_a_hold() -> None:
    timer = BalanceTimer()
    assert timer.state()["phase"] == "standing"
    for ti in np.arange(0, 4, 1 / 30):
        timer.update(ti, frame_values(ti, 0.2 if ti > 1 else 0.0))
    s = timer.state()
    assert s["phase"] == "hold" and s["stance_leg"] == "left"
    assert s["hold_s"] == pytest.approx(4 - 1 / 30 - 1, abs=0.06)
    assert timer.finish()[0]["reason"] == "end_of_data"
    assert timer.state()["holds"] == 1


def test_timer_rejects_time_going_backwards_and_bad_settings() -> None:
    timer = BalanceTimer()
    timer.update(1.0, frame_values(1.0, 0.0))
    with pytest.raises(ValueError, match="strictly increasing"):
        timer.update(1.0, frame_values(1.0, 0.0))
    with pytest.raises(ValueError, match="lift_low_frac < lift_high_frac"):
        BalanceTimer(lift_low_frac=0.1, lift_high_frac=0.05)
    with pytest.raises(ValueError, match="leg_length_px"):
        BalanceTimer(leg_length_px=0.0)


@pytest.mark.parametrize(
    ("xy", "match"),
    [(np.zeros((33, 3)), "expected shape"), (np.zeros((5, 32, 2)), "expected shape")],
)
def test_balance_values_checks_its_input(xy, match) -> None:
    with pytest.raises(ValueError, match=match):
        balance_values(xy)


def test_balance_values_one_frame_and_many() -> None:
    res = stance(hold_s=2.0, noise_px=0.0)
    many = balance_values(res.pose.xy)
    one = balance_values(res.pose.xy[5])
    assert set(one) == set(many) == set(BALANCE_VALUE_KEYS)
    assert one["left_heel_y_px"] == many["left_heel_y_px"][5]
    assert one["leg_length_px"] > 100


@pytest.mark.parametrize(("yaw", "fps"), [(FRONT, 30), (BACK, 60), (LEFT_SIDE, 30)])
def test_live_frame_by_frame_gives_the_offline_holds(yaw, fps) -> None:
    """The live loop feeds the timer each raw, visibility-gated frame as it arrives; it
    must find the same holds as the offline analyzer on the cleaned clip."""
    res = stance(yaw=yaw, fps=fps, hold_s=4.0, seed=3, leg="right")
    offline = the_hold(analyze(res.pose))
    timer = BalanceTimer()
    events = []
    for i, ti in enumerate(res.pose.t_s):
        events += timer.update(ti, balance_values(gated(res.pose, i)))
        if ti == pytest.approx(4.0, abs=0.01):
            assert timer.state()["phase"] == "hold"
            assert timer.state()["hold_s"] == pytest.approx(ti - offline["start_s"], abs=0.1)
    events += timer.finish()
    assert [e["type"] for e in events] == ["hold_start", "hold_end"]
    (live,) = timer.holds_
    assert live.stance_leg == offline["stance_leg"]
    assert live.start_s == pytest.approx(offline["start_s"], abs=0.1)
    assert live.end_s == pytest.approx(offline["end_s"], abs=0.1)
    assert events[0]["t_s"] == live.start_s and events[1]["t_s"] == live.end_s


# -- flags, norms, targets, outputs ------------------------------------------------------------
def test_short_hold_is_flagged_with_its_source() -> None:
    res = stance(hold_s=2.0, seed=4)
    out = analyze(res.pose)
    (flag,) = [f for f in out.flags if f.rule == "balance_hold_min"]
    assert flag.value == pytest.approx(2.0, abs=0.15)
    assert flag.threshold == 5.0 and flag.unit == "s"
    assert "Vellas" in flag.source
    assert flag.signal == "balance_hold_elapsed_s"
    assert flag.side == "left"
    assert res.pose.t_s[flag.frame] == pytest.approx(res.truth.touchdown_s, abs=0.1)
    assert "5 s" in flag.message
    assert out.metrics["target_met"] is False


def test_sustained_pelvic_drop_and_large_sway_are_flagged() -> None:
    res = stance(yaw=BACK, hold_s=10.0, drop_deg=9.0, sway_m=0.06, leg="right", seed=5)
    out = analyze(res.pose)
    rules = {f.rule: f for f in out.flags}
    (drop,) = [f for f in out.flags if f.rule == "pelvic_drop_stance"]  # one sustained run
    assert drop.value > 5.0 and drop.threshold == 5.0 and drop.unit == "deg"
    assert drop.signal == "stance_pelvic_drop_deg" and drop.side == "right"
    assert drop.end_s - drop.start_s > 0.8 * 10.0
    sway = rules["balance_sway_rms"]
    assert sway.value > sway.threshold == TH["balance_sway_rms"].value
    assert sway.signal == "balance_sway_pct_leg" and "provisional" not in sway.message
    assert TH["balance_sway_rms"].provisional
    # a small drop and a steady pelvis raise neither
    quiet = analyze(stance(yaw=BACK, hold_s=10.0, drop_deg=2.0, seed=5).pose)
    assert not [f for f in quiet.flags if f.rule in ("pelvic_drop_stance", "balance_sway_rms")]


@pytest.mark.parametrize(
    ("age", "norm", "band"),
    [(25, 44.7, "18-39"), (39.5, 44.7, "18-39"), (65, 32.1, "60-69"), (85, 9.4, "80-99")],
)
def test_norm_for_age(age, norm, band) -> None:
    got = norm_for_age(age, TH)
    assert got is not None
    assert got[:2] == (norm, band)
    assert "Springer" in got[2]


def test_norms_and_target_in_the_metrics() -> None:
    res = stance(hold_s=32.0, noise_px=2.0, seed=6)
    out = analyze(res.pose, age_years=72)
    m = out.metrics
    assert m["norm_s"] == 21.5 and m["norm_age_band"] == "70-79"
    assert m["hold_pct_of_norm"] == pytest.approx(100 * 32.0 / 21.5, rel=0.01)
    assert m["target_met"] is True and (m["target_low_s"], m["target_high_s"]) == (30.0, 60.0)
    young = analyze(stance(hold_s=2.0).pose, age_years=15)
    assert young.metrics["norm_s"] is None
    assert any("no single-leg stance norm" in w for w in young.warnings)
    assert norm_for_age(17.9, TH) is None


def test_thresholds_entries_have_sources() -> None:
    for name in ("balance_target", "balance_sway_rms", "balance_arms_out", "balance_hold_min"):
        assert TH[name].source
    assert TH["balance_target"].low == 30.0 and TH["balance_target"].high == 60.0
    assert TH["balance_sway_rms"].provisional and TH["balance_arms_out"].provisional
    norms = [k for k in TH if k.startswith("balance_norm_eo_")]
    assert len(norms) == 6 and all("Springer" in TH[k].source for k in norms)


def test_outputs_line_up_with_the_pose() -> None:
    res = stance(hold_s=5.0, seed=7)
    out = analyze(res.pose)
    n = len(res.pose)
    for name in (
        "foot_lifted_left",
        "foot_lifted_right",
        "balance_phase",
        "balance_hold_elapsed_s",
        "balance_sway_pct_leg",
        "stance_pelvic_drop_deg",
    ):
        assert out.signals[name].shape == (n,), name
    t = res.pose.t_s
    mid = (t > 3) & (t < 6)
    assert np.all(out.signals["foot_lifted_right"][mid] == 1)
    assert np.all(out.signals["foot_lifted_left"][mid] == 0)
    assert np.all(out.signals["foot_lifted_right"][t < 1.5] == 0)
    assert np.all(np.isnan(out.signals["balance_hold_elapsed_s"][t < 1.5]))
    assert np.nanmax(out.signals["balance_hold_elapsed_s"]) == pytest.approx(5.0, abs=0.15)
    h = the_hold(out)
    assert {"index", "start_s", "end_s", "hold_s", "stance_leg", "sway_rms_pct_leg"} <= set(h)
    assert out.metrics["arms_out_time_s"] == 0.0  # arms ~26° from the trunk: not "out"
    for key in ("holds", "hold_time_s", "stance_leg", "sway_rms_pct_leg", "pelvic_drop_mean_deg"):
        assert key in out.metrics
    assert "sway_rms_cm" not in out.metrics  # no height given: no cm
    assert isinstance(Landmark.LEFT_HIP, int)


def _window(pose: PoseSequence, t0: float, t1: float) -> PoseSequence:
    """The part of a pose between two times, its clock restarted at zero (a recording
    started and stopped during the hold)."""
    keep = (pose.t_s >= t0) & (pose.t_s <= t1)
    return replace(
        pose,
        xy=pose.xy[keep],
        visibility=pose.visibility[keep],
        t_s=pose.t_s[keep] - pose.t_s[keep][0],
        world=None if pose.world is None else pose.world[keep],
        frame_index=np.arange(int(keep.sum())),
    )


@pytest.mark.parametrize(
    ("t0", "t1", "before", "after"),
    [(3.0, 6.0, True, True), (3.0, 9.0, True, False), (0.0, 6.0, False, True)],
)
def test_a_hold_cut_by_the_recording_is_reported_as_at_least(t0, t1, before, after) -> None:
    """Lift at 2 s, touch-down at 7 s; the recording keeps only [t0, t1]: the hold is kept,
    flagged as begun before / going on after the recording, its time "at least"."""
    res = single_leg_stance(
        duration_s=9.0, lift_at_s=2.0, hold_s=5.0, noise_px=1.0, seed=3, lift_style="tree"
    )
    out = analyze(_window(res.pose, t0, t1))
    h = the_hold(out)
    assert h["stance_leg"] == "left"
    assert h["began_before_recording"] is before
    assert h["ended_after_recording"] is after
    assert out.metrics["hold_began_before_recording"] is before
    assert out.metrics["hold_ended_after_recording"] is after
    true_s = min(t1, 7.0) - max(t0, 2.0)
    assert h["hold_s"] == pytest.approx(true_s, abs=0.15)
    assert any(f"at least {h['hold_s']:.1f} s" in w for w in out.warnings)
    if before:
        assert h["start_s"] == 0.0


def test_an_uncut_hold_is_not_marked_as_cut() -> None:
    out = analyze(single_leg_stance(duration_s=9.0, lift_at_s=2.0, hold_s=5.0, seed=3).pose)
    h = the_hold(out)
    assert h["began_before_recording"] is False and h["ended_after_recording"] is False
    assert not any("at least" in w for w in out.warnings)


# -- every usual way of standing on one leg ------------------------------------------------
#: Timing tolerance (s): a frame and a half at low frame rates, else 0.1 s; a foot put on the
#: calf passes behind the standing leg in a side view, which blurs its lift-off by ~0.1 s.
def _tolerance(style: str, fps: float) -> float:
    return max(0.15 if style == "calf" else 0.1, 1.5 / fps)


STYLE_CASES = (
    [
        (style, yaw, 30.0, leg)
        for style in ("behind", "front", "side", "calf", "tree")
        for yaw, leg in ((FRONT, "left"), (BACK, "right"), (LEFT_SIDE, "right"))
    ]
    + [("tree", FRONT, fps, "right") for fps in (10.0, 15.0, 60.0)]
    + [
        ("side", 45.0, 24.0, "left"),
    ]
)


@pytest.mark.parametrize(("style", "yaw", "fps", "leg"), STYLE_CASES)
def test_every_usual_way_of_holding_the_free_foot(style, yaw, fps, leg) -> None:
    """Foot lifted behind, in front, to the side, resting on the calf or on the inner thigh
    (tree pose, arms overhead), from the front, back and side, at 10–60 fps: one hold on the
    right leg, timed to the true lift-off and touch-down."""
    res = single_leg_stance(
        duration_s=8.0,
        lift_at_s=2.0,
        hold_s=4.0,
        fps=fps,
        camera=Camera(yaw_deg=yaw),
        noise_px=1.5,
        stance_leg=leg,
        lift_style=style,
        arms="overhead" if style == "tree" else "out" if style == "side" else "low",
        seed=1,
    )
    h = the_hold(analyze(res.pose))
    tol = _tolerance(style, fps)
    assert h["stance_leg"] == leg
    assert h["start_s"] == pytest.approx(res.truth.lift_s, abs=tol)
    assert h["end_s"] == pytest.approx(res.truth.touchdown_s, abs=tol)
    assert h["end_reason"] == "touchdown"


def test_lift_styles_put_the_free_foot_where_they_say() -> None:
    """The synthetic styles: tree pose's foot a hand above the knee against the standing
    thigh, the calf style's at mid-calf, the side style's out to the side."""
    t = {}
    for style in ("tree", "calf", "side", "front"):
        res = single_leg_stance(duration_s=6.0, lift_at_s=1.0, hold_s=4.0, lift_style=style)
        j = res.joints_3d[int(3.0 * 30)]
        t[style] = (j[Landmark.RIGHT_ANKLE], j[Landmark.LEFT_ANKLE], j[Landmark.RIGHT_KNEE])
    body = res.body
    knee_z = body.ankle_height_m + body.shank_m
    ankle, stance_ankle, knee = t["tree"]
    assert ankle[2] > knee_z and abs(ankle[1] - stance_ankle[1]) < 0.1
    assert knee[1] < -0.25  # the knee turned out to the right side
    ankle, stance_ankle, _ = t["calf"]
    assert 0.4 * knee_z < ankle[2] < 0.8 * knee_z and abs(ankle[1] - stance_ankle[1]) < 0.1
    assert t["side"][0][1] < -0.3 and t["front"][0][0] > 0.2
    with pytest.raises(ValueError, match="lift_style"):
        single_leg_stance(lift_style="cartwheel")
