"""What the measures of one hold share: the task, per-frame tracks, outputs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gaitlab.core.types import Flag
from gaitlab.tasks.base import TaskContext

#: Fewer than this fraction of hold frames with a measure → the measure is not reported.
MIN_COVERAGE = 0.5


@dataclass
class HoldContext:
    """What the per-hold measures share."""

    ctx: TaskContext
    view: np.ndarray
    standing: np.ndarray
    mid_x: np.ndarray  # hip midpoint x, low-passed at SWAY_CUTOFF_HZ
    diff_x: np.ndarray  # left-minus-right hip x, same filter
    obliquity: np.ndarray
    warnings: list[str]
    flags: list[Flag]
    sway_sig: np.ndarray
    drop_sig: np.ndarray


def rounded(x: float | None, nd: int = 2) -> float | None:
    """``x`` rounded to ``nd`` decimals for the results; None when missing or not finite."""
    return None if x is None or not math.isfinite(x) else round(float(x), nd)
