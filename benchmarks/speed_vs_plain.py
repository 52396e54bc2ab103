"""gaitlab against a plain one-person MediaPipe script, whole process, on the same clips.

Three commands per clip, run one after another and alternated over ``--repeat`` rounds so
that a change in the machine's load touches all three alike:

  plain        benchmarks/plain_mediapipe.py (OpenCV decode, BlazePose full through the Tasks
               PoseLandmarker, one person, video mode, landmarks to CSV)
  no-video     gaitlab analyze --no-video --no-save
  video        gaitlab analyze --no-save (with the annotated H.264 video)
  myogait      myogait's own command on the clip, when ``--myogait CMD`` is given

Each is a fresh process (imports and model loading count, as they do for a user). Wall time
is measured around the process, CPU time (user + system, all threads) from the kernel's
resource usage of the child (``os.wait4``). Prints per clip the median wall time, the speed
ratio plain/gaitlab (> 1: gaitlab is faster) and CPU-seconds per frame.

Clips: tests/data/walk_side_outdoor_60fps.mp4 (2.3 s, 60 fps, one person) and a ~1 minute
multi-person clip made from sample_videos/demo.mp4 played 8 times in a row (1,840 frames,
1768x994, 30 fps, H.264), written once to ``--long-clip`` (default: the temp folder).

Usage:
    python benchmarks/speed_vs_plain.py [--repeat 3] [--clips short long] [--myogait CMD]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHORT_CLIP = ROOT / "tests" / "data" / "walk_side_outdoor_60fps.mp4"
DEMO_CLIP = ROOT / "sample_videos" / "demo.mp4"
LONG_LOOPS = 8


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float


def make_long_clip(out: Path, loops: int = LONG_LOOPS) -> Path:
    """demo.mp4 ``loops`` times in a row, re-encoded to H.264 with PyAV (written once)."""
    if out.exists():
        return out
    import av

    tmp = out.with_suffix(".part.mp4")
    with av.open(str(DEMO_CLIP)) as src:
        stream = src.streams.video[0]
        fps = Fraction(stream.average_rate or 30)
        width, height = stream.codec_context.width, stream.codec_context.height
    with av.open(str(tmp), "w") as dst:
        enc = dst.add_stream("libx264", rate=fps)
        enc.width, enc.height, enc.pix_fmt = width, height, "yuv420p"
        enc.options = {"crf": "20", "preset": "veryfast"}
        n = 0
        for _ in range(loops):
            with av.open(str(DEMO_CLIP)) as src:
                for frame in src.decode(video=0):
                    img = frame.to_ndarray(format="yuv420p")
                    vf = av.VideoFrame.from_ndarray(img, format="yuv420p")
                    vf.pts = n
                    vf.time_base = 1 / fps
                    n += 1
                    dst.mux(enc.encode(vf))
        dst.mux(enc.encode(None))
    tmp.rename(out)
    return out


def timed(cmd: list[str], cwd: Path) -> Run:
    """Run ``cmd`` to completion; its wall time and the CPU time of it and its threads."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {shlex.join(cmd)}\n{err[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime)


def frame_count(path: Path) -> int:
    import av

    with av.open(str(path)) as c:
        return sum(1 for _ in c.demux(video=0) if _.size)


def commands(clip: Path, work: Path, model: Path, myogait: str | None) -> dict[str, list[str]]:
    py = sys.executable
    out = {
        "plain": [py, str(ROOT / "benchmarks" / "plain_mediapipe.py"), str(clip),
                  str(work / "plain.csv"), "--model", str(model)],
        "no-video": [py, "-m", "gaitlab", "analyze", str(clip), "--out", str(work / "nv"),
                     "--no-video", "--no-save", "--quiet", "--task", "walk"],
        "video": [py, "-m", "gaitlab", "analyze", str(clip), "--out", str(work / "v"),
                  "--no-save", "--quiet", "--task", "walk"],
    }  # fmt: skip
    if myogait:
        out["myogait"] = [*shlex.split(myogait), str(clip)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="rounds (each runs every command)")
    ap.add_argument("--clips", nargs="+", default=["short", "long"], help="short, long or paths")
    ap.add_argument("--long-clip", type=Path, default=Path(tempfile.gettempdir()) / "demo_x8.mp4")
    ap.add_argument("--myogait", default=None, help="myogait's command line, the clip appended")
    ap.add_argument("--only", nargs="+", default=None, help="run only these commands")
    args = ap.parse_args()

    from gaitlab.pose.bundle import resolve_bundle

    model = resolve_bundle().path
    clips = [
        SHORT_CLIP if c == "short" else make_long_clip(args.long_clip) if c == "long" else Path(c)
        for c in args.clips
    ]
    load = os.getloadavg()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}, load average {load[0]:.1f} {load[1]:.1f} at start"
    )
    env_note = "GAITLAB_HOME is a temp folder; the commands write to a temp folder"
    print(f"{args.repeat} alternated rounds per clip, medians; {env_note}")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GAITLAB_HOME"] = str(Path(tmp) / "home")
        for clip in clips:
            n = frame_count(clip)
            cmds = commands(clip, Path(tmp), model, args.myogait)
            if args.only:
                cmds = {k: v for k, v in cmds.items() if k in args.only}
            runs: dict[str, list[Run]] = {k: [] for k in cmds}
            for _ in range(args.repeat):
                for name, cmd in cmds.items():
                    runs[name].append(timed(cmd, ROOT))
            print(f"\n{clip.name}: {n} frames")
            wall = {k: statistics.median(r.wall_s for r in v) for k, v in runs.items()}
            cpu = {k: statistics.median(r.cpu_s for r in v) for k, v in runs.items()}
            for name in cmds:
                ratio = wall["plain"] / wall[name] if "plain" in wall else float("nan")
                every = " ".join(f"{r.wall_s:.2f}" for r in runs[name])
                print(
                    f"  {name:<9} {wall[name]:7.2f} s  x{ratio:4.2f} vs plain  "
                    f"{cpu[name]:7.2f} CPU-s  {1000 * cpu[name] / n:6.1f} CPU-ms/frame  "
                    f"(runs: {every})"
                )
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
