"""Two annotated videos side by side in one player, lined up on a moment (a heel strike, a
rep's top, a hold's start, or their starts): they play, pause, step and change speed
together, and each shows its own frame and time. Side by side on a wide page, one above the
other on a phone.

A Streamlit component in plain HTML and JavaScript (``frontend/index.html``), shipped in the
package and served by the app itself: nothing is fetched from another host. Videos reach it
through Streamlit's media files, as in the review player (:mod:`gaitlab.app.player`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

from gaitlab.app.player import frame_times, media_url

FRONTEND = Path(__file__).resolve().parent / "frontend"
_component = components.declare_component("gaitlab_dual_player", path=str(FRONTEND))


@dataclass(frozen=True)
class Pane:
    """One of the two videos: the annotated video, what it is called on the page, its frame
    rate, the video time (s from its first frame) of the moment both are lined up on, and its
    marks (:func:`gaitlab.present.compare.event_marks`) drawn on its lane of the timeline."""

    video: Path
    label: str
    fps: float
    sync_s: float
    marks: tuple[dict[str, Any], ...] = ()


def dual_player(panes: tuple[Pane, Pane], *, sync_label: str, key: str) -> None:
    """Show both videos lined up on ``sync_label`` (each at its ``sync_s``); a new
    ``sync_label`` or ``sync_s`` seeks both to that moment again."""
    _component(
        panes=[
            {
                "url": media_url(p.video, f"{key}-{i}"),
                "label": p.label,
                "fps": p.fps,
                "sync_s": p.sync_s,
                "frame_times": frame_times(p.video),
                "marks": list(p.marks),
            }
            for i, p in enumerate(panes)
        ],
        sync_label=sync_label,
        sync_nonce=f"{sync_label}|{panes[0].sync_s:.4f}|{panes[1].sync_s:.4f}",
        key=key,
        default=None,
    )
