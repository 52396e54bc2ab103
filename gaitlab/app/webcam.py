"""Page: calf raises or single-leg balance live in front of the webcam.

The browser sends the camera to this server over WebRTC (streamlit-webrtc, aiortc), each
frame goes through :class:`gaitlab.live.LiveProcessor` and comes back with the skeleton, the
measures, the phase and the cue drawn into it. Works on localhost with no STUN/TURN server
(``iceServers`` empty: host candidates only).

The frame callback runs in a worker thread and must not touch ``st.session_state``: it closes
over the session's processor, which the script thread reads through ``snapshot()`` and
``summary()``.

When a session stops, its summary is saved to the history once, for the person chosen in
the app (whose height and sex are used unless others are entered here).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import timedelta
from typing import Any

import av
import numpy as np
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from gaitlab.app import common
from gaitlab.app.common import SEX_LABELS, TASK_LABELS, live_summary_ui
from gaitlab.app.guide import task_picker_ui
from gaitlab.app.pages import HISTORY_PAGE
from gaitlab.app.results import save_live_session
from gaitlab.app.safe_text import md
from gaitlab.core.errors import GaitlabError
from gaitlab.live import LIVE_TASKS, LiveProcessor
from gaitlab.store import Person

#: Host candidates only: the browser and the server are on the same machine or network.
RTC_CONFIGURATION: dict[str, Any] = {"iceServers": []}
#: The long side at most 640 pixels, the camera's own shape kept. Asking for 640×480 makes the
#: browser crop a portrait (phone) camera to landscape, which cuts off the head and the feet;
#: with only maxima it scales the whole picture down instead (a 720×1280 phone → 360×640).
MEDIA_CONSTRAINTS = {"video": {"width": {"max": 640}, "height": {"max": 640}}, "audio": False}
#: Processing rate and time are reported over the frames of the last few seconds.
METER_WINDOW_S = 3.0
#: No player controls over the video: they would cover the status bar along its bottom. The
#: video's box has a fixed shape (the picture fitted inside it): the component measures its
#: height when the video starts, so a box that grew with a portrait camera's picture pushed the
#: STOP button out of the component's frame.
VIDEO_ATTRS = {
    "autoPlay": True,
    "controls": False,
    "muted": True,
    "style": {"width": "100%", "aspectRatio": "1", "objectFit": "contain", "background": "#000"},
}

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
        _new_session(task)
    return proc


class FrameMeter:
    """Frames processed per second and the time each took, over the last few seconds.

    Filled by the frame callback's thread, read by the page's; frames the processor could not
    keep up with are dropped before the callback (streamlit-webrtc's asynchronous processing
    keeps only the newest), so the rate here is what was analysed, not what the camera sent.
    """

    def __init__(self, window_s: float = METER_WINDOW_S) -> None:
        self.window_s = window_s
        self._lock = threading.Lock()
        self._done: deque[tuple[float, float]] = deque()  # (wall time at the end, ms taken)

    def add(self, end_s: float, took_ms: float) -> None:
        with self._lock:
            self._done.append((end_s, took_ms))
            while self._done and self._done[0][0] < end_s - self.window_s:
                self._done.popleft()

    def reading(self, now_s: float) -> tuple[float, float, float] | None:
        """``(frames per second, median ms, 95th percentile ms)`` over the window ending at
        ``now_s``; ``None`` before two frames were processed in it."""
        with self._lock:
            recent = [(t, ms) for t, ms in self._done if t >= now_s - self.window_s]
        if len(recent) < 2:
            return None
        span_s = max(now_s - recent[0][0], recent[-1][0] - recent[0][0], 1e-3)
        took = np.array([ms for _, ms in recent])
        return (len(recent) - 1) / span_s, float(np.median(took)), float(np.percentile(took, 95))

    def clear(self) -> None:
        with self._lock:
            self._done.clear()


def make_callback(proc: LiveProcessor, meter: FrameMeter):
    """The webrtc frame callback: closes over ``proc`` and ``meter`` only (no session
    state)."""

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        start = time.perf_counter()
        image = frame.to_ndarray(format="rgb24")
        t_s = float(frame.time) if frame.time is not None else None
        if t_s is None:
            snap = proc.snapshot()
            t_s = (snap.t_s if snap else 0.0) + 1 / 30
        out, _state = proc.process(image, t_s)
        end = time.perf_counter()
        meter.add(end, 1000.0 * (end - start))
        return av.VideoFrame.from_ndarray(out, format="rgb24")

    return callback


def meter_for(task: str) -> FrameMeter:
    """This browser session's processing meter for ``task``."""
    return st.session_state.setdefault(f"live-meter-{task}", FrameMeter())


@st.fragment(run_every=timedelta(seconds=1))
def live_counters_ui(proc: LiveProcessor, meter: FrameMeter) -> None:
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
    elif "holds" in counters:
        c[0].metric("Holds", counters["holds"], help="Completed single-leg holds.")
    else:
        c[0].metric("Reps", "–", help="No live rep counter for this task yet: nothing is counted.")
    c[1].metric("Subject", "in view" if state.subject_found else "not found")
    processing_ui(meter.reading(time.perf_counter()))
    (st.warning if state.needs_action else st.info)(state.cue)


def processing_ui(reading: tuple[float, float, float] | None) -> None:
    """How fast frames are analysed: frames per second and the time one takes."""
    c = st.columns(2)
    if reading is None:
        c[0].metric("Analysed", "–", help="Frames analysed per second, once a few have been.")
        return
    fps, median_ms, p95_ms = reading
    c[0].metric(
        "Analysed",
        f"{fps:.0f} fps",
        help="Frames analysed per second. When the analysis cannot keep up with the camera, "
        "older frames are skipped (never queued), so what you see is never behind.",
    )
    c[1].metric(
        "Per frame",
        f"{median_ms:.0f} ms",
        help=f"Median time to analyse one frame over the last seconds (95 % within "
        f"{p95_ms:.0f} ms).",
    )


def finish_and_save(proc: LiveProcessor, task: str, person: Person | None) -> dict[str, Any]:
    """Once per session, when it stops: end the counting (a hold still running ends) and
    save the summary to the history for ``person`` (``source="live"``). Returns what was
    done (``session_id``, or ``error``; a session where nobody was seen is not saved), kept
    in the browser session so reruns and reloads of the page do not save it again."""
    done: dict[str, dict[str, Any]] = st.session_state.setdefault("live-saved", {})
    token = _session_token(task)
    if token in done:
        return done[token]
    finish = getattr(proc, "finish", None)
    if finish is not None:
        finish()
    try:
        sid = save_live_session(proc.summary(), person.id if person else None)
        outcome: dict[str, Any] = {"session_id": sid, "person": person.name if person else None}
    except GaitlabError as exc:
        outcome = {"error": str(exc)}
    done[token] = outcome
    return outcome


def _session_token(task: str) -> str:
    """Names the current session of ``task`` (a new one at each START or new processor)."""
    return f"{task}-{st.session_state.get(f'live-generation-{task}', 0)}"


def _new_session(task: str) -> None:
    key = f"live-generation-{task}"
    st.session_state[key] = st.session_state.get(key, 0) + 1


def saved_ui(outcome: dict[str, Any]) -> None:
    if outcome.get("error"):
        st.error(f"The session could not be saved to the history: {md(outcome['error'])}")
    elif outcome.get("session_id") is None:
        st.caption("Nobody was seen in this session: nothing was saved.")
    else:
        who = f" for {md(outcome['person'])}" if outcome.get("person") else ""
        st.success(f"Saved to the history{who} as session #{outcome['session_id']}.")
        st.page_link(HISTORY_PAGE, label="See it in the history", icon="🗂️")


def render() -> None:
    st.title("Live with the webcam")
    task = task_picker_ui("live_task", LIVE_TASKS)
    st.caption(TIPS[task])
    person = common.current_person()
    about = "About you (optional)"
    if person is not None:
        about = f"About {md(person.name)} (from their profile unless entered here)"
    with st.expander(about):
        c1, c2 = st.columns(2)
        height = c1.number_input(
            "Height (cm)", min_value=50.0, max_value=250.0, value=None, step=1.0, key="live_height"
        )
        sex = c2.selectbox(
            "Sex", list(SEX_LABELS), format_func=SEX_LABELS.__getitem__, key="live_sex"
        )
    if person is not None:
        height = height if height is not None else person.height_cm
        sex = sex if sex is not None else person.sex
    proc = processor_for(task, height, sex)
    meter = meter_for(task)
    video, side = st.columns([3, 2])
    with video:
        ctx = webrtc_streamer(
            key=f"webcam-{task}",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration=RTC_CONFIGURATION,
            media_stream_constraints=MEDIA_CONSTRAINTS,
            video_frame_callback=make_callback(proc, meter),
            video_html_attrs=VIDEO_ATTRS,
            async_processing=True,
        )
    playing = bool(ctx.state.playing)
    was_playing = st.session_state.get("live-was-playing", False)
    st.session_state["live-was-playing"] = playing
    if playing and not was_playing and proc.snapshot() is not None:
        proc.reset()  # START again: a new session
        meter.clear()
        _new_session(task)
    with side:
        if playing:
            live_counters_ui(proc, meter)
        else:
            st.caption(
                f"{TASK_LABELS[task]}: press START and allow the camera. The skeleton, your "
                "measures and what to do next appear in the video itself; a summary of the "
                "session appears here when you press STOP."
            )
    if not playing and proc.snapshot() is not None:
        outcome = finish_and_save(proc, task, person)
        live_summary_ui(proc.summary())
        saved_ui(outcome)


if __name__ == "__main__":
    render()
