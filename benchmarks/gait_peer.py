"""Cadence of gaitlab and of the peer myogait on the same real clips, against the truth read
frame by frame (tests/data/gait_events_truth.csv), with the wall time of each.

myogait (MIT, PyPI) lives in its own virtualenv so that its MediaPipe pin does not touch
gaitlab's::

    python3 -m venv /work/venvs/myogait
    /work/venvs/myogait/bin/pip install myogait mediapipe==0.10.21

Its MediaPipe backend works offline (the legacy single-person model). Usage::

    python benchmarks/gait_peer.py [--myogait-python PATH] [--out DIR]

Prints one row per clip: truth, gaitlab and myogait cadence (steps/min) with their errors and
wall times (each tool decodes and poses the video itself; times depend on the machine).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
TRUTH_CSV = REPO / "tests" / "data" / "gait_events_truth.csv"
#: Clip → (path, frame rate for the truth's frame numbers). The treadmill run's truth is
#: its source's pixel-based cadence (tests/data/README.md), not read frame by frame.
CLIPS = {
    "walk_side_outdoor_60fps": (REPO / "tests/data/walk_side_outdoor_60fps.mp4", 59.70),
    "walk_side_turn_older_adult": (REPO / "tests/data/walk_side_turn_older_adult.mp4", 30.0),
    "demo": (REPO / "sample_videos/demo.mp4", 30.0),
    "run_treadmill_side_portrait": (REPO / "tests/data/run_treadmill_side_portrait.mp4", 30.0),
}
RUN_CADENCE_SPM = 168.9

#: Run inside myogait's virtualenv: its cadence from its own pipeline output.
MYOGAIT_CADENCE = """
import json, sys, myogait
data = json.load(open(sys.argv[1]))
result = myogait.analyze_gait(data, myogait.segment_cycles(data))
print(json.dumps({"cadence_spm": result.get("cadence")}))
"""


def truth_cadence_spm(clip: str, fps: float) -> float:
    """60 / the mean interval of the read heel strikes within straight walking (intervals
    over 1.5 × the median span a turn or the edge of the frame)."""
    if clip == "run_treadmill_side_portrait":
        return RUN_CADENCE_SPM
    with TRUTH_CSV.open(newline="") as f:
        frames = sorted(
            int(r["frame"])
            for r in csv.DictReader(f)
            if r["clip"] == clip and r["event"] == "heel_strike"
        )
    gaps = np.diff(frames).astype(float)
    gaps = gaps[gaps <= 1.5 * np.median(gaps)]
    return 60.0 * fps / float(np.mean(gaps))


def run_gaitlab(video: Path, out: Path) -> tuple[float | None, float]:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "gaitlab", "analyze", str(video), "--task", "walk"]
        + ["--out", str(out), "--no-video", "--no-save", "--quiet"],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    summary = json.loads((out / "summary.json").read_text())
    return summary["metrics"].get("cadence_spm"), wall


def run_myogait(python: str, video: Path, out: Path) -> tuple[float | None, float]:
    start = time.perf_counter()
    result = out / "myogait.json"
    subprocess.run(
        [python, "-m", "myogait", "run", str(video), "-o", str(result)],
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    proc = subprocess.run(
        [python, "-c", MYOGAIT_CADENCE, str(result)], check=True, capture_output=True, text=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])["cadence_spm"], wall


def _fmt(value: float | None, truth: float) -> str:
    if value is None:
        return "none"
    return f"{value:6.1f} ({value - truth:+.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--myogait-python", default="/work/venvs/myogait/bin/python")
    parser.add_argument("--out", type=Path, default=None, help="keep the outputs here")
    args = parser.parse_args(argv)
    if not Path(args.myogait_python).exists():
        print(f"myogait's python not found: {args.myogait_python} (see the module docstring)")
        return 2
    root = args.out or Path(tempfile.mkdtemp(prefix="gait_peer_"))
    print(
        f"{'clip':30s} {'truth':>7s} {'gaitlab (error)':>17s} {'myogait (error)':>17s}"
        f" {'gaitlab s':>9s} {'myogait s':>9s}"
    )
    for clip, (video, fps) in CLIPS.items():
        truth = truth_cadence_spm(clip, fps)
        out = root / clip
        out.mkdir(parents=True, exist_ok=True)
        ours, t_ours = run_gaitlab(video, out / "gaitlab")
        peer, t_peer = run_myogait(args.myogait_python, video, out)
        print(
            f"{clip:30s} {truth:7.1f} {_fmt(ours, truth):>17s} {_fmt(peer, truth):>17s}"
            f" {t_ours:9.1f} {t_peer:9.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
