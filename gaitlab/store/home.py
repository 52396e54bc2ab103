"""The gaitlab home folder and where the store keeps things in it.

Layout (``GAITLAB_HOME``, default ``~/.gaitlab``)::

    gaitlab.db                  the SQLite database (unless GAITLAB_DB_URL names another)
    sessions/<id>/              one saved analysis's files: summary.json, frames.csv,
                                annotated.mp4, landmarks.npz, thumbs/ (key frames, made
                                when first needed)
    sessions/.staging-*         a save in progress (renamed to sessions/<id>/ when committed)
    uploads/<id>/               an analysis started in the app: the uploaded video, what was
                                asked and how far it got; committed into sessions/ when it
                                succeeded (:mod:`gaitlab.store.uploads`)

A ``results/`` folder left by earlier versions of the app is not read.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The database file in the home folder when no URL is given.
DB_NAME = "gaitlab.db"
SESSIONS_DIR = "sessions"
UPLOADS_DIR = "uploads"

#: Every landmark of the subject (and of bystanders) per frame, for face blurring and
#: full-body exports (:mod:`gaitlab.store.landmarks`).
LANDMARKS_NAME = "landmarks.npz"
#: Key-frame images cut from the annotated video (made by :mod:`gaitlab.report.pdf`).
THUMBS_DIR = "thumbs"


def gaitlab_home(home: str | os.PathLike[str] | None = None) -> Path:
    """``home``, else ``GAITLAB_HOME``, else ``~/.gaitlab``."""
    chosen = home or os.environ.get("GAITLAB_HOME") or Path.home() / ".gaitlab"
    return Path(chosen).expanduser()


def session_folder(session_id: int) -> str:
    """Where a session's files live, relative to the home folder (``sessions/<id>``)."""
    return f"{SESSIONS_DIR}/{session_id}"
