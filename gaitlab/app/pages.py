"""The app's pages by their path inside the installed package.

Streamlit resolves a page path against the entry script's folder. The entry is
``gaitlab/app/main.py`` under ``gaitlab app`` and ``app.py`` in a checkout, so a relative
path right for one is wrong for the other: every page is named by its absolute path.
"""

from __future__ import annotations

from pathlib import Path

#: The folder of the page scripts.
PAGES_DIR = Path(__file__).resolve().parent

GUIDE_PAGE = str(PAGES_DIR / "guide.py")
ANALYSE_PAGE = str(PAGES_DIR / "analyse.py")
LIVE_PAGE = str(PAGES_DIR / "webcam.py")
PROGRAMME_PAGE = str(PAGES_DIR / "programme.py")
HISTORY_PAGE = str(PAGES_DIR / "history.py")
COMPARE_PAGE = str(PAGES_DIR / "compare.py")
FOOTPRINT_PAGE = str(PAGES_DIR / "footprint.py")
