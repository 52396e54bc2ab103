"""Throughput of the offline pipeline on one clip, in frames per second.

Stages, each run once on the same clip:
  decode      decode + rotate + downscale for inference (no pose)
  pose-1thread  decode + MediaPipe pose of every person in one thread (for comparison)
  pose        decode + MediaPipe pose estimation of every person, in as many threads as the
              pipeline uses (the floor for the pipeline)
  analyze     full ``analyze`` without the annotated video (pose + tracking + cleaning +
              measures + summary.json + frames.csv)
  analyze+vid full ``analyze`` with the annotated H.264 video

Prints frames/s per stage and the ratios analyze/pose. Usage:
    python benchmarks/throughput.py sample_videos/demo.mp4 [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from gaitlab.io.video import VideoReader, probe
from gaitlab.pipeline import INFERENCE_MAX_SIDE, AnalyzeOptions, analyze_video, estimate_people


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("video", type=Path)
    ap.add_argument("--repeat", type=int, default=1, help="runs per stage; the best is kept")
    args = ap.parse_args()
    info = probe(args.video)

    def decode() -> None:
        with VideoReader(args.video, max_side=INFERENCE_MAX_SIDE) as reader:
            for _ in reader:
                pass

    options = AnalyzeOptions(task="walk", write_video=False)
    with tempfile.TemporaryDirectory() as tmp:
        stages = {
            "decode": lambda: decode(),
            "pose-1thread": lambda: estimate_people(args.video, options, workers=1),
            "pose": lambda: estimate_people(args.video, options),
            "analyze": lambda: analyze_video(args.video, Path(tmp) / "a", options),
            "analyze+vid": lambda: analyze_video(
                args.video, Path(tmp) / "b", AnalyzeOptions(task="walk", write_video=True)
            ),
        }
        fps = {name: info.frames / _best(fn, args.repeat) for name, fn in stages.items()}

    print(
        f"clip: {args.video.name}  {info.width}x{info.height} {info.codec} "
        f"{info.fps:.2f} fps, {info.frames} frames; inference at max side {INFERENCE_MAX_SIDE}"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}"
    )
    for name, value in fps.items():
        print(f"  {name:<12} {value:7.1f} frames/s   ({value / info.fps:5.2f}x real time)")
    print(f"ratio analyze/pose      = {fps['analyze'] / fps['pose']:.2f}  (target >= 0.85)")
    print(f"ratio analyze+vid/pose  = {fps['analyze+vid'] / fps['pose']:.2f}  (target >= 0.60)")


if __name__ == "__main__":
    main()
