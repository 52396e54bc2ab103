"""Per-frame latency of the live loop (:class:`gaitlab.live.LiveProcessor`) at 640×480.

Two measurements per clip:

processor   Every decoded frame, resized to 640×480 (a webcam's size), through one
            LiveProcessor (MediaPipe, tracking, causal filter, view, measures, rules, counter,
            overlay), back to back. The clip is played forwards then backwards until
            ``--seconds`` of session time, so the 10 s rolling window of measures is full for
            most of the run: its cost grows with the window. Reports p50 / p95 / max ms per
            frame over all frames and over the frames with a full window, and frames/s.
--source    ``gaitlab live --source CLIP`` as the command runs it: real-time pacing by the
            file's timestamps, decoding in its own thread, frames dropped when processing
            falls behind; with ``--out`` the annotated video is encoded in a third thread.
            Reports frames decoded / processed / dropped and the processing time per frame.
reps        The real clips hold no calf raise, so the once-a-rep cost (the phase fit when a
            rep ends) never shows there. Synthetic calf-raise sets (seen from behind, 640×480,
            2.5 px jitter; normal tempo at 30 fps, very slow at 60 fps) go through a
            LiveProcessor whose pose model is replaced by the synthetic landmarks: every cost
            of the live loop but the model's. Reports the per-frame time and the time of the
            frames on which a rep was measured.

Target (calf-raise issue): p95 <= 40 ms per frame at 640×480 on the 2-core reference machine.
Other processes on the machine inflate the tail; run it on a quiet machine. Usage:

    python benchmarks/live_latency.py [CLIP ...] [--seconds 20] [--tasks calf-raise balance]
                                      [--no-reps]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from gaitlab.cli.live_session import LiveOptions, run_live
from gaitlab.io.video import VideoReader
from gaitlab.live import WINDOW_S, LiveProcessor
from gaitlab.pose import MediaPipePose, PersonPose
from gaitlab.testing.synthetic import Camera, calf_raises

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIPS = (
    REPO.parent / "shared" / "data" / "walk_side_outdoor_60fps.mp4",
    REPO / "sample_videos" / "demo.mp4",
)
SIZE = (640, 480)


def _frames(clip: Path) -> tuple[list[np.ndarray], float]:
    """The clip's frames at 640×480 and its median frame interval."""
    images, times = [], []
    with VideoReader(clip, max_side=max(SIZE)) as reader:
        for frame in reader:
            images.append(cv2.resize(frame.image, SIZE, interpolation=cv2.INTER_AREA))
            times.append(frame.t_s)
    return images, float(np.median(np.diff(times)))


def _stats(ms: np.ndarray) -> str:
    p50, p95, mx = np.percentile(ms, [50, 95, 100])
    return f"p50 {p50:5.1f}  p95 {p95:5.1f}  max {mx:6.1f} ms  ({1000 / ms.mean():5.1f} frames/s)"


def processor_latency(clip: Path, task: str, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame processing times (ms) and session times of one run."""
    images, dt = _frames(clip)
    order = list(range(len(images))) + list(range(len(images) - 2, 0, -1))  # ping-pong
    estimator = MediaPipePose(num_poses=2)  # loaded before timing, as `gaitlab live` does
    proc = LiveProcessor(task, estimator_factory=lambda: estimator)
    ms, ts = [], []
    t, k = 0.0, 0
    while t < seconds:
        image = images[order[k % len(order)]]
        t0 = time.perf_counter()
        proc.process(image, t)
        ms.append(1000.0 * (time.perf_counter() - t0))
        ts.append(t)
        t += dt
        k += 1
    proc.close()
    return np.asarray(ms), np.asarray(ts)


class _SyntheticPose:
    """Stand-in pose model: frame ``i`` of a synthetic set, whatever the image."""

    def __init__(self, xy: np.ndarray) -> None:
        self.xy = xy
        self.i = 0

    def process(self, image: np.ndarray, t_s: float, *, out_size: tuple[int, int]):
        xy = self.xy[min(self.i, len(self.xy) - 1)]
        self.i += 1
        return [PersonPose(xy=xy, visibility=np.full(len(xy), 0.95))]

    def close(self) -> None:
        pass


def rep_latency(tempo: dict[str, float], fps: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame processing times (ms) of a synthetic calf-raise set through the live loop
    without the pose model, and the times of the frames on which a rep was measured."""
    syn = calf_raises(
        reps=4, fps=fps, camera=Camera(yaw_deg=180.0, distance_m=3.5, width=SIZE[0],
        height=SIZE[1]), noise_px=2.5, setup_s=2.0, step_away_s=2.0, seed=1, **tempo,
    )  # fmt: skip
    proc = LiveProcessor("calf-raise", estimator_factory=lambda: _SyntheticPose(syn.pose.xy))
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    ms, at_rep = [], []
    for t in syn.pose.t_s:
        t0 = time.perf_counter()
        _, state = proc.process(image, float(t))
        ms.append(1000.0 * (time.perf_counter() - t0))
        if any(e.get("type") == "rep_end" for e in state.events):
            at_rep.append(ms[-1])
    proc.close()
    return np.asarray(ms), np.asarray(at_rep)


def source_run(clip: Path, task: str, out_dir: Path | None) -> str:
    run = run_live(
        LiveOptions(task=task, source=clip, json_lines=True, out_dir=out_dir), out=io.StringIO()
    )
    s = run.processing_stats()
    assert run.decoded == run.processed + run.dropped
    return (
        f"decoded {run.decoded:4d}  processed {run.processed:4d}  dropped {run.dropped:4d}  "
        f"wall {run.wall_s:5.2f} s for {run.last_t_s:5.2f} s  |  "
        f"p50 {s['p50_ms']:5.1f}  p95 {s['p95_ms']:5.1f}  max {s['max_ms']:6.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("clips", nargs="*", type=Path, default=list(DEFAULT_CLIPS))
    ap.add_argument("--seconds", type=float, default=20.0, help="session length per run (s)")
    ap.add_argument("--tasks", nargs="+", default=["calf-raise", "balance"])
    ap.add_argument("--no-reps", action="store_true", help="skip the synthetic calf raises")
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}; frames {SIZE[0]}x{SIZE[1]}, "
        f"rolling window {WINDOW_S:g} s, session {args.seconds:g} s"
    )
    if not args.no_reps:
        print("\nsynthetic calf raises, live loop without the pose model")
        for label, tempo, fps in (
            ("normal 30 fps", {"rise_s": 1.0, "hold_s": 0.6, "lower_s": 1.6}, 30.0),
            ("very slow 60 fps", {"rise_s": 3.0, "hold_s": 1.5, "lower_s": 4.0}, 60.0),
        ):
            ms, at_rep = rep_latency(tempo, fps)
            reps = ", ".join(f"{v:.1f}" for v in at_rep)
            print(f"  reps {label:<17} {len(ms):4d} frames  {_stats(ms)}")
            print(f"  reps {label:<17} frames with a rep measured: {reps} ms")
    for clip in args.clips:
        print(f"\n{clip.name}")
        for task in args.tasks:
            ms, ts = processor_latency(clip, task, args.seconds)
            full = ms[ts >= WINDOW_S]
            print(f"  processor {task:<10} all   {len(ms):4d} frames  {_stats(ms)}")
            if full.size:
                print(f"  processor {task:<10} full  {len(full):4d} frames  {_stats(full)}")
        for task in args.tasks:
            print(f"  --source  {task:<10}        {source_run(clip, task, None)}")
            with tempfile.TemporaryDirectory() as tmp:
                line = source_run(clip, task, Path(tmp) / "out")
            print(f"  --source  {task:<10} --out  {line}")


if __name__ == "__main__":
    main()
