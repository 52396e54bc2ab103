"""Chart data of a result: per-frame signals from ``frames.csv`` grouped into charts, each
with the threshold of the rule that compares them and the moments its rules flagged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from gaitlab.core.thresholds import Threshold
from gaitlab.present.references import reference_text
from gaitlab.rules import registry
from gaitlab.rules.metrics import describe
from gaitlab.rules.names import unit_key


@dataclass(frozen=True)
class ChartGroup:
    """One chart: alternative signal sets (the first present in ``frames.csv`` wins), each
    with the rules whose threshold is drawn on it (the first that applies to the task; only
    for signals the rule itself compares), and the rules whose flags it marks (rule ids of
    :mod:`gaitlab.rules.registry`)."""

    key: str
    title: str
    unit: str
    candidates: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    rules: tuple[str, ...] = ()
    zero_note: str = ""
    tasks: tuple[str, ...] = ("walk", "calf-raise", "balance")


CHART_GROUPS: tuple[ChartGroup, ...] = (
    ChartGroup(
        "fppa",
        "Knee valgus (FPPA)",
        "deg",
        ((("fppa_left_deg", "fppa_right_deg"), ("fppa_peak",)),),
        rules=("fppa_peak",),
        zero_note="0° = straight; + = knee inwards (valgus)",
    ),
    ChartGroup(
        "pelvis",
        "Pelvic obliquity",
        "deg",
        (
            (("pelvic_drop_deg",), ("pelvic_drop_walk", "pelvic_drop_stance")),
            (("pelvic_obliquity_deg",), ()),
        ),
        rules=("pelvic_drop_walk", "pelvic_drop_stance"),
        zero_note="0° = level; + = left hip lower",
    ),
    ChartGroup(
        "heel",
        "Heel height",
        "pct_foot",
        ((("heel_height_left_pct_foot", "heel_height_right_pct_foot"), ()),),
        rules=(
            "calf_raise_rise",
            "calf_raise_hold",
            "calf_raise_lower_ratio",
            "heel_rise_test_reps",
            "heel_rise_test_symmetry",
            "heel_strike",
        ),
        zero_note="0 = standing heel level",
        # In walking the heel rises in every swing: not a measure there (gaitlab.tasks.summary).
        tasks=("calf-raise", "balance"),
    ),
    ChartGroup(
        "ankle",
        "Ankle roll",
        "deg",
        (
            (("ankle_roll_left_deg", "ankle_roll_right_deg"), ("ankle_roll",)),
            (("rearfoot_left_deg", "rearfoot_right_deg"), ()),
        ),
        rules=("ankle_roll", "ankle_shift"),
        zero_note="+ = rolling outwards (inversion)",
    ),
    ChartGroup(
        "knee_flexion",
        "Knee bend (flexion)",
        "deg",
        ((("knee_flexion_left_deg", "knee_flexion_right_deg"), ()),),
        zero_note="0° = straight",
    ),
    ChartGroup(
        "trunk",
        "Forward trunk lean",
        "deg",
        ((("trunk_lean_deg",), ()),),
        zero_note="0° = upright; + = forwards",
    ),
)


@dataclass(frozen=True)
class ChartData:
    """What :func:`gaitlab.app.charts.signal_chart` draws for one group."""

    group: ChartGroup
    series: pd.DataFrame  # long form: t_s, value, series
    threshold: float | None
    threshold_label: str
    flags: list[dict[str, Any]]  # flags of this group (start_s, end_s, t_s, value, message)
    signals: tuple[str, ...]


def series_label(signal: str) -> str:
    m = describe(signal)
    return {"left": "Left", "right": "Right"}.get(m.side or "", m.label)


def chart_threshold(
    rule_ids: Sequence[str], unit: str, thresholds: Mapping[str, Threshold], task: str
) -> Threshold | None:
    """The threshold of the first of ``rule_ids`` that applies to ``task``, when it is a
    cut-off in ``unit`` (a band or another unit is not drawn)."""
    for rule_id in rule_ids:
        if registry.rule(rule_id).task not in (task, registry.ANY_TASK):
            continue
        th = registry.threshold(rule_id, thresholds)
        if th is None or unit_key(th.unit) != unit_key(unit) or th.value is None:
            return None
        return th
    return None


def chart_data(
    group: ChartGroup,
    frames: pd.DataFrame,
    flags: Sequence[dict[str, Any]],
    thresholds: dict[str, Threshold],
    task: str,
    sex: str | None = None,
) -> ChartData | None:
    """The series, threshold and flags of one chart, or None when ``frames.csv`` has no
    finite value of any of the group's signals (the view could not support them)."""

    def present_of(signals: tuple[str, ...]) -> list[str]:
        return [s for s in signals if s in frames.columns and frames[s].notna().any()]

    found = next(
        ((present_of(sig), rules) for sig, rules in group.candidates if present_of(sig)), None
    )
    if found is None:
        return None
    present, threshold_rules = found
    long = frames[["t_s", *present]].melt(id_vars="t_s", var_name="signal", value_name="value")
    long["series"] = long["signal"].map(series_label)
    threshold, label = None, ""
    th = chart_threshold(threshold_rules, group.unit, thresholds, task)
    if th is not None:
        threshold, label = th.for_sex(sex), reference_text(th, sex)
    mine = [f for f in flags if f.get("signal") in present or f.get("rule") in group.rules]
    return ChartData(group, long.dropna(subset=["value"]), threshold, label, mine, tuple(present))


def unavailable_reasons(summary: dict[str, Any], signals: Sequence[str]) -> list[str]:
    """Why a chart's signals are missing, from ``summary['unavailable']`` (deduplicated)."""
    reasons = summary.get("unavailable") or {}
    return list(dict.fromkeys(reasons[s] for s in signals if s in reasons))
