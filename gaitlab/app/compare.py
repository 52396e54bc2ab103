"""Page: compare two sessions of one person. Choose the person, the task and two of their
sessions (the first and the latest unless chosen), the moment to line the videos up on; both
annotated videos play side by side in step, and every measure of both is listed with the
change judged against its smallest detectable difference (:mod:`gaitlab.present.compare`).
``?a=<session>&b=<session>`` opens a pair (the History page's "Compare with…")."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from gaitlab.app import auth, common, timeline
from gaitlab.app.common import TASK_LABELS
from gaitlab.app.dual_player import Pane, dual_player
from gaitlab.app.safe_text import md
from gaitlab.present.compare import (
    VERDICT_TEXT,
    CompareError,
    MetricChange,
    check_pair,
    comparable_tasks,
    compare_metrics,
    default_pair,
    event_marks,
    parse_sync_key,
    sync_options,
    sync_point,
)
from gaitlab.present.values import keep_together
from gaitlab.store import NotFoundError, Person, Session, Store

BETTER = {"lower": "lower", "higher": "higher"}
#: Whether the sessions named in the address have chosen the person already.
OPENED = "compare-opened"


def _when(s: Session) -> str:
    when = timeline.local_time(s.recorded_at)
    return f"{when:%Y-%m-%d %H:%M}" if when else "?"


def session_label(s: Session) -> str:
    """``#12 · 2026-03-03 09:30 · week 1.mp4``."""
    bits = [f"#{s.id}", _when(s)]
    if s.video_name:
        bits.append(s.video_name)
    return " · ".join(bits)


def _asked_pair(hist: Store) -> tuple[Session | None, Session | None]:
    """The sessions named in the address (``?a=…&b=…``), those that exist and may be seen."""
    out: list[Session | None] = []
    for key in ("a", "b"):
        ref = st.query_params.get(key)
        try:
            s = hist.session(ref) if ref else None
        except (NotFoundError, ValueError):
            s = None
        if s is not None and not auth.may_see(s.person.id if s.person else None):
            s = None
        out.append(s)
    return out[0], out[1]


def choose_pair(hist: Store, person: Person) -> tuple[Session, Session] | None:
    """The task and the two sessions (first and latest by default); None, with the reason
    shown, when this person has no two sessions of one task."""
    analyses = hist.sessions(person, kind="analysis")
    tasks = comparable_tasks(analyses)
    if not tasks:
        if len(analyses) < 2:
            n = "no sessions" if not analyses else "one session"
            st.info(
                f"{md(person.name)} has {n} yet: a comparison needs two sessions of the same task."
            )
        else:
            counts = ", ".join(
                f"{TASK_LABELS.get(t or '', t or '?').lower()} {sum(s.task == t for s in analyses)}"
                for t in dict.fromkeys(s.task for s in analyses)
            )
            st.info(
                f"{md(person.name)} has no two sessions of the same task ({md(counts)}): a "
                "comparison needs two of one task."
            )
        return None
    asked_a, asked_b = _asked_pair(hist)
    names = list(tasks)
    asked_task = asked_a.task if asked_a is not None else None
    task = st.selectbox(
        "Task",
        names,
        index=names.index(asked_task) if asked_task in names else 0,
        format_func=lambda t: TASK_LABELS.get(t, t),
        key=f"compare-task-{person.id}",
    )
    group = tasks[task]
    first, latest = default_pair(group)
    ids = [s.id for s in group]
    by_id = {s.id: s for s in group}
    a_id = asked_a.id if asked_a is not None and asked_a.id in by_id else first.id
    b_default = asked_b.id if asked_b is not None and asked_b.id in by_id else latest.id
    if b_default == a_id:  # "Compare with…" on the latest: the first, then it
        a_id, b_default = first.id, latest.id
    c1, c2 = st.columns(2)
    a = c1.selectbox(
        "First session", ids, index=ids.index(a_id),
        format_func=lambda i: session_label(by_id[i]), key=f"compare-a-{person.id}-{task}",
    )  # fmt: skip
    b = c2.selectbox(
        "Second session", ids, index=ids.index(b_default),
        format_func=lambda i: session_label(by_id[i]), key=f"compare-b-{person.id}-{task}",
    )  # fmt: skip
    return hist.session(a), hist.session(b)


def _first_frame_s(s: Session) -> float:
    frames = s.file("frames.csv")
    if frames is None:
        return 0.0
    t = common.load_frames(frames)["t_s"]
    return float(t.iloc[0]) if len(t) else 0.0


def summary_of(s: Session) -> dict[str, Any]:
    """A session's summary with its measures (a live session's summary keeps them elsewhere:
    the history's own copy of its measures is used)."""
    summary = dict(s.summary or {})
    if not summary.get("metrics"):
        summary["metrics"] = dict(s.metrics)
    summary.setdefault("task", s.task)
    return summary


def videos_ui(a: Session, b: Session) -> None:
    """Both annotated videos in one player, lined up on the moment chosen."""
    va, vb = a.file("annotated.mp4"), b.file("annotated.mp4")
    if va is None or vb is None:
        missing = [f"#{s.id}" for s, v in ((a, va), (b, vb)) if v is None]
        st.info(f"No annotated video was kept for session {' and '.join(missing)}: the measures "
                "are compared below.")  # fmt: skip
        return
    sa, sb = summary_of(a), summary_of(b)
    options = sync_options(sa, sb)
    keys = [e.key for e in options]
    labels = {e.key: e.label for e in options}
    key = st.selectbox(
        "Line the videos up on",
        keys,
        index=1 if len(keys) > 1 else 0,  # the first event both have, else their starts
        format_func=lambda k: labels[k],
        key=f"compare-sync-{a.id}-{b.id}",
        help="Both videos go to this moment; they then play, pause, step and change speed "
        "together.",
    )
    if len(keys) == 1:
        st.caption("The two sessions have no event in common: the videos are lined up on "
                   "their starts.")  # fmt: skip
    event = parse_sync_key(key)
    first_a, first_b = _first_frame_s(a), _first_frame_s(b)
    point = sync_point(sa, sb, event, a_first_s=first_a, b_first_s=first_b)
    fps_a = float((sa.get("video") or {}).get("fps") or 30.0)
    fps_b = float((sb.get("video") or {}).get("fps") or 30.0)
    dual_player(
        (
            Pane(
                va, f"First: {session_label(a)}", fps_a, point.a_s, tuple(event_marks(sa, first_a))
            ),
            Pane(
                vb, f"Second: {session_label(b)}", fps_b, point.b_s, tuple(event_marks(sb, first_b))
            ),
        ),
        sync_label=event.label,
        key=f"compare-player-{a.id}-{b.id}",
    )


def _measure_text(r: MetricChange) -> str:
    side = f" · {r.side}" if r.side else ""
    better = f" ({BETTER[r.direction]} is better)" if r.direction else ""
    return f"{r.measure}{side}{better}"


def _change_text(r: MetricChange) -> str:
    return f"{r.change_text} · {r.judgement}" if r.change_text else r.judgement


def metrics_frame(rows: list[MetricChange], a: Session, b: Session) -> pd.DataFrame:
    """The measures as the page lists them: both values, the change and its judgement (three
    columns: a phone shows them without scrolling sideways)."""
    return pd.DataFrame(
        {
            "Measure": [_measure_text(r) for r in rows],
            f"First ({_when(a)[:10]}) → second ({_when(b)[:10]})": [
                f"{keep_together(r.a_text)} → {keep_together(r.b_text)}" for r in rows
            ],
            "Change": [_change_text(r) for r in rows],
        }
    )


def metrics_ui(a: Session, b: Session) -> None:
    sex = a.person.sex if a.person else None
    rows = compare_metrics(summary_of(a), summary_of(b), common.thresholds(), sex)
    if not rows:
        st.info("These sessions have no measures to compare.")
        return
    judged = [r for r in rows if r.verdict in ("better", "worse", "increase", "decrease")]
    if judged:
        st.markdown(
            "**Beyond measurement error:** "
            + "; ".join(
                f"{md(r.measure)}{' ' + r.side if r.side else ''} "
                f"{VERDICT_TEXT[r.verdict].split()[0]} ({r.change_text})"
                for r in judged
            )
        )
    st.table(metrics_frame(rows, a, b).set_index("Measure"))
    sources = dict.fromkeys(r.sdd_source for r in rows if r.sdd_source)
    st.caption(
        "A change smaller than the smallest detectable difference (SDD) of repeated "
        "measurements is within measurement error; a measure with no published SDD is not "
        "judged. Measures not measured in a session are shown, never compared."
        + (" SDD sources: " + " · ".join(md(s) for s in sources) if sources else "")
    )


def render() -> None:
    st.title("Compare")
    hist = common.history()
    if hist is None:
        st.error(common.history_error())
        return
    asked_a, asked_b = _asked_pair(hist)
    if asked_a is not None and asked_a.person is not None:
        if st.session_state.get(OPENED) != asked_a.id:  # once per address, then the picker
            st.session_state[OPENED] = asked_a.id
            st.session_state[common.PERSON_KEY] = asked_a.person.id
    if asked_a is not None and asked_b is not None:
        try:
            check_pair(asked_a, asked_b)
        except CompareError as exc:
            st.error(md(f"These two cannot be compared: {exc}."))
    person = common.person_picker_ui("compare_person", inline=True)
    if person is None:
        if auth.patient_person_id() is not None:
            st.error("Your person is no longer in the history: ask your clinician.")
        else:
            st.info("Choose a person to compare two of their sessions.")
        return
    pair = choose_pair(hist, person)
    if pair is None:
        return
    a, b = pair
    try:
        check_pair(a, b)
    except CompareError as exc:
        st.error(md(str(exc)))
        return
    videos_ui(a, b)
    st.subheader("Measures")
    metrics_ui(a, b)


if __name__ == "__main__":
    render()
