"""`gaitlab live`: a file played as a camera (pacing, dropped frames, outputs, errors, Ctrl-C),
and live counting against the file pipeline on the same synthetic landmarks."""

from __future__ import annotations

import io
import json
import os
import signal
import threading

import av
import numpy as np
import pandas as pd
import pytest

from gaitlab.cli import live_session
from gaitlab.cli.live_session import LiveOptions, run_live
from gaitlab.cli.main import main
from gaitlab.io.sources import LatestFrame, SourceFrame
from gaitlab.io.video import VideoInfo
from gaitlab.live import LiveProcessor
from gaitlab.pipeline import AnalyzeOptions, PeopleTrack, analyze_people
from gaitlab.pose import PersonPose
from gaitlab.tasks.live_counters import BalanceLiveCounter
from gaitlab.testing.synthetic import Camera, SyntheticResult, calf_raises, single_leg_stance

CONTRACT_KEYS = {"task", "gaitlab_version", "video", "view", "quality", "metrics", "events"}
CONTRACT_KEYS |= {"reps", "flags"}
VIDEO_KEYS = {"path", "fps", "frames", "duration_s", "width", "height", "rotation_deg"}
QUALITY_KEYS = {"detected_fraction", "persons_seen", "subject_track", "warnings"}


def _json_lines(stdout: str) -> list[dict]:
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert all(isinstance(e, dict) and "type" in e for e in lines)
    return lines


# -- a real clip through the real command -------------------------------------------------------
#: Time the real pose model is taken to need per frame on the session's clock (a laptop's
#: ~40 ms): how many frames it keeps up with then follows from the pacing, not from how
#: busy the machine running the test is.
MODEL_S = 0.040


class PacedModel:
    """The real pose model, whose work takes ``MODEL_S`` on ``clock``."""

    def __init__(self, inner, clock) -> None:
        self.inner, self.clock = inner, clock

    def process(self, image_rgb, t_s, *, out_size):
        persons = self.inner.process(image_rgb, t_s, out_size=out_size)
        self.clock.work(t_s, MODEL_S)
        return persons

    def close(self) -> None:
        self.inner.close()


def test_source_run_prints_json_events_and_writes_the_offline_contract(
    walk_side_clip, tmp_path, monkeypatch, capsys
):
    """The command, in this process, on a clock the test moves (VirtualClock below)."""
    clock = VirtualClock(frames=135)
    real = live_session.default_estimator
    monkeypatch.setattr(live_session, "MonotonicClock", lambda: clock)
    monkeypatch.setattr(live_session, "default_estimator", lambda: PacedModel(real(), clock))
    out = tmp_path / "live"
    code = main(
        [
            "live",
            "--task",
            "calf-raise",
            "--source",
            str(walk_side_clip),
            "--json",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    events = _json_lines(captured.out)
    end = events[-1]
    assert end["type"] == "session_end" and end["stopped"] == "end_of_source"
    assert end["decoded_frames"] == 135  # every frame of the clip came from the "camera"
    assert end["processed_frames"] + end["dropped_frames"] == end["decoded_frames"]
    # 40 ms a frame, never idle: a frame every 40 ms until the last arrives at 2.2445 s
    assert end["processed_frames"] == 58
    assert end["wall_s"] >= 2.2  # played in real time: the clip lasts 2.26 s

    summary = json.loads((out / "summary.json").read_text())
    assert CONTRACT_KEYS <= set(summary)
    assert VIDEO_KEYS <= set(summary["video"]) and QUALITY_KEYS <= set(summary["quality"])
    assert summary["task"] == "calf-raise"
    assert summary["view"] == "sagittal_left"
    assert summary["video"]["frames"] == end["processed_frames"]
    assert (summary["video"]["width"], summary["video"]["height"]) == (640, 360)  # as processed
    live = summary["live"]
    assert live["processed_frames"] + live["dropped_frames"] == live["decoded_frames"] == 135
    assert "reps" in live["counter"]
    frames = pd.read_csv(out / "frames.csv")
    assert len(frames) == end["processed_frames"]
    assert frames["frame"].is_monotonic_increasing and frames["frame"].max() <= 134
    with av.open(str(out / "annotated.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert sum(1 for _ in container.decode(stream)) == end["processed_frames"]
    assert sorted(p.name for p in out.iterdir()) == ["annotated.mp4", "frames.csv", "summary.json"]
    # kept in the history (the tests' private GAITLAB_HOME) as a live session
    from gaitlab.store import Store

    with Store.open() as store:
        live_sessions = [s for s in store.sessions(kind="analysis") if s.source == "live"]
        assert live_sessions
        assert store.session(live_sessions[0].id).summary["task"] == "calf-raise"


class CtrlCAfter(PacedModel):
    """:class:`PacedModel` that presses Ctrl-C (SIGINT to this process) once ``after_s`` of
    the session's clock have passed."""

    def __init__(self, inner, clock, after_s: float) -> None:
        super().__init__(inner, clock)
        self.after_s, self.t0, self.sent = after_s, None, False

    def process(self, image_rgb, t_s, *, out_size):
        persons = super().process(image_rgb, t_s, out_size=out_size)
        self.t0 = self.clock.now() - MODEL_S if self.t0 is None else self.t0
        if not self.sent and self.clock.now() - self.t0 >= self.after_s:
            self.sent = True
            os.kill(os.getpid(), signal.SIGINT)
        return persons


def test_ctrl_c_stops_cleanly_and_writes_the_outputs(demo_clip, tmp_path, monkeypatch, capsys):
    """The command, in this process on a clock the test moves, gets Ctrl-C 1.5 s into the
    7.7 s clip."""
    clock = VirtualClock(frames=230)
    real = live_session.default_estimator
    monkeypatch.setattr(live_session, "MonotonicClock", lambda: clock)
    monkeypatch.setattr(live_session, "default_estimator", lambda: CtrlCAfter(real(), clock, 1.5))
    out = tmp_path / "live"
    code = main(
        ["live", "--task", "balance", "--source", str(demo_clip), "--json", "--out", str(out)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    end = _json_lines(captured.out)[-1]
    assert end["type"] == "session_end" and end["stopped"] == "interrupted"
    assert end["processed_frames"] + end["dropped_frames"] == end["decoded_frames"] < 230
    summary = json.loads((out / "summary.json").read_text())
    assert summary["live"]["stopped"] == "interrupted"
    assert summary["video"]["frames"] == end["processed_frames"]
    assert (out / "annotated.mp4").stat().st_size > 0 and (out / "frames.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "{bad}"], "is not a video file"),
        (["--source", "{missing}"], "video file not found"),
        (["--camera", "9"], "camera 9 could not be opened"),
    ],
)
def test_bad_source_is_one_line_and_exit_1(args, message, tmp_path, capsys):
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video\n")
    args = [a.format(bad=bad, missing=tmp_path / "nope.mp4") for a in args]
    out = tmp_path / "out"
    code = main(["live", "--task", "balance", *args, "--out", str(out), "--json"])
    err = capsys.readouterr()
    assert code == 1
    assert err.out == ""
    lines = err.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not out.exists()  # nothing that looks like a result


def test_show_without_a_screen_is_refused(walk_side_clip, capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code = main(["live", "--task", "balance", "--source", str(walk_side_clip), "--show"])
    assert code == 1 and "--show needs a screen" in capsys.readouterr().err


# -- pacing and dropping, with a stand-in model of known speed on a clock the test moves ----------
class VirtualClock:
    """Time that passes only as the stand-in model works (:meth:`work`) or, while it waits
    for a frame having processed the newest one, jumps to the next frame's due time. The
    source's releases and the model's work then interleave as they would on a machine doing
    nothing else, whatever the machine's real speed. ``frames``: how many frames the source
    will release (it says no more once they are out)."""

    def __init__(self, frames: int) -> None:
        self.t = 100.0
        self.frames = frames
        self._cond = threading.Condition()
        self._busy = False
        self._pending: float | None = None  # the due time the source waits for
        self._released: list[float] = []  # due times of the frames released
        self._seen: list[float] = []  # timestamps of the frames the model got
        self._stopped = False  # the source was stopped

    def now(self) -> float:
        with self._cond:
            return self.t

    def _caught_up(self) -> bool:
        """The model has had the newest released frame (frame timestamps and due times
        differ by a constant, the source's start)."""
        if not self._seen:
            return False
        return self._released[0] + self._seen[-1] - self._seen[0] >= self._released[-1] - 1e-9

    def sleep_until(self, due: float, stop: threading.Event) -> bool:
        with self._cond:
            self._pending = due
            self._cond.notify_all()
            while not stop.is_set():
                if self.t >= due - 1e-12:
                    self._pending = None
                    self._released.append(due)
                    self._cond.notify_all()
                    return False
                if not self._busy and self._caught_up():
                    self.t = due
                    continue
                self._cond.wait(0.05)  # the stop event is not this condition's: look again
            self._pending = None
            self._stopped = True
            self._cond.notify_all()
            return True

    def work(self, t_s: float, seconds: float) -> None:
        """The model takes ``seconds`` on the frame at ``t_s``: time moves on, and every
        frame due meanwhile is released before the model returns."""
        with self._cond:
            self._busy = True
            self._seen.append(t_s)
            self.t += seconds
            self._cond.notify_all()
            while (
                len(self._released) < self.frames
                and not self._stopped
                and not (self._pending is not None and self._pending > self.t)
            ):
                self._cond.wait(0.05)
            self._busy = False
            self._cond.notify_all()


class SlowNobody:
    """A pose model that takes ``delay_s`` per frame on ``clock`` and finds nobody."""

    def __init__(self, delay_s: float, clock: VirtualClock) -> None:
        self.delay_s = delay_s
        self.clock = clock

    def process(self, image_rgb, t_s, *, out_size):
        self.clock.work(t_s, self.delay_s)
        return []

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("delay_s", "processed", "wall_s"),
    # 135 frames at 59.7 fps, the last due 2.2445 s after the first. A model quicker than a
    # frame interval (16.75 ms) takes every frame and the session ends as it finishes the
    # last. One taking 35 ms is never idle: each piece of work takes the newest frame (one of
    # the two that arrived meanwhile is dropped), so works start every 35 ms from 0 to
    # 2.275 s (66 frames) and the last ends at 2.31 s.
    [(0.0, 135, 2.2445), (0.010, 135, 2.2545), (0.035, 66, 2.31)],
)
def test_file_is_paced_like_a_camera_and_late_frames_are_dropped(
    walk_side_clip, delay_s, processed, wall_s
):
    text = io.StringIO()
    clock = VirtualClock(frames=135)
    run = run_live(
        LiveOptions(task="balance", source=walk_side_clip, json_lines=True),
        out=text,
        estimator_factory=lambda: SlowNobody(delay_s, clock),
        clock=clock,
    )
    assert run.wall_s == pytest.approx(wall_s, abs=1e-3)  # paced, however fast the model
    assert run.decoded == 135 and run.processed + run.dropped == run.decoded
    assert run.processed == processed
    end = _json_lines(text.getvalue())[-1]
    assert (end["decoded_frames"], end["processed_frames"], end["dropped_frames"]) == (
        run.decoded,
        run.processed,
        run.dropped,
    )


def test_max_seconds_stops_at_that_source_time(walk_side_clip):
    clock = VirtualClock(frames=30)
    run = run_live(
        LiveOptions(task="calf-raise", source=walk_side_clip, max_seconds=0.5, json_lines=True),
        out=io.StringIO(),
        estimator_factory=lambda: SlowNobody(0.0, clock),
        clock=clock,
    )
    assert run.stopped == "max_seconds"
    assert run.decoded == run.processed == 30  # frames before 0.5 s at 59.7 fps
    assert run.last_t_s < 0.5 and run.wall_s == pytest.approx(29 / 59.7, abs=0.01)


def test_latest_frame_keeps_the_newest_and_counts_the_rest():
    box = LatestFrame()
    image = np.zeros((2, 2, 3), np.uint8)
    for i in range(3):
        box.put(SourceFrame(i, i / 30, image))
    assert box.take(0.01).index == 2 and box.take(0.01) is None
    box.put(SourceFrame(3, 0.1, image))
    box.close()
    assert not box.finished
    box.discard()
    assert box.finished and (box.delivered, box.dropped) == (4, 3)


# -- live counting agrees with the file pipeline on the same landmarks ---------------------------
class Replay:
    """A pose model that returns the synthetic person of each frame, in order."""

    def __init__(self, persons: list[list[PersonPose]]) -> None:
        self.persons = persons
        self.i = 0

    def process(self, image_rgb, t_s, *, out_size):
        persons = self.persons[min(self.i, len(self.persons) - 1)]
        self.i += 1
        return persons

    def close(self) -> None:
        pass


def _persons(syn: SyntheticResult) -> list[list[PersonPose]]:
    pose = syn.pose
    return [[PersonPose(xy=pose.xy[i], visibility=pose.visibility[i])] for i in range(len(pose))]


def _offline(task: str, syn: SyntheticResult, persons: list[list[PersonPose]]):
    pose = syn.pose
    w, h = pose.frame_size
    info = VideoInfo(
        path="synthetic",
        codec="synthetic",
        width=w,
        height=h,
        coded_width=w,
        coded_height=h,
        rotation_deg=0,
        fps=30.0,
        frames=len(pose),
        duration_s=float(pose.t_s[-1]),
        pix_fmt="rgb24",
    )
    people = PeopleTrack(
        info=info,
        persons=persons,
        t_s=pose.t_s,
        frame_index=np.arange(len(pose)),
        warnings=[],
        bundle_origin="synthetic",
    )
    return analyze_people(people, AnalyzeOptions(task=task))


def _live(task: str, syn: SyntheticResult, persons: list[list[PersonPose]]) -> dict:
    w, h = syn.pose.frame_size
    proc = LiveProcessor(task, estimator_factory=lambda: Replay(persons))
    image = np.zeros((h, w, 3), np.uint8)
    for i, t in enumerate(syn.pose.t_s):
        proc.process(image, float(t), frame=FIRST_FRAME + i)  # the source's own numbers
    proc.finish()
    return proc.summary()


VIEWS = {"back": 180.0, "front": 0.0, "side": 90.0}
FIRST_FRAME = 1000
CAMERA = {"width": 640, "height": 480}


@pytest.mark.parametrize("view", VIEWS)
def test_live_and_offline_count_the_same_calf_raises(view):
    syn = calf_raises(
        reps=3, fps=30.0, camera=Camera(yaw_deg=VIEWS[view], **CAMERA), noise_px=1.5, seed=1
    )
    persons = _persons(syn)
    offline = _offline("calf-raise", syn, persons)
    live = _live("calf-raise", syn, persons)
    ends = [e for e in live["events"] if e["type"] == "rep_end"]
    assert offline.metrics["reps"] == len(offline.reps) == len(syn.truth.reps) == 3
    assert live["counter"]["reps"] == len(ends) == offline.metrics["reps"]
    for end, rep in zip(ends, offline.reps, strict=True):  # same reps, frames of the source
        assert end["frame"] - FIRST_FRAME == pytest.approx(rep["frame"], abs=15)


@pytest.mark.parametrize("view", VIEWS)
def test_live_and_offline_time_the_same_balance_holds(view):
    syn = single_leg_stance(
        duration_s=14.0,
        lift_at_s=3.0,
        hold_s=8.0,
        fps=30.0,
        camera=Camera(yaw_deg=VIEWS[view], **CAMERA),
        noise_px=1.5,
        seed=1,
    )
    persons = _persons(syn)
    offline = _offline("balance", syn, persons)
    live = _live("balance", syn, persons)
    ends = [e for e in live["events"] if e["type"] == "hold_end"]
    starts = [e for e in live["events"] if e["type"] == "hold_start"]
    assert offline.metrics["holds"] == len(offline.reps) == 1
    assert live["counter"]["holds"] == len(ends) == len(starts) == offline.metrics["holds"]
    for off, end, start in zip(offline.reps, ends, starts, strict=True):
        assert end["hold_s"] == pytest.approx(off["hold_s"], abs=0.2)
        assert start["t_s"] == pytest.approx(off["start_s"], abs=0.2)
        assert end["side"] == off["stance_leg"] == "left"
    assert live["counter"]["best_hold_s"] == pytest.approx(syn.truth.hold_s, abs=0.3)


def test_a_hold_that_turns_out_to_be_a_walk_is_withdrawn_and_not_counted():
    class Scripted:
        def __init__(self):
            self.n = 0

        def update(self, t_s, values):
            self.n += 1
            if self.n == 3:
                return [{"type": "hold_start", "t_s": 0.01, "side": "left"}]
            if self.n == 5:
                return [{"type": "hold_cancel", "t_s": 0.01, "side": "left", "reason": "moved"}]
            return []

        def state(self):
            return {}

    syn = calf_raises(reps=1, fps=30.0, camera=Camera(**CAMERA))
    proc = LiveProcessor(
        "balance", estimator_factory=lambda: Replay(_persons(syn)), counter=Scripted()
    )
    image = np.zeros((480, 640, 3), np.uint8)
    seen = []
    for i in range(6):
        _, state = proc.process(image, i / 30)
        seen += [e["type"] for e in state.events if e["type"].startswith("hold")]
    assert seen == ["hold_start", "hold_cancel"]  # both shown as they happen
    assert proc.summary()["events"] == []  # the session keeps no hold that was a walk


def test_balance_counter_ends_a_running_hold_at_finish_and_reports_hidden_feet():
    counter = BalanceLiveCounter()
    syn = single_leg_stance(duration_s=8.0, lift_at_s=2.0, hold_s=6.0, fps=30.0)
    xy = syn.pose.xy
    events = []
    for i, t in enumerate(syn.pose.t_s[:-30]):  # stops 1 s before the touch-down
        counter.observe_raw(xy[i])
        events += counter.update(float(t), {})
    assert [e["type"] for e in events] == ["hold_start"]
    assert counter.state()["phase"] == "hold" and counter.state()["hold_s"] > 4.0
    (end,) = counter.finish()
    assert end["type"] == "hold_end" and end["reason"] == "end_of_data"
    assert counter.state()["holds"] == 1
    gone = np.full((33, 2), np.nan)
    t = float(syn.pose.t_s[-1])
    out = []
    for k in range(1, 25):
        counter.observe_raw(gone)
        out += counter.update(t + k / 30, {})
    assert [e["type"] for e in out] == ["feet_out_of_view"]
    counter.observe_raw(xy[0])
    assert [e["type"] for e in counter.update(t + 1.0, {})] == ["feet_in_view"]
