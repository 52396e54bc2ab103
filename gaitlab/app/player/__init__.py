"""The review player: the annotated video with playback speed, frame-by-frame stepping, the
overlay on or off, and a timeline of steps, reps, holds and flags that seeks the video.

A Streamlit component written in plain HTML and JavaScript (``frontend/index.html``), shipped
in the package and served by the app itself: nothing is fetched from another host. Videos
reach it through Streamlit's media files (the same URLs ``st.video`` uses).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import av
import streamlit.components.v1 as components
from streamlit import runtime

FRONTEND = Path(__file__).resolve().parent / "frontend"
_component = components.declare_component("gaitlab_player", path=str(FRONTEND))

#: Containers the browser's own player can show (the overlay-off view plays the upload itself).
BROWSER_PLAYABLE = {".mp4", ".m4v", ".webm"}
BROWSER_CODECS = {"h264", "vp8", "vp9", "av1"}


@lru_cache(maxsize=32)
def _frame_times(path: str, mtime_ns: int) -> tuple[float, ...]:
    with av.open(path) as container:
        stream = container.streams.video[0]
        tb = float(stream.time_base or 0)
        pts = sorted(p.pts for p in container.demux(stream) if p.pts is not None and p.size)
    start = pts[0] if pts else 0
    # the browser's clock starts at the first frame
    return tuple((p - start) * tb for p in pts)


def frame_times(path: Path) -> list[float]:
    """Each frame's time in the video as a browser plays it (from the container's timestamps,
    without decoding), in display order."""
    return list(_frame_times(str(path), path.stat().st_mtime_ns))


def playable_in_browser(path: Path) -> bool:
    """Whether the browser can play ``path`` as it is (container and codec)."""
    if path.suffix.lower() not in BROWSER_PLAYABLE or not path.is_file():
        return False
    try:
        with av.open(str(path)) as container:
            return container.streams.video[0].codec_context.name in BROWSER_CODECS
    except (av.FFmpegError, IndexError):
        return False


def media_url(path: Path, key: str) -> str:
    """A URL of this app for ``path`` (Streamlit's media file store, as ``st.video``)."""
    return runtime.get_instance().media_file_mgr.add(str(path), "video/mp4", f"player-{key}")


def player(
    video: Path,
    *,
    marks: list[dict[str, Any]],
    fps: float,
    key: str,
    original: Path | None = None,
    seek: dict[str, Any] | None = None,
    annotations: list[dict[str, Any]] | None = None,
    draw: bool = False,
) -> dict[str, Any] | None:
    """Show the player; returns ``{"frame", "t_s"}`` of the frame last stepped or sought to,
    with ``"action"`` once an angle was saved or deleted in it (see below).

    Parameters
    ----------
    video : the annotated video (H.264 MP4).
    marks : timeline marks (:func:`gaitlab.present.marks.timeline_marks`), each with the row
        of the annotated video (``frame``) it seeks to.
    fps : the video's frame rate (a fallback for stepping before its metadata is read).
    key : a unique key for this player on the page.
    original : the uploaded video, shown when the overlay is switched off, if the browser can
        play it; otherwise the overlay cannot be switched off.
    seek : ``{"frame": row, "nonce": n}``: go to that frame and bring the player into view,
        once per new ``nonce``.
    annotations : the saved angles to draw when the player is paused on their frame and to
        list, each ``{"id", "kind" ('angle' or 'line'), "frame", "t_s", "points" (normalised
        image coordinates), "reference", "angle_deg", "text", "author", "deletable"}``.
    draw : offer the angle tool. Its actions come back in the value until the next one:
        ``{"type": "save", "nonce", "kind", "reference", "points", "image_size", "frame",
        "t_s", "text", "angle_deg"}`` or ``{"type": "delete", "nonce", "id"}``; the caller
        acts on each ``nonce`` once.
    """
    original_url = (
        media_url(original, f"{key}-original")
        if original is not None and playable_in_browser(original)
        else None
    )
    return _component(
        video_url=media_url(video, key),
        original_url=original_url,
        frame_times=frame_times(video),
        fps=fps,
        marks=marks,
        seek=seek,
        annotations=annotations or [],
        draw=draw,
        key=key,
        default=None,
    )
