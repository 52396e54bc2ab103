"""Turn a result folder into what the pages show: labelled rows, references, chart series.

Plain functions over ``summary.json`` / ``frames.csv`` and the thresholds file; no
Streamlit. Task analyzers plug in without changes here: metrics are read generically from
their ``<what>_<side?>_<unit>`` names, flags and reps from their lists, and any per-frame
signal an analyzer adds to ``frames.csv`` can join a chart group by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gaitlab.core.landmarks import SIDES
from gaitlab.core.thresholds import Threshold
from gaitlab.signals.measures import FRONTAL_SIGNALS, SAGITTAL_SIGNALS

# -- names ------------------------------------------------------------------------------------
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
#: Decimals of a value per unit key (default 1).
DECIMALS = {"s": 2, "ratio": 2, "legs": 2, "legs_per_s": 2, "j": 0}

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

#: Metrics about the recording rather than the person's form.
RECORDING_STEMS = ("duration_analysed", "frames_detected", "height")

#: The measures shown first ("Key measures") per task, in order, as names with the side as
#: ``*`` (left and right share one row). A tuple is a list of alternatives: the first with
#: a value is shown. Names a result does not have are skipped; the rest go under "All".
KEY_MEASURES: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "walk": (
        "steps",
        "gait",
        "cadence_spm",
        "step_time_mean_s",
        "stride_time_mean_s",
        "step_time_asymmetry_pct",
        "stance_pct_*",
        ("double_support_pct", "flight_pct"),
        "fppa_peak_*_deg",
        "pelvic_drop_peak_*_deg",
        "foot_strike_*",
    ),
    "calf-raise": (
        "reps",
        "legs",
        "rise_mean_s",
        "hold_mean_s",
        "lower_mean_s",
        ("heel_rise_peak_cm", "heel_rise_peak_pct_foot"),
        "ankle_roll_peak_*_deg",
        "heel_rise_test_reps_*",
        "heel_rise_test_symmetry_pct",
    ),
    "balance": (
        "holds",
        "hold_time_s",
        "stance_leg",
        ("sway_rms_pct_leg", "sway_rms_cm"),  # the reference is in % leg length
        "pelvic_drop_mean_deg",
        "target_met",
    ),
}

#: Threshold-file entries that are the reference for a measure stem, per task ("*" any).
#: Only names live here; every value comes from the thresholds file.
REFERENCES: dict[str, dict[str, str]] = {
    "fppa": {"*": "fppa_peak"},
    "pelvic_drop": {"walk": "pelvic_drop_walk", "balance": "pelvic_drop_stance"},
    "ankle_roll": {"*": "ankle_roll"},
    "ankle_shift": {"*": "ankle_shift"},
    "step_time_asymmetry": {"*": "step_time_asymmetry"},
    "cadence": {"*": "cadence_normal_{sex}"},
    "hold": {"calf-raise": "calf_raise_hold", "balance": "balance_hold_min"},
    "rise": {"calf-raise": "calf_raise_rise"},
    "foot_strike_angle": {"walk": "foot_strike_heel"},
    "overstride": {"walk": "overstride_walk"},
    "sway_rms": {"balance": "balance_sway_rms"},
    "heel_rise_test_reps": {"calf-raise": "heel_rise_test_reps"},
    "heel_rise_test_symmetry": {"calf-raise": "heel_rise_test_symmetry"},
}
#: Stems whose reference is a walking norm: not shown when the analysis found running.
WALKING_ONLY_REFERENCES = ("cadence",)
#: Threshold-file units that are another spelling of a name's unit ("" = a count).
_UNIT_ALIASES = {"steps/min": "spm", "steps_min": "spm", "reps": "", "count": ""}
NOT_MEASURED = "not measured"


def unit_label(unit: str | None) -> str:
    """How a unit key reads: ``pct`` → ``%``, ``legs_per_s`` → ``leg lengths/s``; an unknown
    key as it is (``reps``)."""
    units = dict(UNITS)
    if unit is None:
        return ""
    if unit in units:
        return units[unit]
    return units.get(_UNIT_ALIASES.get(unit, unit), unit)


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


# -- references -----------------------------------------------------------------------------
def reference_for(
    metric: MetricName,
    thresholds: dict[str, Threshold],
    task: str,
    sex: str | None = None,
) -> list[Threshold]:
    """The thresholds-file entries that are the reference for ``metric`` (same unit only).

    Cadence has one band per sex: with sex unknown both are returned.
    """
    parts = metric.stem.split("_")
    table = next(
        (
            REFERENCES[k]
            for k in ("_".join(parts[:i]) for i in range(len(parts), 0, -1))
            if k in REFERENCES
        ),
        None,
    )
    if table is None:
        return []
    key = table.get(task) or table.get("*")
    if key is None:
        return []
    if "{sex}" in key and sex is None:
        names = [key.format(sex=s) for s in ("female", "male")]
    else:
        names = [key.format(sex=sex)]
    out = []
    for n in names:
        th = thresholds.get(n)
        if th is not None and _unit_key(th.unit) == _unit_key(metric.unit or ""):
            out.append(th)
    return out


def _unit_key(unit: str) -> str:
    return _UNIT_ALIASES.get(unit, unit)


def _fmt(v: float | str, unit: str) -> str:
    """``10°``, ``0.3 s``, ``96 steps/min`` (numbers as given, or with ``:g``)."""
    text = v if isinstance(v, str) else f"{v:g}"
    return f"{text}{unit}" if unit == "°" else f"{text} {unit}".strip()


def _sex_of(th: Threshold) -> str:
    return th.name.rsplit("_", 1)[-1] if th.name.endswith(("_female", "_male")) else ""


def reference_text(th: Threshold, sex: str | None = None) -> str:
    """``flag above 10°`` / ``normal 96–138 steps/min``, with sex-specific values and a
    provisional mark where the thresholds file says so."""
    unit = unit_label(th.unit)
    if th.low is not None and th.high is not None:
        text = f"normal {th.low:g}–{_fmt(th.high, unit)}"
        text += {"female": " (women)", "male": " (men)"}.get(_sex_of(th), "")
    else:
        word = "above" if th.comparison == ">" else "below"
        text = f"flag {word} {_fmt(th.for_sex(sex), unit)}"
        if sex is None and (th.value_female is not None or th.value_male is not None):
            by_sex = []
            if th.value_female is not None:
                by_sex.append(f"women {_fmt(th.value_female, unit)}")
            if th.value_male is not None:
                by_sex.append(f"men {_fmt(th.value_male, unit)}")
            text += f" ({', '.join(by_sex)})"
    return text + (" · provisional" if th.provisional else "")


def references_text(refs: Sequence[Threshold], sex: str | None = None) -> str:
    """All of a measure's references in one short text: one band per sex (sex unknown)
    reads ``normal: women 96–138, men 81–135 steps/min``."""
    by_sex = [t for t in refs if t.low is not None and t.high is not None and _sex_of(t)]
    if len(refs) > 1 and len(by_sex) == len(refs) and len({t.unit for t in refs}) == 1:
        who = {"female": "women", "male": "men"}
        bands = [f"{who[_sex_of(t)]} {t.low:g}–{t.high:g}" for t in refs]
        text = _fmt(f"normal: {', '.join(bands)}", unit_label(refs[0].unit))
        return text + (" · provisional" if any(t.provisional for t in refs) else "")
    return "; ".join(reference_text(t, sex) for t in refs)


def _judge(value: Any, refs: Sequence[Threshold], sex: str | None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not refs:
        return ""
    th = refs[0]
    if th.low is not None and th.high is not None:
        if len(refs) > 1:
            return ""  # two bands (sex unknown): no single verdict
        return "below range" if value < th.low else "above range" if value > th.high else "in range"
    return "flagged" if th.crossed(float(value), sex) else "within"


def format_value(value: Any, unit: str | None) -> str:
    """``12.3°``, ``1.05 s``, ``62.4 %``, ``7``, ``yes`` or ``not measured`` (``unit`` is a
    machine unit key)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return NOT_MEASURED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    text = str(value) if isinstance(value, int) else f"{value:.{DECIMALS.get(unit or '', 1)}f}"
    return _fmt(text, unit_label(unit))


def metric_rows(
    summary: dict[str, Any], thresholds: dict[str, Threshold], sex: str | None = None
) -> list[dict[str, Any]]:
    """One row per metric of ``summary['metrics']``: label, side, value with unit,
    reference range, verdict against it, source; form measures first, then the recording."""
    task = str(summary.get("task", ""))
    metrics = summary.get("metrics") or {}
    rows = []
    for name, value in metrics.items():
        m = parse_metric(name)
        refs = reference_for(m, thresholds, task, sex)
        if m.stem in WALKING_ONLY_REFERENCES and metrics.get("gait") == "running":
            refs = []  # walking norms say nothing about a run
        text = format_value(value, m.unit)
        rows.append(
            {
                "name": name,
                "pattern": m.pattern,
                "measure": m.label,
                "side": m.side or "",
                "value": text,
                "measured": text != NOT_MEASURED,
                "reference": references_text(refs, sex),
                "verdict": _judge(value, refs, sex),
                "source": "; ".join(dict.fromkeys(t.source for t in refs)),
                "recording": m.stem in RECORDING_STEMS,
            }
        )
    return sorted(rows, key=lambda r: r["recording"])


def paired_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`metric_rows` with the left and right of a measure in one row: value ``left
    62.4 % · right 60.0 %`` (``heel (both sides)`` when equal, ``not measured`` when neither
    is), verdict ``within`` or ``left within · right flagged``, and ``checked``, the value
    with its verdicts (``left 0.4 (within) · right 0.6 (flagged)``); ``key`` is the name
    with the side as ``*``. Order: first appearance."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["pattern"] if r["side"] else r["name"], []).append(r)
    out = []
    for key, group in groups.items():
        first = group[0]
        row = {
            "key": key,
            "names": tuple(r["name"] for r in group),
            "measure": first["measure"],
            "side": "",
            "measured": any(r["measured"] for r in group),
            "reference": "; ".join(dict.fromkeys(r["reference"] for r in group if r["reference"])),
            "source": "; ".join(dict.fromkeys(r["source"] for r in group if r["source"])),
            "recording": first["recording"],
        }
        if not first["side"]:
            row.update(value=first["value"], verdict=first["verdict"], checked=_checked(first))
        else:
            row.update(
                value=_paired_value(group),
                verdict=_paired_verdict(group),
                checked=_paired_checked(group),
            )
        out.append(row)
    return out


def _paired_value(group: Sequence[dict[str, Any]]) -> str:
    measured = [r for r in group if r["measured"]]
    if not measured:
        return NOT_MEASURED
    if len(group) > 1 and len(measured) == len(group) and len({r["value"] for r in group}) == 1:
        return f"{group[0]['value']} (both sides)"
    return " · ".join(f"{r['side']} {r['value']}" for r in group)


def _checked(row: dict[str, Any]) -> str:
    return f"{row['value']} ({row['verdict']})" if row["verdict"] else row["value"]


def _paired_checked(group: Sequence[dict[str, Any]]) -> str:
    measured = [r for r in group if r["measured"]]
    verdicts = {r["verdict"] for r in measured}
    if len(group) > 1 and len(measured) == len(group) and len(verdicts) == 1:
        verdict = verdicts.pop()
        if len({r["value"] for r in group}) == 1:
            return f"{group[0]['value']} (both sides{', ' + verdict if verdict else ''})"
        if verdict:
            return f"{_paired_value(group)} (both {verdict})"
    if not any(r["verdict"] for r in group):
        return _paired_value(group)
    return " · ".join(f"{r['side']} {_checked(r)}" for r in group)


def _paired_verdict(group: Sequence[dict[str, Any]]) -> str:
    judged = [r for r in group if r["verdict"]]
    if not judged:
        return ""
    measured = [r for r in group if r["measured"]]
    if len(judged) == len(measured) and len({r["verdict"] for r in judged}) == 1:
        return judged[0]["verdict"]
    return " · ".join(f"{r['side']} {r['verdict']}" for r in judged)


@dataclass(frozen=True)
class MeasureSections:
    """A result's measures as the result page shows them: ``key`` beside the video, ``more``
    under "All measures", ``recording`` (time analysed, frames) as a note. Rows of ``key``
    and ``more`` are :func:`paired_rows`; of ``recording``, :func:`metric_rows`."""

    key: list[dict[str, Any]]
    more: list[dict[str, Any]]
    recording: list[dict[str, Any]]


def key_measures(rows: Sequence[dict[str, Any]], task: str) -> list[dict[str, Any]]:
    """The task's :data:`KEY_MEASURES` among ``rows`` (:func:`paired_rows`), in their order;
    of alternatives the first measured one (else the first present). A task without a key
    list: every row."""
    spec = KEY_MEASURES.get(task)
    if spec is None:
        return list(rows)
    by_key = {r["key"]: r for r in rows}
    out = []
    for entry in spec:
        options = (entry,) if isinstance(entry, str) else entry
        present = [by_key[k] for k in options if k in by_key]
        if present:
            out.append(next((r for r in present if r["measured"]), present[0]))
    return out


def measure_sections(
    summary: dict[str, Any], thresholds: dict[str, Threshold], sex: str | None = None
) -> MeasureSections:
    """Split a summary's metrics into key measures, all other measures and the recording."""
    rows = metric_rows(summary, thresholds, sex)
    form = paired_rows([r for r in rows if not r["recording"]])
    key = key_measures(form, str(summary.get("task", "")))
    shown = {r["key"] for r in key}
    return MeasureSections(
        key, [r for r in form if r["key"] not in shown], [r for r in rows if r["recording"]]
    )


#: Spaces a line must not break at: between a number and a short unit, after a side (long
#: chains such as "men 81–135 steps/min" would not fit a phone's table column).
_GLUE = re.compile(r"(?<=\d) (?=(?:%|s|J|cm|mm|ms|Hz|px|m)(?:\W|$))|(?<=\bleft) |(?<=\bright) ")


def keep_together(text: str) -> str:
    """``10 %``, ``2.24 s``, ``left 0.5``, ``96–138`` and ``not measured`` never split over
    two lines of a narrow table cell (no-break spaces, a word joiner after a dash between
    numbers)."""
    text = _GLUE.sub("\u00a0", text).replace(NOT_MEASURED, NOT_MEASURED.replace(" ", "\u00a0"))
    return re.sub(r"(?<=\d)–(?=\d)", "–\u2060", text)


def measure_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Rows of :func:`paired_rows` (or :func:`metric_rows`: the side joins the measure) as a
    compact table for narrow screens: measure, value with its verdict (``9.5 % (within)``)
    and reference, with :func:`keep_together` spaces; the reference column only when some
    row has one."""
    table = [
        {
            "Measure": r["measure"] + (f" · {r['side']}" if r.get("side") else ""),
            "Value": keep_together(r.get("checked") or _checked(r)),
            "Reference": keep_together(r["reference"]),
        }
        for r in rows
    ]
    if not any(t["Reference"] for t in table):
        return [{k: v for k, v in t.items() if k != "Reference"} for t in table]
    return table


# -- flags ------------------------------------------------------------------------------------
#: What a flag means, in plain language, per rule name. Values never appear here: the
#: flag's own value and threshold are shown beside it.
EXPLANATIONS = {
    "fppa_peak": (
        "The knee moved inwards, towards the other leg, further than the reference allows "
        "(knee valgus, 'knee caving in'). Keep the knee in line with the second toe. From a "
        "single camera this angle is a screening proxy, not a 3D measurement of the knee."
    ),
    "pelvic_drop": (
        "The hip on the side of the lifted leg dropped below the standing side (a "
        "Trendelenburg-type sign), which points to weak hip muscles on the standing side. "
        "Keep your hips level."
    ),
    "ankle_roll": (
        "The ankle rolled outwards (weight onto the little-toe side) at the top of the raise. "
        "Keep your ankles straight and press through the base of the big toe."
    ),
    "ankle_shift": (
        "The ankle wobbled sideways over the foot. Keep your ankles perfectly straight."
    ),
    "calf_raise_hold": "No real pause at the top of the raise: pause at the top for a moment.",
    "calf_raise_rise": "The heels went up quickly: raise them slowly.",
    "calf_raise_lower": "The heels came down faster than they went up: lower even more slowly.",
    "step_time_asymmetry": "One step took noticeably longer than the other.",
    "foot_strike": (
        "The foot landed heel first. Land gently, rolling from your midfoot to the ball of "
        "your foot, rather than crashing down on your heel."
    ),
    "heel_strike": (
        "At contact the foot pointed toes-up by more than the reference angle, so the heel "
        "took the first impact. The programme asks for a soft landing that rolls from the "
        "midfoot to the ball of the foot."
    ),
    "overstride": (
        "The heel landed far ahead of the hips (overstriding): the leg reaches out and brakes "
        "each step. Take slightly shorter steps so the foot lands closer under the body."
    ),
    "balance_sway": (
        "The hips swayed sideways more than the reference during the single-leg hold. Fix "
        "your eyes on a point ahead and keep the standing knee soft."
    ),
    "heel_rise_test_reps": (
        "Fewer single-leg heel raises before tiring than healthy adults typically manage: "
        "the calf on that side has less endurance."
    ),
    "heel_rise_test_symmetry": (
        "One leg managed clearly fewer heel raises than the other: its calf is the weaker one."
    ),
    "balance_hold": "The single-leg stand was shorter than the reference time.",
}


def explain(flag: dict[str, Any], thresholds: dict[str, Threshold]) -> str:
    """Plain-language meaning of a flag: by rule name (or its prefix), else the thresholds
    file's description of the rule, else the flag's own message."""
    rule = str(flag.get("rule", ""))
    for key in sorted(EXPLANATIONS, key=len, reverse=True):
        if rule.startswith(key):
            return EXPLANATIONS[key]
    if rule in thresholds:
        return thresholds[rule].description
    return str(flag.get("message", ""))


def frame_rows(frames: pd.DataFrame) -> dict[int, int]:
    """Source frame index → row of ``frames.csv`` (= frame of ``annotated.mp4``)."""
    return {int(f): i for i, f in enumerate(frames["frame"].to_numpy())}


def flag_rows(
    summary: dict[str, Any], frames: pd.DataFrame, thresholds: dict[str, Threshold]
) -> list[dict[str, Any]]:
    """One entry per flag, ready to show: when, which side, value and threshold with unit,
    the message, the explanation, the source and the row of the annotated video to show."""
    rows_of = frame_rows(frames)
    t = frames["t_s"].to_numpy()
    out = []
    for f in summary.get("flags") or []:
        unit = unit_label(str(f.get("unit", "")))
        row = rows_of.get(int(f["frame"]))
        if row is None and len(t):
            row = int(np.argmin(np.abs(t - float(f["start_s"]))))
        out.append(
            {
                **f,
                "row": row,
                "t_s": float(t[row]) if row is not None else float(f["start_s"]),
                "when": _when(f),
                "value_text": format_value(f.get("value"), _unit_key(str(f.get("unit", "")))),
                "threshold_text": _fmt(float(f["threshold"]), unit)
                if f.get("threshold") is not None
                else "",
                "explanation": explain(f, thresholds),
            }
        )
    return out


def _when(flag: dict[str, Any]) -> str:
    a, b = float(flag["start_s"]), float(flag["end_s"])
    return f"{a:.2f} s" if abs(b - a) < 0.005 else f"{a:.2f}–{b:.2f} s"


def rep_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The reps list, flattened for a table (a rep's own flags become a count and names)."""
    rows = []
    for rep in summary.get("reps") or []:
        row = {}
        for k, v in rep.items():
            if isinstance(v, list):
                names = [x.get("rule", str(x)) if isinstance(x, dict) else str(x) for x in v]
                row[k] = ", ".join(names)
            elif isinstance(v, dict):
                row.update({f"{k}_{kk}": vv for kk, vv in v.items()})
            else:
                row[k] = v
        rows.append(row)
    return rows


# -- charts -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChartGroup:
    """One chart: alternative signal sets (the first present in ``frames.csv`` wins), the
    threshold drawn on it (only for signals the rule itself compares) and the flag rules
    whose moments it marks."""

    key: str
    title: str
    unit: str
    candidates: tuple[tuple[tuple[str, ...], str | None], ...]
    rules: tuple[str, ...] = ()
    zero_note: str = ""
    tasks: tuple[str, ...] = ("walk", "calf-raise", "balance")


CHART_GROUPS: tuple[ChartGroup, ...] = (
    ChartGroup(
        "fppa",
        "Knee valgus (FPPA)",
        "deg",
        ((("fppa_left_deg", "fppa_right_deg"), "fppa_peak"),),
        rules=("fppa",),
        zero_note="0° = straight; + = knee inwards (valgus)",
    ),
    ChartGroup(
        "pelvis",
        "Pelvic obliquity",
        "deg",
        (
            (("pelvic_drop_deg",), "pelvic_drop"),
            (("pelvic_obliquity_deg",), None),
        ),
        rules=("pelvic_drop",),
        zero_note="0° = level; + = left hip lower",
    ),
    ChartGroup(
        "heel",
        "Heel height",
        "pct_foot",
        ((("heel_height_left_pct_foot", "heel_height_right_pct_foot"), None),),
        rules=("calf_raise", "heel"),
        zero_note="0 = standing heel level",
        # In walking the heel rises in every swing: not a measure there (gaitlab.tasks.summary).
        tasks=("calf-raise", "balance"),
    ),
    ChartGroup(
        "ankle",
        "Ankle roll",
        "deg",
        (
            (("ankle_roll_left_deg", "ankle_roll_right_deg"), "ankle_roll"),
            (("rearfoot_left_deg", "rearfoot_right_deg"), None),
        ),
        rules=("ankle_roll", "ankle_shift"),
        zero_note="+ = rolling outwards (inversion)",
    ),
    ChartGroup(
        "knee_flexion",
        "Knee bend (flexion)",
        "deg",
        ((("knee_flexion_left_deg", "knee_flexion_right_deg"), None),),
        zero_note="0° = straight",
    ),
    ChartGroup(
        "trunk",
        "Forward trunk lean",
        "deg",
        ((("trunk_lean_deg",), None),),
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
    m = parse_metric(signal)
    return {"left": "Left", "right": "Right"}.get(m.side or "", m.label)


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
        ((present_of(sig), stem) for sig, stem in group.candidates if present_of(sig)), None
    )
    if found is None:
        return None
    present, threshold_stem = found
    long = frames[["t_s", *present]].melt(id_vars="t_s", var_name="signal", value_name="value")
    long["series"] = long["signal"].map(series_label)
    threshold, label = None, ""
    if threshold_stem is not None:
        refs = reference_for(
            MetricName(threshold_stem, threshold_stem, None, None, group.unit),
            thresholds,
            task,
            sex,
        )
        if refs and refs[0].value is not None:
            threshold, label = refs[0].for_sex(sex), reference_text(refs[0], sex)
    mine = [
        f
        for f in flags
        if f.get("signal") in present
        or any(str(f.get("rule", "")).startswith(r) for r in group.rules)
    ]
    return ChartData(group, long.dropna(subset=["value"]), threshold, label, mine, tuple(present))


def unavailable_reasons(summary: dict[str, Any], signals: Sequence[str]) -> list[str]:
    """Why a chart's signals are missing, from ``summary['unavailable']`` (deduplicated)."""
    reasons = summary.get("unavailable") or {}
    return list(dict.fromkeys(reasons[s] for s in signals if s in reasons))


# -- the filming guide ------------------------------------------------------------------------
def view_requirements() -> list[dict[str, str]]:
    """Which camera view each per-frame measure needs, from :mod:`gaitlab.signals.measures`'s own
    gating lists (so the guide cannot drift from what is measured)."""
    rows = []
    seen = set()
    for names, view in (
        (FRONTAL_SIGNALS, "front or back"),
        (SAGITTAL_SIGNALS, "side"),
        (("heel_height_left_pct_foot",), "any, feet visible"),
    ):
        for name in names:
            label = parse_metric(name).label
            if label in seen:
                continue
            seen.add(label)
            rows.append({"measure": label, "camera view": view})
    return rows


# -- thumbnails -------------------------------------------------------------------------------
def crop_person(
    image: np.ndarray, bbox_px: Sequence[float], frame_size: tuple[int, int], pad: float = 0.15
) -> np.ndarray:
    """Cut one person out of a (possibly downscaled) frame: ``bbox_px`` is ``(x0, y0, x1,
    y1)`` in the original frame's pixels, grown by ``pad`` of its height on every side."""
    h, w = image.shape[:2]
    sx, sy = w / frame_size[0], h / frame_size[1]
    x0, y0, x1, y1 = (float(v) for v in bbox_px)
    m = pad * (y1 - y0)
    left = int(np.clip((x0 - m) * sx, 0, w - 1))
    right = int(np.clip((x1 + m) * sx, left + 1, w))
    top = int(np.clip((y0 - m) * sy, 0, h - 1))
    bottom = int(np.clip((y1 + m) * sy, top + 1, h))
    return np.ascontiguousarray(image[top:bottom, left:right])
