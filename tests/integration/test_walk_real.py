"""Walk analysis on real footage (tests/data), against values checked by eye in the
frames and, for the treadmill run, against its source's own pixel-based cadence."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.pipeline import Analysis, AnalyzeOptions, analyze_video


@pytest.fixture(scope="module")
def treadmill(run_treadmill_clip) -> Analysis:
    return analyze_video(run_treadmill_clip, options=AnalyzeOptions(task="walk"))


@pytest.fixture(scope="module")
def older_adult(walk_turn_clip) -> Analysis:
    return analyze_video(walk_turn_clip, options=AnalyzeOptions(task="walk"))


def _strikes(analysis: Analysis) -> list[tuple[str, int]]:
    return [(e.side, e.frame) for e in analysis.events if e.type == "heel_strike"]


def test_treadmill_run_cadence_matches_the_source(treadmill):
    """The source measured 168.9 ± 0.5 steps/min from pixels; 12 s at that cadence is 33–34
    heel strikes. The runner stays in place (a treadmill): the feet's motion relative to the
    pelvis times the steps, not the motion over the image."""
    m = treadmill.metrics
    assert m["cadence_spm"] == pytest.approx(168.9, abs=1.5)
    assert 31 <= m["steps"] <= 35
    assert m["stride_time_mean_s"] == pytest.approx(120.0 / 168.9, abs=0.02)
    assert m["step_time_asymmetry_pct"] < 5.0


def test_treadmill_run_is_running_with_its_own_toe_offs(treadmill):
    """Each foot is down well under half the stride, with a short flight (by eye at 30 fps:
    contact ~10 frames of a ~21-frame stride; whether there is a frame of flight is at the
    limit of the frame rate, which the analyzer says)."""
    m = treadmill.metrics
    assert m["gait"] == "running"
    assert m["double_support_pct"] is None
    for side in ("left", "right"):
        assert 35.0 <= m[f"stance_pct_{side}"] <= 52.0
    assert 0.0 < m["flight_pct"] <= 25.0
    # every stance ends with its own toe off before the foot's next strike
    for side in ("left", "right"):
        ev = sorted((e.t_s, e.type) for e in treadmill.events if e.side == side)
        kinds = [k for _, k in ev]
        pairs = sum(
            a == "heel_strike" and b == "toe_off"
            for a, b in zip(kinds[:-1], kinds[1:], strict=True)
        )
        assert pairs >= 12
    assert any("one frame is" in w and "stride" in w for w in treadmill.quality["warnings"])
    assert treadmill.quality["persons_seen"] >= 1


def test_older_adult_walk_and_the_reversed_footage_after_the_turn(older_adult):
    """By eye: she walks right→left facing left (frames ~26–190), then the footage runs in
    reverse: she moves left→right still facing left (frames ~213–373). Steps of the first
    pass take 16–17 frames (106–113 steps/min); the leading heel lands at frames ~54, ~72.5,
    ~87.5, ~104 (frame by frame: heel down, toes still up) and ~121."""
    m = older_adult.metrics
    assert m["gait"] == "walking"
    assert m["cadence_spm"] == pytest.approx(110.0, abs=5.0)
    assert 8 <= m["steps"] <= 13
    frames = np.array([f for _, f in _strikes(older_adult)])
    for expected in (54, 73, 88, 104, 121):
        assert np.min(np.abs(frames - expected)) <= 2, expected
    reversed_notes = [w for w in older_adult.quality["warnings"] if "faces away" in w]
    assert reversed_notes and all(
        float(w.split(" s ")[0].split()[-1]) > 5.0 for w in reversed_notes
    )
    assert m["foot_strike_left"] == "heel"
