"""Leg-swap repair on the raw pose: synthetic BlazePose-like swaps in every view."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.core.landmarks import Landmark, side_landmark
from gaitlab.core.types import PoseSequence
from gaitlab.pose.swaps import SwapReport, repair_leg_swaps, swap_landmarks
from gaitlab.testing.synthetic import Camera, walk

LEGS_BELOW_HIP = ("knee", "ankle", "heel", "foot_index")
VIEWS = {"sagittal_left": 90.0, "sagittal_right": -90.0, "anterior": 0.0, "posterior": 180.0}


def random_swaps(n: int, fps: float, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Swap stretches of 1 frame to 0.6 s, 0.3–1.5 s apart (BlazePose-like)."""
    out, pos = [], int(rng.integers(0, int(fps)))
    while pos < n - 2:
        length = int(rng.integers(1, int(0.6 * fps)))
        out.append((pos, min(n, pos + length)))
        pos += length + int(rng.integers(int(0.3 * fps), int(1.5 * fps)))
    return out


def mask_of(ranges: list[tuple[int, int]], n: int) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    for a, b in ranges:
        m[a:b] = True
    return m


@pytest.mark.parametrize("view", list(VIEWS))
def test_synthetic_swaps_are_repaired_and_clean_walks_left_alone(view: str) -> None:
    rng = np.random.default_rng(7)
    swapped = repaired = clean_frames = false = 0
    for fps in (30.0, 60.0):
        for cadence in (80.0, 110.0, 140.0):
            for follows in (True, False):
                # a fixed camera sees the walker cross the view (side) or approach (front)
                duration = 6.0 if follows else 3.6 / (0.65 * cadence / 60.0)
                n = int(duration * fps) + 1
                swaps = random_swaps(n, fps, rng)
                kw = dict(
                    camera=Camera(yaw_deg=VIEWS[view]),
                    camera_follows=follows,
                    fps=fps,
                    cadence_spm=cadence,
                    noise_px=2.5,
                    duration_s=duration,
                )
                res = walk(swap_frames=swaps, seed=int(rng.integers(1000)), **kw)
                fixed, report = repair_leg_swaps(res.pose)
                truth = mask_of(swaps, n)
                swapped += truth.sum()
                repaired += (report.swapped & truth).sum()
                false += (report.swapped & ~truth).sum()
                clean_frames += 2 * n - truth.sum()
                _, clean_report = repair_leg_swaps(walk(seed=int(rng.integers(1000)), **kw).pose)
                false += clean_report.swapped.sum()
                if view in ("anterior", "posterior"):
                    # the hips are spread square-on: their labels are repaired too
                    assert np.array_equal(report.hips_swapped, truth)
                    assert not clean_report.hips_swapped.any()
                else:
                    # side view: the hip points coincide and keep BlazePose's labels
                    assert not clean_report.hips_swapped.any()
    assert repaired / swapped >= 0.95
    assert false / clean_frames <= 0.01


def test_legs_passing_each_other_in_a_side_view_are_not_a_swap() -> None:
    # The feet cross every step (x order flips); a repair on x order would swap half the clip.
    for yaw in (90.0, -90.0):
        res = walk(camera=Camera(yaw_deg=yaw), fps=30.0, noise_px=3.0, duration_s=8.0, seed=2)
        x = res.xy_true
        order = np.sign(x[:, Landmark.LEFT_ANKLE, 0] - x[:, Landmark.RIGHT_ANKLE, 0])
        assert (np.diff(order) != 0).sum() >= 10  # many crossings
        _, report = repair_leg_swaps(res.pose)
        assert report.n_frames == 0 and report.message() is None


def test_repaired_pose_is_the_truth_and_the_report_says_where() -> None:
    swaps = [(12, 20), (45, 46), (70, 100)]
    res = walk(camera=Camera(yaw_deg=0.0), fps=30.0, duration_s=4.0, swap_frames=swaps)
    fixed, report = repair_leg_swaps(res.pose)
    np.testing.assert_allclose(fixed.xy, res.xy_true)  # noise-free: exactly the truth
    assert report.ranges == tuple(swaps)
    assert report.frame_ranges == ((12, 19), (45, 45), (70, 99))
    assert report.time_ranges_s[0] == pytest.approx((12 / 30.0, 19 / 30.0))
    assert report.n_frames == 8 + 1 + 30
    assert "39 frames" in report.message() and "0.40–0.63 s" in report.message()
    assert report.to_dict()["frame_ranges"] == [[12, 19], [45, 45], [70, 99]]
    # visibility and world coordinates travel with the pixels
    i, j = int(Landmark.LEFT_KNEE), int(Landmark.RIGHT_KNEE)
    np.testing.assert_array_equal(fixed.visibility[15, i], res.pose.visibility[15, j])
    np.testing.assert_array_equal(fixed.world[15, i], res.pose.world[15, j])
    # the input is untouched
    assert not np.allclose(res.pose.xy[15], res.xy_true[15])


def test_swap_at_the_start_and_end_of_a_side_view_clip() -> None:
    n = int(6.0 * 60) + 1
    swaps = [(0, 25), (n - 20, n)]
    res = walk(camera=Camera(yaw_deg=90.0), fps=60.0, noise_px=2.5, duration_s=6.0, seed=4,
               swap_frames=swaps)  # fmt: skip
    _, report = repair_leg_swaps(res.pose)
    truth = mask_of(swaps, n)
    assert (report.swapped == truth).mean() >= 0.99


def test_missing_points_and_undetected_frames_are_tolerated() -> None:
    swaps = [(30, 50), (100, 130)]
    res = walk(camera=Camera(yaw_deg=-90.0), fps=30.0, noise_px=2.5, dropout_prob=0.05,
               duration_s=6.0, seed=5, swap_frames=swaps)  # fmt: skip
    xy = res.pose.xy.copy()
    xy[60:64] = np.nan  # nobody detected for 4 frames
    pose = res.pose.with_xy(xy)
    fixed, report = repair_leg_swaps(pose)
    truth = mask_of(swaps, len(pose))
    assert ((report.swapped == truth) | np.isnan(xy[:, 25, 0])).mean() >= 0.98
    assert np.isnan(fixed.xy[60:64]).all()


def test_frame_index_and_variable_frame_rate() -> None:
    res = walk(camera=Camera(yaw_deg=180.0), fps=30.0, noise_px=2.0, duration_s=5.0,
               seed=8, swap_frames=[(40, 70)])  # fmt: skip
    keep = np.ones(len(res.pose), dtype=bool)
    keep[::7] = False  # dropped frames: irregular timestamps
    pose = res.pose[keep]
    pose = PoseSequence(
        xy=pose.xy,
        visibility=pose.visibility,
        t_s=pose.t_s,
        frame_size=pose.frame_size,
        frame_index=np.flatnonzero(keep) + 1000,
    )
    _, report = repair_leg_swaps(pose)
    assert len(report.frame_ranges) == 1
    first, last = report.frame_ranges[0]
    assert first == 1040 and last == 1069


def test_tiny_and_empty_sequences() -> None:
    empty = PoseSequence.empty(np.arange(5) / 30.0, (640, 480))
    fixed, report = repair_leg_swaps(empty)
    assert isinstance(report, SwapReport) and report.n_frames == 0
    one = walk(duration_s=0.0 + 1 / 30.0, fps=30.0).pose[0]
    assert repair_leg_swaps(one)[1].n_frames == 0


def test_swap_landmarks_checks_its_mask() -> None:
    res = walk(duration_s=1.0)
    with pytest.raises(ValueError, match="expected shape"):
        swap_landmarks(res.pose, np.zeros(3, dtype=bool))
    rows = np.zeros(len(res.pose), dtype=bool)
    rows[2] = True
    out = swap_landmarks(res.pose, rows, ("knee",))
    left, right = side_landmark("left", "knee"), side_landmark("right", "knee")
    np.testing.assert_array_equal(out.xy[2, left], res.pose.xy[2, right])
    np.testing.assert_array_equal(out.xy[2, Landmark.LEFT_ANKLE], res.pose.xy[2, 27])
