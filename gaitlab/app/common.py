"""Cached loaders and small widgets shared by the pages (the only app module besides the
pages that imports Streamlit).

The person chosen in the app (``st.session_state[PERSON_KEY]``, a history person id) is
whose uploads and live sessions are saved to the history, and their profile fills the
analysis options: :func:`store` hands it to the results store, :func:`person_picker_ui`
chooses or adds them.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from gaitlab.app import auth
from gaitlab.app.jobs import AnalysisJobs
from gaitlab.app.results import ResultStore, age_from_birth_year
from gaitlab.app.safe_text import md
from gaitlab.core.errors import GaitlabError
from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.io.video import read_frames
from gaitlab.present.values import format_value
from gaitlab.rules.metrics import describe
from gaitlab.store import NotFoundError, Person, Store, gaitlab_home
from gaitlab.store.home import UPLOADS_DIR
from gaitlab.store.queue import limits_from_env

#: Display names of the tasks, in the order the app offers them.
TASK_LABELS = {
    "walk": "Walking",
    "calf-raise": "Calf raises",
    "balance": "Single-leg balance",
}
AUTO_LABEL = "Not sure: let gaitlab tell from the video"
SEX_LABELS = {None: "Not given", "female": "Female", "male": "Male"}

#: Where the guide page leaves the person's choice of task for the other pages.
CHOSEN_TASK = "chosen_task"
#: The chosen person's history id (None: nobody chosen).
PERSON_KEY = "person_id"


def take_task_param() -> None:
    """A link may name the task (``?task=calf-raise``, as the Programme page's links to the
    Analyse and Live pages do): it becomes the chosen task (:data:`CHOSEN_TASK`) and leaves
    the URL, so a reload does not choose it again."""
    task = st.query_params.get("task")
    if task is None:
        return
    if task in TASK_LABELS:
        st.session_state[CHOSEN_TASK] = task
    del st.query_params["task"]


def results_root() -> Path:
    """The uploads folder of the store (:mod:`gaitlab.store.uploads`)."""
    return gaitlab_home() / UPLOADS_DIR


@st.cache_resource
def _jobs(root: str, parallel: int, waiting: int) -> AnalysisJobs:
    return AnalysisJobs(ResultStore(Path(root)), max_parallel=parallel, max_waiting=waiting)


def jobs() -> AnalysisJobs:
    """The server's one analysis queue for the current uploads folder, with the limits of
    ``GAITLAB_ANALYSES`` and ``GAITLAB_QUEUE_LIMIT`` (:func:`gaitlab.app.jobs.limits_from_env`)."""
    parallel, waiting = limits_from_env(os.environ)
    return _jobs(str(results_root()), parallel, waiting)


def store() -> ResultStore:
    """The uploads folder as this browser session sees it: new uploads belong to the chosen
    person (:func:`current_person`)."""
    return ResultStore(jobs().store.root, person=current_person())


def forget_upload(upload: Any) -> None:
    """Drop the server's in-memory copy of an uploaded file once it is on disk.

    Streamlit keeps every uploaded file in memory for as long as the browser session lasts;
    ten sessions that each uploaded a video would hold ten videos. The analysis queue keeps
    its own copy on disk, so the app's memory stays that of one upload in flight whatever
    the length of the queue.
    """
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    manager = getattr(ctx, "uploaded_file_mgr", None)
    if ctx is not None and isinstance(manager, MemoryUploadedFileManager):
        manager.remove_file(session_id=ctx.session_id, file_id=upload.file_id)


# -- the history and the chosen person --------------------------------------------------------
@st.cache_resource
def _history(home: str, url: str) -> Store:
    return Store.open(url or None, home)


def history() -> Store | None:
    """The history store (``GAITLAB_HOME``/``GAITLAB_DB_URL``), or None when it cannot be
    opened (:func:`history_error` says why)."""
    try:
        return _history(str(gaitlab_home()), os.environ.get("GAITLAB_DB_URL", ""))
    except GaitlabError:
        return None


def history_error() -> str:
    """Why :func:`history` is None (empty when it is not)."""
    try:
        _history(str(gaitlab_home()), os.environ.get("GAITLAB_DB_URL", ""))
    except GaitlabError as exc:
        return f"The history cannot be used: {md(exc)}"
    return ""


def current_person() -> Person | None:
    """The chosen person, or None (nobody chosen, or they were deleted meanwhile). A
    signed-in patient's person is always theirs."""
    own = auth.patient_person_id()
    if own is not None:
        st.session_state[PERSON_KEY] = own
    pid = st.session_state.get(PERSON_KEY)
    hist = history() if pid is not None else None
    if hist is None:
        return None
    try:
        return hist.person(pid)
    except NotFoundError:
        st.session_state[PERSON_KEY] = None
        return None


def person_facts(person: Person) -> str:
    """``female · born 1980 (46) · 168 cm · 61 kg``, what is known."""
    parts = []
    if person.sex:
        parts.append(SEX_LABELS[person.sex])
    if person.birth_year:
        age = age_from_birth_year(person.birth_year)
        parts.append(f"born {person.birth_year}" + (f" ({age:.0f})" if age else ""))
    if person.height_cm:
        parts.append(f"{person.height_cm:g} cm")
    if person.body_mass_kg:
        parts.append(f"{person.body_mass_kg:g} kg")
    return " · ".join(parts) or "no details given"


#: The picker's "nobody" (person ids start at 1; None would read as "no choice made").
NOBODY = 0
#: The browser's cookie that remembers the chosen person's id, so a reload or a new tab
#: keeps them (Streamlit's session state lives only as long as one page load), and how long
#: it is kept (s).
PERSON_COOKIE = "gaitlab_person"
PERSON_COOKIE_AGE_S = 180 * 24 * 3600
_RESTORED = "person-restored"


def restore_person() -> None:
    """At the start of a browser session, the person the browser remembers
    (:data:`PERSON_COOKIE`), if they are still in the history and the account may see
    them; a choice already made in this session wins."""
    if st.session_state.get(_RESTORED):
        return  # once: "nobody" chosen later must not bring them back
    st.session_state[_RESTORED] = True
    if st.session_state.get(PERSON_KEY) is not None or auth.patient_person_id() is not None:
        return
    raw = st.context.cookies.get(PERSON_COOKIE)
    hist = history() if isinstance(raw, str) and raw.isdigit() else None
    if hist is None or not auth.may_see(int(raw)):
        return
    try:
        st.session_state[PERSON_KEY] = hist.person(int(raw)).id
    except NotFoundError:
        return


def remember_person_ui() -> None:
    """Have the browser remember the chosen person (or forget, with nobody chosen)."""
    pid = st.session_state.get(PERSON_KEY)
    if pid:
        cookie = f"{PERSON_COOKIE}={int(pid)}; max-age={PERSON_COOKIE_AGE_S}"
    else:
        cookie = f"{PERSON_COOKIE}=; max-age=0"
    st.html(
        f"<script>document.cookie = '{cookie}; path=/; SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
    )


def _choose(key: str) -> None:
    st.session_state[PERSON_KEY] = st.session_state[key] or None


def person_picker_ui(key: str, *, inline: bool = False) -> Person | None:
    """Choose whose sessions these are, or add someone; returns the chosen person.

    Several pickers (the sidebar, the History page) share the choice: each is set from it
    before it is drawn and writes it back when changed. ``inline`` puts "Add a person"
    beside the choice instead of under it.
    """
    hist = history()
    if hist is None:
        st.error(history_error())
        return None
    chosen = current_person()
    if auth.patient_person_id() is not None:  # a patient: their own person, nobody else
        if chosen is not None:
            st.caption(f"Sessions of {md(chosen.name)} · {person_facts(chosen)}")
        return chosen
    people = {p.id: p for p in hist.persons()}
    st.session_state[key] = chosen.id if chosen else NOBODY
    pick, add = st.columns([2, 1], vertical_alignment="bottom") if inline else (st, st)
    pick.selectbox(
        "Person",
        [NOBODY, *people],
        format_func=lambda pid: people[pid].name if pid in people else "Nobody chosen",
        key=key,
        on_change=_choose,
        args=(key,),
        help="Analyses and live sessions are saved to the history under this person; their "
        "height, sex, age and body mass are used when none are entered.",
    )
    with add.popover("Add a person", width="stretch"):
        add_person_form(hist, f"{key}-add")
    if chosen is not None:
        st.caption(person_facts(chosen))
    return chosen


def add_person_form(hist: Store, key: str) -> None:
    """Name and the optional facts; the new person becomes the chosen one."""
    with st.form(key, clear_on_submit=True, border=False):
        name = st.text_input("Name", max_chars=200, key=f"{key}-name")
        sex = st.selectbox(
            "Sex", list(SEX_LABELS), format_func=SEX_LABELS.__getitem__, key=f"{key}-sex"
        )
        year = st.number_input(
            "Birth year",
            min_value=1900,
            max_value=date.today().year,
            value=None,
            step=1,
            key=f"{key}-year",
        )
        c1, c2 = st.columns(2)
        height = c1.number_input(
            "Height (cm)", min_value=50.0, max_value=250.0, value=None, step=1.0, key=f"{key}-h"
        )
        mass = c2.number_input(
            "Body mass (kg)",
            min_value=10.0,
            max_value=400.0,
            value=None,
            step=0.5,
            key=f"{key}-kg",
        )
        st.caption(
            "Only the name is needed. Height scales heights to cm; sex and age pick "
            "the matching norms; body mass gives work in joules."
        )
        if st.form_submit_button("Add", type="primary"):
            try:
                person = hist.add_person(
                    name,
                    sex=sex,
                    birth_year=None if year is None else int(year),
                    height_cm=height,
                    body_mass_kg=mass,
                )
            except GaitlabError as exc:
                st.error(md(exc))
                return
            st.session_state[PERSON_KEY] = person.id
            st.rerun()


@st.cache_resource
def thresholds() -> dict[str, Threshold]:
    return load_thresholds()


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(max_entries=16)
def _summary(path: str, mtime: float) -> dict[str, Any]:
    import json

    return json.loads(Path(path).read_text())


def load_summary(path: Path) -> dict[str, Any]:
    return _summary(str(path), _mtime(path))


@st.cache_data(max_entries=8)
def _frames(path: str, mtime: float) -> pd.DataFrame:
    return pd.read_csv(path)


def load_frames(path: Path) -> pd.DataFrame:
    return _frames(str(path), _mtime(path))


@st.cache_data(max_entries=64)
def _frames_at(path: str, mtime: float, indices: tuple[int, ...], max_side: int, turn_deg: int):
    return read_frames(path, indices, max_side=max_side, turn_deg=turn_deg)


def frames_at(
    path: Path, indices: list[int], max_side: int, turn_deg: int = 0
) -> dict[int, np.ndarray]:
    """Decoded frames by index (thumbnails), cached per file version; ``turn_deg`` turns an
    upload the analysis found upside down or on its side (``video.turn_deg``) upright."""
    key = tuple(sorted(set(indices)))
    return _frames_at(str(path), _mtime(path), key, max_side, int(turn_deg or 0))


def download_ui(label: str, path: Path, file_name: str, mime: str, key: str) -> None:
    """A download button that reads the file only when clicked (videos can be large)."""
    if path.is_file():
        st.download_button(
            label,
            data=path.read_bytes,
            file_name=file_name,
            mime=mime,
            key=key,
            on_click="ignore",
            width="stretch",
        )


def live_summary_ui(summary: dict[str, Any]) -> None:
    """A live session's summary (:meth:`gaitlab.live.LiveProcessor.summary`)."""
    st.subheader("Session summary")
    c = st.columns(4)
    c[0].metric("Duration", f"{summary['duration_s']:.1f} s")
    c[1].metric("Time in view", f"{summary['time_in_view_s']:.1f} s")
    reps = (summary.get("counter") or {}).get("reps")
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
    counter = summary.get("counter") or {}
    if counter.get("holds") is not None:
        best = counter.get("best_hold_s")
        st.caption(
            f"Single-leg holds: {counter['holds']}" + (f" · longest {best:.1f} s" if best else "")
        )
    if reps is None:
        st.caption("Rep counting is not available live for this task yet: no reps are counted.")
    rows = []
    for name, m in summary["measures"].items():
        parsed = describe(name)
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
