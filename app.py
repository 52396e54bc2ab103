"""gaitlab's app: ``streamlit run app.py`` (or ``gaitlab app``).

Layout only: the pages live in ``gaitlab/app/`` and every number comes from gaitlab. The
sidebar chooses whose sessions these are (the History page has the same picker on the page).
"""

import streamlit as st

from gaitlab.app import common

st.set_page_config(page_title="gaitlab", page_icon=":material/footprint:", layout="wide")

PAGES = [
    st.Page(
        "gaitlab/app/guide.py",
        title="Film",
        icon=":material/videocam:",
        url_path="guide",
        default=True,
    ),
    st.Page(
        "gaitlab/app/analyse.py",
        title="Analyse a video",
        icon=":material/analytics:",
        url_path="analyse",
    ),
    st.Page("gaitlab/app/webcam.py", title="Live", icon=":material/sensors:", url_path="webcam"),
    st.Page(
        "gaitlab/app/programme.py",
        title="Programme",
        icon=":material/exercise:",
        url_path="programme",
    ),
    st.Page(
        "gaitlab/app/history.py", title="History", icon=":material/history:", url_path="history"
    ),
]

page = st.navigation(PAGES, position="top")
common.take_task_param()
if page.url_path != "history":
    with st.sidebar:
        common.person_picker_ui("sidebar_person")
        st.caption(
            "New analyses, live sessions and programme sessions are saved to the history "
            "under this person, with their height, sex, age and body mass unless others are "
            "entered."
        )
page.run()
