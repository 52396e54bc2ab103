"""Vega-Lite (Altair) charts of per-frame signals, with thresholds and flagged moments."""

from __future__ import annotations

import altair as alt
import pandas as pd

from gaitlab.present.charts import ChartData
from gaitlab.rules.names import unit_label

#: Line colours match the video overlay: subject's left cyan-blue, right orange
#: (``gaitlab.render.overlay.LEFT_COLOUR`` / ``RIGHT_COLOUR``).
SERIES_COLOURS = {"Left": "#00c8ff", "Right": "#ff8c00"}
FLAG_COLOUR = "#eb2828"
#: The selection a click on a chart makes: the time of the nearest point (it seeks the player).
SEEK_SELECTION = "seek"
AXIS_UNITS = {"deg": "degrees"}


def signal_chart(data: ChartData, *, height: int = 220) -> alt.LayerChart:
    """Lines per side over time; flagged intervals shaded red with the worst frame marked
    (tooltip: the flag's message); the threshold as a dashed line. A click selects the
    nearest point's time (:data:`SEEK_SELECTION`)."""
    unit = AXIS_UNITS.get(data.group.unit) or unit_label(data.group.unit)
    names = sorted(data.series["series"].unique())
    colours = [SERIES_COLOURS.get(n, "#9aa0a6") for n in names]
    base = alt.Chart(data.series).encode(
        x=alt.X("t_s:Q", title="time (s)"),
    )
    pick = alt.selection_point(
        name=SEEK_SELECTION, fields=["t_s"], nearest=True, on="click", clear=False
    )
    lines = base.mark_line(strokeWidth=2).encode(
        y=alt.Y("value:Q", title=unit),
        color=alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(domain=names, range=colours),
            legend=alt.Legend(orient="top"),
        ),
        tooltip=[
            alt.Tooltip("t_s:Q", title="time (s)", format=".2f"),
            alt.Tooltip("series:N", title="side"),
            alt.Tooltip("value:Q", title=unit, format=".1f"),
        ],
    )
    # invisible points under the lines carry the click selection (a line has no points)
    targets = base.mark_point(opacity=0, size=60).encode(y="value:Q").add_params(pick)
    layers: list[alt.Chart] = []
    if data.flags:
        spans = pd.DataFrame(
            [
                {
                    "start_s": f["start_s"],
                    "end_s": max(f["end_s"], f["start_s"] + 0.02),
                    "t_s": f.get("t_s", f["start_s"]),
                    "value": f.get("value"),
                    "message": f.get("message", ""),
                }
                for f in data.flags
            ]
        )
        layers.append(
            alt.Chart(spans)
            .mark_rect(color=FLAG_COLOUR, opacity=0.15)
            .encode(x="start_s:Q", x2="end_s:Q", tooltip=["message:N"])
        )
        layers.append(
            alt.Chart(spans.dropna(subset=["value"]))
            .mark_point(color=FLAG_COLOUR, filled=True, size=70, shape="diamond")
            .encode(x="t_s:Q", y="value:Q", tooltip=["message:N"])
        )
    layers += [lines, targets]
    if data.threshold is not None:
        rule = pd.DataFrame({"y": [data.threshold], "label": [data.threshold_label]})
        layers.append(
            alt.Chart(rule)
            .mark_rule(color=FLAG_COLOUR, strokeDash=[6, 4])
            .encode(y="y:Q", tooltip=["label:N"])
        )
        layers.append(
            alt.Chart(rule)
            .mark_text(align="left", baseline="bottom", dx=4, dy=-2, color=FLAG_COLOUR)
            .encode(x=alt.value(0), y="y:Q", text="label:N")
        )
    return alt.layer(*layers).properties(height=height)
