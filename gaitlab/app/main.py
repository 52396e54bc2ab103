"""gaitlab's app: the Streamlit entry script (``gaitlab app``, or ``streamlit run app.py`` in
a checkout, whose ``app.py`` calls :func:`main`).

Layout only: the pages live beside this file and every number comes from gaitlab. The
sidebar chooses whose sessions these are (the History page has the same picker on the page).
The page scripts are named by their path inside the installed package, so the app runs the
same from a checkout and from an installed wheel.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from gaitlab.app import common

#: The folder of the page scripts (this package).
PAGES_DIR = Path(__file__).resolve().parent


def _pages() -> list[st.Page]:
    return [
        st.Page(
            PAGES_DIR / "guide.py",
            title="Film",
            icon=":material/videocam:",
            url_path="guide",
            default=True,
        ),
        st.Page(
            PAGES_DIR / "analyse.py",
            title="Analyse a video",
            icon=":material/analytics:",
            url_path="analyse",
        ),
        st.Page(
            PAGES_DIR / "webcam.py", title="Live", icon=":material/sensors:", url_path="webcam"
        ),
        st.Page(
            PAGES_DIR / "programme.py",
            title="Programme",
            icon=":material/exercise:",
            url_path="programme",
        ),
        st.Page(
            PAGES_DIR / "history.py", title="History", icon=":material/history:", url_path="history"
        ),
    ]


def main() -> None:
    """Lay out the app: page navigation on top, the person picker in the sidebar."""
    st.set_page_config(page_title="gaitlab", page_icon=":material/footprint:", layout="wide")
    page = st.navigation(_pages(), position="top")
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


if __name__ == "__main__":
    main()
