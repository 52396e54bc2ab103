"""gaitlab's app: ``streamlit run app.py`` (or ``gaitlab app``).

Layout only: the pages live in ``gaitlab/app/`` and every number comes from gaitlab.
"""

import streamlit as st

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
        "gaitlab/app/history.py", title="Results", icon=":material/folder_open:", url_path="history"
    ),
]

st.navigation(PAGES, position="top").run()
