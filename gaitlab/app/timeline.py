"""What the History page shows, as plain data: a session's key numbers, the metrics a person
can follow over time, and a metric's progress as a table and a Vega-Lite (Altair) chart with
the reference band and each change's verdict (:mod:`gaitlab.present.progress`). No Streamlit.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from gaitlab.core.thresholds import Threshold
from gaitlab.present.progress import Progress, build_progress
from gaitlab.present.values import format_metric, format_value
from gaitlab.render.blur import MAX_FACES
from gaitlab.rules.metrics import RECORDING_STEMS, REFERENCES, YES_NO_STEMS, describe
from gaitlab.store import Person, Session, Store

#: Short words for the chart's labels (the table and tooltips carry the full sentence).
VERDICT_SHORT = {
    "first": "first",
    "within_error": "within error",
    "increase": "real increase",
    "decrease": "real decrease",
    "unknown_error": "no SDD known",
}
VERDICT_COLOURS = {
    "first": "#6b7280",
    "within_error": "#6b7280",
    "increase": "#1f77b4",
    "decrease": "#1f77b4",
    "unknown_error": "#9aa0a6",
}
AXIS_UNITS = {"°": "degrees"}
LINE_COLOUR = "#1f77b4"
BAND_COLOUR = "#2ca02c"
KEY_NUMBERS = 3
#: What each task is followed by over time, first in the list of measures (and first in a
#: session's key numbers): a calf-raise session is its reps and heel height, a balance
#: session its hold times.
HEADLINE_METRICS: dict[str, tuple[str, ...]] = {
    "walk": (
        "cadence_spm", "step_time_asymmetry_pct", "walking_speed_legs_per_s",
        "fppa_peak_left_deg", "fppa_peak_right_deg",
    ),
    "calf-raise": (
        "reps", "heel_rise_peak_cm", "heel_rise_peak_pct_foot",
        "heel_rise_test_reps_left", "heel_rise_test_reps_right",
        # a live session's highest heel (gaitlab.app.results.live_metrics)
        "heel_height_max_left_pct_foot", "heel_height_max_right_pct_foot",
    ),
    "balance": ("hold_time_s", "hold_time_left_s", "hold_time_right_s", "sway_rms_pct_leg"),
}  # fmt: skip
_HEADLINES = [n for names in HEADLINE_METRICS.values() for n in names]
#: Not measures of the person: facts about the recording, yes/no answers, the target band.
NOT_FOLLOWED = (*RECORDING_STEMS, *YES_NO_STEMS, "target_low", "target_high", "norm")


def local_time(dt: datetime | None) -> datetime | None:
    """A stored (UTC) time in this computer's zone, without zone (what charts and people
    read)."""
    return None if dt is None else dt.astimezone().replace(tzinfo=None)


def metric_label(name: str) -> str:
    """``Knee valgus (FPPA), peak · left (°)``: what a metric is, for choosing one."""
    m = describe(name)
    side = f" · {m.side}" if m.side else ""
    unit = f" ({m.unit_label})" if m.unit_label else ""
    return f"{m.label}{side}{unit}"


def _has_reference(name: str) -> bool:
    stem = describe(name).stem
    parts = stem.split("_")
    return any("_".join(parts[:i]) in REFERENCES for i in range(len(parts), 0, -1))


def _headline_rank(name: str) -> int:
    return _HEADLINES.index(name) if name in _HEADLINES else len(_HEADLINES)


def progress_metrics(names: Iterable[str]) -> list[str]:
    """The metrics worth following over time (not facts about the recording nor yes/no
    answers): each task's headline measures first (:data:`HEADLINE_METRICS`), then those
    with a reference, then by label."""
    kept = [n for n in names if describe(n).stem not in NOT_FOLLOWED]
    return sorted(kept, key=lambda n: (_headline_rank(n), not _has_reference(n), metric_label(n)))


def default_metric(names: list[str], task: str | None) -> str | None:
    """The measure the progress view opens on: the first of ``names`` (as
    :func:`progress_metrics` orders them) among the headlines of ``task`` (the person's
    latest session's), else the first of ``names``."""
    for name in HEADLINE_METRICS.get(task or "", ()):
        if name in names:
            return name
    return names[0] if names else None


def key_numbers(
    metrics: Mapping[str, Any], limit: int = KEY_NUMBERS, task: str | None = None
) -> str:
    """A session's few headline numbers (measured ones: ``task``'s headlines first, then as
    :func:`progress_metrics` orders them): ``Reps 12 · Heel rise, peak 5.8 cm``."""
    numeric = {
        k: v for k, v in metrics.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }
    own = HEADLINE_METRICS.get(task or "", ())
    ordered = progress_metrics(numeric)
    ordered = [n for n in own if n in ordered] + [n for n in ordered if n not in own]
    names = ordered[:limit]
    out = []
    for name in names:
        m = describe(name)
        side = f" · {m.side}" if m.side else ""
        out.append(f"{m.label}{side} {format_metric(name, numeric[name])}")
    return " · ".join(out)


def session_title(session: Session, task_labels: Mapping[str, str]) -> str:
    """``Walking · live`` / ``Short foot (programme)``."""
    if session.kind != "analysis":
        return f"{session.exercise or 'Programme'} (programme)".capitalize()
    what = task_labels.get(session.task or "", session.task or "Analysis")
    return f"{what} · live" if session.source == "live" else what


def person_progress(
    store: Store,
    person: Person | int | str,
    metric: str,
    thresholds: Mapping[str, Threshold] | None = None,
) -> Progress:
    """A person's ``metric`` over time with its reference and a verdict on each change
    (:func:`gaitlab.present.progress.build_progress` on the store's values)."""
    who = store.person(person)
    return build_progress(who, metric, store.metric_points(who, metric), thresholds)


def progress_frame(progress: Progress) -> pd.DataFrame:
    """One row per session: when (local time), value, its text, the change from the session
    before and the verdict on it (machine word, short word and full sentence)."""
    unit = describe(progress.metric).unit
    rows = []
    for p in progress.points:
        change = (
            "" if p.change is None else ("+" if p.change > 0 else "") + format_value(p.change, unit)
        )
        rows.append(
            {
                "session_id": p.session_id,
                "when": local_time(p.recorded_at),
                "value": p.value,
                "value_text": format_metric(progress.metric, p.value),
                "change_text": change,
                "verdict": p.verdict,
                "verdict_short": VERDICT_SHORT.get(p.verdict, p.verdict),
                "verdict_text": p.label,
            }
        )
    columns = [
        "session_id", "when", "value", "value_text", "change_text",
        "verdict", "verdict_short", "verdict_text",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def progress_table(progress: Progress) -> pd.DataFrame:
    """What the page lists under the chart: date, value, change and verdict in words."""
    frame = progress_frame(progress)
    return pd.DataFrame(
        {
            "Date": frame["when"].map(lambda d: f"{d:%Y-%m-%d %H:%M}"),
            "Value": frame["value_text"],
            "Change": frame["change_text"],
            "Verdict": frame["verdict_text"],
            "Session": frame["session_id"].map(lambda s: f"#{s}"),
        }
    )


def _domain(progress: Progress) -> tuple[float, float]:
    """The y range: every value and every finite end of the reference bands, padded."""
    values = [p.value for p in progress.points]
    ends = [v for r in progress.references for v in (r.low, r.high) if v is not None]
    lo, hi = min(values + ends), max(values + ends)
    pad = max((hi - lo) * 0.15, abs(hi) * 0.05, 1.0)
    return lo - pad, hi + pad


def band_frame(progress: Progress) -> pd.DataFrame:
    """The reference bands (open ends cut at the chart's edge) with their text."""
    if not progress.points:
        return pd.DataFrame(columns=["low", "high", "text"])
    y0, y1 = _domain(progress)
    rows = [
        {
            "low": y0 if r.low is None else r.low,
            "high": y1 if r.high is None else r.high,
            "text": f"reference: {r.text}" + (" (provisional)" if r.provisional else ""),
        }
        for r in progress.references
    ]
    return pd.DataFrame(rows, columns=["low", "high", "text"])


def time_axis(times: Sequence[datetime]) -> tuple[str, str | None]:
    """``(label format, axis title)`` for sessions at ``times`` that never repeats a label:
    the time of day when they share one day (the day in the title), the day and the time
    when some day has two sessions, otherwise the day (the year in the title when all share
    one)."""
    days = [t.date() for t in times]
    if not days:
        return "%d %b %Y", None
    years = {d.year for d in days}
    year = f"{days[0].year}" if len(years) == 1 else None
    if len(set(days)) == 1:
        return "%H:%M", f"{days[0].day} {days[0]:%b %Y}"
    if len(set(days)) < len(days):
        return ("%d %b %H:%M", year) if year else ("%d %b %Y %H:%M", None)
    return ("%d %b", year) if year else ("%d %b %Y", None)


def _tick(t: datetime) -> alt.DateTime:
    # a DateTime is read in the browser's zone, as the frame's naive local times are
    return alt.DateTime(
        year=t.year, month=t.month, date=t.day, hours=t.hour, minutes=t.minute, seconds=t.second
    )


def progress_chart(progress: Progress, *, height: int = 260) -> alt.LayerChart:
    """The metric over time: a line through each session's value, the reference band(s)
    shaded behind it, and each point labelled with its verdict (``within error`` …); the
    tooltip has the value, the change and the verdict in full."""
    frame = progress_frame(progress)
    y0, y1 = _domain(progress) if len(frame) else (0.0, 1.0)
    title = AXIS_UNITS.get(progress.unit, progress.unit) or "count"
    y = alt.Y("value:Q", title=title, scale=alt.Scale(domain=[y0, y1], nice=False))
    times = list(frame["when"])
    fmt, axis_title = time_axis(times)
    x = alt.X(
        "when:T",
        title=axis_title,
        scale=alt.Scale(padding=36),  # room for the first and last labels
        # a tick at each session (none between them to repeat a label), thinned when crowded
        axis=alt.Axis(
            format=fmt, labelAngle=0, labelOverlap=True, values=[_tick(t) for t in times]
        ),
    )
    layers: list[alt.Chart] = []
    bands = band_frame(progress)
    if len(bands):
        layers.append(
            alt.Chart(bands)
            .mark_rect(color=BAND_COLOUR, opacity=0.12)
            .encode(y=alt.Y("low:Q", scale=alt.Scale(domain=[y0, y1])), y2="high:Q",
                    tooltip=[alt.Tooltip("text:N", title="reference")])
        )  # fmt: skip
    tooltip = [
        alt.Tooltip("when:T", title="date", format="%Y-%m-%d %H:%M"),
        alt.Tooltip("value_text:N", title="value"),
        alt.Tooltip("change_text:N", title="change"),
        alt.Tooltip("verdict_text:N", title="verdict"),
    ]
    base = alt.Chart(frame).encode(x=x, y=y)
    layers.append(base.mark_line(color=LINE_COLOUR, strokeWidth=2))
    layers.append(base.mark_point(filled=True, size=70, color=LINE_COLOUR).encode(tooltip=tooltip))
    colours = alt.Color(
        "verdict:N",
        scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
        legend=None,
    )
    layers.append(
        base.mark_text(dy=-12, fontSize=11)
        .encode(text="verdict_short:N", color=colours, tooltip=tooltip)
        .transform_filter(alt.datum.verdict != "first")
    )
    return alt.layer(*layers).properties(height=height)


def clip_mp4(store: Store, session_id: int, clip_s: tuple[float, float], blur_faces: bool) -> bytes:
    """A few seconds of a saved analysis's annotated video as MP4 bytes
    (:func:`gaitlab.report.exports.export_session` with a clip), faces blurred on request."""
    from gaitlab.pose import MediaPipePose  # mediapipe: loaded only when faces are blurred
    from gaitlab.report.exports import export_session

    face_model = partial(MediaPipePose, num_poses=MAX_FACES)
    with tempfile.TemporaryDirectory(prefix="gaitlab-clip-") as tmp:
        out = Path(tmp) / "clip.mp4"
        export_session(
            store, session_id, "mp4", out, blur_faces=blur_faces, face_model=face_model,
            clip_s=clip_s,
        )  # fmt: skip
        return out.read_bytes()


def report_pdf(store: Store, session_id: int, blur_faces: bool = False) -> bytes:
    """The PDF report of a saved analysis (:func:`gaitlab.report.pdf.write_report`), as bytes:
    written to a temporary file that is removed again. Faces in a session saved without its
    landmarks are found by the pose model."""
    from gaitlab.pose import MediaPipePose  # mediapipe: loaded only when a report is made
    from gaitlab.report.pdf import write_report

    face_model = partial(MediaPipePose, num_poses=MAX_FACES)
    with tempfile.TemporaryDirectory(prefix="gaitlab-report-") as tmp:
        out = Path(tmp) / "report.pdf"
        path = write_report(store, session_id, out, blur_faces=blur_faces, face_model=face_model)
        return path.read_bytes()
