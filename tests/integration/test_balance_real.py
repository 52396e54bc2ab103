"""Balance on real footage (tests/data): a hold that the recording cuts at both ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaitlab.core.thresholds import load_thresholds
from gaitlab.pipeline import Analysis, AnalyzeOptions, analyze_video
from gaitlab.signals.camera_motion import stabilise
from gaitlab.tasks.base import TaskContext
from gaitlab.tasks.calf_raise import analyze_calf_raise

CLIP = Path(__file__).resolve().parents[1] / "data" / "single_leg_stance_front.mp4"


@pytest.fixture(scope="module")
def stance_front() -> Analysis:
    """Posed once for the module (120 frames, 576×576)."""
    if not CLIP.exists():
        pytest.fail(f"missing test clip {CLIP}: tests/data is part of the repository")
    return analyze_video(CLIP, options=AnalyzeOptions(task="balance", write_video=False))


def test_a_hold_running_through_the_whole_clip_is_at_least_its_length(stance_front):
    """By eye: the woman stands on her left leg (image right) with the right foot up behind
    her in every one of the 120 frames (4.0 s at 30 fps): one hold on the left leg, begun
    before the recording and going on after it, at least 3.9 s."""
    m = stance_front.metrics
    assert m["holds"] == 1
    assert m["stance_leg"] == "left"
    assert m["hold_time_s"] >= 3.9
    assert m["hold_began_before_recording"] is True
    assert m["hold_ended_after_recording"] is True
    (rep,) = stance_front.reps
    assert rep["began_before_recording"] is True and rep["ended_after_recording"] is True
    assert rep["start_s"] == 0.0
    assert any("at least" in w for w in stance_front.quality["warnings"])


def test_a_still_camera_is_not_taken_for_a_moving_one(stance_front):
    """The camera stands still (the floor's boards keep their places in every frame), yet
    the stance toe's landmark sinks 6 px for a sixth of a second at 2.7 s while the hips and
    shoulders stay put: no camera move, and no warning of one on any task's answer."""
    stab = stabilise(stance_front.pose)
    assert stab.moves_s == () and stab.camera_moves_s == ()
    assert not stab.moving.any()
    calf = analyze_calf_raise(
        TaskContext(
            pose=stance_front.pose,
            signals=stance_front.signals,
            view_per_frame=stance_front.view_per_frame,
            thresholds=load_thresholds(),
        )
    )
    assert not any("camera moved" in w for w in calf.warnings)
