"""Pipeline pieces: segmenting for parallel pose estimation, atomic outputs."""

from __future__ import annotations

import numpy as np
import pytest
from videogen import write_clip

from gaitlab.core.errors import GaitlabError
from gaitlab.io.export import FRAMES_NAME, SUMMARY_NAME, VIDEO_NAME, staged_output
from gaitlab.io.video import VideoReader
from gaitlab.pipeline import AnalyzeOptions, _segments, estimate_people


@pytest.mark.parametrize(
    ("n", "workers", "expected"),
    [
        (135, 2, [(0, 68), (68, None)]),
        (100, 2, [(0, None)]),  # too short to be worth a second landmarker
        (1000, 1, [(0, None)]),
        (900, 3, [(0, 300), (300, 600), (600, None)]),
    ],
)
def test_segments_cover_everything_and_run_to_the_end(n, workers, expected):
    assert _segments(n, workers) == expected


def test_reader_frames_start_stop_match_full_iteration(tmp_path):
    clip = write_clip(tmp_path / "c.mp4", frames=30, width=64, height=48)
    with VideoReader(clip) as reader:
        full = list(reader)
        part = list(reader.frames(10, 20))
        tail = list(reader.frames(25))
    assert [f.index for f in part] == list(range(10, 20))
    assert [f.index for f in tail] == list(range(25, 30))
    for f in part + tail:
        ref = full[f.index]
        assert f.t_s == ref.t_s
        np.testing.assert_array_equal(f.image, ref.image)


def test_two_pose_threads_give_the_same_frames_as_one(walk_side_clip):
    options = AnalyzeOptions(task="walk", write_video=False)
    one = estimate_people(walk_side_clip, options, workers=1)
    two = estimate_people(walk_side_clip, options, workers=2)
    np.testing.assert_array_equal(one.frame_index, two.frame_index)
    np.testing.assert_array_equal(one.t_s, two.t_s)
    assert [len(p) for p in one.persons] == [len(p) for p in two.persons]
    # the first segment is computed identically; after the boundary (frame 68) the second
    # landmarker starts afresh, so allow detection-level differences there only
    for i in range(68):
        np.testing.assert_allclose(one.persons[i][0].xy, two.persons[i][0].xy)
    diff = [np.abs(one.persons[i][0].xy - two.persons[i][0].xy).max() for i in range(68, 135)]
    assert np.median(diff) < 0.02 * 1080


def test_failed_run_leaves_no_result_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / VIDEO_NAME).write_bytes(b"previous run")
    with pytest.raises(GaitlabError), staged_output(out) as stage:
        (stage / SUMMARY_NAME).write_text("{}")
        raise GaitlabError("boom")
    assert sorted(p.name for p in out.iterdir()) == [VIDEO_NAME]  # untouched, no staging left


def test_successful_run_replaces_results_and_drops_stale_video(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / VIDEO_NAME).write_bytes(b"previous run with video")
    with staged_output(out) as stage:
        (stage / SUMMARY_NAME).write_text("{}")
        (stage / FRAMES_NAME).write_text("frame\n")
    assert sorted(p.name for p in out.iterdir()) == [FRAMES_NAME, SUMMARY_NAME]
