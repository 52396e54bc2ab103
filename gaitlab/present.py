"""Turn a result folder into what the pages show: labelled rows, references, chart series.

Plain functions over ``summary.json`` / ``frames.csv`` and the thresholds file; no
Streamlit. Task analyzers plug in without changes here: metrics are read generically from
their ``<what>_<side?>_<unit>`` names, flags and reps from their lists, and any per-frame
signal an analyzer adds to ``frames.csv`` can join a chart group by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gaitlab.landmarks import SIDES
from gaitlab.measures import FRONTAL_SIGNALS, SAGITTAL_SIGNALS
from gaitlab.thresholds import Threshold

# -- names ------------------------------------------------------------------------------------
#: Unit suffixes of machine names, longest first so ``pct_foot`` wins over ``pct``.
UNITS: tuple[tuple[str, str], ...] = (
    ("pct_foot", "% foot length"),
    ("pct_leg", "% leg length"),
    ("steps_min", "steps/min"),
    ("m_s", "m/s"),
    ("spm", "steps/min"),
    ("deg", "°"),
    ("pct", "%"),
    ("cm", "cm"),
    ("mm", "mm"),
    ("ms", "ms"),
    ("hz", "Hz"),
    ("px", "px"),
    ("s", "s"),
    ("m", "m"),
)

#: Display names of measure stems (the part of a name before side, statistic and unit).
STEM_LABELS = {
    "fppa": "Knee valgus (FPPA)",
    "knee_flexion": "Knee bend (flexion)",
    "pelvic_obliquity": "Pelvic obliquity",
    "pelvic_drop": "Pelvic drop",
    "rearfoot": "Ankle roll (rearfoot angle)",
    "ankle_roll": "Ankle roll",
    "ankle_shift": "Sideways ankle shift",
    "heel_height": "Heel height",
    "heel_rise": "Heel rise",
    "trunk_lean": "Forward trunk lean",
    "trunk_lateral_lean": "Sideways trunk lean",
    "cadence": "Cadence",
    "step_time": "Step time",
    "stride_time": "Stride time",
    "step_time_asymmetry": "Step-time asymmetry",
    "stance": "Stance",
    "swing": "Swing",
    "double_support": "Double support",
    "hold": "Hold",
    "rise": "Rise",
    "lower": "Lower",
    "sway_path": "Sway path",
    "sway_rms": "Sway (RMS)",
    "reps": "Reps",
    "duration_analysed": "Time analysed",
    "frames_detected": "Frames with the subject",
    "height": "Height (given)",
}
#: Statistic words that may follow a stem: ``fppa_peak_left_deg`` is the peak of ``fppa``.
STATISTICS = ("peak", "mean", "median", "max", "min", "sd", "total", "rms", "cv")

#: Metrics about the recording rather than the person's form.
RECORDING_STEMS = ("duration_analysed", "frames_detected", "height")

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
}
_UNIT_ALIASES = {"steps/min": "spm", "steps_min": "spm"}


@dataclass(frozen=True)
class MetricName:
    """A machine name split into its parts: ``fppa_peak_left_deg`` →
    stem ``fppa``, statistic ``peak``, side ``left``, unit ``deg``."""

    name: str
    stem: str
    statistic: str | None
    side: str | None
    unit: str | None

    @property
    def unit_label(self) -> str:
        return dict(UNITS).get(self.unit or "", self.unit or "")

    @property
    def label(self) -> str:
        base = STEM_LABELS.get(self.stem, self.stem.replace("_", " ").capitalize())
        return f"{base}, {self.statistic}" if self.statistic else base


def parse_metric(name: str) -> MetricName:
    """Split ``<what>_<side?>_<unit>`` (DESIGN.md) into its parts; a name without a known
    unit suffix is a count (``reps``, ``frames_detected``)."""
    rest, unit = name, None
    for key, _label in UNITS:
        if rest.endswith("_" + key):
            rest, unit = rest[: -len(key) - 1], key
            break
    side = None
    parts = rest.split("_")
    for s in SIDES:
        if s in parts[1:]:
            side = s
            parts.remove(s)
    statistic = None
    if len(parts) > 1 and parts[-1] in STATISTICS:
        statistic = parts.pop()
    return MetricName(name, "_".join(parts), statistic, side, unit)


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


def reference_text(th: Threshold, sex: str | None = None) -> str:
    """``flag above 10°`` / ``normal 96–138 steps/min``, with sex-specific values and a
    provisional mark where the thresholds file says so."""
    unit = dict(UNITS).get(_unit_key(th.unit), th.unit)
    if th.low is not None and th.high is not None:
        who = th.name.rsplit("_", 1)[-1] if th.name.endswith(("_female", "_male")) else ""
        text = f"normal {th.low:g}–{_fmt(th.high, unit)}"
        text += {"female": " (women)", "male": " (men)"}.get(who, "")
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


def measure_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """:func:`metric_rows` as a compact table: measure (with side), value, reference, check;
    the reference and check columns only when some row has one."""
    table = [
        {
            "Measure": r["measure"] + (f" · {r['side']}" if r["side"] else ""),
            "Value": r["value"],
            "Reference": r["reference"],
            "Check": r["verdict"],
        }
        for r in rows
    ]
    empty = [c for c in ("Reference", "Check") if not any(t[c] for t in table)]
    return [{k: v for k, v in t.items() if k not in empty} for t in table]


def _judge(value: Any, refs: Sequence[Threshold], sex: str | None) -> str:
    if not isinstance(value, int | float) or not refs:
        return ""
    th = refs[0]
    if th.low is not None and th.high is not None:
        if len(refs) > 1:
            return ""  # two bands (sex unknown): no single verdict
        return "below range" if value < th.low else "above range" if value > th.high else "in range"
    return "flagged" if th.crossed(float(value), sex) else "within"


def format_value(value: Any, unit: str | None) -> str:
    """``12.3°``, ``1.05 s``, ``7`` or ``not measured`` (``unit`` is a machine unit key)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "not measured"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        text = str(value)
    else:
        text = f"{value:.2f}" if unit in ("s", "ratio") else f"{value:.1f}"
    return _fmt(text, dict(UNITS).get(unit or "", unit or ""))


def metric_rows(
    summary: dict[str, Any], thresholds: dict[str, Threshold], sex: str | None = None
) -> list[dict[str, Any]]:
    """One row per metric of ``summary['metrics']``: label, side, value with unit,
    reference range, verdict against it, source; form measures first, then the recording."""
    task = str(summary.get("task", ""))
    rows = []
    for name, value in (summary.get("metrics") or {}).items():
        m = parse_metric(name)
        refs = reference_for(m, thresholds, task, sex)
        rows.append(
            {
                "name": name,
                "measure": m.label,
                "side": m.side or "",
                "value": format_value(value, m.unit),
                "reference": "; ".join(reference_text(t, sex) for t in refs),
                "verdict": _judge(value, refs, sex),
                "source": "; ".join(dict.fromkeys(t.source for t in refs)),
                "recording": m.stem in RECORDING_STEMS,
            }
        )
    return sorted(rows, key=lambda r: r["recording"])


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
        unit = dict(UNITS).get(_unit_key(str(f.get("unit", ""))), f.get("unit", ""))
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
        # In walking the heel rises in every swing: not a measure there (gaitlab.summary).
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
    """Which camera view each per-frame measure needs, from :mod:`gaitlab.measures`'s own
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
