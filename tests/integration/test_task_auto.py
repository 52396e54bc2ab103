"""``--task auto`` on every real clip: the task each shows, read off its frames.

The walks walk (side, away from the camera, a treadmill run, a turn, the demo); the single-leg
stances balance, though the lifted foot and the stance heel's jitter read as heel rises and
a man leaning over his stance leg, seen from behind, shrinks by a quarter and grows back.
Each clip is posed once per session (``pose_cache``, tests/integration/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"

#: Every real clip with its task (tests/data/README.md and tests/data/pose2sim/truth.toml).
CLIPS: dict[str, tuple[Path, str]] = {
    "walk_side_outdoor_60fps": (DATA / "walk_side_outdoor_60fps.mp4", "walk"),
    "walk_side_turn_older_adult": (DATA / "walk_side_turn_older_adult.mp4", "walk"),
    "walk_away_back_view_lowres": (DATA / "walk_away_back_view_lowres.mp4", "walk"),
    "run_treadmill_side_portrait": (DATA / "run_treadmill_side_portrait.mp4", "walk"),
    "demo": (REPO / "sample_videos" / "demo.mp4", "walk"),
    "single_leg_stance_front": (DATA / "single_leg_stance_front.mp4", "balance"),
    **{f"pose2sim_cam0{k}": (DATA / "pose2sim" / f"cam0{k}.mp4", "balance") for k in (1, 2, 3, 4)},
}


@pytest.mark.parametrize("clip", list(CLIPS))
def test_auto_task_is_the_task_the_clip_shows(clip, pose_cache):
    path, task = CLIPS[clip]
    assert path.exists(), f"missing clip {path}"
    analysis = pose_cache.analysis(path, "auto")
    assert analysis.task == task
    if task == "balance":
        assert analysis.metrics["holds"] == 1
        assert analysis.metrics["stance_leg"] == "left"
