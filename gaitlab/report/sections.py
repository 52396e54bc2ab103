"""The report's sections, each a list of flowables: who and when, key moments, measurements,
flags, notes about the recording, and what one video can and cannot tell with the sources.

Numbers and their wording come from :mod:`gaitlab.present.metrics`; sources are numbered in
the order the measurements and flags cite them (:class:`~gaitlab.report.wording.Sources`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from gaitlab.core.thresholds import Threshold
from gaitlab.present.flags import flag_rows, rule_label, step_rows
from gaitlab.present.metrics import metric_rows
from gaitlab.report.keyframes import MAX_KEY_FRAMES, TILE_H, TILE_W, KeyFrame
from gaitlab.report.styles import HEAD_BACKGROUND, RULE_GREY, WARN, WARN_BACKGROUND, Styles
from gaitlab.report.wording import (
    CAVEATS,
    CHECK_TEXT,
    VIEW_MEASURES,
    VIEW_TEXT,
    Sources,
    group_reasons,
    local_time,
    person_text,
)
from gaitlab.store import Person

#: Flags listed at most; the rest are counted (keeps the report within two pages).
MAX_FLAGS = 8
#: Steps listed at most in the report's step table; the rest are counted (two pages).
MAX_STEPS = 12
#: Verdicts printed in the warning colour.
_OUTSIDE = ("flagged", "below range", "above range")


# -- who, when, what ----------------------------------------------------------------------------
def header(
    title: str,
    summary: dict[str, Any],
    st: Styles,
    width: float,
    *,
    person: Person | None,
    recorded_at: datetime | None,
    session_id: int | None,
    notes: str | None,
) -> list[Any]:
    """The title and a table of who, when, which video, the camera view and the tracking."""
    rows = _info_rows(summary, person, recorded_at)
    if notes:
        rows.append(("Notes", escape(notes)))
    info = Table(
        [[Paragraph(k, st.cell_b), Paragraph(v, st.cell)] for k, v in rows],
        colWidths=[26 * mm, width - 26 * mm],
    )
    info.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [
        Paragraph(f"{escape(title)}: movement check from video", st.h1),
        Paragraph(
            f"gaitlab report{f' · session {session_id}' if session_id is not None else ''}",
            st.small,
        ),
        Spacer(1, 4 * mm),
        info,
    ]


def _info_rows(
    summary: dict[str, Any], person: Person | None, recorded_at: datetime | None
) -> list[tuple[str, str]]:
    video = summary.get("video") or {}
    quality = summary.get("quality") or {}
    view = str(summary.get("view") or "unknown")
    persons_seen = quality.get("persons_seen")
    detected = quality.get("detected_fraction")
    return [
        ("Person", person_text(person, recorded_at)),
        ("Recorded", escape(local_time(recorded_at))),
        (
            "Video",
            escape(
                f"{Path(str(video.get('path') or '')).name or 'live camera'} · "
                f"{float(video.get('duration_s') or 0):.1f} s · {video.get('frames', '?')} frames "
                f"at {float(video.get('fps') or 0):.1f} frames/s"
            ),
        ),
        (
            "Camera view",
            escape(VIEW_TEXT.get(view, view))
            + (f": suits {VIEW_MEASURES[view]}" if view in VIEW_MEASURES else ""),
        ),
        (
            "Tracking",
            (f"person found in {float(detected):.0%} of frames" if detected is not None else "")
            + (
                f"; {persons_seen} {'person' if persons_seen == 1 else 'people'} in view"
                if persons_seen is not None
                else ""
            ),
        ),
    ]


# -- key moments --------------------------------------------------------------------------------
def key_moments(
    summary: dict[str, Any], pictures: Sequence[KeyFrame], st: Styles, width: float
) -> list[Any]:
    """One row of key-frame pictures with their captions (nothing for an empty summary)."""
    if not pictures:
        if not summary:
            return []
        return [
            Paragraph("Key moments", st.h2),
            Paragraph("No video was kept with this session.", st.small),
        ]
    flagged = any(p.flagged for p in pictures)
    n = len(pictures)
    gap = 3 * mm
    tile_w = min((width - gap * (MAX_KEY_FRAMES - 1)) / MAX_KEY_FRAMES, 44 * mm)
    tile_h = tile_w * TILE_H / TILE_W
    cells = [Image(str(p.path), width=tile_w, height=tile_h) for p in pictures]
    caps = [Paragraph(escape(p.caption), st.caption) for p in pictures]
    strip = Table([cells, caps], colWidths=[tile_w + gap] * n, hAlign="LEFT")
    strip.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), gap),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [
        Paragraph("Key moments" + (" (flagged)" if flagged else " (evenly spaced)"), st.h2),
        strip,
        Paragraph(
            "Pictures from the annotated video: the lines show the tracked hips, knees, "
            "ankles, heels and toes (left side blue, right side orange).",
            st.small,
        ),
    ]


# -- measurements -------------------------------------------------------------------------------
def measurements(
    summary: dict[str, Any],
    thresholds: dict[str, Threshold],
    sex: str | None,
    sources: Sources,
    st: Styles,
    width: float,
) -> list[Any]:
    """Every measure with its value, reference (citing its source) and check, then what was
    not measured and why."""
    rows = [r for r in metric_rows(summary, thresholds, sex) if not r["recording"]]
    measured = [r for r in rows if r["value"] != "not measured"]
    unmeasured = [r for r in rows if r["value"] == "not measured"]
    out: list[Any] = [Paragraph("Measurements", st.h2)]
    if measured:
        out.append(_measure_table(measured, sources, st, width))
    else:
        out.append(Paragraph("No measure could be taken from this recording.", st.base))
    if unmeasured:
        reasons = group_reasons(list((summary.get("unavailable") or {}).values()))
        names = list(dict.fromkeys(r["measure"] for r in unmeasured))
        text = "<b>Not measured:</b> " + escape(", ".join(names)) + "."
        if reasons:
            text += " " + escape(". ".join(reasons)) + "."
        out.append(Spacer(1, 1.5 * mm))
        out.append(Paragraph(text, st.small))
    return out


def _measure_table(
    measured: list[dict[str, Any]], sources: Sources, st: Styles, width: float
) -> Table:
    head = ["Measure", "Value", "Reference", "Check"]
    data: list[list[Any]] = [[Paragraph(h, st.cell_b) for h in head]]
    styles: list[tuple[Any, ...]] = []
    for i, r in enumerate(measured, start=1):
        label = r["measure"] + (f", {r['side']}" if r["side"] else "")
        ref = (
            escape(r["reference"]) + sources.ref(r["source"]) if r["reference"] else "no reference"
        )
        check = CHECK_TEXT.get(r["verdict"], r["verdict"])
        data.append(
            [
                Paragraph(escape(label), st.cell),
                Paragraph(f"<b>{escape(r['value'])}</b>", st.cell),
                Paragraph(ref, st.cell if r["reference"] else st.small),
                Paragraph(escape(check), st.cell),
            ]
        )
        if r["verdict"] in _OUTSIDE:
            styles.append(("TEXTCOLOR", (3, i), (3, i), WARN))
            styles.append(("BACKGROUND", (0, i), (-1, i), WARN_BACKGROUND))
    table = Table(
        data,
        colWidths=[54 * mm, 31 * mm, width - 54 * mm - 31 * mm - 31 * mm, 31 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BACKGROUND),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE_GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
                *styles,
            ]
        )
    )
    return table


# -- flags --------------------------------------------------------------------------------------
def flag_list(
    summary: dict[str, Any],
    frames: pd.DataFrame | None,
    thresholds: dict[str, Threshold],
    sources: Sources,
    st: Styles,
) -> list[Any]:
    """The flags (at most :data:`MAX_FLAGS`, the rest counted): rule, side, time, value and
    reference, then what it means."""
    frame_table = frames if frames is not None else pd.DataFrame({"frame": [], "t_s": []})
    flags = flag_rows(summary, frame_table, thresholds)
    out: list[Any] = [Paragraph(f"Flags ({len(flags)})", st.h2)]
    if not flags:
        out.append(
            Paragraph(
                "No flags: no measured value crossed its reference in this recording. "
                "Measures that the camera view could not support were not checked.",
                st.base,
            )
        )
    for i, f in enumerate(flags[:MAX_FLAGS], start=1):
        side = f", {f['side']}" if f.get("side") else ""
        limit = f" (reference {escape(f['threshold_text'])})" if f.get("threshold_text") else ""
        head = (
            f"<b>{i}. {escape(rule_label(str(f['rule'])))}{escape(side)} at {escape(f['when'])}: "
            f"{escape(f['value_text'])}</b>{limit}"
        )
        body = escape(str(f.get("explanation") or f.get("message") or ""))
        src = sources.ref(str(f.get("source") or ""))
        out.append(
            KeepTogether(
                [Paragraph(head + src, st.base), Paragraph(body, st.small), Spacer(1, 1.5 * mm)]
            )
        )
    if len(flags) > MAX_FLAGS:
        out.append(
            Paragraph(
                f"… and {len(flags) - MAX_FLAGS} more (see the app or summary.json).", st.small
            )
        )
    return out


# -- steps --------------------------------------------------------------------------------------
def step_table(summary: dict[str, Any], st: Styles, width: float) -> list[Any]:
    """The walk's steps (at most :data:`MAX_STEPS`, the rest counted): time, side, duration,
    length in leg lengths, and why a step is not counted in the timing."""
    rows = step_rows(summary)
    if not rows:
        return []
    counted = sum(r["counted"] == "yes" for r in rows)
    head = ["#", "Time (s)", "Side", "Duration (s)", "Length (legs)", "Counted"]
    data: list[list[Any]] = [[Paragraph(h, st.cell_b) for h in head]]
    for r in rows[:MAX_STEPS]:
        length = "–" if r["length_legs"] is None else f"{r['length_legs']:.2f}"
        cells = [r["step"], f"{r['time_s']:.2f}", r["side"], f"{r['duration_s']:.2f}", length]
        data.append([Paragraph(escape(str(c)), st.cell) for c in cells + [r["counted"]]])
    fixed = [8 * mm, 18 * mm, 14 * mm, 22 * mm, 22 * mm]
    table = Table(data, colWidths=[*fixed, width - sum(fixed)], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BACKGROUND),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE_GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    out: list[Any] = [
        Paragraph(f"Steps ({counted} of {len(rows)} counted in the timing)", st.h2),
        table,
    ]
    if len(rows) > MAX_STEPS:
        out.append(
            Paragraph(f"… and {len(rows) - MAX_STEPS} more (see steps.csv or the app).", st.small)
        )
    return out


# -- the recording, the limits, the sources -----------------------------------------------------
def recording_notes(summary: dict[str, Any], st: Styles) -> list[Any]:
    """Other warnings about the recording (the view ones are said with the measurements)."""
    said = set((summary.get("unavailable") or {}).values())
    quality = summary.get("quality") or {}
    other = [w for w in dict.fromkeys(quality.get("warnings") or []) if w not in said]
    if not other:
        return []
    return [Paragraph("About this recording", st.h2)] + [
        Paragraph("• " + escape(w[0].upper() + w[1:]), st.base) for w in other
    ]


def caveats_and_sources(sources: Sources, st: Styles) -> list[Any]:
    """What one video can and cannot tell, then the numbered sources."""
    out: list[Any] = [
        KeepTogether(
            [
                Paragraph("What one video can and cannot tell", st.h2),
                Paragraph(CAVEATS[0], st.small),
            ]
        )
    ]
    out += [Paragraph(c, st.small) for c in CAVEATS[1:]]
    if sources.items:
        out.append(Paragraph("Sources", st.h2))
        for k, s in enumerate(sources.items, start=1):
            out.append(Paragraph(f"[{k}] {escape(s)}", st.small))
    return out
