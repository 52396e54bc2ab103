"""Where a command may write: ``--out`` is checked before any work starts.

A folder for ``analyze`` / ``live`` results must be one that can be created or written; a
file for ``export`` / ``report`` must not be an existing folder. Neither may lie inside the
gaitlab home folder: the history's session folders there are described by its database, and
results written over them would no longer match it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gaitlab.core.errors import GaitlabError


class OutError(GaitlabError):
    """``--out`` names a place the command cannot or must not write."""


def _refuse_home(path: Path) -> None:
    from gaitlab.store.home import gaitlab_home  # heavy (the store package): gaitlab.cli.main

    home = gaitlab_home().resolve()
    target = path.resolve()
    if target == home or home in target.parents:
        raise OutError(
            f"--out {path} is inside the gaitlab home folder {home}, which belongs to the "
            "history: choose a folder outside it"
        )


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def _can_write_in(folder: Path) -> str | None:
    """None when a file can be created in ``folder``, else why not (a real try: permission
    bits alone say nothing for the superuser or a read-only file system)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".gaitlab-probe-", dir=folder)
    except OSError as err:
        return err.strerror or str(err)
    os.close(fd)
    os.unlink(probe)
    return None


def check_out_folder(out: str | os.PathLike[str]) -> Path:
    """The results folder ``out``, refused at once if the results could not go there.

    Raises
    ------
    OutError
        ``out`` is a file, lies inside the gaitlab home folder, or cannot be created or
        written.
    """
    path = Path(out)
    _refuse_home(path)
    if path.exists() and not path.is_dir():
        raise OutError(f"--out {path} is a file, not a folder: give a folder for the results")
    existing = _nearest_existing(path)
    if not existing.is_dir():
        raise OutError(f"cannot create the folder --out {path}: {existing} is a file")
    why = _can_write_in(existing)
    if why is not None:
        raise OutError(f"cannot write to --out {path}: {existing}: {why}")
    return path


def check_out_file(out: str | os.PathLike[str]) -> Path:
    """The file ``out`` to write, refused at once if it is a folder or inside the home.

    Raises
    ------
    OutError
    """
    path = Path(out)
    _refuse_home(path)
    if path.is_dir():
        raise OutError(f"--out {path} is a folder: give the name of the file to write")
    return path
