"""Threshold rules: per-frame signals and the thresholds file in, a list of :class:`Flag` out.

Task analyzers (walk, calf raise, balance) add their own event-based rules; this module holds
the shared mechanism, a sustained exceedance of a per-frame signal, and the rules that need no
task-specific events.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Flag, PoseSequence, Signals
from gaitlab.rules.registry import make_flag
from gaitlab.signals.view import FRONTAL_VIEWS

#: An exceedance must last this long to be flagged: one or two noisy frames are not "form".
MIN_SUSTAINED_S = 0.15


def sustained_runs(
    mask: np.ndarray, t_s: np.ndarray, min_duration_s: float
) -> list[tuple[int, int]]:
    """Inclusive ``(start, end)`` row ranges where ``mask`` holds ``min_duration_s`` or longer."""
    runs: list[tuple[int, int]] = []
    padded = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        end = stop - 1
        if t_s[end] - t_s[start] >= min_duration_s:
            runs.append((int(start), int(end)))
    return runs


def flag_sustained(
    pose: PoseSequence,
    values: np.ndarray,
    threshold: Threshold,
    *,
    rule: str,
    signal: str | None = None,
    side: str | None,
    sex: str | None = None,
    allowed: np.ndarray | None = None,
    min_duration_s: float = MIN_SUSTAINED_S,
    **fields: Any,
) -> list[Flag]:
    """One flag of rule ``rule`` (:mod:`gaitlab.rules.registry`) per run where ``values``
    crosses the threshold for ``min_duration_s`` or more.

    The flag's ``frame`` is the run's worst frame, so the annotated video shows the value that
    crossed the threshold there. ``signal`` (default: the rule's) names the plotted signal;
    ``fields`` are further values the rule's message names.
    """
    limit = threshold.for_sex(sex)
    with np.errstate(invalid="ignore"):
        crossed = values > limit if threshold.comparison == ">" else values < limit
    crossed &= np.isfinite(values)
    if allowed is not None:
        crossed &= allowed
    flags = []
    for start, end in sustained_runs(crossed, pose.t_s, min_duration_s):
        seg = values[start : end + 1]
        worst = start + int(np.nanargmax(seg) if threshold.comparison == ">" else np.nanargmin(seg))
        flags.append(
            make_flag(
                rule,
                threshold,
                float(values[worst]),
                side=side,
                span_s=(pose.t_s[start], pose.t_s[end]),
                frame=pose.frame_index[worst],
                sex=sex,
                signal=signal,
                **fields,
            )
        )
    return flags


def evaluate_rules(
    task: str,
    pose: PoseSequence,
    signals: Signals,
    view_per_frame: np.ndarray,
    thresholds: dict[str, Threshold],
    *,
    sex: str | None = None,
) -> list[Flag]:
    """Flags that need no task events.

    Knee valgus while standing or balancing (calf raise, balance) is flagged wherever the
    FPPA stays above the threshold in a front or back view. For walking, FPPA is only
    meaningful at its peak within each stance phase, which needs gait events: the walk
    analyzer flags it, not this rule.
    """
    flags: list[Flag] = []
    if task in ("calf-raise", "balance"):
        frontal = np.isin(view_per_frame, FRONTAL_VIEWS)
        for side in ("left", "right"):
            name = f"fppa_{side}_deg"
            if name not in signals:
                continue
            flags += flag_sustained(
                pose,
                signals[name],
                thresholds["fppa_peak"],
                rule="fppa_peak",
                signal=name,
                side=side,
                sex=sex,
                allowed=frontal,
            )
    return sorted(flags, key=lambda f: f.start_s)
