"""Page: calf raises or single-leg balance live in front of the webcam.

The browser sends the camera to this server over WebRTC (streamlit-webrtc, aiortc), each
frame goes through :class:`gaitlab.live.LiveProcessor` and comes back with the skeleton, the
measures, the phase and the cue drawn into it. Works on localhost with no STUN/TURN server
(``iceServers`` empty: host candidates only).

The frame callback runs in a worker thread and must not touch ``st.session_state``: it closes
over the session's processor, which the script thread reads through ``snapshot()`` and
``summary()``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import av
import pandas as pd
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from gaitlab.app.common import SEX_LABELS, TASK_LABELS
from gaitlab.app.guide import task_picker_ui
from gaitlab.live import LIVE_TASKS, LiveProcessor
from gaitlab.present import format_value, parse_metric

#: Host candidates only: the browser and the server are on the same machine or network.
RTC_CONFIGURATION: dict[str, Any] = {"iceServers": []}
MEDIA_CONSTRAINTS = {"video": {"width": 640, "height": 480}, "audio": False}
#: No player controls over the video: they would cover the status bar along its bottom.
VIDEO_ATTRS = {"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}}

TIPS = {
    "calf-raise": (
        "Put the camera behind you (best for ankle roll) or in front, low, 2–3 m away, with "
        "both feet in the picture. Stand still for two seconds, then: slowly raise your heels, "
        "pause at the top, lower back down even more slowly."
    ),
    "balance": (
        "Face the camera (or turn your back to it), 2–3 m away, whole body in the picture. "
        "Stand on both feet for two seconds, then lift one foot and hold. Keep your hips level."
    ),
}


def processor_for(task: str, height_cm: float | None, sex: str | None) -> LiveProcessor:
    """This browser session's processor for ``task`` (a new one when the settings change)."""
    key = f"live-processor-{task}"
    proc = st.session_state.get(key)
    if proc is None or proc.height_cm != height_cm or proc.sex != sex:
        if proc is not None:
            proc.close()
        proc = LiveProcessor(task, height_cm=height_cm, sex=sex)
        st.session_state[key] = proc
    return proc


def make_callback(proc: LiveProcessor):
    """The webrtc frame callback: closes over ``proc`` only (no session state)."""

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        image = frame.to_ndarray(format="rgb24")
        t_s = float(frame.time) if frame.time is not None else None
        if t_s is None:
            snap = proc.snapshot()
            t_s = (snap.t_s if snap else 0.0) + 1 / 30
        out, _state = proc.process(image, t_s)
        return av.VideoFrame.from_ndarray(out, format="rgb24")

    return callback


@st.fragment(run_every=timedelta(seconds=1))
def live_counters_ui(proc: LiveProcessor) -> None:
    """The latest frame's state, refreshed every second while the session runs."""
    state = proc.snapshot()
    if state is None:
        st.metric("Frames processed", 0)
        st.caption("Press START and allow the camera.")
        return
    counters = state.counters
    c = st.columns(2)
    c[0].metric("Frames processed", counters["frames"])
    c[1].metric("Time in view", f"{counters['time_in_view_s']:.1f} s")
    c = st.columns(2)
    if "reps" in counters:
        c[0].metric("Reps", counters["reps"])
    else:
        c[0].metric("Reps", "–", help="No live rep counter for this task yet: nothing is counted.")
    c[1].metric("Subject", "in view" if state.subject_found else "not found")
    (st.warning if state.needs_action else st.info)(state.cue)


def summary_ui(summary: dict[str, Any]) -> None:
    st.subheader("Session summary")
    c = st.columns(4)
    c[0].metric("Duration", f"{summary['duration_s']:.1f} s")
    c[1].metric("Time in view", f"{summary['time_in_view_s']:.1f} s")
    reps = summary["counter"].get("reps")
    c[2].metric("Reps", "–" if reps is None else reps)
    c[3].metric("Flags", len(summary["flags"]))
    st.caption(
        f"{summary['frames']} frames · subject found in {summary['detected_fraction']:.0%} · "
        f"mostly {summary['view'].replace('_', ' ')} view"
        + (
            f" · {summary['subject_changes']} change(s) of person"
            if summary["subject_changes"]
            else ""
        )
    )
    if reps is None:
        st.caption("Rep counting is not available live for this task yet: no reps are counted.")
    rows = []
    for name, m in summary["measures"].items():
        parsed = parse_metric(name)
        rows.append(
            {
                "measure": parsed.label,
                "side": parsed.side or "",
                "min": format_value(m["min"], parsed.unit),
                "max": format_value(m["max"], parsed.unit),
                "mean": format_value(m["mean"], parsed.unit),
                "frames": m["frames"],
            }
        )
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for f in summary["flags"]:
        st.warning(f"{f['start_s']:.1f}–{f['end_s']:.1f} s: {f['message']}")


def render() -> None:
    st.title("Live with the webcam")
    task = task_picker_ui("live_task", LIVE_TASKS)
    st.caption(TIPS[task])
    with st.expander("About you (optional)"):
        c1, c2 = st.columns(2)
        height = c1.number_input(
            "Height (cm)", min_value=50.0, max_value=250.0, value=None, step=1.0, key="live_height"
        )
        sex = c2.selectbox(
            "Sex", list(SEX_LABELS), format_func=SEX_LABELS.__getitem__, key="live_sex"
        )
    proc = processor_for(task, height, sex)
    video, side = st.columns([3, 2])
    with video:
        ctx = webrtc_streamer(
            key=f"webcam-{task}",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration=RTC_CONFIGURATION,
            media_stream_constraints=MEDIA_CONSTRAINTS,
            video_frame_callback=make_callback(proc),
            video_html_attrs=VIDEO_ATTRS,
            async_processing=True,
        )
    playing = bool(ctx.state.playing)
    was_playing = st.session_state.get("live-was-playing", False)
    st.session_state["live-was-playing"] = playing
    if playing and not was_playing and proc.snapshot() is not None:
        proc.reset()  # START again: a new session
    with side:
        if playing:
            live_counters_ui(proc)
        else:
            st.caption(
                f"{TASK_LABELS[task]}: press START and allow the camera. The skeleton, your "
                "measures and what to do next appear in the video itself; a summary of the "
                "session appears here when you press STOP."
            )
    if not playing and proc.snapshot() is not None:
        summary_ui(proc.summary())


if __name__ == "__main__":
    render()
