"""The metric catalogue: every metric the analyzers write, what it is, and its references.

``summary.json`` keeps metrics as a flat ``{machine name: value}`` dict (``fppa_peak_left_deg:
12.3``); this catalogue says for each name its measure stem, statistic, side and unit, so
the app and the report need not guess them from the name, and :func:`metric_records` turns
the dict (with the ``unavailable`` reasons of the per-frame signals) into :class:`Metric`
records. A name the catalogue does not list (a new analyzer's, a live maximum) is read by
:func:`gaitlab.rules.names.parse_metric`. The references of a measure are the thresholds of
the rules that judge it (:mod:`gaitlab.rules.registry`) and the reference bands below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.core.thresholds import Threshold
from gaitlab.rules.names import MetricName, parse_metric, unit_key
from gaitlab.rules.registry import ANY_TASK, references_by_stem

MEASURED = "measured"
NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class MetricSpec:
    """One catalogued metric: ``pattern`` is its name with the side as ``*`` (or the name
    when it has no side), ``signal`` the per-frame signal it is computed from (``{side}``
    filled in), whose ``unavailable`` reason says why the metric was not measured."""

    pattern: str
    stem: str
    statistic: str | None
    unit: str | None
    signal: str | None = None

    @property
    def sided(self) -> bool:
        return "*" in self.pattern.split("_")


_S = MetricSpec
#: Every metric the analyzers write (gaitlab.tasks), in the order of a result page.
CATALOGUE: tuple[MetricSpec, ...] = (
    # walk
    _S("walking_passes", "walking_passes", None, None),
    _S("walking_time_s", "walking_time", None, "s"),
    _S("steps", "steps", None, None),
    _S("step_time_mean_s", "step_time", "mean", "s"),
    _S("cadence_spm", "cadence", None, "spm"),
    _S("stride_time_mean_s", "stride_time", "mean", "s"),
    _S("step_time_*_s", "step_time", None, "s"),
    _S("step_time_asymmetry_pct", "step_time_asymmetry", None, "pct"),
    _S("stance_pct_*", "stance", None, "pct"),
    _S("swing_pct_*", "swing", None, "pct"),
    _S("gait", "gait", None, None),
    _S("double_support_pct", "double_support", None, "pct"),
    _S("flight_pct", "flight", None, "pct"),
    _S("walking_speed_legs_per_s", "walking_speed", None, "legs_per_s"),
    _S("fppa_peak_*_deg", "fppa", "peak", "deg", "fppa_{side}_deg"),
    _S("pelvic_drop_peak_*_deg", "pelvic_drop", "peak", "deg", "pelvic_obliquity_deg"),
    _S("foot_strike_*", "foot_strike", None, None),
    _S("foot_strike_angle_*_deg", "foot_strike_angle", None, "deg"),
    _S("foot_strike_heel_pct_*", "foot_strike_heel", None, "pct"),
    _S("foot_strike_midfoot_pct_*", "foot_strike_midfoot", None, "pct"),
    _S("foot_strike_forefoot_pct_*", "foot_strike_forefoot", None, "pct"),
    _S("overstride_*_legs", "overstride", None, "legs"),
    _S("trunk_lean_mean_deg", "trunk_lean", "mean", "deg", "trunk_lean_deg"),
    _S("rearfoot_eversion_mean_*_deg", "rearfoot_eversion", "mean", "deg", "rearfoot_{side}_deg"),
    _S("knee_flexion_peak_*_deg", "knee_flexion", "peak", "deg", "knee_flexion_{side}_deg"),
    # calf raise
    _S("reps", "reps", None, None),
    _S("reps_unavailable", "reps_unavailable", None, None),
    _S("legs", "legs", None, None),
    _S("rise_mean_s", "rise", "mean", "s"),
    _S("hold_mean_s", "hold", "mean", "s"),
    _S("lower_mean_s", "lower", "mean", "s"),
    _S("heel_rise_peak_pct_foot", "heel_rise", "peak", "pct_foot"),
    _S("heel_rise_mean_pct_foot", "heel_rise", "mean", "pct_foot"),
    _S("heel_rise_peak_cm", "heel_rise", "peak", "cm"),
    _S("ankle_roll_peak_*_deg", "ankle_roll", "peak", "deg"),
    _S("ankle_wobble_mean_*_pct_foot", "ankle_wobble", "mean", "pct_foot"),
    _S("heel_rise_test_reps_*", "heel_rise_test_reps", None, None),
    _S("heel_rise_test_end_*", "heel_rise_test_end", None, None),
    _S("heel_rise_test_peak_*_pct_foot", "heel_rise_test", "peak", "pct_foot"),
    _S("heel_rise_test_peak_*_cm", "heel_rise_test", "peak", "cm"),
    _S("heel_rise_test_peak_*_pct_norm", "heel_rise_test", "peak", "pct_norm"),
    _S("heel_rise_test_work_*_j", "heel_rise_test_work", None, "j"),
    _S("heel_rise_test_reps_*_pct_norm", "heel_rise_test_reps", None, "pct_norm"),
    _S("heel_rise_test_symmetry_pct", "heel_rise_test_symmetry", None, "pct"),
    # balance
    _S("holds", "holds", None, None),
    _S("hold_time_s", "hold_time", None, "s"),
    _S("hold_time_*_s", "hold_time", None, "s"),
    _S("stance_leg", "stance_leg", None, None),
    _S("hold_end_reason", "hold_end_reason", None, None),
    _S("hold_began_before_recording", "hold_began_before_recording", None, None),
    _S("hold_ended_after_recording", "hold_ended_after_recording", None, None),
    _S("sway_rms_pct_leg", "sway_rms", None, "pct_leg"),
    _S("sway_path_pct_leg", "sway_path", None, "pct_leg"),
    _S("sway_noise_pct_leg", "sway_noise", None, "pct_leg"),
    _S("sway_direction", "sway_direction", None, None),
    _S("pelvic_drop_mean_deg", "pelvic_drop", "mean", "deg", "pelvic_obliquity_deg"),
    _S("arms_out_time_s", "arms_out_time", None, "s"),
    _S("sway_rms_cm", "sway_rms", None, "cm"),
    _S("sway_path_cm", "sway_path", None, "cm"),
    _S("target_met", "target_met", None, None),
    _S("target_low_s", "target_low", None, "s"),
    _S("target_high_s", "target_high", None, "s"),
    _S("norm_s", "norm", None, "s"),
    _S("norm_age_band", "norm_age_band", None, None),
    _S("hold_pct_of_norm", "hold", None, "pct_of_norm"),
    # the recording
    _S("duration_analysed_s", "duration_analysed", None, "s"),
    _S("frames_detected", "frames_detected", None, None),
    _S("height_cm", "height", None, "cm"),
)

#: Metrics about the recording rather than the person's form.
RECORDING_STEMS = ("duration_analysed", "frames_detected", "height")

#: Metrics that are a yes or a no (a bool in ``summary.json``, 1.0 / 0.0 in the history): not
#: a measure to follow over time.
YES_NO_STEMS = ("hold_began_before_recording", "hold_ended_after_recording", "target_met")

#: Reference bands that no rule flags, per measure stem and task: thresholds-file keys,
#: ``{sex}`` filled in with ``female`` / ``male``.
REFERENCE_BANDS: dict[str, dict[str, str]] = {"cadence": {ANY_TASK: "cadence_normal_{sex}"}}

#: Threshold-file entries that are the reference for a measure stem, per task ("*" any): the
#: thresholds of the rules that judge the measure, and the reference bands.
REFERENCES: dict[str, dict[str, str]] = {**references_by_stem(), **REFERENCE_BANDS}

#: Stems whose reference is a walking norm: not shown when the analysis found running.
WALKING_ONLY_REFERENCES = ("cadence",)


def _by_name() -> dict[str, MetricSpec]:
    out = {}
    for spec in CATALOGUE:
        sides = SIDES if spec.sided else (None,)
        for side in sides:
            out[spec.pattern.replace("*", side) if side else spec.pattern] = spec
    return out


_BY_NAME = _by_name()


def describe(name: str) -> MetricName:
    """Stem, statistic, side, unit and label of a metric name: from the catalogue, else
    parsed from the name (:func:`~gaitlab.rules.names.parse_metric`)."""
    spec = _BY_NAME.get(name)
    if spec is None:
        return parse_metric(name)
    side = next((s for s in SIDES if spec.pattern.replace("*", s) == name), None)
    return MetricName(
        name, spec.stem, spec.statistic, side if spec.sided else None, spec.unit, spec.pattern
    )


def signal_of(name: str) -> str | None:
    """The per-frame signal a catalogued metric is computed from (None if none or unknown)."""
    spec = _BY_NAME.get(name)
    if spec is None or spec.signal is None:
        return None
    return spec.signal.format(side=describe(name).side or "")


@dataclass(frozen=True)
class Metric:
    """One metric of a result: machine ``name``, ``value`` (None when not measured), ``unit``
    key, ``side``, ``label``, ``status`` (``measured`` / ``not measured``) and, when not
    measured, the ``reason`` (the pipeline's, "" when it gave none)."""

    name: str
    value: Any
    unit: str | None
    side: str | None
    status: str
    reason: str
    label: str

    @property
    def measured(self) -> bool:
        return self.status == MEASURED


def is_measured(value: Any) -> bool:
    """A value is measured unless None or a non-finite number."""
    return not (value is None or (isinstance(value, float) and not np.isfinite(value)))


def metric_records(
    metrics: Mapping[str, Any], unavailable: Mapping[str, str] | None = None
) -> list[Metric]:
    """A summary's flat ``metrics`` dict as :class:`Metric` records, in its order;
    ``unavailable`` (``summary['unavailable']``: signal → reason) gives the reasons."""
    reasons = unavailable or {}
    out = []
    for name, value in metrics.items():
        m = describe(name)
        measured = is_measured(value)
        signal = signal_of(name)
        reason = "" if measured or signal is None else str(reasons.get(signal, ""))
        status = MEASURED if measured else NOT_MEASURED
        out.append(Metric(name, value, m.unit, m.side, status, reason, m.label))
    return out


def reference_for(
    metric: MetricName,
    thresholds: Mapping[str, Threshold],
    task: str,
    sex: str | None = None,
) -> list[Threshold]:
    """The thresholds-file entries that are the reference for ``metric`` (same unit only):
    of the longest stem prefix in :data:`REFERENCES`, for ``task`` or any task.

    Cadence has one band per sex: with sex unknown both are returned.
    """
    parts = metric.stem.split("_")
    prefixes = ("_".join(parts[:i]) for i in range(len(parts), 0, -1))
    table = next((REFERENCES[k] for k in prefixes if k in REFERENCES), None)
    if table is None:
        return []
    key = table.get(task) or table.get(ANY_TASK)
    if key is None:
        return []
    if "{sex}" in key and sex is None:
        names = [key.format(sex=s) for s in ("female", "male")]
    else:
        names = [key.format(sex=sex)]
    out = []
    for n in names:
        th = thresholds.get(n)
        if th is not None and unit_key(th.unit) == unit_key(metric.unit or ""):
            out.append(th)
    return out


def verdict(value: Any, refs: Sequence[Threshold], sex: str | None) -> str:
    """A number against its references: ``flagged`` / ``within`` a rule's threshold (the
    rule's own comparison), ``below range`` / ``in range`` / ``above range`` of a band; ""
    when there is nothing to judge (not a number, no reference, one band per sex)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not refs:
        return ""
    th = refs[0]
    if th.low is not None and th.high is not None:
        if len(refs) > 1:
            return ""  # two bands (sex unknown): no single verdict
        return "below range" if value < th.low else "above range" if value > th.high else "in range"
    return "flagged" if th.crossed(float(value), sex) else "within"
