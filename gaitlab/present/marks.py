"""A result's timeline marks: the moments a reviewer jumps between (steps, toe offs, reps,
holds, flags), each with the row of the annotated video to show."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gaitlab.present.flags import frame_rows

#: Event types drawn as heel strikes (steps) and toe offs; other events are drawn plainly.
STEP_EVENTS = {"heel_strike": "step", "toe_off": "toe_off"}
EVENT_WORDS = {"heel_strike": "heel strike", "toe_off": "toe off"}


def _row(rows_of: dict[int, int], t: np.ndarray, frame: Any, t_s: float) -> int | None:
    if frame is not None and int(frame) in rows_of:
        return rows_of[int(frame)]
    if not len(t):
        return None
    return int(np.argmin(np.abs(t - t_s)))


def timeline_marks(
    summary: dict[str, Any], frames: pd.DataFrame, flags: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Marks for the player's timeline, in time order.

    Each mark: ``t_s`` and ``end_s`` (s, video time), ``frame`` (row of the annotated video),
    ``kind`` (``step``, ``toe_off``, ``rep``, ``hold``, ``flag`` or ``event``), ``side`` and a
    ``label`` to read. ``flags`` are :func:`gaitlab.present.flags.flag_rows`.
    """
    rows_of = frame_rows(frames)
    t = frames["t_s"].to_numpy(dtype=float)
    t0 = float(t[0]) if len(t) else 0.0
    marks: list[dict[str, Any]] = []

    def add(kind: str, t_s: float, end_s: float | None, frame: Any, side: Any, label: str):
        row = _row(rows_of, t, frame, t_s)
        if row is None:
            return
        marks.append(
            {
                "t_s": round(float(t_s) - t0, 4),
                "end_s": None if end_s is None else round(float(end_s) - t0, 4),
                "frame": row,
                "kind": kind,
                "side": side or None,
                "label": label,
            }
        )

    for e in summary.get("events") or []:
        kind = STEP_EVENTS.get(str(e.get("type")), "event")
        words = EVENT_WORDS.get(str(e.get("type")), str(e.get("type", "")).replace("_", " "))
        side = f"{e['side']} " if e.get("side") else ""
        add(kind, e["t_s"], None, e.get("frame"), e.get("side"),
            f"{side}{words} at {float(e['t_s']):.2f} s")  # fmt: skip
    hold = summary.get("task") == "balance"
    for i, r in enumerate(summary.get("reps") or []):
        if r.get("start_s") is None:
            continue
        end = r.get("end_s")
        if hold:
            leg = f" on the {r['stance_leg']} leg" if r.get("stance_leg") else ""
            label = f"hold {i + 1}{leg}: {float(r['start_s']):.2f}–{float(end or 0):.2f} s"
        else:
            label = f"rep {i + 1}: {float(r['start_s']):.2f}–{float(end or 0):.2f} s"
        add("hold" if hold else "rep", r["start_s"], end, None, r.get("stance_leg"), label)
    for f in flags:
        add("flag", f["start_s"], f.get("end_s"), f.get("frame"), f.get("side"),
            f"{f['when']}: {f['message']}")  # fmt: skip
    marks.sort(key=lambda m: (m["t_s"], m["kind"]))
    return marks
