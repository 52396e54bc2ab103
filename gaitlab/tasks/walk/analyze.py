"""The walking analyzer: passes, events, timing and the measures of each view."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gaitlab.core.geometry import leg_length_px
from gaitlab.core.landmarks import SIDES, side_landmark
from gaitlab.core.types import Event, Flag, PoseSequence
from gaitlab.signals.clean import lowpass_signal
from gaitlab.tasks.base import TaskContext, TaskResult
from gaitlab.tasks.walk.events import (
    DEPTH_LOWPASS_HZ,
    HS_ARREST_FRAC_DEPTH,
    TO_ONSET_FRAC_DEPTH,
    detect_gait_events,
)
from gaitlab.tasks.walk.flags import step_asymmetry_flags
from gaitlab.tasks.walk.forward import raw_forward, world_leg_m
from gaitlab.tasks.walk.frontal import frontal_measures
from gaitlab.tasks.walk.passes import WalkPass, find_passes
from gaitlab.tasks.walk.rearfoot import rearfoot_trend
from gaitlab.tasks.walk.sagittal import sagittal_measures
from gaitlab.tasks.walk.series import interp_at, row_at
from gaitlab.tasks.walk.sides import SideEvents
from gaitlab.tasks.walk.stances import Stance, stance_signal, stances_of
from gaitlab.tasks.walk.steps import pass_steps
from gaitlab.tasks.walk.timing import temporal_metrics

#: A gait event whose foot is within this many leg lengths of the picture's left or right
#: edge (or beyond it) is not seen and is dropped (see _drop_unseen): a foot is ~0.2 leg
#: lengths long, so its far end may already be out.
EDGE_MARGIN_LEGS = 0.2
#: Above this share of a stride per frame (%), running stance/flight percentages get a
#: precision warning (30 fps at 170 steps/min: 4.7 %).
STANCE_FRAME_PCT_WARN = 3.0

#: The per-frame signals of the walk analysis, NaN outside the analysed passes.
SIGNAL_NAMES = (
    "stance_left",
    "stance_right",
    "pelvic_drop_deg",
    "foot_angle_left_deg",
    "foot_angle_right_deg",
    "heel_ahead_left_legs",
    "heel_ahead_right_legs",
)


@dataclass
class _Timing:
    """The events of every pass, gathered pass by pass."""

    events: list[Event] = field(default_factory=list)
    per_pass: list[dict[str, SideEvents]] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)
    speeds_legs: list[float] = field(default_factory=list)
    gaits: list[str] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)


def _pass_events(
    sub: PoseSequence, p: WalkPass, unit_leg: float
) -> tuple[dict[str, SideEvents], float, str, dict[str, np.ndarray]]:
    """Events of one pass (:func:`detect_gait_events`) on its forward coordinates, and those
    coordinates; front and back views low-pass the depth again and use the depth refinement
    levels."""
    raw = raw_forward(sub, p.axis)
    forward = {key: v * p.direction for key, v in raw.items()}
    fractions = {}
    if p.axis == "world":
        forward = {key: lowpass_signal(sub.t_s, v, DEPTH_LOWPASS_HZ) for key, v in forward.items()}
        fractions = {
            "hs_arrest_frac": HS_ARREST_FRAC_DEPTH,
            "to_onset_frac": TO_ONSET_FRAC_DEPTH,
        }
    # Reversed footage turns the onset/arrest shapes inside out: keep Zeni's extrema. Each
    # foot's own contact is used in side views only: the world landmarks' depth jitters
    # (~3 cm a frame) as much as a slow foot moves, and it was checked on real side views only.
    ev, speed, gait = detect_gait_events(
        sub.t_s,
        forward,
        unit_leg,
        refine=not p.backwards,
        contact=p.axis == "image_x",
        **fractions,
    )
    return ev, speed, gait, forward


def _drop_unseen(sub: PoseSequence, ev: dict[str, SideEvents], margin_px: float) -> None:
    """Remove, in place, the events whose foot (heel or toe) is beyond the picture's left or
    right edge or within ``margin_px`` of it: the pose model guesses a foot leaving the frame,
    and a contact there is not seen. (The bottom edge is often just below the feet: a foot
    there is seen.) A foot not located at that moment keeps its event."""
    width = sub.frame_size[0]
    for side, e in ev.items():
        x = np.stack([sub.point(side_landmark(side, k))[:, 0] for k in ("heel", "foot_index")])
        for times in (e.hs, e.to):
            for te in list(times):
                at = x[:, row_at(sub.t_s, te)]
                at = at[np.isfinite(at)]  # a foot not located there is not known to be out
                if np.any(at < margin_px) or np.any(at > width - margin_px):
                    times.remove(te)


def _position_at(t: np.ndarray, x: np.ndarray):
    """A function of time giving ``x`` interpolated over its finite samples (NaN outside)."""
    return lambda te: interp_at(t, x, te)


def _time_passes(
    pose: PoseSequence, passes: list[WalkPass], signals: dict[str, np.ndarray], leg_px: float
) -> _Timing:
    """Events, stances and walking speed of every pass; fills the stance signals."""
    t = pose.t_s
    leg_m = world_leg_m(pose)
    timing = _Timing()
    for k, p in enumerate(passes):
        sub = pose[p.rows]
        unit_leg = leg_m if p.axis == "world" else leg_px
        ev, speed, gait, forward = _pass_events(sub, p, unit_leg)
        _drop_unseen(sub, ev, EDGE_MARGIN_LEGS * leg_px)
        timing.per_pass.append(ev)
        timing.steps += pass_steps(
            ev,
            k,
            {s: _position_at(sub.t_s, forward[f"{s}_heel"] / unit_leg) for s in SIDES},
            lambda te, sub=sub, p=p: pose.frame_index[p.start + row_at(sub.t_s, te)],
            gait,
        )
        timing.gaits.append(gait)
        if np.isfinite(speed) and p.axis == "image_x":
            timing.speeds_legs.append(speed / leg_px)
        for side in SIDES:
            for kind, times in (("heel_strike", ev[side].hs), ("toe_off", ev[side].to)):
                for te in times:
                    row = p.start + row_at(sub.t_s, te)
                    conf = ev[side].confidence.get(te)
                    timing.events.append(
                        Event(kind, float(te), int(pose.frame_index[row]), side, conf)
                    )
        timing.stances += stances_of(ev, k)
        for side in SIDES:
            signals[f"stance_{side}"][p.rows] = stance_signal(t[p.rows], ev[side])
    timing.events.sort(key=lambda e: (e.t_s, e.type))
    return timing


def _timing_metrics(t: np.ndarray, passes: list[WalkPass], timing: _Timing) -> dict[str, Any]:
    metrics: dict[str, Any] = {
        "walking_passes": len(passes),
        "walking_time_s": round(float(sum(t[p.stop - 1] - t[p.start] for p in passes)), 2),
    }
    metrics.update(temporal_metrics(timing.per_pass, timing.gaits))
    metrics["walking_speed_legs_per_s"] = (
        round(float(np.median(timing.speeds_legs)), 2) if timing.speeds_legs else None
    )
    return metrics


def _timing_warnings(t: np.ndarray, passes: list[WalkPass], metrics: dict[str, Any]) -> list[str]:
    out: list[str] = []
    stride = metrics.get("stride_time_mean_s")
    if metrics.get("gait") in ("running", "walking and running") and stride:
        frame_pct = 100.0 * float(np.median(np.diff(t))) / stride
        if frame_pct > STANCE_FRAME_PCT_WARN:
            out.append(
                f"running: one frame is {frame_pct:.0f} % of a stride at this frame rate, so "
                f"stance and flight percentages are uncertain by about ±{frame_pct:.0f} %; "
                "film at 60 fps or more for contact times"
            )
    if not passes:
        out.append(
            "no straight walking was found: walk at least a few steps in a straight line, "
            "with the whole body in view"
        )
    elif metrics["steps"] is None:
        out.append("no steps could be detected in the walking passes")
    return out


def analyze_walk(ctx: TaskContext) -> TaskResult:
    """Gait events, temporal parameters, per-stance knee valgus and pelvic drop, foot strike,
    overstriding and trunk lean of a walk (see the package docstring).

    Metrics: ``steps``, ``cadence_spm``, ``step_time_mean_s``, ``stride_time_mean_s``,
    ``step_time_left_s`` / ``_right_s``, ``step_time_asymmetry_pct``,
    ``stance_pct_left`` / ``_right``, ``swing_pct_left`` / ``_right``,
    ``double_support_pct`` (walking), ``flight_pct`` (running: both feet off the ground, %
    of the stride), ``gait`` (``walking``, ``running`` or ``walking and running``, per pass
    from the toe offs: see :func:`~.sides.assign_sides`), ``walking_speed_legs_per_s`` (side views),
    ``fppa_peak_left_deg`` / ``_right_deg``, ``pelvic_drop_peak_left_deg`` / ``_right_deg``
    (keyed by the stance side), ``foot_strike_left`` / ``_right`` (``heel``, ``midfoot`` or
    ``forefoot``: the class of the median contact angle), ``foot_strike_angle_left_deg`` /
    ``_right_deg`` (median), ``foot_strike_<class>_pct_<side>`` (share of the contacts in
    each class), ``overstride_left_legs`` / ``_right_legs`` (mean), ``trunk_lean_mean_deg``,
    ``rearfoot_eversion_mean_left_deg`` / ``_right_deg`` (back views, a trend: see
    :func:`~.rearfoot.rearfoot_trend`), ``walking_passes``, ``walking_time_s``. None where no pass
    supports a measure, with the reason in ``warnings``.

    Events: ``heel_strike`` / ``toe_off`` with side, time and source frame. Steps: every
    step of every pass (:func:`~.steps.pass_steps`), those left out of the timing with the
    reason. Signals:
    ``stance_left`` / ``stance_right`` (1 in stance, 0 in swing, NaN outside the analysed
    passes), ``pelvic_drop_deg`` (single support, + = swing-side hip lower),
    ``foot_angle_left_deg`` / ``_right_deg`` and ``heel_ahead_left_legs`` /
    ``_right_legs`` (side-view passes).
    """
    pose = ctx.pose
    t = pose.t_s
    passes, result_warnings = find_passes(
        pose, np.asarray(ctx.view_per_frame).astype(str), joins_s=ctx.joins_s
    )
    leg_px = leg_length_px(pose)
    signals = {name: np.full(len(pose), np.nan) for name in SIGNAL_NAMES}
    timing = _time_passes(pose, passes, signals, leg_px)
    metrics = _timing_metrics(t, passes, timing)
    result_warnings += _timing_warnings(t, passes, metrics)

    flags: list[Flag] = []
    stances = timing.stances
    frontal_measures(ctx, passes, stances, signals, metrics, flags, result_warnings)
    sagittal_measures(ctx, passes, stances, signals, metrics, flags, result_warnings, leg_px)
    rearfoot_trend(ctx, passes, stances, metrics, result_warnings)
    flags += step_asymmetry_flags(ctx, metrics, timing.events)
    return TaskResult(
        metrics=metrics,
        events=timing.events,
        flags=sorted(flags, key=lambda f: f.start_s),
        warnings=list(dict.fromkeys(result_warnings)),
        signals=signals,
        steps=timing.steps,
    )
