"""The synthetic walker / calf-raiser / balancer: geometry, timing, camera conventions, truth."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.core.landmarks import Landmark, side_landmark
from gaitlab.core.types import PoseSequence
from gaitlab.testing.synthetic import (
    Camera,
    build_pose_sequence,
    calf_raises,
    project,
    single_leg_stance,
    walk,
)

L = Landmark
SIDES = ("left", "right")
#: A camera so far away (with a long lens) that the projection is practically orthographic.
FAR = {"distance_m": 60.0, "focal_px": 60000.0, "height_m": 0.9}


def lm(side: str, part: str) -> int:
    return int(side_landmark(side, part))


def seg_len(j: np.ndarray, a: int, b: int) -> np.ndarray:
    return np.linalg.norm(j[:, a] - j[:, b], axis=-1)


def fppa_2d(xy: np.ndarray, side: str) -> np.ndarray:
    """Image-plane knee angle, + when the knee lies medial of the hip–ankle line."""
    other = "right" if side == "left" else "left"
    hip, knee, ankle = xy[:, lm(side, "hip")], xy[:, lm(side, "knee")], xy[:, lm(side, "ankle")]
    thigh, shank = knee - hip, ankle - knee
    cos = (
        np.sum(thigh * shank, -1) / np.linalg.norm(thigh, axis=-1) / np.linalg.norm(shank, axis=-1)
    )
    mag = np.degrees(np.arccos(np.clip(cos, -1, 1)))
    line = ankle - hip
    foot = hip + line * (np.sum((knee - hip) * line, -1) / np.sum(line * line, -1))[:, None]
    medial = xy[:, lm(other, "hip")] - hip
    return mag * np.sign(np.sum((knee - foot) * medial, -1))


def obliquity_2d(xy: np.ndarray) -> np.ndarray:
    """Hip line against image horizontal, + when the left hip is lower (larger y)."""
    lh, rh = xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP]
    return np.degrees(np.arctan2(lh[:, 1] - rh[:, 1], np.abs(lh[:, 0] - rh[:, 0])))


def rearfoot_2d(xy: np.ndarray, side: str) -> np.ndarray:
    """Shank (knee→ankle) vs heel line (ankle→heel) in a posterior image, + inversion."""
    s = xy[:, lm(side, "ankle")] - xy[:, lm(side, "knee")]
    h = xy[:, lm(side, "heel")] - xy[:, lm(side, "ankle")]
    ang = np.degrees(np.arctan2(s[:, 0] * h[:, 1] - s[:, 1] * h[:, 0], np.sum(s * h, -1)))
    # Posterior view, y down: inversion turns the left heel line clockwise from the shank.
    return -ang if side == "left" else ang


@pytest.fixture(scope="module")
def gait():
    return walk(valgus_peak_deg=(8.0, 12.0), pelvic_drop_deg=(5.0, 3.0), duration_s=6.0)


# -- geometry ------------------------------------------------------------------------------
def test_every_landmark_is_finite_and_segments_are_rigid(gait) -> None:
    j = gait.joints_3d
    assert np.isfinite(j).all()
    b = gait.body
    for side in SIDES:
        np.testing.assert_allclose(
            seg_len(j, lm(side, "hip"), lm(side, "knee")), b.thigh_m, atol=1e-9
        )
        np.testing.assert_allclose(
            seg_len(j, lm(side, "knee"), lm(side, "ankle")), b.shank_m, atol=1e-9
        )
        heel = seg_len(j, lm(side, "ankle"), lm(side, "heel"))
        np.testing.assert_allclose(heel, heel[0], atol=1e-9)
        upper = seg_len(j, lm(side, "shoulder"), lm(side, "elbow"))
        np.testing.assert_allclose(upper, upper[0], atol=1e-9)
    np.testing.assert_allclose(seg_len(j, L.LEFT_HIP, L.RIGHT_HIP), b.hip_width_m, atol=1e-9)


def test_stance_feet_stay_planted_and_no_foot_goes_through_the_floor(gait) -> None:
    j, truth = gait.joints_3d, gait.truth
    t = truth.signals.t_s
    stride = truth.stride_time_s
    for side in SIDES:
        heel, tip = j[:, lm(side, "heel")], j[:, lm(side, "foot_index")]
        assert heel[:, 2].min() > -1e-9 and tip[:, 2].min() > -1e-9
        stance = truth.signals[f"stance_{side}"]
        on_floor = np.minimum(heel[:, 2], tip[:, 2])
        assert np.all(np.abs(on_floor[stance]) < 1e-9)  # some part of the foot is down
        assert np.all(on_floor[~stance] > 0)  # swing foot clear of the floor
        for hs in truth.events_of("heel_strike", side):
            heel_down = (t >= hs.t_s) & (t <= hs.t_s + 0.35 * stride)  # heel rocker, foot flat
            toe_down = (t >= hs.t_s + 0.08 * stride) & (t <= hs.t_s + 0.6 * stride)
            if heel_down.sum() > 1:
                assert np.ptp(heel[heel_down], axis=0).max() < 1e-9
            if toe_down.sum() > 1 and hs.t_s + 0.6 * stride <= t[-1]:
                assert np.ptp(tip[toe_down], axis=0).max() < 1e-9


def test_walk_kinematics_are_in_normal_ranges(gait) -> None:
    sig = gait.truth.signals
    knee, hip = sig["knee_flexion_left_deg"], sig["hip_flexion_left_deg"]
    st = sig["stance_left"]
    assert 55 < knee.max() < 70 and knee[~st].max() == knee.max()  # swing peak
    assert 10 < knee[st].max() < 45 and knee.min() > 0.5
    assert 20 < hip.max() < 35 and -15 < hip.min() < -5
    pelvis_z = gait.joints_3d[:, [L.LEFT_HIP, L.RIGHT_HIP], 2].mean(axis=1)
    assert 0.03 < np.ptp(pelvis_z) < 0.07


# -- timing --------------------------------------------------------------------------------
@pytest.mark.parametrize("cadence", [90.0, 110.0, 128.0])
def test_events_follow_cadence_and_stance_fraction(cadence: float) -> None:
    res = walk(cadence_spm=cadence, duration_s=6.0, fps=50.0)
    truth = res.truth
    hs = np.array([e.t_s for e in truth.events_of("heel_strike")])
    sides = [e.side for e in truth.events_of("heel_strike")]
    assert all(a != b for a, b in zip(sides, sides[1:], strict=False))  # left/right alternate
    np.testing.assert_allclose(np.diff(hs), 60.0 / cadence, atol=1e-9)
    np.testing.assert_allclose(truth.step_times_s, 60.0 / cadence, atol=1e-9)
    assert truth.stride_time_s == pytest.approx(120.0 / cadence)
    assert truth.speed_m_s == pytest.approx(0.65 * cadence / 60.0)
    for side in SIDES:
        for h in truth.events_of("heel_strike", side):
            to = [e for e in truth.events_of("toe_off", side) if e.t_s > h.t_s]
            if to:
                assert to[0].t_s - h.t_s == pytest.approx(0.6 * truth.stride_time_s)
        stance = truth.signals[f"stance_{side}"]
        assert stance.mean() == pytest.approx(0.6, abs=0.03)
    for e in truth.events:
        assert e.frame == round(e.t_s * 50.0)
        assert res.pose.t_s[0] <= e.t_s <= res.pose.t_s[-1]


@pytest.mark.parametrize(
    ("strike", "lo", "hi"), [("heel", 8.0, 30.0), ("midfoot", -1.6, 8.0), ("forefoot", -20.0, -1.6)]
)
def test_foot_strike_angle_classes(strike: str, lo: float, hi: float) -> None:
    res = walk(foot_strike=strike, duration_s=3.0, fps=60.0, camera=Camera(yaw_deg=90.0, **FAR))
    contacts = res.truth.contacts
    assert contacts and all(lo < c.foot_angle_deg < hi for c in contacts)
    assert all(0.15 < c.heel_ahead_of_pelvis_m < 0.45 for c in contacts)
    # A far side camera sees the truth foot angle on every frame.
    xy = project(res.joints_3d, res.camera, res.look_at)
    for side in SIDES:
        ft = xy[:, lm(side, "foot_index")] - xy[:, lm(side, "heel")]
        seen = np.degrees(np.arctan2(-ft[:, 1], np.abs(ft[:, 0])))
        assert np.abs(seen - res.truth.signals[f"foot_angle_{side}_deg"]).max() < 0.5


# -- projection conventions ----------------------------------------------------------------
def test_frontal_views_put_the_subjects_left_on_the_correct_image_side() -> None:
    still = single_leg_stance(duration_s=1.0, lift_at_s=0.0, hold_s=1.0, sway_rms_m=0.0)
    anterior = project(still.joints_3d, Camera(yaw_deg=0.0))
    posterior = project(still.joints_3d, Camera(yaw_deg=180.0))
    assert np.all(anterior[:, L.LEFT_HIP, 0] > anterior[:, L.RIGHT_HIP, 0])
    assert np.all(posterior[:, L.LEFT_HIP, 0] < posterior[:, L.RIGHT_HIP, 0])
    assert np.all(anterior[:, L.NOSE, 1] < anterior[:, L.LEFT_HIP, 1])  # head up
    # The camera is aimed at the pelvis: it projects to the image centre.
    mid = 0.5 * (anterior[:, L.LEFT_HIP] + anterior[:, L.RIGHT_HIP])
    np.testing.assert_allclose(mid.mean(axis=0), [640.0, 360.0], atol=2.0)


@pytest.mark.parametrize(
    ("yaw", "near", "far", "direction"), [(90.0, "left", "right", -1), (-90.0, "right", "left", 1)]
)
def test_sagittal_views(yaw: float, near: str, far: str, direction: int) -> None:
    res = walk(duration_s=2.0, camera=Camera(yaw_deg=yaw), camera_follows=False)
    xy = res.xy_true
    pelvis = 0.5 * (xy[:, L.LEFT_HIP, 0] + xy[:, L.RIGHT_HIP, 0])
    assert np.sign(pelvis[-1] - pelvis[0]) == direction  # walks across the image
    ears = 0.5 * (xy[:, L.LEFT_EAR, 0] + xy[:, L.RIGHT_EAR, 0])
    assert np.all(np.sign(xy[:, L.NOSE, 0] - ears) == direction)  # nose points where it walks
    world = res.pose.world  # BlazePose-like: z is depth, smaller = closer to the camera
    assert np.all(world[:, lm(near, "hip"), 2] < world[:, lm(far, "hip"), 2])
    vis = res.pose.visibility
    assert vis[:, lm(far, "knee")].mean() < vis[:, lm(near, "knee")].mean() - 0.2


def test_posterior_view_hides_the_face() -> None:
    res = walk(duration_s=1.0, camera=Camera(yaw_deg=180.0))
    vis = res.pose.visibility
    assert vis[:, L.NOSE].mean() < 0.6 < vis[:, L.LEFT_HIP].mean()


@pytest.mark.parametrize("roll", [-8.0, 0.0, 5.0])
def test_camera_roll_turns_a_level_line_by_roll(roll: float) -> None:
    still = single_leg_stance(duration_s=1.0, lift_at_s=0.0, hold_s=1.0, sway_rms_m=0.0)
    j = still.joints_3d[:1]
    xy = project(j, Camera(roll_deg=roll, **FAR))
    d = xy[0, L.LEFT_HIP] - xy[0, L.RIGHT_HIP]  # a level line (no pelvic drop)
    assert np.degrees(np.arctan2(d[1], d[0])) == pytest.approx(roll, abs=1e-6)


def test_project_handles_any_points_and_rejects_bad_shapes() -> None:
    pts = np.array([[0.0, 0.0, 1.0], [0.0, 0.5, 1.0], [10.0, 0.0, 1.0]])
    xy = project(pts, Camera(height_m=1.0), look_at=np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(xy[0], [640.0, 360.0])
    assert xy[1, 0] > 640.0  # +y (subject's left) is image right from the front
    assert np.isnan(xy[2]).all()  # behind the camera
    with pytest.raises(ValueError, match="expected shape"):
        project(np.zeros((4, 2)), Camera())
    with pytest.raises(ValueError, match="look_at"):
        project(np.zeros((5, 33, 3)), Camera(), look_at=np.zeros((4, 3)))


def test_build_pose_sequence_from_any_pose() -> None:
    j = walk(duration_s=1.0).joints_3d
    seq = build_pose_sequence(j, np.arange(len(j)) / 30.0, Camera(width=640, height=480))
    assert isinstance(seq, PoseSequence)
    assert seq.frame_size == (640, 480) and seq.xy.shape == (len(j), 33, 2)
    with pytest.raises(ValueError, match=r"\(T, 33, 3\)"):
        build_pose_sequence(j[:, :10], np.arange(len(j)) / 30.0, Camera())


# -- frontal-plane truth through a far camera -----------------------------------------------
@pytest.mark.parametrize("yaw", [0.0, 180.0])
def test_far_frontal_camera_reproduces_valgus_and_pelvic_drop(gait, yaw: float) -> None:
    cam = Camera(yaw_deg=yaw, **FAR)
    xy = project(gait.joints_3d, cam, gait.look_at)
    sig = gait.truth.signals
    for side in SIDES:
        err = fppa_2d(xy, side) - sig[f"fppa_{side}_deg"]
        assert np.abs(err).max() < 0.5
    assert np.abs(obliquity_2d(xy) - sig["pelvic_obliquity_deg"]).max() < 0.5


def test_imposed_peaks_are_the_truth_peaks() -> None:
    res = walk(valgus_peak_deg=(8.0, 12.0), pelvic_drop_deg=(5.0, 3.0), duration_s=3.0, fps=400.0)
    sig = res.truth.signals
    assert sig["fppa_left_deg"].max() == pytest.approx(8.0, abs=0.01)
    assert sig["fppa_right_deg"].max() == pytest.approx(12.0, abs=0.01)
    # standing on the left, the right hip drops: left higher, obliquity negative
    assert sig["pelvic_obliquity_deg"].min() == pytest.approx(-5.0, abs=0.01)
    assert sig["pelvic_obliquity_deg"].max() == pytest.approx(3.0, abs=0.01)
    # valgus only in stance, drop only in single support
    for side in SIDES:
        assert np.abs(sig[f"fppa_{side}_deg"][~sig[f"stance_{side}"]]).max() < 1e-6
    double = sig["stance_left"] & sig["stance_right"]
    assert np.abs(sig["pelvic_obliquity_deg"][double]).max() < 1e-6
    ss = res.truth.single_supports
    assert {s.side for s in ss} == {"left", "right"}
    assert all(s.end_s - s.start_s == pytest.approx(0.4 * res.truth.stride_time_s) for s in ss)


# -- degradation ---------------------------------------------------------------------------
def test_noise_dropout_and_determinism() -> None:
    res = walk(duration_s=4.0, noise_px=2.5, dropout_prob=0.05, seed=3)
    diff = res.pose.xy - res.xy_true
    assert np.nanstd(diff) == pytest.approx(2.5, rel=0.05)
    assert abs(np.nanmean(diff)) < 0.1
    missing = np.isnan(res.pose.xy[..., 0])
    assert missing.mean() == pytest.approx(0.05, abs=0.01)
    assert np.all(res.pose.visibility[missing] == 0)
    vis = res.pose.visibility[~missing]
    assert vis.min() >= 0 and vis.max() <= 1
    again = walk(duration_s=4.0, noise_px=2.5, dropout_prob=0.05, seed=3)
    np.testing.assert_array_equal(np.nan_to_num(again.pose.xy), np.nan_to_num(res.pose.xy))
    clean = walk(duration_s=4.0)
    np.testing.assert_allclose(clean.pose.xy, clean.xy_true)
    assert 0.9 <= clean.pose.visibility.min()  # anterior: every point in view


def test_swaps_swap_the_legs_only_inside_the_ranges() -> None:
    res = walk(duration_s=3.0, swap_frames=[(10, 20), (40, 41)])
    xy, true = res.pose.xy, res.xy_true
    inside = np.zeros(len(xy), bool)
    inside[10:20] = inside[40] = True
    for part in ("hip", "knee", "ankle", "heel", "foot_index"):
        left, right = lm("left", part), lm("right", part)
        np.testing.assert_array_equal(xy[inside, left], true[inside, right])
        np.testing.assert_array_equal(xy[inside, right], true[inside, left])
        np.testing.assert_array_equal(xy[~inside, left], true[~inside, left])
    for arm in (L.LEFT_WRIST, L.LEFT_SHOULDER, L.LEFT_EYE):
        np.testing.assert_array_equal(xy[:, arm], true[:, arm])
    with pytest.raises(ValueError, match="swap_frames"):
        walk(duration_s=1.0, swap_frames=[(5, 500)])


def test_fixed_camera_marks_points_outside_the_frame() -> None:
    res = walk(duration_s=8.0, camera=Camera(yaw_deg=90.0), camera_follows=False)
    xy, vis = res.xy_true, res.pose.visibility
    out = (xy[..., 0] < 0) | (xy[..., 0] > 1280)
    assert out.any() and (~out).any()
    assert np.all(vis[out] <= 0.1)


# -- calf raises ----------------------------------------------------------------------------
def test_calf_raise_geometry_and_rep_truth() -> None:
    res = calf_raises(reps=3, heel_height_m=0.07, step_away_s=1.8, ankle_roll_deg=[0, 0, 15])
    j, truth = res.joints_3d, res.truth
    t = truth.signals.t_s
    before_away = t < truth.reps[-1].end_s + 0.5
    for side in SIDES:
        tip = j[:, lm(side, "foot_index")]
        assert np.ptp(tip[before_away], axis=0).max() < 1e-12  # toes never move
        assert np.all(np.abs(tip[before_away, 2]) < 1e-12)
        heel_z = truth.signals[f"heel_height_{side}_m"]
        assert heel_z.min() == pytest.approx(0.0, abs=1e-12)
        assert heel_z[before_away].max() == pytest.approx(0.07, abs=1e-9)
        assert res.joints_3d[:, [L.LEFT_HEEL, L.RIGHT_HEEL], 2].min() > -1e-12
        for k in ("thigh", "shank"):
            a, b = ("hip", "knee") if k == "thigh" else ("knee", "ankle")
            np.testing.assert_allclose(
                seg_len(j, lm(side, a), lm(side, b)), getattr(res.body, f"{k}_m"), atol=1e-9
            )
    assert len(truth.reps) == 3
    for i, rep in enumerate(truth.reps):
        assert rep.start_s == pytest.approx(1.5 + i * 4.0)
        assert (
            rep.top_s - rep.start_s,
            rep.hold_end_s - rep.top_s,
            rep.end_s - rep.hold_end_s,
        ) == (
            pytest.approx(1.0),
            pytest.approx(0.5),
            pytest.approx(1.5),
        )
        at_top = (t >= rep.top_s) & (t <= rep.hold_end_s)
        heel_top = truth.signals["heel_height_left_m"][at_top]
        if i < 2:
            np.testing.assert_allclose(heel_top, 0.07, atol=1e-9)
        else:  # the roll lowers the heel a little
            assert 0.065 < heel_top.min() < 0.07
        assert rep.heel_height_m == pytest.approx(heel_top.max())
        assert rep.heel_height_pct == pytest.approx(100 * rep.heel_height_m / truth.foot_length_m)
    # stepping away lifts whole feet, which are not reps
    away = truth.phase == "step_away"
    assert truth.signals["foot_lifted_right"][away].any()
    assert [e.type for e in truth.events].count("rep_top") == 3


def test_calf_raise_ankle_roll_through_a_far_posterior_camera() -> None:
    rolls = [0.0, 6.0, 12.0]
    res = calf_raises(reps=3, ankle_roll_deg={"left": rolls, "right": [0.0, -4.0, 8.0]})
    sig = res.truth.signals
    for i, rep in enumerate(res.truth.reps):
        assert rep.ankle_roll_left_deg == rolls[i]
        at_top = (sig.t_s >= rep.top_s) & (sig.t_s <= rep.hold_end_s)
        np.testing.assert_allclose(sig["ankle_roll_left_deg"][at_top], rolls[i], atol=1e-6)
    assert np.nanmax(sig["ankle_shift_left_pct"]) > 3.0  # the ankle moves outward over the foot
    # A far camera behind the subject, at foot height, sees the same rearfoot angle change.
    cam = Camera(
        yaw_deg=180.0, distance_m=60.0, focal_px=60000.0, height_m=0.05, look_at_height_m=0.05
    )
    xy = project(res.joints_3d, cam, res.look_at)
    for side in SIDES:
        rf = rearfoot_2d(xy, side)
        err = (rf - rf[0]) - sig[f"ankle_roll_{side}_deg"]
        assert np.abs(err).max() < 0.5


def test_single_leg_calf_raise_lifts_the_other_foot() -> None:
    res = calf_raises(reps=2, legs="left")
    sig, truth = res.truth.signals, res.truth
    lift = next(e for e in truth.events if e.type == "foot_lift")
    down = next(e for e in truth.events if e.type == "foot_touchdown")
    assert lift.side == "right" and down.side == "right"
    lifted = sig["foot_lifted_right"]
    assert lifted[(sig.t_s > lift.t_s) & (sig.t_s < down.t_s)].all()
    assert not lifted[(sig.t_s < lift.t_s) | (sig.t_s > down.t_s)].any()
    assert np.all(sig["heel_height_right_m"][lifted] > 0)
    assert np.isnan(truth.reps[0].ankle_roll_right_deg)
    assert sig["heel_height_left_m"].max() == pytest.approx(0.06, abs=1e-6)


# -- single-leg stance ----------------------------------------------------------------------
def test_single_leg_stance_truth() -> None:
    res = single_leg_stance(
        duration_s=8.0, lift_at_s=1.5, hold_s=5.0, sway_rms_m=0.012, pelvic_drop_deg=6.0
    )
    truth, sig = res.truth, res.truth.signals
    assert truth.sway_rms_m == pytest.approx(0.012, rel=1e-6)
    hold = (sig.t_s >= 1.5) & (sig.t_s <= 6.5)
    xy = np.stack([sig["pelvis_x_m"], sig["pelvis_y_m"]], -1)[hold]
    assert np.sqrt(np.mean(np.sum((xy - xy.mean(0)) ** 2, -1))) == pytest.approx(0.012, rel=1e-6)
    lifted = sig["foot_lifted"]
    assert not lifted[sig.t_s <= 1.5].any() and not lifted[sig.t_s >= 6.5].any()
    assert lifted[(sig.t_s > 1.5) & (sig.t_s < 6.5)].all()
    assert [e.type for e in truth.events] == ["foot_lift", "foot_touchdown"]
    assert sig["pelvic_obliquity_deg"].min() == pytest.approx(-6.0, abs=1e-6)  # right hip drops
    stance_tip = res.joints_3d[:, L.LEFT_FOOT_INDEX]
    assert np.ptp(stance_tip, axis=0).max() < 1e-12
    xy2d = project(res.joints_3d, Camera(yaw_deg=180.0, **FAR), res.look_at)
    assert np.abs(obliquity_2d(xy2d) - sig["pelvic_obliquity_deg"]).max() < 0.5


# -- bad parameters ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: walk(foot_strike="toe"), "foot_strike"),
        (lambda: walk(cadence_spm=10), "cadence_spm"),
        (lambda: walk(valgus_peak_deg=(40, 0)), "valgus"),
        (lambda: walk(step_length_m=1.6), "step_length_m"),
        (lambda: walk(noise_px=-1), "noise_px"),
        (lambda: calf_raises(heel_height_m=0.5), "heel_height_m"),
        (lambda: calf_raises(legs="both_feet"), "legs"),
        (lambda: calf_raises(reps=2, ankle_roll_deg=[1, 2, 3]), "one value per rep"),
        (lambda: single_leg_stance(duration_s=5, hold_s=10), "lift_at_s"),
        (lambda: single_leg_stance(stance_leg="middle"), "stance_leg"),
        (lambda: Camera(distance_m=0), "positive"),
    ],
)
def test_bad_parameters_raise(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()
