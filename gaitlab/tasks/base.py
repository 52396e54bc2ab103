"""The contract between the pipeline and the task analyzers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Event, Flag, PoseSequence, Signals


@dataclass(frozen=True)
class TaskContext:
    """Everything an analyzer may use. Pure data: no files, no video, no UI.

    Attributes
    ----------
    pose
        The subject's cleaned pose (pixels, NaN where missing, real timestamps).
    signals
        Per-frame measures from :func:`gaitlab.signals.measures.compute_signals`, already gated by
        view (NaN where the view cannot support them).
    view_per_frame
        ``(T,)`` view labels from :func:`gaitlab.signals.view.classify_frames`.
    thresholds
        The thresholds file (:func:`gaitlab.core.thresholds.load_thresholds`).
    sex, height_cm, age_years, body_mass_kg
        Optional facts about the subject (sex-specific thresholds, cm scaling, norms).
    heel_rise_test
        Calf raises are a single-leg heel-rise test to fatigue, not an exercise set.
    joins_s
        Times where the video joins recordings end to end: the picture jumps there, so
        nothing is timed across them.
    """

    pose: PoseSequence
    signals: Signals
    view_per_frame: np.ndarray
    thresholds: dict[str, Threshold]
    sex: str | None = None
    height_cm: float | None = None
    age_years: float | None = None
    body_mass_kg: float | None = None
    heel_rise_test: bool = False
    joins_s: tuple[float, ...] = ()


@dataclass(frozen=True)
class TaskResult:
    """What an analyzer adds to the summary.

    ``metrics`` are flat ``<what>_<side?>_<unit>`` numbers/strings (None when the view cannot
    support them, with the reason in ``warnings``); ``reps`` follow the output contract;
    ``signals`` are extra per-frame arrays for frames.csv (e.g. ``stance_left``); ``steps``
    is the walk's step table (steps.csv).
    """

    metrics: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    reps: list[dict[str, Any]] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signals: dict[str, np.ndarray] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
