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
import shutil
import tempfile
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


def cannot_write(folder: Path) -> str | None:
    """None when a file can be created in ``folder``, else why not (a real try: permission
    bits say nothing for the superuser or on a read-only file system)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=folder)
    except OSError as err:
        return err.strerror or type(err).__name__
    os.close(fd)
    os.unlink(probe)
    return None


#: Below this many bytes free, a write that failed is put down to a full disk.
NEARLY_FULL_BYTES = 1_000_000


def why_unwritable(folder: Path) -> str | None:
    """Why nothing can be written in ``folder`` (read-only, no permission, a full disk), or
    None when a file can be created and the disk has room."""
    why = cannot_write(folder)
    if why is not None:
        return f"{folder} cannot be written: {why}"
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    if free < NEARLY_FULL_BYTES:
        return f"the disk holding {folder} is full ({free / 1000:.0f} kB free): free some space"
    return None
