"""Page: upload a video, follow the analysis, review the result.

The result's id lives in the URL (``?result=<id>``) and everything else on disk
(:mod:`gaitlab.app.results`), so reloading the page or coming back later shows the same result.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from gaitlab.app import auth, common, notes, timeline
from gaitlab.app.charts import SEEK_SELECTION, signal_chart
from gaitlab.app.common import AUTO_LABEL, CHOSEN_TASK, SEX_LABELS, TASK_LABELS
from gaitlab.app.guide import guide_ui
from gaitlab.app.jobs import QueueFull
from gaitlab.app.player import player
from gaitlab.app.results import VIDEO_TYPES
from gaitlab.app.safe_text import md
from gaitlab.core.errors import GaitlabError
from gaitlab.pipeline import AnalyzeOptions
from gaitlab.present.charts import CHART_GROUPS, chart_data, unavailable_reasons
from gaitlab.present.flags import flag_rows, nothing_measured, rep_rows, step_rows
from gaitlab.present.marks import timeline_marks
from gaitlab.present.metrics import MeasureSections, measure_sections, measure_table
from gaitlab.present.thumbnails import crop_person
from gaitlab.present.view_notes import merge_view_notes

VIEW_LABELS = {
    "anterior": "front view",
    "posterior": "back view",
    "sagittal_left": "side view (left side to the camera)",
    "sagittal_right": "side view (right side to the camera)",
    "oblique": "diagonal view",
    "unknown": "view not known",
}
FLAGS_SHOWN = 12
THUMB_SIDE = 360
PERSON_COLUMNS = 4
PERSON_THUMB_WIDTH = 160
#: The file name of an upload this browser session just cancelled, for the next page.
CANCELLED_KEY = "cancelled_upload"
#: Why this browser session's last upload was refused (the queue was full), for the next run.
REFUSED_KEY = "refused_upload"
#: Counts the uploads of this browser session: each gets a new, empty file chooser.
UPLOADER_KEY = "uploader_generation"


def _uploader_key() -> str:
    generation = st.session_state.get(UPLOADER_KEY, 0)
    return "upload_file" if not generation else f"upload_file-{generation}"


# -- upload ------------------------------------------------------------------------------------
def upload_ui() -> None:
    """Task, filming guide, the file and optional details; starts the analysis."""
    options = ("auto", *TASK_LABELS)
    chosen = st.session_state.get(CHOSEN_TASK)
    task = st.selectbox(
        "What does the video show?",
        options,
        index=options.index(chosen) if chosen in options else 1,
        format_func=lambda t: TASK_LABELS.get(t, AUTO_LABEL),
        key="upload_task",
    )
    if task != "auto":
        with st.expander("How to film this"):
            guide_ui(task)
    refused = st.session_state.pop(REFUSED_KEY, None)
    upload = st.file_uploader(
        "Phone video (mp4, mov, webm …)",
        type=list(VIDEO_TYPES),
        key=_uploader_key(),
    )
    if refused:
        st.error(md(refused))
    with st.expander("About you (optional: scales heights to cm, picks sex-specific references)"):
        c1, c2 = st.columns(2)
        height = c1.number_input(
            "Height (cm)", min_value=50.0, max_value=250.0, value=None, step=1.0, key="height"
        )
        sex = c2.selectbox("Sex", list(SEX_LABELS), format_func=SEX_LABELS.__getitem__, key="sex")
    busy = common.jobs().queue_text()
    if busy:
        st.caption(f"Analysis queue: {busy}.")
    if st.button("Analyse", type="primary", disabled=upload is None, key="analyse"):
        try:
            opts = AnalyzeOptions(task=task, height_cm=height, sex=sex)
        except GaitlabError as exc:
            st.error(md(exc))
            return
        try:
            rid = common.jobs().add(upload.name, upload, opts, person=common.current_person())
        except QueueFull as exc:  # the file is let go: a new one is chosen when there is room
            st.session_state[REFUSED_KEY] = str(exc)
            rid = None
        finally:
            common.forget_upload(upload)
            st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
        if rid is not None:
            st.query_params["result"] = rid
        st.rerun()


# -- progress ----------------------------------------------------------------------------------
@st.fragment(run_every=timedelta(milliseconds=500))
def progress_ui(rid: str) -> None:
    """Polls the job's status file; the whole page reruns when the job finishes."""
    jobs = common.jobs()
    status = jobs.status(rid)
    place = jobs.place(rid) if status.state == "queued" else None
    if place is not None:
        st.info(f"Waiting: {place.text}. It starts by itself when its turn comes.")
    elif not status.finished:
        st.progress(status.fraction, text=status.label)
    if status.finished:
        st.rerun(scope="app")
    if st.button("Cancel this analysis", key=f"cancel-{rid}"):
        filename = common.store().request(rid)["filename"]
        jobs.cancel(rid)
        st.session_state[CANCELLED_KEY] = filename
        del st.query_params["result"]
        st.rerun(scope="app")


# -- result ------------------------------------------------------------------------------------
def result_ui(rid: str) -> None:
    store = common.store()
    status = common.jobs().status(rid)
    request = store.request(rid)
    st.subheader(md(breakable(request["filename"])))
    if st.button("← Analyse another video", key="new"):
        del st.query_params["result"]
        st.rerun()
    if not status.finished:
        st.caption("You can leave this page open or come back later: the result is kept.")
        progress_ui(rid)
        return
    if status.state != "done":
        st.error(md(status.message))
        if status.state == "interrupted" and st.button("Run it again", key="retry"):
            try:
                common.jobs().retry(rid)
            except GaitlabError as exc:  # the queue is full
                st.error(md(exc))
                return
            st.rerun()
        return
    summary = common.load_summary(store.summary_path(rid))
    frames = common.load_frames(store.frames_path(rid))
    overview_ui(summary, request)
    subject_ui(rid, summary)
    sections = measure_sections(summary, common.thresholds(), request.get("sex"))
    flags = flag_rows(summary, frames, common.thresholds())
    left, right = st.columns(2)
    with left:
        video_ui(rid, summary, frames, timeline_marks(summary, frames, flags))
    with right:
        metrics_ui(sections)
    all_measures_ui(sections)
    charts_ui(rid, summary, frames, flags, request.get("sex"))
    flags_ui(rid, flags, summary)
    notes.notes_ui(notes.result_session(rid), f"notes-{rid}")
    reps_ui(summary)
    steps_ui(summary)
    events_ui(summary)
    downloads_ui(rid)


def overview_ui(summary: dict[str, Any], request: dict[str, Any]) -> None:
    video, quality = summary["video"], summary["quality"]
    task = TASK_LABELS.get(summary["task"], summary["task"])
    if summary["task"] == "walk" and (summary.get("metrics") or {}).get("gait") == "running":
        task = "Running"
    if request["task"] == "auto":
        task += " (recognised from the video)"
    st.caption(
        f"{task} · {VIEW_LABELS.get(summary['view'], summary['view'])} · "
        f"{video['duration_s']:.1f} s at {video['fps']:.3g} fps · "
        f"subject found in {quality['detected_fraction']:.0%} of frames · "
        f"{quality['persons_seen']} person(s) seen"
    )
    notes = merge_view_notes(quality.get("warnings") or [])
    if notes:
        with st.expander(f"{len(notes)} note(s) about this recording", expanded=len(notes) <= 2):
            for note in notes:
                st.warning(note)


def subject_ui(rid: str, summary: dict[str, Any]) -> None:
    """Thumbnails of every person seen, when there was more than one, to re-run on another."""
    store = common.store()
    persons = store.persons(rid)
    if len(persons) < 2:
        return
    current = summary["quality"].get("subject_track")
    size = (summary["video"]["width"], summary["video"]["height"])
    turn = summary["video"].get("turn_deg", 0)
    images = common.frames_at(store.input_path(rid), [p["frame"] for p in persons], 640, turn)
    with st.expander(f"{len(persons)} people were seen: is the right person analysed?"):
        st.caption(
            "gaitlab follows the person seen most completely, longest and largest. "
            "Pick someone else to analyse them instead."
        )
        cols = st.columns(PERSON_COLUMNS)
        for i, p in enumerate(persons):
            with cols[i % PERSON_COLUMNS]:
                image = images.get(p["frame"])
                if image is not None:
                    st.image(crop_person(image, p["bbox_px"], size), width=PERSON_THUMB_WIDTH)
                seen = f"in view {p['end_s'] - p['start_s']:.1f} s"
                if p["track_id"] == current:
                    st.caption(f"Person {p['track_id']} · {seen} · analysed")
                else:
                    st.caption(f"Person {p['track_id']} · {seen}")
                    if st.button("Analyse this person", key=f"subject-{p['track_id']}"):
                        opts = replace(store.options(rid), subject=str(p["track_id"]))
                        try:
                            new = common.jobs().add_rerun(rid, opts)
                        except GaitlabError as exc:  # the queue is full
                            st.error(md(exc))
                            return
                        st.query_params["result"] = new
                        st.rerun()


def _seek_key(rid: str) -> str:
    return f"seek-{rid}"


def video_ui(
    rid: str, summary: dict[str, Any], frames: pd.DataFrame, marks: list[dict[str, Any]]
) -> None:
    """The review player: the annotated video, its speed, frame stepping, the overlay on or
    off and the timeline of marks (a flag's "Show" button seeks it too)."""
    store = common.store()
    path = store.video_path(rid)
    if not path.is_file():
        st.info("No annotated video was written for this result.")
        return
    noted = notes.result_session(rid)
    at = player(
        path,
        marks=marks,
        fps=float(summary["video"].get("fps") or 30.0),
        key=f"player-{rid}",
        # an upload the analysis had to turn upright plays the wrong way up on its own
        original=None if summary["video"].get("turn_deg") else store.input_path(rid),
        seek=st.session_state.get(_seek_key(rid)),
        annotations=notes.drawn(noted),
        draw=notes.may_write(noted),
    )
    notes.apply_player_action(noted, at, frames)
    clip_ui(rid, frames, at)
    notes.moment_note_ui(noted, at, frames)


def clip_ui(rid: str, frames: pd.DataFrame, at: dict[str, Any] | None) -> None:
    """A short clip around the frame the player is on, to share (faces blurred on request)."""
    session_id = common.store().history(rid).get("session_id")
    hist = common.history()
    if session_id is None or hist is None or frames.empty:
        return
    row = int(at["frame"]) if at and at.get("frame") is not None else 0
    t = frames["t_s"].to_numpy(dtype=float)
    centre = float(t[min(max(row, 0), len(t) - 1)])
    with st.expander("Clip of this moment"):
        st.caption(
            f"Around {centre:.2f} s, the frame the player is on: step or click a mark first."
        )
        c1, c2 = st.columns(2)
        before = c1.number_input("Seconds before", 0.0, 10.0, 2.0, 0.5, key=f"clip-b-{rid}")
        after = c2.number_input("Seconds after", 0.0, 10.0, 2.0, 0.5, key=f"clip-a-{rid}")
        blur = st.toggle("Blur faces", value=True, key=f"clip-blur-{rid}")
        clip_s = (max(centre - before, float(t[0])), min(centre + after, float(t[-1])))
        st.download_button(
            f"Download the clip ({clip_s[0]:.2f}–{clip_s[1]:.2f} s)",
            data=partial(timeline.clip_mp4, hist, int(session_id), clip_s, blur),  # when asked
            file_name=f"clip-{clip_s[0]:.2f}-{clip_s[1]:.2f}s.mp4",
            mime="video/mp4",
            key=f"clip-{rid}",
        )


def breakable(name: str) -> str:
    """A file name that may wrap after ``_`` and ``-`` on a phone rather than mid-word."""
    return name.replace("_", "_\u200b").replace("-", "-\u200b")


def _measures_table(rows: list[dict[str, Any]]) -> None:
    st.table(pd.DataFrame(measure_table(rows)).set_index("Measure"))
    sources = dict.fromkeys(r["source"] for r in rows if r["source"])
    if sources:
        st.caption("References: " + " · ".join(sources))


def metrics_ui(sections: MeasureSections) -> None:
    """The task's key measures, beside the video (left and right in one row)."""
    st.markdown("**Key measures**")
    if sections.key:
        _measures_table(sections.key)
    else:
        st.info("No measures for this task yet.")
    if sections.recording:
        st.caption(" · ".join(f"{r['measure']}: {r['value']}" for r in sections.recording))


def all_measures_ui(sections: MeasureSections) -> None:
    """Every other measure of the result, full width, folded away."""
    if sections.more:
        with st.expander(f"All measures ({len(sections.more)} more)"):
            _measures_table(sections.more)


def charts_ui(
    rid: str,
    summary: dict[str, Any],
    frames: pd.DataFrame,
    flags: list[dict[str, Any]],
    sex: str | None,
) -> None:
    st.subheader("Over time")
    shown, missing = [], []
    for group in CHART_GROUPS:
        if summary["task"] not in group.tasks:
            continue
        data = chart_data(group, frames, flags, common.thresholds(), summary["task"], sex)
        if data is None:
            signals = [s for cands, _ in group.candidates for s in cands]
            missing.append((group.title, unavailable_reasons(summary, signals)))
        else:
            shown.append(data)
    for i in range(0, len(shown), 2):
        for col, data in zip(st.columns(2), shown[i : i + 2], strict=False):
            with col:
                st.markdown(f"**{data.group.title}**")
                note = data.group.zero_note
                if data.threshold_label:
                    note += f" · dashed line: {data.threshold_label}"
                st.caption(note)
                event = st.altair_chart(
                    signal_chart(data),
                    width="stretch",
                    key=f"chart-{data.group.key}",
                    on_select="rerun",
                    selection_mode=SEEK_SELECTION,
                )
                _seek_from_chart(rid, data.group.key, event, frames)
    if missing:
        lines = [
            f"- {title}: {reasons[0] if reasons else 'not measured in this recording'}"
            for title, reasons in missing
        ]
        st.caption("Not shown:\n" + "\n".join(lines))


def flags_ui(rid: str, flags: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    st.subheader("Flagged moments")
    why = nothing_measured(summary)
    if not flags and why:  # no green all-clear when nothing was measured
        st.warning(f"Nothing could be checked for flags: {why}")
        return
    if not flags:
        st.success(
            "No flagged moments: no measure crossed its threshold for long enough. "
            "Measures the view could not support are listed under the charts."
        )
        return
    show_all = len(flags) <= FLAGS_SHOWN or st.toggle(f"Show all {len(flags)}", key="all-flags")
    shown = flags if show_all else flags[:FLAGS_SHOWN]
    video = common.store().video_path(rid)
    rows = [f["row"] for f in shown if f["row"] is not None]
    thumbs = common.frames_at(video, rows, THUMB_SIDE) if video.is_file() else {}
    noted = notes.result_session(rid)
    for i, f in enumerate(shown):
        with st.container(border=True):
            c1, c2 = st.columns([1, 2])
            with c1:
                if f["row"] in thumbs:
                    st.image(thumbs[f["row"]], width="stretch")
            with c2:
                side = f" · {f['side']}" if f.get("side") else ""
                st.markdown(f"**{f['message']}**")
                st.caption(
                    f"{f['when']}{side} · value {f['value_text']} · threshold {f['threshold_text']}"
                )
                if f["explanation"] != f["message"]:
                    st.write(f["explanation"])
                if f.get("source"):
                    st.caption(f"Threshold source: {f['source']}")
                st.button(
                    f"Show at {f['t_s']:.2f} s",
                    key=f"jump-{i}",
                    on_click=_jump,
                    args=(rid, f["row"]),
                )
                notes.flag_note_ui(noted, f, f"flag-note-{i}")


def _seek_from_chart(rid: str, chart: str, event: Any, frames: pd.DataFrame) -> None:
    """A click on a chart seeks the player to the nearest frame, once per new click."""
    points = (event.get("selection") or {}).get(SEEK_SELECTION) or [] if event else []
    times = [p["t_s"] for p in points if isinstance(p, dict) and p.get("t_s") is not None]
    last_key = f"chart-seek-{rid}-{chart}"
    if not times or st.session_state.get(last_key) == times[0] or frames.empty:
        return
    st.session_state[last_key] = times[0]
    row = int((frames["t_s"] - float(times[0])).abs().to_numpy().argmin())
    _jump(rid, row)
    st.rerun()


def _jump(rid: str, row: int | None) -> None:
    if row is None:
        return
    previous = st.session_state.get(_seek_key(rid)) or {}
    st.session_state[_seek_key(rid)] = {"frame": int(row), "nonce": previous.get("nonce", 0) + 1}


def reps_ui(summary: dict[str, Any]) -> None:
    rows = rep_rows(summary)
    if rows:
        st.subheader(f"Reps ({len(rows)})")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def steps_ui(summary: dict[str, Any]) -> None:
    rows = step_rows(summary)
    if rows:
        counted = sum(r["counted"] == "yes" for r in rows)
        with st.expander(f"Steps ({counted} of {len(rows)} counted in the timing)"):
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def events_ui(summary: dict[str, Any]) -> None:
    events = summary.get("events") or []
    if events:
        with st.expander(f"Events ({len(events)})"):
            st.dataframe(pd.DataFrame(events), hide_index=True, width="stretch")


def downloads_ui(rid: str) -> None:
    store = common.store()
    st.subheader("Downloads")
    c1, c2, c3 = st.columns(3)
    with c1:
        common.download_ui(
            "Summary (JSON)",
            store.summary_path(rid),
            f"{rid}-summary.json",
            "application/json",
            "dl-summary",
        )
    with c2:
        common.download_ui(
            "Per-frame table (CSV)",
            store.frames_path(rid),
            f"{rid}-frames.csv",
            "text/csv",
            "dl-frames",
        )
    with c3:
        common.download_ui(
            "Annotated video (MP4)",
            store.video_path(rid),
            f"{rid}-annotated.mp4",
            "video/mp4",
            "dl-video",
        )


def render() -> None:
    st.title("Analyse a video")
    rid = st.query_params.get("result")
    cancelled = st.session_state.pop(CANCELLED_KEY, None)
    if cancelled is not None:
        st.info(f"Cancelled: {md(cancelled)} was removed, nothing was kept.")
    if rid is not None:
        results = common.store()
        if results.exists(rid) and auth.may_see(results.request(rid).get("person_id")):
            result_ui(rid)
            return
        st.error(f"No result {md(repr(rid))} here: it may have been deleted or cancelled.")
        del st.query_params["result"]
    upload_ui()


if __name__ == "__main__":
    render()
