"""Machine names of measures and how they read: ``fppa_peak_left_deg`` is the peak of
``fppa`` (knee valgus) on the left, in degrees.

The vocabulary (unit suffixes, stem labels, statistics) and a parser for names no catalogue
lists (:mod:`gaitlab.rules.metrics` lists every name the analyzers write): per-frame
signals, live maxima, a new analyzer's metrics.
"""

from __future__ import annotations

from dataclasses import dataclass

from gaitlab.core.landmarks import SIDES

#: Unit suffixes of machine names and how they read, longest first so ``pct_foot`` wins over
#: ``pct`` and ``legs_per_s`` over ``s``. A name with none of them is a count or a category
#: (``steps``, ``reps``, ``holds``, ``foot_strike_left``, ``stance_leg``).
UNITS: tuple[tuple[str, str], ...] = (
    ("legs_per_s", "leg lengths/s"),
    ("pct_of_norm", "% of norm"),
    ("pct_norm", "% of norm"),
    ("pct_foot", "% foot length"),
    ("pct_leg", "% leg length"),
    ("steps_min", "steps/min"),
    ("ratio", ""),
    ("legs", "leg lengths"),
    ("m_s", "m/s"),
    ("spm", "steps/min"),
    ("deg", "°"),
    ("pct", "%"),
    ("cm", "cm"),
    ("mm", "mm"),
    ("ms", "ms"),
    ("hz", "Hz"),
    ("px", "px"),
    ("j", "J"),
    ("s", "s"),
    ("m", "m"),
)
#: Display names of measure stems (the part of a name before statistic, side and unit); the
#: statistic is added after a comma ("Knee valgus (FPPA), peak"). No stem label has a comma.
STEM_LABELS = {
    "fppa": "Knee valgus (FPPA)",
    "knee_flexion": "Knee bend (flexion)",
    "pelvic_obliquity": "Pelvic obliquity",
    "pelvic_drop": "Pelvic drop",
    "rearfoot": "Ankle roll (rearfoot angle)",
    "ankle_roll": "Ankle roll (outwards)",
    "ankle_shift": "Sideways ankle shift",
    "ankle_wobble": "Ankle wobble (sideways)",
    "heel_height": "Heel height",
    "heel_rise": "Heel rise",
    "trunk_lean": "Forward trunk lean",
    "trunk_lateral_lean": "Sideways trunk lean",
    "walking_passes": "Walking passes",
    "walking_time": "Walking time",
    "walking_speed": "Walking speed",
    "steps": "Steps",
    "cadence": "Cadence",
    "step_time": "Step time",
    "stride_time": "Stride time",
    "step_time_asymmetry": "Step-time asymmetry",
    "stance": "Stance (% of stride)",
    "swing": "Swing (% of stride)",
    "double_support": "Double support (% of stride)",
    "flight": "Flight, both feet off (% of stride)",
    "rearfoot_eversion": "Rearfoot eversion, mid-stance (trend)",
    "gait": "Gait",
    "foot_strike": "Foot strike",
    "foot_strike_angle": "Foot angle at contact",
    "foot_strike_heel": "Heel strikes (% of contacts)",
    "foot_strike_midfoot": "Midfoot strikes (% of contacts)",
    "foot_strike_forefoot": "Forefoot strikes (% of contacts)",
    "overstride": "Overstride (heel ahead of hips)",
    "heel_strike": "Heel strike",
    "reps": "Reps",
    "reps_unavailable": "Why no rep was counted",
    "legs": "Legs used",
    "hold": "Hold at the top",
    "rise": "Rise time",
    "lower": "Lowering time",
    "heel_rise_test": "Heel-rise test",
    "heel_rise_test_reps": "Heel-rise test: raises",
    "heel_rise_test_end": "Heel-rise test: why it ended",
    "heel_rise_test_work": "Heel-rise test: work",
    "heel_rise_test_symmetry": "Heel-rise test: leg symmetry",
    "holds": "Holds",
    "hold_time": "Longest hold",
    "hold_began_before_recording": "Hold began before the recording",
    "hold_ended_after_recording": "Hold still going at the end",
    "stance_leg": "Standing leg (longest hold)",
    "hold_end_reason": "Why the longest hold ended",
    "sway_path": "Sway path",
    "sway_rms": "Sway (RMS)",
    "sway_noise": "Sway noise floor (removed)",
    "sway_direction": "Sway direction",
    "arms_out_time": "Time with arms out",
    "target_met": "Target hold reached",
    "target_low": "Target hold from",
    "target_high": "Target hold up to",
    "norm": "Age norm for a hold",
    "norm_age_band": "Age band of the norm",
    "duration_analysed": "Time analysed",
    "frames_detected": "Frames with the subject",
    "height": "Height (given)",
}
#: Labels of whole names (side as ``*``) where the stem's label does not say it all.
NAME_LABELS = {
    "hold_time_*_s": "Longest hold on each leg",
    "hold_pct_of_norm": "Longest hold (% of age norm)",
    "heel_rise_test_reps_*_pct_norm": "Heel-rise test: raises (% of norm)",
    "heel_rise_test_peak_*_pct_norm": "Heel-rise test: peak height (% of norm)",
    "foot_strike_angle_*_deg": "Foot angle at contact, median",
    "heel_rise_test_peak_*_cm": "Heel-rise test: peak height",
    "heel_rise_test_peak_*_pct_foot": "Heel-rise test: peak height",
}
#: Statistic words that may follow a stem: ``fppa_peak_left_deg`` is the peak of ``fppa``.
STATISTICS = ("peak", "mean", "median", "max", "min", "sd", "total", "rms", "cv")

#: Threshold-file units that are another spelling of a name's unit ("" = a count).
UNIT_ALIASES = {"steps/min": "spm", "steps_min": "spm", "reps": "", "count": ""}


def unit_label(unit: str | None) -> str:
    """How a unit key reads: ``pct`` → ``%``, ``legs_per_s`` → ``leg lengths/s``; an unknown
    key as it is (``reps``)."""
    units = dict(UNITS)
    if unit is None:
        return ""
    if unit in units:
        return units[unit]
    return units.get(unit_key(unit), unit)


def unit_key(unit: str) -> str:
    """A threshold-file unit as a name's unit key (``steps/min`` → ``spm``)."""
    return UNIT_ALIASES.get(unit, unit)


@dataclass(frozen=True)
class MetricName:
    """A machine name split into its parts: ``fppa_peak_left_deg`` → stem ``fppa``,
    statistic ``peak``, side ``left``, unit ``deg``, pattern ``fppa_peak_*_deg``."""

    name: str
    stem: str
    statistic: str | None
    side: str | None
    unit: str | None
    pattern: str = ""

    @property
    def unit_label(self) -> str:
        return unit_label(self.unit)

    @property
    def label(self) -> str:
        if self.pattern in NAME_LABELS:
            return NAME_LABELS[self.pattern]
        base = STEM_LABELS.get(self.stem, self.stem.replace("_", " ").capitalize())
        return f"{base}, {self.statistic}" if self.statistic else base


def parse_metric(name: str) -> MetricName:
    """Split a machine name into stem, statistic, side and unit. The side may sit anywhere
    after the first word (``fppa_peak_left_deg``, ``stance_pct_left``,
    ``heel_rise_test_reps_left_pct_norm``); a name without a known unit suffix is a count
    or a category (``reps``, ``foot_strike_left``)."""
    parts = name.split("_")
    side = None
    for i in range(len(parts) - 1, 0, -1):
        if parts[i] in SIDES:
            side = parts.pop(i)
            pattern = "_".join([*parts[:i], "*", *parts[i:]])
            break
    else:
        pattern = name
    rest, unit = "_".join(parts), None
    for key, _label in UNITS:
        if rest.endswith("_" + key):
            rest, unit = rest[: -len(key) - 1], key
            break
    parts = rest.split("_")
    statistic = None
    if len(parts) > 1 and parts[-1] in STATISTICS and rest not in STEM_LABELS:
        statistic = parts.pop()
    return MetricName(name, "_".join(parts), statistic, side, unit, pattern)
