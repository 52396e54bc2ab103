"""The live status bar: the cue and the counters in a solid bar below the picture."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from gaitlab.render.overlay import Style, hershey_text

__all__ = ["ACTION_COLOUR", "OK_COLOUR", "counter_text", "draw_status_bar"]

#: Status bar colours (RGB): all is well / the person must do something first.
OK_COLOUR = (30, 140, 60)
ACTION_COLOUR = (200, 120, 0)


def counter_text(counters: dict[str, Any]) -> str:
    """The status bar's second line: reps / holds, the running hold, the phase and the time in
    view (``counters`` as in :attr:`gaitlab.live.LiveState.counters`)."""
    parts = []
    if "reps" in counters:
        parts.append(f"reps {counters['reps']}")
    if "holds" in counters:
        parts.append(f"holds {counters['holds']}")
    if "hold_s" in counters:
        parts.append(f"hold {counters['hold_s']:.1f} s")
    if counters.get("phase"):
        parts.append(str(counters["phase"]))
    parts.append(f"in view {counters['time_in_view_s']:.1f} s")
    return "  |  ".join(parts)


def draw_status_bar(
    image: np.ndarray, cue: str, counters: str, *, needs_action: bool
) -> np.ndarray:
    """Append a solid two-line bar below the frame: the cue, then the counters.

    Below, not over, the picture: the feet are at the bottom of a well-framed shot. Green
    when the person can carry on, amber when the set-up needs fixing first. Text that does
    not fit the width is cut with "..". Returns a new image, taller by an even number of
    rows (video encoders want even sizes).
    """
    h, w = image.shape[:2]
    style = Style.for_frame(w, h)
    bar_h = 2 * style.line_height + 8
    bar_h += bar_h % 2
    bar = np.empty((bar_h, w, 3), dtype=np.uint8)
    bar[:] = ACTION_COLOUR if needs_action else OK_COLOUR
    font = cv2.FONT_HERSHEY_SIMPLEX
    for i, text in enumerate((hershey_text(cue), hershey_text(counters))):
        fitted = text
        thick = style.text_thickness
        while (
            fitted and cv2.getTextSize(fitted + "..", font, style.font_scale, thick)[0][0] > w - 20
        ):
            fitted = fitted[:-1]
        if fitted != text:
            fitted = fitted.rstrip() + ".."
        y = 4 + style.line_height * (i + 1) - style.line_height // 4
        cv2.putText(
            bar, fitted, (10, y), font, style.font_scale, (255, 255, 255), thick, cv2.LINE_AA
        )
    return np.concatenate([image, bar], axis=0)
