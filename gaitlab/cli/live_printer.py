"""What ``gaitlab live`` prints while it runs: each event, and a status line.

JSON lines (``--json``: one object per event on stdout), or plain text: events in words and a
status line per second (rewritten in place ten times a second on a terminal).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

import numpy as np

from gaitlab.io.export import jsonable
from gaitlab.live import LiveState

__all__ = ["LivePrinter", "describe_event"]

#: Seconds between status lines when stdout is not a terminal (on one, the line is rewritten
#: in place ten times a second).
STATUS_EVERY_S = 1.0
STATUS_EVERY_TTY_S = 0.1

#: Events not printed in the plain-text mode (the status line shows the phase already).
QUIET_EVENTS = frozenset({"rep_start", "rep_top", "rep_lower", "feet_in_view"})


class LivePrinter:
    """Events and status lines: JSON lines, or plain text with a status line per second
    (rewritten in place on a terminal)."""

    def __init__(self, out: TextIO, json_lines: bool) -> None:
        self.out = out
        self.json_lines = json_lines
        self.tty = bool(getattr(out, "isatty", lambda: False)())
        self._last_status = -np.inf
        self._status_shown = False

    def _line(self, text: str) -> None:
        if self._status_shown:
            self.out.write("\r\033[K")
            self._status_shown = False
        self.out.write(text + "\n")
        self.out.flush()

    def json(self, obj: dict[str, Any]) -> None:
        self._line(json.dumps(jsonable(obj), allow_nan=False))

    def event(self, e: dict[str, Any], at_s: float) -> None:
        if self.json_lines:
            self.json({**e, "reported_at_s": round(at_s, 3)})
            return
        if e.get("type") in QUIET_EVENTS:
            return
        self._line(f"{at_s:7.2f} s  {describe_event(e)}")

    def status(self, state: LiveState) -> None:
        every = STATUS_EVERY_TTY_S if self.tty else STATUS_EVERY_S
        if self.json_lines or state.t_s - self._last_status < every:
            return
        self._last_status = state.t_s
        c = state.counters
        parts = [f"{state.t_s:7.2f} s"]
        if "reps" in c:
            parts.append(f"reps {c['reps']}")
        if "holds" in c:
            parts.append(f"holds {c['holds']}")
        if c.get("phase") == "hold" and "hold_s" in c:
            parts.append(f"holding {c['hold_s']:.1f} s")
        if c.get("phase"):
            parts.append(str(c["phase"]))
        parts.append(state.view)
        parts.append(state.cue)
        text = " | ".join(parts)
        if self.tty:
            self.out.write("\r\033[K" + text)
            self._status_shown = True
            self.out.flush()
        else:
            self._line(text)

    def text(self, line: str) -> None:
        if not self.json_lines:
            self._line(line)

    def warning(self, message: str) -> None:
        if self.json_lines:
            self.json({"type": "warning", "message": message})
        else:
            self._line(f"warning: {message}")

    def end(self) -> None:
        if self._status_shown:
            self.out.write("\n")
            self._status_shown = False
            self.out.flush()


def _num(value: Any, unit: str, digits: int = 1) -> str:
    """``1.2 s``, or ``?`` for a value the rep could not measure (None)."""
    return "?" if value is None else f"{value:.{digits}f}{unit}"


def describe_event(e: dict[str, Any]) -> str:
    """One event in plain words."""
    kind = e.get("type")
    if kind == "rep_end" and "rep" in e:
        r = e["rep"]
        height = (
            f"heel {_num(r.get('height_cm'), ' cm')}"
            if r.get("height_cm") is not None
            else f"heel {_num(r.get('height_pct_foot'), ' % of foot length', 0)}"
        )
        roll = r.get("ankle_roll_peak_deg")
        text = (
            f"rep {r['index'] + 1} done: rise {_num(r.get('rise_s'), ' s')}, "
            f"hold {_num(r.get('hold_s'), ' s')}, lower {_num(r.get('lower_s'), ' s')}, {height}"
            + (f", ankle roll {_num(roll, ' deg', 0)}" if roll is not None else "")
        )
        if r.get("flags"):
            text += f" (flags: {', '.join(r['flags'])})"
        return text
    if kind == "rep_rejected":
        return f"not counted: {e.get('reason', '')}"
    if kind == "hold_start":
        return (
            f"hold started on the {e.get('side')} leg (lift-off at {_num(e.get('t_s'), ' s', 2)})"
        )
    if kind == "hold_end":
        return (
            f"hold on the {e.get('side')} leg ended after {_num(e.get('hold_s'), ' s')} "
            f"({e.get('reason')})"
        )
    if kind == "hold_cancel":
        return "that was not a hold (you moved towards or away from the camera): not counted"
    if kind == "flag":
        return f"flag: {e.get('message', e.get('rule'))}"
    if kind == "feet_out_of_view":
        return str(e.get("reason") or "step back so your feet are in view")
    return json.dumps(jsonable(e), allow_nan=False)
