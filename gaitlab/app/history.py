"""Page: the history. Whose sessions (the person picker), their sessions newest first (open,
PDF report, delete), their progress on each measure, and the uploads folder (analyses still
running or failed included)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from gaitlab.app import auth, common, footprint, notes, timeline
from gaitlab.app.common import TASK_LABELS
from gaitlab.app.pages import ANALYSE_PAGE, COMPARE_PAGE
from gaitlab.app.player import player
from gaitlab.app.safe_text import md
from gaitlab.io.export import FRAMES_NAME
from gaitlab.present.flags import flag_rows
from gaitlab.present.marks import timeline_marks
from gaitlab.present.metrics import metric_rows
from gaitlab.store import Person, Session, Store

STATE_LABELS = {
    "queued": "waiting",
    "running": "running",
    "done": "done",
    "error": "failed",
    "interrupted": "interrupted",
    "missing": "missing",
}
#: Sessions listed before "Show all".
SESSIONS_SHOWN = 20
SOURCE_LABELS = {
    "file": "video file",
    "live": "webcam",
    "manual": "entered by hand",
    "timer": "guided timer",
}


# -- sessions ------------------------------------------------------------------------------------
def sessions_ui(hist: Store, person: Person | None) -> None:
    sessions = hist.sessions(person)
    if person is None:
        st.caption("Everyone's sessions. Choose a person to see only theirs and their progress.")
    if not sessions:
        who = f" for {md(person.name)}" if person else ""
        st.info(
            f"No sessions{who} yet: analyse a video or do a live session with "
            f"{md(person.name) if person else 'a person'} chosen, and it is saved here."
        )
        return
    links = common.store().session_links()
    blur = st.toggle(
        "Blur faces in reports",
        key="report_blur",
        help="The PDF report's key frames show the person's face unless blurred.",
    )
    shown = sessions
    if len(sessions) > SESSIONS_SHOWN and not st.toggle(
        f"Show all {len(sessions)}", key="all-sessions"
    ):
        shown = sessions[:SESSIONS_SHOWN]
    for s in shown:
        session_ui(hist, s, links.get(s.id), blur, show_person=person is None)


def session_ui(
    hist: Store, s: Session, result_id: str | None, blur: bool, *, show_person: bool
) -> None:
    results = common.store()
    linked = result_id is not None and results.exists(result_id)
    with st.container(border=True):
        c1, c2 = st.columns([3, 1])
        c1.markdown(f"**{timeline.session_title(s, TASK_LABELS)}** · #{s.id}")
        when = timeline.local_time(s.recorded_at)
        bits = [f"{when:%Y-%m-%d %H:%M}"]
        if linked:
            bits.append(results.request(result_id)["filename"])
        elif s.video_name:
            bits.append(s.video_name)
        if s.duration_s:
            bits.append(f"{s.duration_s:.0f} s" if s.duration_s >= 10 else f"{s.duration_s:.1f} s")
        if s.kind == "programme":
            bits.append(SOURCE_LABELS.get(s.source, s.source))
        if show_person:
            bits.append(s.person.name if s.person else "no person")
        c1.caption(" · ".join(md(b) for b in bits))
        numbers = timeline.key_numbers(s.metrics, task=s.task)
        if numbers:
            c1.markdown(numbers)
        if s.notes:
            c1.caption(md(s.notes))
        details = False
        if linked:
            if c2.button("Open", key=f"open-session-{s.id}", width="stretch"):
                st.switch_page(ANALYSE_PAGE, query_params={"result": result_id})
        elif s.kind == "analysis":
            details = c2.toggle("Details", key=f"details-{s.id}")
        if s.kind == "analysis" and s.person is not None:
            if c2.button("Compare with…", key=f"compare-{s.id}", width="stretch"):
                st.switch_page(COMPARE_PAGE, query_params={"a": str(s.id)})
        if s.kind == "analysis":
            c2.download_button(
                "Report (PDF)",
                data=partial(timeline.report_pdf, hist, s.id, blur),
                file_name=f"gaitlab-session-{s.id}.pdf",
                mime="application/pdf",
                key=f"report-{s.id}",
                on_click="ignore",
                width="stretch",
            )
        with c2.popover("Delete", width="stretch"):
            st.caption(
                "The session and its files (video, measures) are removed from the history"
                + (", and the uploaded video from the uploads." if linked else ".")
            )
            if st.button("Delete for good", key=f"delete-session-{s.id}", type="primary"):
                hist.delete_session(s.id)
                if linked:
                    results.delete(result_id)
                st.rerun()
        if s.kind == "analysis":
            notes.history_notes_ui(hist, s)
        if details:
            details_ui(hist, s)


def details_ui(hist: Store, s: Session) -> None:
    """A session with no result page: its summary (and its video when kept)."""
    full = hist.session(s.id)
    summary: dict[str, Any] = full.summary or {}
    if s.task == "footprint":
        footprint.history_details_ui(summary, full.file("overlay.png"))
        return
    if s.source == "live" and "measures" in summary:
        common.live_summary_ui(summary)
        return
    sex = s.person.sex if s.person else None
    video = full.file("annotated.mp4")
    if video is not None:
        video_ui(hist, full, summary, video)
    rows = [r for r in metric_rows(summary, common.thresholds(), sex) if not r["recording"]]
    if rows:
        table = pd.DataFrame(rows)[["measure", "side", "value", "reference", "verdict"]]
        st.dataframe(table, hide_index=True, width="stretch")
    for f in summary.get("flags") or []:
        st.warning(f"{f['start_s']:.1f}–{f['end_s']:.1f} s: {f['message']}")


def video_ui(hist: Store, s: Session, summary: dict[str, Any], video: Path) -> None:
    """The review player on a saved session's annotated video, with its timeline of steps,
    reps, holds and flags and the angles drawn on it (as on the result page; the upload
    itself is not kept, so the overlay stays on)."""
    table = s.file(FRAMES_NAME)
    frames = common.load_frames(table) if table is not None else pd.DataFrame()
    marks: list[dict[str, Any]] = []
    if "t_s" in frames and len(frames):
        marks = timeline_marks(summary, frames, flag_rows(summary, frames, common.thresholds()))
    fps = float((summary.get("video") or {}).get("fps") or 30.0)
    noted = notes.Noted(hist, s)
    at = player(
        video,
        marks=marks,
        fps=fps,
        key=f"history-player-{s.id}",
        annotations=notes.drawn(noted),
        draw=notes.may_write(noted),
    )
    notes.apply_player_action(noted, at, frames)


# -- progress ------------------------------------------------------------------------------------
def progress_ui(hist: Store, person: Person | None) -> None:
    if person is None:
        st.info("Choose a person to follow their measures over time.")
        return
    names = timeline.progress_metrics(hist.metric_names(person))
    if not names:
        st.info(f"No measures saved for {md(person.name)} yet.")
        return
    latest = next((s.task for s in hist.sessions(person) if s.kind == "analysis"), None)
    default = timeline.default_metric(names, latest)
    metric = st.selectbox(
        "Measure",
        names,
        index=names.index(default) if default in names else 0,
        format_func=timeline.metric_label,
        key="progress_metric",
    )
    progress = timeline.person_progress(hist, person, metric, common.thresholds())
    st.altair_chart(timeline.progress_chart(progress), width="stretch", key="progress-chart")
    notes = [r.text + (" (provisional)" if r.provisional else "") for r in progress.references]
    if notes:
        st.caption("Shaded: the reference, " + "; ".join(notes) + ".")
    if progress.sdd is not None:
        unit = progress.unit if progress.unit != "°" else ""
        sdd = f"{progress.sdd:g}°" if progress.unit == "°" else f"{progress.sdd:g} {unit}"
        st.caption(
            f"A change smaller than {sdd.strip()} (the smallest detectable difference) is "
            f"within measurement error. Source: {progress.sdd_source}."
        )
    else:
        st.caption(
            "No smallest detectable difference is known for this measure: a change cannot be "
            "told apart from measurement error."
        )
    if progress.overall is not None:
        st.info(progress.overall.label.capitalize())
    elif len(progress.points) == 1:
        st.caption("One session so far: a change needs two.")
    st.dataframe(timeline.progress_table(progress), hide_index=True, width="stretch")
    sources = dict.fromkeys(r.source for r in progress.references if r.source)
    if sources:
        st.caption("References: " + " · ".join(sources))


# -- uploads ---------------------------------------------------------------------------------------
def uploads_ui() -> None:
    """The uploads folder: every video analysed in the app, with those still running or
    that failed (which the history does not keep)."""
    store = common.store()
    results = [r for r in store.list() if auth.may_see(store.request(r.result_id).get("person_id"))]
    st.caption(f"Videos analysed in the app, kept in {md(store.root)}")
    if not results:
        st.info("No uploads yet: analyse a video first.")
        return
    for r in results:
        with st.container(border=True):
            c1, c2 = st.columns([3, 1])
            status = common.jobs().status(r.result_id)
            state = STATE_LABELS.get(status.state, r.state)
            who = "" if r.subject == "auto" else f" · person {r.subject}"
            whose = f" · for {md(r.person_name)}" if r.person_name else ""
            c1.markdown(f"**{md(r.filename)}**")
            c1.caption(
                f"{TASK_LABELS.get(r.task, 'task from the video')}{who}{whose} · "
                f"{r.created.replace('T', ' ')} · {state}"
            )
            saved = store.history(r.result_id)
            if "error" in saved:
                c1.caption(f"Not saved to the history: {md(saved['error'])}")
            if c2.button("Open", key=f"open-{r.result_id}", width="stretch"):
                st.switch_page(ANALYSE_PAGE, query_params={"result": r.result_id})
            if not status.finished:
                continue  # never delete under a running analysis
            with c2.popover("Delete", width="stretch"):
                st.caption(
                    "The uploaded video and every result file are removed (a session saved "
                    "to the history keeps its own copy)."
                )
                if st.button("Delete for good", key=f"delete-{r.result_id}", type="primary"):
                    store.delete(r.result_id)
                    st.rerun()


def render() -> None:
    st.title("History")
    hist = common.history()
    if hist is None:
        st.error(common.history_error())
        uploads_ui()
        return
    person = common.person_picker_ui("history_person", inline=True)
    if person is None and auth.patient_person_id() is not None:
        st.error("Your person is no longer in the history: ask your clinician.")
        return
    sessions_tab, progress_tab, uploads_tab = st.tabs(["Sessions", "Progress", "Uploads"])
    with sessions_tab:
        sessions_ui(hist, person)
    with progress_tab:
        progress_ui(hist, person)
    with uploads_tab:
        uploads_ui()


if __name__ == "__main__":
    render()
