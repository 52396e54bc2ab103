"""``gaitlab live --source`` at real-time pace counts what ``gaitlab analyze`` counts.

The file is released at the pace of its timestamps and the loop drops whatever arrives
while it is busy, so each run analyses other frames, as many as the machine allows at that
moment. Five runs on the real single-leg stance; every run must give the offline answer (holds and
stance leg), whatever frames it dropped. Only the answer is asserted, never a speed: the
frames each run processed are in the failure message (from its frames.csv) to find why a
run differed. The offline answer comes from the same clip posed once per session
(``pose_cache``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
GAITLAB = Path(sys.executable).with_name("gaitlab")
RUNS = 5

#: The pose2sim trial's cameras are left to the drop-pattern test (tests/integration/
#: test_live_drops.py): each run costs a model load for 1.7 s of video.
CLIPS = {"single_leg_stance_front": DATA / "single_leg_stance_front.mp4"}


def live_run(clip: Path, out: Path) -> tuple[dict, list[int]]:
    """One real-time session: its ``session_end`` line and the source frames it processed."""
    cmd = [str(GAITLAB), "live", "--task", "balance", "--source", str(clip)]
    cmd += ["--json", "--no-save", "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    (end,) = [e for e in lines if e["type"] == "session_end"]
    frames = pd.read_csv(out / "frames.csv")["frame"].astype(int).tolist()
    return end, frames


@pytest.mark.parametrize("clip", list(CLIPS))
def test_five_real_time_runs_count_the_offline_holds(clip, pose_cache, tmp_path):
    offline = pose_cache.analysis(CLIPS[clip], "balance").metrics
    want = (offline["holds"], offline["stance_leg"])
    assert want == (1, "left")
    got = []
    for k in range(RUNS):
        end, frames = live_run(CLIPS[clip], tmp_path / f"run{k}")
        assert end["decoded_frames"] == end["processed_frames"] + end["dropped_frames"]
        summary = json.loads((tmp_path / f"run{k}" / "summary.json").read_text())
        counter = end["counter"]
        got.append(
            {
                "live": (counter["holds"], counter["stance_leg"]),
                "file_pipeline": (summary["metrics"]["holds"], summary["metrics"]["stance_leg"]),
                "processed": end["processed_frames"],
                "frames": frames,
            }
        )
    assert all(g["live"] == want and g["file_pipeline"] == want for g in got), (want, got)
