"""Walking flags: which stance, step or footfall each rule points at (the rules' words and
thresholds are in :mod:`gaitlab.rules.registry`)."""

from __future__ import annotations

from typing import Any

from gaitlab.core.landmarks import SIDES
from gaitlab.core.types import Event, Flag
from gaitlab.rules import registry
from gaitlab.rules.registry import make_flag
from gaitlab.tasks.base import TaskContext
from gaitlab.tasks.walk.phases import Phase
from gaitlab.tasks.walk.series import row_at


def peak_flags(
    ctx: TaskContext,
    metrics: dict[str, Any],
    phases: dict[str, list[Phase]],
    *,
    rule: str,
    wording: str = "",
) -> list[Flag]:
    """Flags of ``rule`` for its per-side ensemble peak (the rule's measure), one per side,
    pointing at the phase with the largest single peak; ``wording`` picks the rule's
    message."""
    thr = registry.threshold(rule, ctx.thresholds)
    if thr is None:
        return []
    metric = registry.rule(rule).measure
    out = []
    for side in SIDES:
        value = metrics[metric.format(side=side)]
        if value is None or not thr.crossed(value, ctx.sex):
            continue
        worst = max(phases[side], key=lambda ph: ph.peak)
        out.append(
            make_flag(
                rule,
                thr,
                value,
                side=side,
                span_s=(worst.start_s, worst.end_s),
                frame=ctx.pose.frame_index[worst.row],
                sex=ctx.sex,
                wording=wording,
                steps=len(phases[side]),
                largest=worst.peak,
            )
        )
    return out


def step_asymmetry_flags(
    ctx: TaskContext, metrics: dict[str, Any], events: list[Event]
) -> list[Flag]:
    """The step-time asymmetry flag, spanning the heel strikes, if over its threshold."""
    asym = metrics.get("step_time_asymmetry_pct")
    thr = registry.threshold("step_time_asymmetry", ctx.thresholds)
    if asym is None or thr is None or not thr.crossed(asym, ctx.sex):
        return []
    t = ctx.pose.t_s
    hs = [e for e in events if e.type == "heel_strike"]
    row = row_at(t, hs[0].t_s) if hs else 0
    return [
        make_flag(
            "step_time_asymmetry",
            thr,
            asym,
            side=None,
            span_s=(hs[0].t_s, hs[-1].t_s) if hs else (t[0], t[-1]),
            frame=ctx.pose.frame_index[row],
            sex=ctx.sex,
            left_s=metrics["step_time_left_s"],
            right_s=metrics["step_time_right_s"],
        )
    ]


def heel_strike_flags(
    ctx: TaskContext, metrics: dict[str, Any], contacts: dict[str, list[tuple[float, float, int]]]
) -> list[Flag]:
    """An info flag per foot whose median contact is a heel strike, pointing at its
    steepest contact (``contacts``: angle, heel ahead, row per footfall)."""
    heel_thr = registry.threshold("heel_strike", ctx.thresholds)
    if heel_thr is None:
        return []
    t = ctx.pose.t_s
    out = []
    for side in SIDES:
        if metrics.get(f"foot_strike_{side}") != "heel":
            continue
        _, _, row = max(contacts[side], key=lambda x: x[0])
        out.append(
            make_flag(
                "heel_strike",
                heel_thr,
                metrics[f"foot_strike_angle_{side}_deg"],
                side=side,
                span_s=(t[row], t[row]),
                frame=ctx.pose.frame_index[row],
                sex=ctx.sex,
            )
        )
    return out


def overstride_flags(
    ctx: TaskContext, metrics: dict[str, Any], contacts: dict[str, list[tuple[float, float, int]]]
) -> list[Flag]:
    """A flag per side whose mean overstride is over the threshold, pointing at its longest
    reach (``contacts``: angle, heel ahead, row per footfall)."""
    over = registry.threshold("overstride", ctx.thresholds)
    if over is None:
        return []
    t = ctx.pose.t_s
    out = []
    for side in SIDES:
        mean = metrics.get(f"overstride_{side}_legs")
        if mean is None or not over.crossed(mean, ctx.sex):
            continue
        _, o, row = max(contacts[side], key=lambda x: x[1])
        out.append(
            make_flag(
                "overstride",
                over,
                mean,
                side=side,
                span_s=(t[row], t[row]),
                frame=ctx.pose.frame_index[row],
                sex=ctx.sex,
                largest=o,
            )
        )
    return out
