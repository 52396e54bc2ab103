"""Live processor: synthetic people through a stand-in estimator, then the real model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gaitlab.core.errors import GaitlabError
from gaitlab.core.landmarks import Landmark
from gaitlab.core.thresholds import load_thresholds
from gaitlab.io.video import VideoReader
from gaitlab.live import LiveProcessor
from gaitlab.pose import PersonPose
from gaitlab.render.status import ACTION_COLOUR, OK_COLOUR
from gaitlab.signals.chain import measure_pose
from gaitlab.tasks.live_counters import (
    BalanceLiveCounter,
    CalfRaiseLiveCounter,
    NoCounter,
    counter_for,
)
from gaitlab.tasks.live_cues import MESSAGES, PHASE_CUES
from gaitlab.testing.synthetic import Camera, calf_raises

FEET = [
    Landmark.LEFT_ANKLE,
    Landmark.RIGHT_ANKLE,
    Landmark.LEFT_HEEL,
    Landmark.RIGHT_HEEL,
    Landmark.LEFT_FOOT_INDEX,
    Landmark.RIGHT_FOOT_INDEX,
]


class ScriptedPose:
    """A stand-in estimator: frame ``i`` of a synthetic clip returns that frame's person
    (or nobody), with optional edits to landmarks and visibility."""

    def __init__(self, xy: np.ndarray, *, people: int = 1, hide: list[int] | None = None):
        self.xy = xy
        self.people = people
        self.hide = hide or []
        self.calls = 0
        self.closed = False

    def process(self, image_rgb, t_s, *, out_size):
        i = min(self.calls, len(self.xy) - 1)
        self.calls += 1
        if self.people == 0:
            return []
        vis = np.full(33, 0.95)
        vis[self.hide] = 0.1
        out = [PersonPose(xy=self.xy[i], visibility=vis)]
        if self.people > 1:  # a smaller second person further right
            other = (self.xy[i] - self.xy[i].mean(axis=0)) * 0.5 + self.xy[i].mean(axis=0)
            out.append(PersonPose(xy=other + [400.0, 0.0], visibility=np.full(33, 0.9)))
        return out

    def close(self):
        self.closed = True


def frontal_calf_raises(**kw: Any):
    return calf_raises(reps=2, fps=30.0, camera=Camera(yaw_deg=0.0), **kw)


def run(proc: LiveProcessor, n: int, fps: float = 30.0, size=(1280, 720)):
    image = np.full((size[1], size[0], 3), 90, np.uint8)
    out = state = None
    for i in range(n):
        out, state = proc.process(image, 100.0 + i / fps)
    return out, state


def test_frontal_subject_is_measured_with_the_pipelines_measures():
    syn = frontal_calf_raises()
    est = ScriptedPose(syn.pose.xy)
    proc = LiveProcessor("calf-raise", estimator_factory=lambda: est)
    out, state = run(proc, 60)
    assert state.subject_found and state.feet_visible
    assert state.view == "anterior"
    assert {"fppa_left_deg", "fppa_right_deg", "heel_height_left_pct_foot"} <= set(state.values)
    assert abs(state.values["fppa_left_deg"]) < 3.0  # synthetic knees are straight
    assert state.counters["frames"] == 60
    assert state.counters["frames_with_subject"] == 60
    assert state.counters["time_in_view_s"] == pytest.approx(59 / 30, abs=0.005)  # 2 decimals
    assert not state.needs_action
    assert state.cue in PHASE_CUES.values()  # the rep counter's cue for the phase
    assert state.t_s == pytest.approx(59 / 30)  # session time starts at the first frame


def test_output_frame_keeps_the_picture_and_adds_a_status_bar_below():
    syn = frontal_calf_raises()
    proc = LiveProcessor("calf-raise", estimator_factory=lambda: ScriptedPose(syn.pose.xy))
    out, state = run(proc, 5)
    assert out.shape[1] == 1280 and out.shape[0] > 720 and out.shape[0] % 2 == 0
    assert out.dtype == np.uint8
    corner = out[-2, -2]  # right end of the bar: no text there
    assert tuple(corner) == OK_COLOUR
    # the skeleton is drawn over the (flat grey) picture
    assert (out[:720] != 90).any(axis=2).sum() > 500


def test_nobody_in_view_asks_to_step_in_and_counts_no_time():
    proc = LiveProcessor(
        "balance", estimator_factory=lambda: ScriptedPose(np.zeros((1, 33, 2)), people=0)
    )
    out, state = run(proc, 10)
    assert not state.subject_found
    assert state.cue == MESSAGES["nobody"] and state.needs_action
    assert state.counters["time_in_view_s"] == 0.0
    assert state.values == {}
    assert tuple(out[-2, -2]) == ACTION_COLOUR


def test_hidden_feet_ask_to_step_back():
    syn = frontal_calf_raises()
    est = ScriptedPose(syn.pose.xy, hide=[int(lm) for lm in FEET])
    proc = LiveProcessor("calf-raise", estimator_factory=lambda: est)
    _, state = run(proc, 10)
    assert state.subject_found and not state.feet_visible
    assert state.cue == MESSAGES["feet"] == "Step back so your feet are in view"
    assert "heel_height_left_pct_foot" not in state.values  # gated, not guessed


def test_side_view_asks_to_face_the_camera_for_ankle_roll():
    syn = calf_raises(reps=1, fps=30.0, camera=Camera(yaw_deg=90.0))
    proc = LiveProcessor("calf-raise", estimator_factory=lambda: ScriptedPose(syn.pose.xy))
    _, state = run(proc, 45)
    assert state.view == "sagittal_left"
    assert state.cue == MESSAGES["calf-raise-view"]
    assert "fppa_left_deg" not in state.values  # a frontal measure from a side view: absent


def test_knee_caving_in_is_flagged_by_the_shared_rule_and_cued():
    syn = frontal_calf_raises()
    xy = syn.pose.xy.copy()
    # subject's left is on the image right (anterior view): push both knees to the midline
    mid = xy[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0].mean(axis=1)
    for knee in (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE):
        xy[:, knee, 0] += 0.6 * (mid - xy[:, knee, 0])
    proc = LiveProcessor("calf-raise", estimator_factory=lambda: ScriptedPose(xy))
    _, state = run(proc, 30)
    limit = load_thresholds()["fppa_peak"].for_sex(None)
    assert state.values["fppa_left_deg"] > limit
    assert {f.rule for f in state.flags} == {"fppa_peak"}
    assert "knee over your toes" in state.cue
    summary = proc.summary()
    assert {f["rule"] for f in summary["flags"]} == {"fppa_peak"}
    assert all(f["threshold"] == limit for f in summary["flags"])


def test_the_subject_stays_the_same_person_when_another_appears():
    syn = frontal_calf_raises()
    proc = LiveProcessor("balance", estimator_factory=lambda: ScriptedPose(syn.pose.xy, people=2))
    _, state = run(proc, 30)
    summary = proc.summary()
    assert summary["subject_changes"] == 0
    assert state.values["fppa_left_deg"] == pytest.approx(0.0, abs=3.0)


def test_default_counter_reports_no_reps_and_a_plugged_counter_is_fed():
    assert isinstance(NoCounter(), NoCounter) and NoCounter().state() == {}

    class Recorder:
        def __init__(self):
            self.seen: list[tuple[float, dict[str, float]]] = []

        def update(self, t_s, values):
            self.seen.append((t_s, values))
            return [{"type": "tick", "t_s": t_s}] if len(self.seen) == 3 else []

        def state(self):
            return {"reps": len(self.seen) // 10, "phase": "rise"}

    syn = frontal_calf_raises()
    rec = Recorder()
    proc = LiveProcessor(
        "calf-raise", estimator_factory=lambda: ScriptedPose(syn.pose.xy), counter=rec
    )
    _, state = run(proc, 20)
    assert len(rec.seen) == 20 and "heel_height_left_pct_foot" in rec.seen[-1][1]
    assert state.counters["reps"] == 2 and state.counters["phase"] == "rise"
    summary = proc.summary()
    assert summary["events"] == [{"type": "tick", "t_s": pytest.approx(2 / 30)}]
    assert summary["counter"] == {"reps": 2, "phase": "rise"}

    plain = LiveProcessor(
        "balance", estimator_factory=lambda: ScriptedPose(syn.pose.xy), counter=NoCounter()
    )
    _, state = run(plain, 5)
    assert "reps" not in state.counters  # no counter: nothing counted, not "0 reps"
    assert plain.summary()["counter"] == {}


def test_counter_for_each_task():
    assert isinstance(counter_for("balance"), BalanceLiveCounter)
    assert isinstance(counter_for("calf-raise"), CalfRaiseLiveCounter)
    assert isinstance(counter_for("walk"), NoCounter)


@pytest.mark.parametrize("yaw_deg", [0.0, 180.0, 90.0])
def test_calf_raises_are_counted_live_by_the_pipelines_counter(yaw_deg):
    syn = calf_raises(reps=3, fps=30.0, camera=Camera(yaw_deg=yaw_deg))
    proc = LiveProcessor("calf-raise", estimator_factory=lambda: ScriptedPose(syn.pose.xy))
    image = np.zeros((720, 1280, 3), np.uint8)
    reps_seen, phases = [], set()
    for t in syn.pose.t_s:
        _, state = proc.process(image, float(t))
        reps_seen.append(state.counters["reps"])
        phases.add(state.counters["phase"])
    assert reps_seen[-1] == len(syn.truth.reps) == 3
    assert reps_seen == sorted(reps_seen)  # the count only goes up, one at a time
    assert {"rise", "hold", "lower"} <= phases
    ends = [e for e in proc.summary()["events"] if e["type"] == "rep_end"]
    assert len(ends) == 3 and all("rep" in e for e in ends)
    for end, truth in zip(ends, syn.truth.reps, strict=True):
        assert end["t_s"] > truth.top_s  # counted after the top, never before


def test_the_view_azimuth_is_estimated_once_a_frame(monkeypatch):
    """The view labels and the calf-raise counter share one azimuth estimate per frame (the
    rolling medians over the window are the costly part of the view)."""
    import gaitlab.live as live
    import gaitlab.signals.view as view

    calls = []
    estimate = view.estimate_azimuth_deg

    def counting(seq, **kw):
        calls.append(len(seq))
        return estimate(seq, **kw)

    monkeypatch.setattr(live, "estimate_azimuth_deg", counting)
    monkeypatch.setattr(view, "estimate_azimuth_deg", counting)
    syn = frontal_calf_raises()
    proc = LiveProcessor("calf-raise", estimator_factory=lambda: ScriptedPose(syn.pose.xy))
    run(proc, 45)
    assert len(calls) == 45


def test_repeated_timestamps_are_moved_forward_and_counted():
    syn = frontal_calf_raises()
    proc = LiveProcessor("balance", estimator_factory=lambda: ScriptedPose(syn.pose.xy))
    image = np.zeros((720, 1280, 3), np.uint8)
    for t in (1.0, 1.0, 0.5, 1.1):
        _, state = proc.process(image, t)
    summary = proc.summary()
    assert summary["timestamps_adjusted"] == 2
    assert summary["frames"] == 4 and state.t_s == pytest.approx(0.1)


def test_reset_starts_a_new_session_and_closes_the_estimator():
    syn = frontal_calf_raises()
    made: list[ScriptedPose] = []

    def factory():
        made.append(ScriptedPose(syn.pose.xy))
        return made[-1]

    proc = LiveProcessor("balance", estimator_factory=factory)
    run(proc, 10)
    proc.reset()
    assert made[0].closed and proc.snapshot() is None and proc.summary()["frames"] == 0
    run(proc, 3)
    assert len(made) == 2 and proc.summary()["frames"] == 3
    proc.close()
    assert made[1].closed


def test_bad_input_is_refused():
    with pytest.raises(GaitlabError, match="live mode supports"):
        LiveProcessor("walk")
    proc = LiveProcessor("balance", estimator_factory=lambda: ScriptedPose(np.zeros((1, 33, 2))))
    with pytest.raises(ValueError, match=r"expected \(H, W, 3\) uint8"):
        proc.process(np.zeros((10, 10), np.uint8), 0.0)


def test_real_model_on_a_real_walk_finds_the_man_and_asks_for_a_front_view(walk_side_clip):
    """MediaPipe for real (CI too): the man walking across is found, seen from the side."""
    proc = LiveProcessor("balance")
    with VideoReader(walk_side_clip, max_side=640) as reader:
        for frame in reader.frames(0, 40):
            out, state = proc.process(frame.image, frame.t_s)
    proc.close()
    summary = proc.summary()
    assert summary["frames"] == 40
    assert summary["detected_fraction"] > 0.9
    assert state.view == "sagittal_left"
    assert state.cue == MESSAGES["balance-view"]
    assert "knee_flexion_left_deg" in state.values
    assert out.shape[0] > frame.image.shape[0]


@pytest.mark.parametrize(("yaw_deg", "frontal"), [(20.0, True), (45.0, False)])
def test_frontal_measures_are_gated_by_the_off_axis_angle_as_offline(yaw_deg, frontal):
    """Live keeps knee valgus up to 30° off straight-on and drops it beyond, as the offline
    path does (an oblique label alone used to keep it at any angle)."""
    syn = calf_raises(reps=1, fps=30.0, camera=Camera(yaw_deg=yaw_deg))
    proc = LiveProcessor("calf-raise", estimator_factory=lambda: ScriptedPose(syn.pose.xy))
    _, state = run(proc, 45)
    assert ("fppa_left_deg" in state.values) == frontal
    offline = measure_pose(syn.pose[:45]).signals.values["fppa_left_deg"]
    assert bool(np.isfinite(offline[-1])) == frontal
