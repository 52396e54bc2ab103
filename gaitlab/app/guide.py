"""Page: choose what you are recording and read how to film it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gaitlab.app.common import CHOSEN_TASK, TASK_LABELS
from gaitlab.app.pages import ANALYSE_PAGE, LIVE_PAGE
from gaitlab.present.guide import view_requirements

#: How to film each task (README "Filming", MEASURES.md for which view serves which measure).
GUIDES: dict[str, dict[str, str]] = {
    "walk": {
        "what": "Walk at your normal pace, barefoot or in low shoes, for at least 6–8 steps.",
        "phone": (
            "Lean the phone on something steady at about hip height, in landscape. For a side "
            "view, walk across in front of it; for a front or back view, walk straight towards "
            "it or away from it. Film one clip of each if you want every measure."
        ),
        "distance": (
            "3–5 m from your walking line, so your whole body, feet included, stays in the "
            "picture for the whole clip."
        ),
        "views": (
            "Side view: knee bend, foot strike and forward trunk lean. Front or back view: knee "
            "valgus (knee caving in) and pelvic drop."
        ),
    },
    "calf-raise": {
        "what": (
            "Stand with your feet hip-width apart (hold a wall or chair lightly if you need). "
            "Stand still for two seconds first, then: slowly raise your heels, pause at the "
            "top for a moment, lower back down even more slowly."
        ),
        "phone": (
            "Behind you is best (a back view shows ankle roll most clearly), or in front of "
            "you. Low is better than high: put the phone at shin height if you can. Portrait "
            "is fine."
        ),
        "distance": "2–3 m away, whole body in the picture, both feet clearly visible.",
        "views": (
            "Back (best) or front view: ankle roll and knee valgus. Heel height is measured "
            "from any view in which the feet are visible."
        ),
    },
    "balance": {
        "what": (
            "Stand on both feet for two seconds, then lift one foot and hold as long as you "
            "can (the programme aims for 30–60 s). Barefoot."
        ),
        "phone": "Facing you or behind you, at about hip height. Portrait is fine.",
        "distance": "2–3 m away, whole body in the picture, feet included.",
        "views": (
            "Front or back view: pelvic drop (hip dropping on the lifted side) and knee "
            "valgus. The hold time is measured from any view."
        ),
    },
}
COMMON = {
    "light": (
        "Even light from the front and a plain background. Avoid a bright window behind you "
        "(you become a silhouette)."
    ),
    "clothing": (
        "Shorts or leggings that show your knees and ankles; barefoot or low shoes. Baggy "
        "trousers hide the joints gaitlab measures."
    ),
    "others": (
        "Alone in the picture if you can. If other people are in view, you can pick who to "
        "analyse afterwards."
    ),
}
LIMITS = (
    "One camera sees in 2D: knee valgus (FPPA) is a screening proxy, not a 3D measurement of "
    "the knee, and forward-backward pelvic tilt cannot be measured from the hip landmarks at "
    "all. A measure the camera view cannot support is reported as not measured, with the "
    "reason, never guessed."
)


def task_picker_ui(key: str, options: tuple[str, ...] = tuple(TASK_LABELS)) -> str:
    """Radio of tasks; the choice is remembered across pages (``CHOSEN_TASK``)."""
    chosen = st.session_state.get(CHOSEN_TASK)
    index = options.index(chosen) if chosen in options else 0
    task = st.radio(
        "What are you recording?",
        options,
        index=index,
        format_func=TASK_LABELS.__getitem__,
        horizontal=True,
        key=key,
    )
    st.session_state[CHOSEN_TASK] = task
    return str(task)


def guide_ui(task: str) -> None:
    """How to film ``task``: what to do, where the phone goes, distance, views, light,
    clothing."""
    g = GUIDES[task]
    st.markdown(f"**What to do.** {g['what']}")
    st.markdown(f"**Where the phone goes.** {g['phone']}")
    st.markdown(f"**Distance.** {g['distance']}")
    st.markdown(f"**Which view for which measure.** {g['views']}")
    st.markdown(f"**Light.** {COMMON['light']}")
    st.markdown(f"**Clothing.** {COMMON['clothing']}")
    st.markdown(f"**Other people.** {COMMON['others']}")


def views_table_ui() -> None:
    st.dataframe(pd.DataFrame(view_requirements()), hide_index=True, width="stretch")


def render() -> None:
    st.title("gaitlab")
    st.write(
        "Check your walking and exercise form from a phone video or your webcam. Choose what "
        "you are recording and read how to film it, then analyse a video or go live."
    )
    task = task_picker_ui("guide_task")
    st.subheader(f"Filming: {TASK_LABELS[task].lower()}")
    guide_ui(task)
    with st.expander("Which camera view each measure needs"):
        views_table_ui()
    st.caption(LIMITS)
    cols = st.columns(2)
    cols[0].page_link(ANALYSE_PAGE, label="Analyse a video →", icon=":material/analytics:")
    if task in ("calf-raise", "balance"):
        cols[1].page_link(
            LIVE_PAGE, label="Do it live with the webcam →", icon=":material/sensors:"
        )


if __name__ == "__main__":
    render()
