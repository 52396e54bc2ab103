"""The live count does not depend on which frames live dropped.

A live session drops the frames that arrive while it is still busy, so two runs of one
recording analyse different frames. Here the frames live would take are chosen by fixed
patterns (every second frame, bursts of five in fifteen lost, 30 % lost at random with a
fixed seed) and fed, with their own times, to :class:`gaitlab.live.LiveProcessor` through a
pose model that replays each frame's poses: the answer (reps, holds, stance leg) must be
the file pipeline's on the whole clip, and the same frames must always give the same events.

Real footage: single_leg_stance_front (one left-leg hold cut by the recording at both ends)
and the pose2sim trial's front-right camera, each posed once per session (``pose_cache``).
Reps: no licensed real calf-raise clip exists; the synthetic calf-raiser's landmarks
(:func:`gaitlab.testing.synthetic.calf_raises`, 3 reps, front and back) stand in.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gaitlab.live import LiveProcessor
from gaitlab.pose import PersonPose
from gaitlab.testing.synthetic import Camera, calf_raises

DATA = Path(__file__).resolve().parents[1] / "data"


def drop_patterns(n: int) -> dict[str, np.ndarray]:
    """The frames kept (indices into ``n`` frames) under each drop pattern."""
    i = np.arange(n)
    rng = np.random.default_rng(7)
    return {
        "none": i,
        "every_2nd": i[::2],
        "bursts": i[(i < 5) | (i % 15 >= 5)],
        "random_30pct": np.sort(rng.choice(n, int(0.7 * n), replace=False)),
    }


class Replay:
    """A pose model that returns the recorded persons of the frame being fed."""

    def __init__(self, persons: list[list[PersonPose]]) -> None:
        self.persons = persons
        self.frame = 0

    def process(self, image_rgb, t_s, *, out_size):
        return self.persons[self.frame]

    def close(self) -> None:
        pass


def run_live(task: str, persons, t_s, keep: np.ndarray, size: tuple[int, int]) -> dict:
    """The live session's summary over the kept frames."""
    replay = Replay(persons)
    proc = LiveProcessor(task, estimator_factory=lambda: replay)
    image = np.zeros((size[1], size[0], 3), np.uint8)
    for i in keep:
        replay.frame = int(i)
        proc.process(image, float(t_s[i]), frame=int(i))
    proc.finish()
    return proc.summary()


REAL = {
    "single_leg_stance_front": DATA / "single_leg_stance_front.mp4",
    "pose2sim_cam01": DATA / "pose2sim" / "cam01.mp4",
}


@pytest.mark.parametrize("clip", list(REAL))
def test_live_holds_are_the_offline_holds_whatever_frames_were_dropped(clip, pose_cache):
    path = REAL[clip]
    assert path.exists(), f"missing clip {path}"
    people = pose_cache.people(path)
    offline = pose_cache.analysis(path, "balance").metrics
    assert offline["holds"] == 1 and offline["stance_leg"] == "left"
    size = (people.info.width, people.info.height)
    for name, keep in drop_patterns(len(people.t_s)).items():
        live = run_live("balance", people.persons, people.t_s, keep, size)
        got = (live["counter"]["holds"], live["counter"]["stance_leg"])
        assert got == (offline["holds"], offline["stance_leg"]), (name, len(keep), got)
        if clip == "single_leg_stance_front":  # held from the first frame to the last
            assert live["counter"]["hold_s"] == pytest.approx(offline["hold_time_s"], abs=0.1)


@pytest.mark.parametrize("yaw_deg", [0.0, 180.0], ids=["front", "back"])
def test_live_reps_do_not_depend_on_dropped_frames(yaw_deg):
    syn = calf_raises(
        reps=3, fps=30.0, camera=Camera(yaw_deg=yaw_deg, width=640, height=480), noise_px=1.5
    )
    pose = syn.pose
    persons = [[PersonPose(xy=pose.xy[i], visibility=pose.visibility[i])] for i in range(len(pose))]
    for name, keep in drop_patterns(len(pose)).items():
        live = run_live("calf-raise", persons, pose.t_s, keep, pose.frame_size)
        assert live["counter"]["reps"] == len(syn.truth.reps) == 3, name


def test_the_same_frames_give_the_same_events(pose_cache):
    people = pose_cache.people(REAL["single_leg_stance_front"])
    keep = drop_patterns(len(people.t_s))["random_30pct"]
    size = (people.info.width, people.info.height)
    first, second = (run_live("balance", people.persons, people.t_s, keep, size) for _ in "ab")
    assert first["events"] == second["events"] and first["counter"] == second["counter"]
