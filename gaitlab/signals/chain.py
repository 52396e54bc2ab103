"""The measuring chain shared by the file pipeline, the live loop and the tests.

raw subject pose → leg-swap repair → clean → view per frame → per-frame measures. Pure:
arrays in, new objects out. Tests on synthetic poses call :func:`measure_pose` so they
exercise exactly what ``gaitlab analyze`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.core.types import PoseSequence, Signals
from gaitlab.pose.swaps import SwapReport, repair_leg_swaps
from gaitlab.signals.clean import clean_offline
from gaitlab.signals.measures import compute_signals
from gaitlab.signals.view import (
    ViewSummary,
    classify_clip,
    classify_frames,
    estimate_azimuth_deg,
    off_axis_deg,
)


@dataclass(frozen=True, eq=False)
class MeasuredPose:
    """The cleaned pose with its per-frame view and measures."""

    pose: PoseSequence
    view_per_frame: np.ndarray
    view: ViewSummary
    signals: Signals
    swaps: SwapReport


def measure_pose(raw: PoseSequence, *, roll_deg: float | None = None) -> MeasuredPose:
    """Repair BlazePose's left/right leg swaps, clean (zero-phase, offline), classify the
    view per frame and compute every per-frame measure, gated frame by frame by view and
    off-axis angle.

    Swaps are repaired on the raw landmarks, before filtering would smear a swapped frame
    into its neighbours.

    ``roll_deg=None`` estimates the camera roll from still foot contacts (0 with a warning
    when it cannot).
    """
    repaired, swaps = repair_leg_swaps(raw)
    pose = clean_offline(repaired)
    azimuth = estimate_azimuth_deg(pose)  # computed once: labels and off-axis gating share it
    view_per_frame = classify_frames(pose, azimuth_deg=azimuth)
    signals = compute_signals(
        pose,
        view_per_frame=view_per_frame,
        off_axis_deg=off_axis_deg(azimuth),
        roll_deg=roll_deg,
    )
    return MeasuredPose(
        pose=pose,
        view_per_frame=view_per_frame,
        view=classify_clip(pose, labels=view_per_frame),
        signals=signals,
        swaps=swaps,
    )
