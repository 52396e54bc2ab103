"""Page: every result kept in the results folder, newest first."""

from __future__ import annotations

import streamlit as st

from gaitlab.app import common
from gaitlab.app.common import TASK_LABELS

STATE_LABELS = {
    "queued": "waiting",
    "running": "running",
    "done": "done",
    "error": "failed",
    "interrupted": "interrupted",
    "missing": "missing",
}


def render() -> None:
    st.title("Results")
    store = common.store()
    results = store.list()
    st.caption(f"Kept in {store.root}")
    if not results:
        st.info("No results yet: analyse a video first.")
        return
    for r in results:
        with st.container(border=True):
            c1, c2 = st.columns([3, 1])
            status = common.jobs().status(r.result_id)
            state = STATE_LABELS.get(status.state, r.state)
            who = "" if r.subject == "auto" else f" · person {r.subject}"
            c1.markdown(f"**{r.filename}**")
            c1.caption(
                f"{TASK_LABELS.get(r.task, 'task from the video')}{who} · "
                f"{r.created.replace('T', ' ')} · {state}"
            )
            if c2.button("Open", key=f"open-{r.result_id}", width="stretch"):
                st.switch_page("gaitlab/app/analyse.py", query_params={"result": r.result_id})
            if not status.finished:
                continue  # never delete under a running analysis
            with c2.popover("Delete", width="stretch"):
                st.caption("The uploaded video and every result file are removed.")
                if st.button("Delete for good", key=f"delete-{r.result_id}", type="primary"):
                    store.delete(r.result_id)
                    st.rerun()


if __name__ == "__main__":
    render()
