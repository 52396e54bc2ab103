"""A session's files on disk: staging a save, moving folders aside for a delete, and
sweeping what a killed process left behind.

Files are copied into the store (or moved, when the caller hands them over): a session
never shares its files with a folder outside the store, so editing an ``--out`` folder
never changes the history.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gaitlab.io.export import FRAMES_NAME, STEPS_NAME, SUMMARY_NAME, VIDEO_NAME, write_json
from gaitlab.store.db import StoreError
from gaitlab.store.home import LANDMARKS_NAME
from gaitlab.store.landmarks import Landmarks
from gaitlab.store.records import InputError, Person, iso

#: Files of a result folder that a save keeps.
RESULT_FILES = (SUMMARY_NAME, FRAMES_NAME, STEPS_NAME, VIDEO_NAME, LANDMARKS_NAME)
#: The session's row as saved (person included), so the folder alone can re-index it.
RECORD_NAME = "record.json"
#: Staging and trash folders older than this are left-overs of a killed process.
STALE_AFTER_S = 24 * 3600

#: ``(folder, where it was moved aside)`` of a delete in progress.
Moved = list[tuple[Path, Path]]


def copy_in(src: Path, dst: Path, move: bool) -> None:
    """Put ``src`` at ``dst``: a copy, or when ``move`` (files handed over) a second name on
    the same file system, the first removed by :func:`drop_sources` once the save committed.
    Renaming them here instead would take them from their owner before the save is sure: a
    save killed half way would leave them in a staging folder that is swept away."""
    if move:
        try:
            os.link(src, dst)
            return
        except OSError:  # another file system, or links not supported
            pass
    shutil.copy2(src, dst)


def drop_sources(result: Any, files: Mapping[str, str | os.PathLike[str]] | None) -> None:
    """Remove the caller's names of files handed over to a committed save."""
    handed = [Path(p) for p in (files or {}).values()]
    if isinstance(result, str | os.PathLike):
        handed += [Path(result) / name for name in RESULT_FILES]
    for path in handed:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            continue


def session_with_origin(sessions_root: Path, origin: str) -> int | None:
    """The session whose ``record.json`` names ``origin`` (see ``Store.save_analysis``)."""
    for item in sessions_root.iterdir() if sessions_root.is_dir() else ():
        if not item.name.isdigit():
            continue
        try:
            record = json.loads((item / RECORD_NAME).read_text())
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("origin") == origin:
            return int(item.name)
    return None


def new_stage(sessions_root: Path) -> Path:
    """A new hidden staging folder beside the session folders."""
    sessions_root.mkdir(parents=True, exist_ok=True)
    stage = sessions_root / f".staging-{secrets.token_hex(6)}"
    stage.mkdir()
    return stage


def stage_files(
    stage: Path,
    result: Any,
    files: Mapping[str, str | os.PathLike[str]] | None,
    landmarks: Landmarks | None,
    move: bool,
) -> dict[str, Any]:
    """Fill ``stage`` with a session's files; returns its summary (checked).

    ``result`` is a result folder (its :data:`RESULT_FILES` are taken) or a summary dict.

    Raises
    ------
    StoreError, InputError
    """
    if isinstance(result, str | os.PathLike):
        folder = Path(result)
        if not (folder / SUMMARY_NAME).is_file():
            raise StoreError(f"{folder} is not a gaitlab result folder (no {SUMMARY_NAME})")
        for name in RESULT_FILES:
            if (folder / name).is_file():
                copy_in(folder / name, stage / name, move)
    elif isinstance(result, Mapping):
        write_json(stage / SUMMARY_NAME, dict(result))
    else:
        raise InputError(
            f"save_analysis needs a result folder or a summary dict, got {type(result).__name__}"
        )
    if landmarks is not None:
        landmarks.write(stage / LANDMARKS_NAME)
    for name, src in (files or {}).items():
        if Path(name).name != name or name.startswith("."):
            raise InputError(f"file name {name!r} must be a plain name")
        src_path = Path(src)
        if not src_path.is_file():
            raise StoreError(f"cannot keep {src_path}: no such file")
        copy_in(src_path, stage / name, move)
    return read_summary(stage / SUMMARY_NAME)


def write_record(
    stage: Path, values: Mapping[str, Any], person: Person | None, origin: str | None = None
) -> None:
    """Write :data:`RECORD_NAME`: the session's columns (not the summary, which is beside it)
    and its person, as saved, and the size of each file saved with it. With it
    ``gaitlab history doctor`` finds a file lost or cut short, and ``--repair`` rebuilds the
    session, person and all, after the database was lost."""
    row = {k: v for k, v in values.items() if k != "summary_json"}
    for key in ("recorded_at", "created_at"):
        row[key] = iso(row.get(key))
    sizes = {p.name: p.stat().st_size for p in sorted(stage.iterdir()) if p.is_file()}
    record: dict[str, Any] = {
        "session": row,
        "person": person.to_dict() if person else None,
        "files": sizes,
    }
    if origin is not None:
        record["origin"] = origin
    write_json(stage / RECORD_NAME, record)


def read_record(folder: Path) -> dict[str, Any]:
    """A session folder's :data:`RECORD_NAME`, empty when missing or unreadable."""
    try:
        record = json.loads((folder / RECORD_NAME).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def write_annotations(folder: Path, annotations: list[dict[str, Any]]) -> None:
    """Put a session's annotations into its :data:`RECORD_NAME` (written anew and renamed
    over the old one: a backup's hard link keeps the file as it was)."""
    path = folder / RECORD_NAME
    try:
        record = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        record = {}
    if not isinstance(record, dict):
        record = {}
    record["annotations"] = annotations
    tmp = folder / f".{RECORD_NAME}.{secrets.token_hex(4)}"
    try:
        write_json(tmp, record)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_summary(path: Path) -> dict[str, Any]:
    """A staged summary.json, checked to be a gaitlab summary.

    Raises
    ------
    StoreError
    """
    try:
        summary = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise StoreError(f"the summary is not valid JSON: {err}") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("metrics", {}), dict):
        raise StoreError("the summary is not a gaitlab summary (no metrics object)")
    return summary


def sweep_stale(sessions_root: Path) -> None:
    """Remove staging/trash folders that a killed process left behind (old ones only: a
    young one may belong to a save running right now in another process)."""
    now = time.time()
    for item in sessions_root.glob(".*"):
        try:
            if item.is_dir() and now - item.stat().st_mtime > STALE_AFTER_S:
                shutil.rmtree(item, ignore_errors=True)
        except OSError:
            continue


def move_aside(folder: Path, session_id: int, moved: Moved) -> None:
    """Rename a session's folder to a hidden trash name, noting it in ``moved`` so that
    :func:`restore` can put it back if the transaction fails."""
    if folder.exists():
        aside = folder.parent / f".deleted-{session_id}-{secrets.token_hex(4)}"
        os.rename(folder, aside)
        moved.append((folder, aside))


def restore(moved: Moved) -> None:
    for folder, aside in moved:
        if aside.exists() and not folder.exists():
            os.rename(aside, folder)


def empty_trash(moved: Moved) -> None:
    for _folder, aside in moved:
        shutil.rmtree(aside, ignore_errors=True)
