"""Page: upload a video, follow the analysis, review the result.

The result's id lives in the URL (``?result=<id>``) and everything else on disk
(:mod:`gaitlab.app.results`), so reloading the page or coming back later shows the same result.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from gaitlab.app import common
from gaitlab.app.charts import signal_chart
from gaitlab.app.common import AUTO_LABEL, CHOSEN_TASK, SEX_LABELS, TASK_LABELS
from gaitlab.app.guide import guide_ui
from gaitlab.app.results import VIDEO_TYPES
from gaitlab.core.errors import GaitlabError
from gaitlab.pipeline import AnalyzeOptions
from gaitlab.present.charts import CHART_GROUPS, chart_data, unavailable_reasons
from gaitlab.present.flags import flag_rows, nothing_measured, rep_rows
from gaitlab.present.metrics import MeasureSections, measure_sections, measure_table
from gaitlab.present.thumbnails import crop_person

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
    upload = st.file_uploader(
        "Phone video (mp4, mov, webm …)", type=list(VIDEO_TYPES), key="upload_file"
    )
    with st.expander("About you (optional: scales heights to cm, picks sex-specific references)"):
        c1, c2 = st.columns(2)
        height = c1.number_input(
            "Height (cm)", min_value=50.0, max_value=250.0, value=None, step=1.0, key="height"
        )
        sex = c2.selectbox("Sex", list(SEX_LABELS), format_func=SEX_LABELS.__getitem__, key="sex")
    if st.button("Analyse", type="primary", disabled=upload is None, key="analyse"):
        try:
            opts = AnalyzeOptions(task=task, height_cm=height, sex=sex)
        except GaitlabError as exc:
            st.error(str(exc))
            return
        rid = common.store().create(upload.name, upload, opts)
        common.jobs().submit(rid)
        st.query_params["result"] = rid
        st.rerun()


# -- progress ----------------------------------------------------------------------------------
@st.fragment(run_every=timedelta(milliseconds=500))
def progress_ui(rid: str) -> None:
    """Polls the job's status file; the whole page reruns when the job finishes."""
    status = common.jobs().status(rid)
    st.progress(status.fraction, text=status.label)
    if status.finished:
        st.rerun(scope="app")


# -- result ------------------------------------------------------------------------------------
def result_ui(rid: str) -> None:
    store = common.store()
    status = common.jobs().status(rid)
    request = store.request(rid)
    st.subheader(breakable(request["filename"]))
    if st.button("← Analyse another video", key="new"):
        del st.query_params["result"]
        st.rerun()
    if not status.finished:
        st.caption("You can leave this page open or come back later: the result is kept.")
        progress_ui(rid)
        return
    if status.state != "done":
        st.error(status.message)
        if status.state == "interrupted" and st.button("Run it again", key="retry"):
            store.write_status(rid, replace(status, state="queued", stage="queued"))
            common.jobs().submit(rid)
            st.rerun()
        return
    summary = common.load_summary(store.summary_path(rid))
    frames = common.load_frames(store.frames_path(rid))
    overview_ui(summary, request)
    subject_ui(rid, summary)
    sections = measure_sections(summary, common.thresholds(), request.get("sex"))
    left, right = st.columns(2)
    with left:
        video_ui(rid, frames)
    with right:
        metrics_ui(sections)
    all_measures_ui(sections)
    flags = flag_rows(summary, frames, common.thresholds())
    charts_ui(summary, frames, flags, request.get("sex"))
    flags_ui(rid, flags, summary)
    reps_ui(summary)
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
    notes = quality.get("warnings") or []
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
    images = common.frames_at(store.input_path(rid), [p["frame"] for p in persons], 640)
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
                        new = store.create_rerun(rid, opts)
                        common.jobs().submit(new)
                        st.query_params["result"] = new
                        st.rerun()


def _start_key(rid: str) -> str:
    return f"start-{rid}"


def _frame_key(rid: str) -> str:
    return f"frame-{rid}"


def video_ui(rid: str, frames: pd.DataFrame) -> None:
    store = common.store()
    path = store.video_path(rid)
    if not path.is_file():
        st.info("No annotated video was written for this result.")
        return
    st.video(str(path), start_time=int(st.session_state.get(_start_key(rid), 0)))
    if st.toggle("Step through frames", key=f"viewer-{rid}"):
        row = st.slider(
            "Frame", 0, max(len(frames) - 1, 0), key=_frame_key(rid), label_visibility="collapsed"
        )
        image = common.frames_at(path, [row], 960).get(row)
        if image is not None:
            st.image(image, caption=f"frame {row} · {frames['t_s'].iloc[row]:.2f} s")


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
                st.altair_chart(signal_chart(data), width="stretch", key=f"chart-{data.group.key}")
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
                    args=(rid, f["t_s"], f["row"]),
                )


def _jump(rid: str, t_s: float, row: int | None) -> None:
    st.session_state[_start_key(rid)] = int(t_s)
    if row is not None:
        st.session_state[f"viewer-{rid}"] = True
        st.session_state[_frame_key(rid)] = int(row)


def reps_ui(summary: dict[str, Any]) -> None:
    rows = rep_rows(summary)
    if rows:
        st.subheader(f"Reps ({len(rows)})")
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
    if rid is not None:
        if common.store().exists(rid):
            result_ui(rid)
            return
        st.error(f"No result {rid!r} here: it may have been deleted.")
        del st.query_params["result"]
    upload_ui()


if __name__ == "__main__":
    render()
