"""Progress of one measure over a person's sessions, honest about measurement error.

A change between two sessions smaller than the measure's smallest detectable difference
(SDD, ``sdd`` in the thresholds file) is labelled "within measurement error": it cannot be
told apart from the scatter of repeated measurements. For FPPA the SDD is 7.5-8.9 degrees
(Munro et al. 2012), so a knee valgus peak going from 14 to 9 degrees is not yet evidence of
improvement. A measure without a known SDD gets no real-change verdict at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.present.references import reference_text
from gaitlab.rules.metrics import reference_for
from gaitlab.rules.names import UNITS, parse_metric

#: The label of a change smaller than the smallest detectable difference.
WITHIN_ERROR = "within measurement error"


class Who(Protocol):
    """Whose history it is (a :class:`gaitlab.store.Person`): their sex picks
    sex-specific references."""

    name: str
    sex: str | None


class Point(Protocol):
    """One value of the metric (a :class:`gaitlab.store.MetricPoint`)."""

    session_id: int
    recorded_at: datetime
    value: float
    task: str | None


@dataclass(frozen=True)
class Reference:
    """A reference for the measure from the thresholds file, as a band: values between
    ``low`` and ``high`` (either may be None: open-ended) are within the reference."""

    name: str
    description: str
    text: str  # "flag above 12°" / "normal 96–138 steps/min (women)"
    low: float | None
    high: float | None
    unit: str
    source: str
    provisional: bool


@dataclass(frozen=True)
class ProgressPoint:
    """One session's value and how it differs from the session before.

    ``verdict`` is a machine word: ``first``, ``within_error``, ``increase``, ``decrease``
    or ``unknown_error`` (no SDD known); ``label`` says it in words.
    """

    session_id: int
    recorded_at: datetime
    value: float
    change: float | None
    verdict: str
    label: str
    within_reference: bool | None = None


@dataclass(frozen=True)
class Progress:
    """A metric over time for one person (oldest first), its references and SDD."""

    person: str
    metric: str
    label: str
    unit: str
    points: list[ProgressPoint]
    references: list[Reference] = field(default_factory=list)
    sdd: float | None = None
    sdd_source: str = ""
    overall: ProgressPoint | None = None  # last session against the first

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for p in [*out["points"], *([out["overall"]] if out["overall"] else [])]:
            p["recorded_at"] = p["recorded_at"].isoformat(timespec="seconds")
        return out


def _band(th: Threshold, sex: str | None) -> tuple[float | None, float | None]:
    if th.low is not None or th.high is not None:
        return th.low, th.high
    limit = th.for_sex(sex)
    return (None, limit) if th.comparison == ">" else (limit, None)


def references_for(
    metric: str, thresholds: Mapping[str, Threshold], task: str, sex: str | None
) -> list[Reference]:
    """The thresholds-file references of ``metric`` (by the app's name rules), as bands."""
    out = []
    for th in reference_for(parse_metric(metric), dict(thresholds), task, sex):
        low, high = _band(th, sex)
        out.append(
            Reference(
                name=th.name,
                description=th.description,
                text=reference_text(th, sex),
                low=low,
                high=high,
                unit=th.unit,
                source=th.source,
                provisional=th.provisional,
            )
        )
    return out


def _fmt(x: float, unit: str) -> str:
    if not unit and float(x).is_integer():  # a count: 2, not 2.0
        text = str(int(x))
    else:
        text = f"{x:.1f}" if abs(x) >= 1 or x == 0 else f"{x:.2g}"
    return f"{text}°" if unit == "°" else f"{text} {unit}".rstrip()


def judge_change(change: float, sdd: float | None, unit: str = "") -> tuple[str, str]:
    """``(verdict, label)`` for a change between two sessions (see :class:`ProgressPoint`)."""
    signed = ("+" if change > 0 else "") + _fmt(change, unit)
    if sdd is None:
        return (
            "unknown_error",
            f"{signed}: no smallest detectable difference is known for this measure, so this "
            "change cannot be told apart from measurement error",
        )
    if abs(change) < sdd:
        return (
            "within_error",
            f"{signed}: {WITHIN_ERROR} (smaller than the {_fmt(sdd, unit)} smallest "
            "detectable difference)",
        )
    word = "increase" if change > 0 else "decrease"
    return (
        word,
        f"{signed}: a real {word} (at least the {_fmt(sdd, unit)} smallest detectable difference)",
    )


def _within(value: float, refs: Sequence[Reference]) -> bool | None:
    if len(refs) != 1:
        return None  # none, or one band per sex with sex unknown: no single answer
    r = refs[0]
    return (r.low is None or value >= r.low) and (r.high is None or value <= r.high)


def build_progress(
    person: Who,
    metric: str,
    points: Sequence[Point],
    thresholds: Mapping[str, Threshold] | None = None,
) -> Progress:
    """Turn a metric's history into points with per-change verdicts and references.

    Parameters
    ----------
    person
        Whose history it is (their sex picks sex-specific references).
    metric
        Machine name of the metric, e.g. ``fppa_peak_left_deg``.
    points
        The values, oldest first (:meth:`gaitlab.store.Store.metric_points`).
    thresholds
        The thresholds file's entries (default: :func:`gaitlab.core.thresholds.load_thresholds`).
    """
    thresholds = load_thresholds() if thresholds is None else thresholds
    name = parse_metric(metric)
    unit = dict(UNITS).get(name.unit or "", name.unit or "")
    task = next((p.task for p in reversed(points) if p.task), "*") or "*"
    refs = references_for(metric, thresholds, task, person.sex)
    with_sdd = next((thresholds[r.name] for r in refs if thresholds[r.name].sdd is not None), None)
    sdd = with_sdd.sdd if with_sdd is not None else None
    sdd_source = with_sdd.sdd_source if with_sdd is not None else ""
    out: list[ProgressPoint] = []
    for i, p in enumerate(points):
        if i == 0:
            verdict, label, change = "first", "first measurement", None
        else:
            change = p.value - points[i - 1].value
            verdict, label = judge_change(change, sdd, unit)
        out.append(
            ProgressPoint(
                session_id=p.session_id,
                recorded_at=p.recorded_at,
                value=p.value,
                change=None if change is None or not math.isfinite(change) else change,
                verdict=verdict,
                label=label,
                within_reference=_within(p.value, refs),
            )
        )
    overall = None
    if len(points) >= 2:
        total = points[-1].value - points[0].value
        verdict, label = judge_change(total, sdd, unit)
        last = points[-1]
        overall = ProgressPoint(
            last.session_id, last.recorded_at, last.value, total, verdict,
            f"since the first session: {label}", _within(last.value, refs),
        )  # fmt: skip
    return Progress(
        person=person.name,
        metric=metric,
        label=name.label + (f", {name.side}" if name.side else ""),
        unit=unit,
        points=out,
        references=refs,
        sdd=sdd,
        sdd_source=sdd_source,
        overall=overall,
    )
