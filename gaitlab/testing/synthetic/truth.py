"""A generated clip and its ground truth: the records the generators return."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.core.types import Event, PoseSequence, Signals
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.camera import Camera


@dataclass(frozen=True, eq=False)
class SyntheticResult:
    """A generated clip: what the pose estimator would output, and the exact answer.

    ``pose`` carries noise, dropouts and swaps; ``xy_true`` is the clean, correctly labelled
    projection of ``joints_3d`` through ``camera`` aimed at ``look_at`` (``(T, 3)``).
    """

    pose: PoseSequence
    truth: WalkTruth | CalfRaiseTruth | SingleLegStanceTruth
    joints_3d: np.ndarray
    xy_true: np.ndarray
    camera: Camera
    look_at: np.ndarray
    body: Body


@dataclass(frozen=True)
class FootContact:
    """One initial contact: foot angle to the floor (heel→toe, + toe up) and overstride."""

    side: str
    t_s: float
    frame: int
    foot_angle_deg: float
    heel_ahead_of_pelvis_m: float


@dataclass(frozen=True)
class SingleSupport:
    """A single-support phase on ``side``; the other hip drops by ``pelvic_drop_deg`` at peak."""

    side: str
    start_s: float
    end_s: float
    pelvic_drop_deg: float


@dataclass(frozen=True, eq=False)
class WalkTruth:
    """Ground truth of :func:`walk`.

    ``signals`` (per frame): ``fppa_left_deg``, ``fppa_right_deg``, ``pelvic_obliquity_deg``,
    ``stance_left``, ``stance_right`` (bool), ``knee_flexion_<side>_deg`` (0 = straight),
    ``hip_flexion_<side>_deg`` (thigh against vertical in the sagittal plane, + forward),
    ``foot_angle_<side>_deg`` (heel→foot_index against the floor, + toe up),
    ``heel_height_<side>_m``, ``toe_height_<side>_m``.
    """

    events: tuple[Event, ...]
    contacts: tuple[FootContact, ...]
    single_supports: tuple[SingleSupport, ...]
    cadence_spm: float
    step_length_m: float
    speed_m_s: float
    stride_time_s: float
    step_time_s: float
    step_times_s: np.ndarray
    stance_fraction: float
    double_support_fraction: float
    foot_strike: str
    valgus_peak_deg: tuple[float, float]
    pelvic_drop_deg: tuple[float, float]
    signals: Signals

    def events_of(self, type_: str, side: str | None = None) -> list[Event]:
        return [e for e in self.events if e.type == type_ and (side is None or e.side == side)]


@dataclass(frozen=True)
class RepTruth:
    """One calf raise. Heights are the heel's rise above the floor at the top."""

    index: int
    start_s: float
    top_s: float
    hold_end_s: float
    end_s: float
    rise_s: float
    hold_s: float
    lower_s: float
    heel_height_m: float
    heel_height_pct: float
    ankle_roll_left_deg: float
    ankle_roll_right_deg: float


@dataclass(frozen=True, eq=False)
class CalfRaiseTruth:
    """Ground truth of :func:`calf_raises`.

    ``signals`` (per frame): ``heel_height_<side>_m``, ``heel_height_<side>_pct`` (of foot
    length), ``ankle_roll_<side>_deg`` (see :mod:`gaitlab.testing.synthetic`),
    ``ankle_shift_<side>_pct`` (lateral shift of the ankle relative to the heel/toe midpoint,
    change from standing, % of foot length, + lateral), ``foot_lifted_<side>`` (bool: the
    whole foot is off the floor).
    ``phase`` labels every frame: ``setup``, ``rise``, ``hold``, ``lower``, ``rest``,
    ``step_away``.
    """

    reps: tuple[RepTruth, ...]
    legs: str
    foot_length_m: float
    events: tuple[Event, ...]
    phase: np.ndarray
    signals: Signals


@dataclass(frozen=True, eq=False)
class SingleLegStanceTruth:
    """Ground truth of :func:`single_leg_stance`.

    Sway is of the pelvis centre (mid-hip) in the horizontal plane during the hold
    (lift to touch-down): RMS distance from its mean and path length.
    ``signals``: ``pelvis_x_m``, ``pelvis_y_m``, ``pelvic_obliquity_deg``, ``foot_lifted``.
    """

    stance_leg: str
    lift_s: float
    touchdown_s: float
    hold_s: float
    sway_rms_m: float
    sway_path_m: float
    pelvic_drop_deg: float
    leg_length_m: float
    events: tuple[Event, ...]
    signals: Signals
