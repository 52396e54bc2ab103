"""Walking flags: building them and wording each rule's message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gaitlab.core.landmarks import SIDES
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Event, Flag, PoseSequence
from gaitlab.tasks.base import TaskContext
from gaitlab.tasks.walk.phases import Phase
from gaitlab.tasks.walk.series import row_at


def walk_flag(
    pose: PoseSequence,
    threshold: Threshold,
    *,
    rule: str,
    side: str | None,
    value: float,
    limit: float,
    row: int,
    span_s: tuple[float, float],
    message: str,
    signal: str | None,
    severity: str = "warning",
) -> Flag:
    """A walking :class:`Flag` at ``row`` of the pose, with the threshold's unit and source
    (marked provisional where it is)."""
    return Flag(
        rule=rule,
        severity=severity,
        side=side,
        start_s=float(span_s[0]),
        end_s=float(span_s[1]),
        frame=int(pose.frame_index[row]),
        value=float(value),
        threshold=float(limit),
        unit=threshold.unit,
        message=message,
        source=threshold.source + (" (provisional)" if threshold.provisional else ""),
        signal=signal,
    )


def peak_flags(
    ctx: TaskContext,
    metrics: dict[str, Any],
    phases: dict[str, list[Phase]],
    *,
    rule: str,
    metric: str,
    signal: str,
    message: Callable[[str, float, Phase, float], str],
) -> list[Flag]:
    """Flags for a per-side ensemble peak (``metric`` with ``{side}``) over the threshold
    ``rule``, one per side, pointing at the phase with the largest single peak.
    ``message(side, value, worst_phase, limit)`` words it; ``signal`` (may hold ``{side}``)
    names the plotted signal."""
    thr = ctx.thresholds.get(rule)
    if thr is None:
        return []
    limit = thr.for_sex(ctx.sex)
    out = []
    for side in SIDES:
        value = metrics[metric.format(side=side)]
        if value is None or not thr.crossed(value, ctx.sex):
            continue
        worst = max(phases[side], key=lambda ph: ph.peak)
        out.append(
            walk_flag(
                ctx.pose,
                thr,
                rule=rule,
                side=side,
                value=value,
                limit=limit,
                row=worst.row,
                span_s=(worst.start_s, worst.end_s),
                message=message(side, value, worst, limit),
                signal=signal.format(side=side),
            )
        )
    return out


def step_asymmetry_flags(
    ctx: TaskContext, metrics: dict[str, Any], events: list[Event]
) -> list[Flag]:
    """The step-time asymmetry flag, spanning the heel strikes, if over its threshold."""
    asym = metrics.get("step_time_asymmetry_pct")
    thr = ctx.thresholds.get("step_time_asymmetry")
    if asym is None or thr is None or not thr.crossed(asym, ctx.sex):
        return []
    t = ctx.pose.t_s
    limit = thr.for_sex(ctx.sex)
    hs = [e for e in events if e.type == "heel_strike"]
    row = row_at(t, hs[0].t_s) if hs else 0
    return [
        walk_flag(
            ctx.pose,
            thr,
            rule="step_time_asymmetry",
            side=None,
            value=asym,
            limit=limit,
            row=row,
            span_s=(hs[0].t_s, hs[-1].t_s) if hs else (t[0], t[-1]),
            message=(
                f"uneven steps: left steps take {metrics['step_time_left_s']:.2f} s, right "
                f"steps {metrics['step_time_right_s']:.2f} s ({asym:.0f} % apart, "
                f"threshold {limit:g} %)"
            ),
            signal=None,
        )
    ]


def heel_strike_flags(
    ctx: TaskContext, metrics: dict[str, Any], contacts: dict[str, list[tuple[float, float, int]]]
) -> list[Flag]:
    """An info flag per foot whose median contact is a heel strike, pointing at its
    steepest contact (``contacts``: angle, heel ahead, row per footfall)."""
    heel_thr = ctx.thresholds.get("foot_strike_heel")
    if heel_thr is None:
        return []
    t = ctx.pose.t_s
    limit = heel_thr.for_sex(ctx.sex)
    out = []
    for side in SIDES:
        c = contacts[side]
        if metrics.get(f"foot_strike_{side}") != "heel":
            continue
        a, _, row = max(c, key=lambda x: x[0])
        med = metrics[f"foot_strike_angle_{side}_deg"]
        out.append(
            walk_flag(
                ctx.pose,
                heel_thr,
                rule="heel_strike",
                side=side,
                value=med,
                limit=limit,
                row=row,
                span_s=(t[row], t[row]),
                message=(
                    f"{side} foot lands heel first (foot {med:.0f}° toe-up at contact, "
                    f"heel strike above {limit:g}°): land gently, rolling from your "
                    "midfoot to the ball of your foot, rather than crashing down on your heel"
                ),
                signal=f"foot_angle_{side}_deg",
                severity="info",
            )
        )
    return out


def overstride_flags(
    ctx: TaskContext, metrics: dict[str, Any], contacts: dict[str, list[tuple[float, float, int]]]
) -> list[Flag]:
    """A flag per side whose mean overstride is over the threshold, pointing at its longest
    reach (``contacts``: angle, heel ahead, row per footfall)."""
    over = ctx.thresholds.get("overstride_walk")
    if over is None:
        return []
    t = ctx.pose.t_s
    limit = over.for_sex(ctx.sex)
    out = []
    for side in SIDES:
        mean = metrics.get(f"overstride_{side}_legs")
        if mean is None or not over.crossed(mean, ctx.sex):
            continue
        _, o, row = max(contacts[side], key=lambda x: x[1])
        out.append(
            walk_flag(
                ctx.pose,
                over,
                rule="overstride",
                side=side,
                value=mean,
                limit=limit,
                row=row,
                span_s=(t[row], t[row]),
                message=(
                    f"{side} heel lands {mean:.2f} leg lengths ahead of the hips on "
                    f"average (largest {o:.2f}, threshold {limit:g}): take shorter, quicker "
                    "steps that land closer under the body"
                ),
                signal=f"heel_ahead_{side}_legs",
            )
        )
    return out
