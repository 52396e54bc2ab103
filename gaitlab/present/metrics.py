"""A result's metrics as the pages and the report show them: labelled rows with value,
reference and verdict, the left and right of a measure paired, key measures first.

Plain functions over ``summary.json`` and the thresholds file; no Streamlit. What a metric is
(stem, side, unit, label) comes from the metric catalogue (:mod:`gaitlab.rules.metrics`;
names it does not list are read from their ``<what>_<side?>_<unit>`` form), its reference
and verdict from the rules that judge it (:mod:`gaitlab.rules.registry`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gaitlab.core.thresholds import Threshold
from gaitlab.present.references import references_text
from gaitlab.present.values import format_value, keep_together
from gaitlab.rules.metrics import (
    NOT_MEASURED,
    RECORDING_STEMS,
    WALKING_ONLY_REFERENCES,
    describe,
    metric_records,
    reference_for,
    verdict,
)

__all__ = [
    "KEY_MEASURES",
    "MeasureSections",
    "key_measures",
    "measure_sections",
    "measure_table",
    "metric_rows",
    "paired_rows",
]

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


def metric_rows(
    summary: dict[str, Any], thresholds: dict[str, Threshold], sex: str | None = None
) -> list[dict[str, Any]]:
    """One row per metric of ``summary['metrics']``: label, side, value with unit,
    reference range, verdict against it, source; form measures first, then the recording."""
    task = str(summary.get("task", ""))
    metrics = summary.get("metrics") or {}
    rows = []
    for metric in metric_records(metrics, summary.get("unavailable")):
        m = describe(metric.name)
        refs = reference_for(m, thresholds, task, sex)
        if m.stem in WALKING_ONLY_REFERENCES and metrics.get("gait") == "running":
            refs = []  # walking norms say nothing about a run
        value = format_value(metric.value, metric.unit)
        if metric.name == "hold_time_s" and metric.measured and _cut_by_recording(metrics):
            value = f"at least {value}"  # the recording cut the hold: it lasted longer
        rows.append(
            {
                "name": metric.name,
                "pattern": m.pattern,
                "measure": metric.label,
                "side": metric.side or "",
                "value": value,
                "measured": metric.measured,
                "reference": references_text(refs, sex),
                "verdict": verdict(metric.value, refs, sex),
                "source": "; ".join(dict.fromkeys(t.source for t in refs)),
                "recording": m.stem in RECORDING_STEMS,
            }
        )
    return sorted(rows, key=lambda r: r["recording"])


def _cut_by_recording(metrics: dict[str, Any]) -> bool:
    """Whether the longest hold had begun before the recording or was still going at its
    end (its time is then a lower bound)."""
    return bool(
        metrics.get("hold_began_before_recording") or metrics.get("hold_ended_after_recording")
    )


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
