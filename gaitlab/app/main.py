"""gaitlab's app: the Streamlit entry script (``gaitlab app``, or ``streamlit run app.py`` in
a checkout, whose ``app.py`` calls :func:`main`).

Layout only: the pages live beside this file and every number comes from gaitlab. The
sidebar chooses whose sessions these are (the History page has the same picker on the page).
The page scripts are named by their path inside the installed package, so the app runs the
same from a checkout and from an installed wheel.
"""

from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

from gaitlab.app import auth, common
from gaitlab.app.pages import (
    ANALYSE_PAGE,
    COMPARE_PAGE,
    FOOTPRINT_PAGE,
    GUIDE_PAGE,
    HISTORY_PAGE,
    LIVE_PAGE,
    PROGRAMME_PAGE,
)
from gaitlab.app.safe_text import md


def _pages() -> list[st.Page]:
    return [
        st.Page(
            GUIDE_PAGE,
            title="Film",
            icon=":material/videocam:",
            url_path="guide",
            default=True,
        ),
        st.Page(
            ANALYSE_PAGE,
            title="Analyse a video",
            icon=":material/analytics:",
            url_path="analyse",
        ),
        st.Page(LIVE_PAGE, title="Live", icon=":material/sensors:", url_path="webcam"),
        st.Page(
            PROGRAMME_PAGE,
            title="Programme",
            icon=":material/exercise:",
            url_path="programme",
        ),
        st.Page(
            FOOTPRINT_PAGE,
            title="Wet foot test",
            icon=":material/footprint:",
            url_path="footprint",
        ),
        st.Page(HISTORY_PAGE, title="History", icon=":material/history:", url_path="history"),
        st.Page(COMPARE_PAGE, title="Compare", icon=":material/compare:", url_path="compare"),
    ]


@st.cache_resource
def favicon() -> bytes:
    """A footprint (a sole and five toes), drawn here: Streamlit fetches a ``:material/…:``
    page icon from Google's servers, and the app asks nothing of another computer."""
    size = 64
    rgba = np.zeros((size, size, 4), np.uint8)
    colour = (31, 119, 180, 255)  # the charts' blue
    cv2.ellipse(rgba, (34, 40), (13, 21), -12, 0, 360, colour, -1, cv2.LINE_AA)
    for (x, y), r in (((22, 12), 5), ((31, 8), 4), ((39, 8), 4), ((46, 11), 3), ((51, 16), 3)):
        cv2.circle(rgba, (x, y), r, colour, -1, cv2.LINE_AA)
    ok, png = cv2.imencode(".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    assert ok  # a 64×64 image always encodes
    return png.tobytes()


#: Where Streamlit folds the top page links into the sidebar (behind "»"): its "md"
#: breakpoint, 768 px.
NARROW = "(max-width: 767.98px)"
NARROW_KEY = "narrow-nav"


def narrow_nav_ui(pages: list[st.Page], *, picker: bool) -> None:
    """On a narrow screen, the page links and the person picker at the top of the page
    itself: Streamlit hides them behind "»" there, and a phone user never finds them. Drawn
    on every screen and hidden by the browser where the top bar shows them."""
    hidden = f'[data-testid="stLayoutWrapper"]:has(> .st-key-{NARROW_KEY})'
    st.html(f"<style>@media not all and {NARROW} {{ {hidden} {{ display: none; }} }}</style>")
    with st.container(key=NARROW_KEY, horizontal=True, gap="small"):
        common.remember_person_ui()  # here: no gap of its own on a wide screen
        for p in pages:
            st.page_link(p, label=p.title, icon=p.icon)
        if picker:
            chosen = common.current_person()
            with st.popover(
                md(chosen.name) if chosen else "Nobody chosen",
                icon=":material/person:",
                help="Whose sessions these are: new ones are saved to their history.",
            ):
                common.person_picker_ui("narrow_person")


def main() -> None:
    """Lay out the app: page navigation on top, the person picker in the sidebar (both at the
    top of the page on a narrow screen); the chosen person is remembered by the browser."""
    st.set_page_config(page_title="gaitlab", page_icon=favicon(), layout="wide")
    common.jobs()  # the analysis queue starts with the app: uploads left queued run again
    account = auth.gate()  # with accounts, nothing below runs before someone signs in
    pages = _pages()
    page = st.navigation(pages, position="top")
    common.take_task_param()
    common.restore_person()
    if account is not None:
        with st.sidebar:
            auth.account_ui(account)
    picker = page.url_path not in ("history", "compare")  # these have the picker on the page
    narrow_nav_ui(pages, picker=picker)
    if picker:
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
