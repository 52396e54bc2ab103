"""A result's flags and reps as the pages and the report show them: when, which side, the
value against its threshold, the rule's label and plain-language explanation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gaitlab.core.thresholds import Threshold
from gaitlab.present.values import format_value, with_unit
from gaitlab.rules import registry
from gaitlab.rules.names import STEM_LABELS, parse_metric, unit_key, unit_label

#: What a flag means, in plain language, per rule id (:mod:`gaitlab.rules.registry`).
#: Values never appear here: the flag's own value and threshold are shown beside it.
EXPLANATIONS = {r.id: r.explanation for r in registry.RULES}


def explain(flag: dict[str, Any], thresholds: dict[str, Threshold]) -> str:
    """Plain-language meaning of a flag: its rule's explanation, else the thresholds file's
    description of the rule, else the flag's own message."""
    rule = str(flag.get("rule", ""))
    text = registry.explanation(rule)
    if text is not None:
        return text
    if rule in thresholds:
        return thresholds[rule].description
    return str(flag.get("message", ""))


def rule_label(rule: str) -> str:
    """Display name of a flag rule: the registry's label, else the longest known measure
    name it starts with, else the rule in words."""
    known = registry.label(rule)
    if known is not None:
        return known
    parts = rule.split("_")
    for i in range(len(parts), 0, -1):
        key = "_".join(parts[:i])
        if key in STEM_LABELS:
            return STEM_LABELS[key]
    return parse_metric(rule).label.split(",")[0]


#: Metrics that say why a task's count is missing (never a silent zero).
WHY_NOT_COUNTED = ("reps_unavailable", "holds_unavailable")


def nothing_measured(summary: dict[str, Any]) -> str | None:
    """Why the result has nothing to flag because nothing was measured (None: it was).

    A count that could not be made (its ``*_unavailable`` reason), or no measure with a
    value at all, means "no flagged moments" would be a false all-clear.
    """
    metrics = summary.get("metrics") or {}
    for key in WHY_NOT_COUNTED:
        if metrics.get(key):
            return str(metrics[key])
    numbers = [
        v
        for k, v in metrics.items()
        if isinstance(v, int | float)
        and not isinstance(v, bool)
        and k not in ("frames_detected",)
        and not k.startswith(("duration", "height"))
    ]
    if not numbers:
        return "no measure could be taken in this recording"
    return None


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
                "value_text": format_value(f.get("value"), unit_key(str(f.get("unit", "")))),
                "threshold_text": with_unit(float(f["threshold"]), unit)
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


def step_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The walk's step table (``summary["steps"]``) for a page or a report: number, time,
    side, duration, length in leg lengths, and whether the step counts in the timing (if
    not, why)."""
    rows = []
    for i, step in enumerate(summary.get("steps") or [], start=1):
        length = step.get("length_legs")
        rows.append(
            {
                "step": i,
                "time_s": round(float(step["t_s"]), 2),
                "side": step.get("side") or "",
                "duration_s": round(float(step["duration_s"]), 2),
                "length_legs": round(float(length), 2) if length is not None else None,
                "counted": "yes" if step.get("included") else f"no: {step.get('excluded_reason')}",
            }
        )
    return rows
