"""Write an analysis to disk: summary.json, frames.csv, steps.csv (and the annotated video via
render).

Writes are atomic per output directory: files are written into a hidden staging folder and
moved into place only when all of them are complete, so a failed run never leaves something
that looks like a result.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gaitlab.core.landmarks import LOWER_LIMB, SIDES, side_landmark
from gaitlab.core.types import PoseSequence, Signals

SUMMARY_NAME = "summary.json"
FRAMES_NAME = "frames.csv"
VIDEO_NAME = "annotated.mp4"
STEPS_NAME = "steps.csv"
#: The step table's columns, in order (the rows of ``summary.json``'s ``steps``).
STEP_COLUMNS = (
    "pass",
    "t_s",
    "frame",
    "side",
    "duration_s",
    "length_legs",
    "included",
    "excluded_reason",
)


def jsonable(x: Any) -> Any:
    """Numpy scalars → Python, non-finite floats → None (JSON has no NaN)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    return x


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(jsonable(data), indent=2, allow_nan=False) + "\n")


def frames_table(
    pose: PoseSequence,
    signals: Signals,
    view_per_frame: np.ndarray | None = None,
    track: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per frame: time, the subject's lower-limb landmarks in pixels with visibility,
    the per-frame view, the tracker identity the subject's row came from (-1 absent) and
    every per-frame measure signal."""
    cols: dict[str, np.ndarray] = {
        "frame": pose.frame_index,
        "t_s": np.round(pose.t_s, 5),
        "detected": pose.detected().astype(int),
    }
    if view_per_frame is not None:
        cols["view"] = np.asarray(view_per_frame)
    if track is not None:
        cols["track"] = np.asarray(track, dtype=int)
    for side in SIDES:
        for part in LOWER_LIMB:
            lm = side_landmark(side, part)
            cols[f"{side}_{part}_x_px"] = np.round(pose.xy[:, lm, 0], 2)
            cols[f"{side}_{part}_y_px"] = np.round(pose.xy[:, lm, 1], 2)
            cols[f"{side}_{part}_vis"] = np.round(pose.visibility[:, lm], 3)
    for name, values in signals.values.items():
        cols[name] = np.round(values, 3)
    return pd.DataFrame(cols)


def steps_table(steps: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per step (the walk's step table): when it ended (``t_s``, source ``frame``),
    the ``side`` whose heel strike ended it, ``duration_s``, ``length_legs`` (empty where a
    heel was not seen), whether it counts in the timing (``included``) and if not, why."""
    return pd.DataFrame([{c: s.get(c) for c in STEP_COLUMNS} for s in steps], columns=STEP_COLUMNS)


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out_dir``, on error delete it
    (and the folders it made for ``out_dir``).

    Existing result files of the same names in ``out_dir`` are replaced only on success; a
    contract file left from an earlier run that this run did not produce (an old
    annotated.mp4 after ``--no-video``) is removed then, so the folder never mixes two runs.
    """
    made = [p for p in (out_dir, *out_dir.parents) if not p.exists()]
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        stage = Path(tempfile.mkdtemp(prefix=".gaitlab-partial-", dir=out_dir))
        try:
            yield stage
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
    except BaseException:
        for folder in made:  # folders this run made, now empty again: nothing left behind
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    produced = {item.name for item in stage.iterdir()}
    for name in (SUMMARY_NAME, FRAMES_NAME, STEPS_NAME, VIDEO_NAME):
        if name not in produced and (out_dir / name).exists():
            (out_dir / name).unlink()
    for item in stage.iterdir():
        os.replace(item, out_dir / item.name)
    stage.rmdir()
