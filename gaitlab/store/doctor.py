"""Checking that the database, the session folders and the app's uploads agree, and repairing
what is safe.

The database indexes; the session folders hold. Each analysis folder carries its summary
(``summary.json``) and its row as saved (``record.json``, person included), so a folder the
database does not know can be indexed again under its own id, and a lost or damaged
database rebuilt from the folders. Nothing is deleted but left-overs of killed processes
(hidden staging and trash folders); a row whose files are gone is reported, not dropped.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gaitlab.core.errors import GaitlabError
from gaitlab.io.export import SUMMARY_NAME, write_json
from gaitlab.store import annotations as notes
from gaitlab.store import ids, migrations
from gaitlab.store.core import Store
from gaitlab.store.db import StoreError, transaction
from gaitlab.store.files import read_record, read_summary
from gaitlab.store.home import UPLOADS_DIR, session_folder
from gaitlab.store.records import analysis_values, person_values
from gaitlab.store.schema import annotations, persons, session_metrics, sessions
from gaitlab.store.uploads import Uploads, valid_id

#: Staging and trash folders untouched this long are left-overs (a save copying a video
#: touches its staging folder with every file; a delete empties its trash at once).
LEFTOVER_AGE_S = 3600


@dataclass(frozen=True)
class Finding:
    """One disagreement between the database and the files.

    ``fix`` says what ``--repair`` does about it, or is None when nothing is safe to do.
    """

    kind: str
    message: str
    fix: str | None = None
    session_id: int | None = None
    path: Path | None = None


def examine(store: Store) -> list[Finding]:
    """Every disagreement between the database and the session folders, by session id."""
    root = store.sessions_root
    folders = ids.session_folders(root)
    found: list[Finding] = []
    with transaction(store.engine, write=False) as conn:
        found += _database_check(conn)
        rows = conn.execute(
            sa.select(sessions.c.id, sessions.c.kind, sessions.c.files_dir, sessions.c.summary_json)
        ).all()
    known = {int(r.id) for r in rows}
    for r in rows:
        if not r.files_dir:
            continue
        folder = store.home / r.files_dir
        if not folder.is_dir():
            found.append(Finding(
                "missing-folder", f"session {r.id}: its folder {folder} is missing (the "
                "database still holds its summary and measures; the video and frames are "
                "gone unless a backup has them)", None, int(r.id), folder,
            ))  # fmt: skip
            continue
        if not (folder / SUMMARY_NAME).is_file():
            fix = "summary.json written again from the database" if r.summary_json else None
            found.append(Finding(
                "missing-summary", f"session {r.id}: {folder / SUMMARY_NAME} is missing",
                fix, int(r.id), folder,
            ))  # fmt: skip
        found += _damaged_files(int(r.id), folder)
    for sid, folder in sorted(folders.items()):
        if sid in known:
            continue
        readable = _readable_summary(folder)
        fix = "indexed again under its own id from summary.json and record.json"
        found.append(Finding(
            "orphan-folder",
            f"session folder {folder} is not in the database"
            + ("" if readable else " and holds no readable summary.json (left alone)"),
            fix if readable else None, sid, folder,
        ))  # fmt: skip
    found += _leftovers(root)
    with transaction(store.engine, write=False) as conn:
        highest = ids.highest_id(conn, root)
    found += _upload_links(Uploads(store.home / UPLOADS_DIR), highest)
    return found


def _upload_links(uploads: Uploads, highest_id: int) -> list[Finding]:
    """The app's uploads against the sessions: an upload saved to the history whose
    ``history.json`` does not say so (the app would save it a second time), and links to a
    session this history never had (uploads from another history)."""
    out = []
    if not uploads.root.is_dir():
        return out
    for folder in sorted(uploads.root.iterdir()):
        rid = folder.name
        if not valid_id(rid) or not uploads.exists(rid):
            continue
        linked = uploads.history(rid).get("session_id")
        if isinstance(linked, int):
            if linked > highest_id:
                out.append(Finding(
                    "upload-link", f"upload {folder} names session {linked}, which this "
                    "history never had (an upload from another history?)", None, linked, folder,
                ))  # fmt: skip
            continue
        saved = uploads.lost_link(rid)
        if saved is not None:
            out.append(Finding(
                "upload-link", f"upload {folder} was saved as session {saved} but does not "
                "say so (the app would save it again)", f"linked to session {saved}", saved,
                folder,
            ))  # fmt: skip
    return out


def _damaged_files(session_id: int, folder: Path) -> list[Finding]:
    """Files the session was saved with (its record says) that are gone or changed size;
    the summary is checked apart."""
    out = []
    for name, size in (read_record(folder).get("files") or {}).items():
        path = folder / str(name)
        if name == SUMMARY_NAME or not isinstance(size, int):
            continue
        if not path.is_file():
            why = "is missing"
        elif path.stat().st_size != size:
            why = f"is {path.stat().st_size} bytes, saved as {size} (damaged or replaced)"
        else:
            continue
        out.append(Finding(
            "damaged-file", f"session {session_id}: {path} {why}; restore it from a backup",
            None, session_id, path,
        ))  # fmt: skip
    return out


def _database_check(conn: Connection) -> list[Finding]:
    if conn.dialect.name != "sqlite":
        return []
    answer = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check").all()]
    if answer == ["ok"]:
        return []
    return [Finding(
        "damaged-database", "the SQLite database fails its integrity check: "
        f"{'; '.join(map(str, answer[:3]))}. Restore a backup (gaitlab history restore), or "
        "move the file aside and rebuild from the folders (gaitlab history doctor --repair)",
    )]  # fmt: skip


def _readable_summary(folder: Path) -> bool:
    try:
        read_summary(folder / SUMMARY_NAME)
    except (OSError, StoreError):
        return False
    return True


def _leftovers(root: Path) -> list[Finding]:
    out = []
    now = time.time()
    for item in sorted(root.glob(".*")):
        if not item.is_dir() or not item.name.startswith((".staging-", ".deleted-")):
            continue
        try:
            old = now - item.stat().st_mtime > LEFTOVER_AGE_S
        except OSError:
            continue
        what = "an unfinished save" if item.name.startswith(".staging-") else "a deleted session"
        if old:
            out.append(Finding("leftover", f"{item} is {what} left by a stopped process",
                               "removed", None, item))  # fmt: skip
        else:
            out.append(Finding("leftover", f"{item} is {what} still in progress, or left "
                               "less than an hour ago (left alone)", None, None, item))  # fmt: skip
    return out


def repair(store: Store, findings: list[Finding]) -> list[str]:
    """Do the safe repairs of ``findings`` (those with a ``fix``); returns what was done."""
    done = []
    for f in findings:
        if f.fix is None or f.path is None:
            continue
        if f.kind == "leftover":
            shutil.rmtree(f.path, ignore_errors=True)
            done.append(f"removed {f.path}")
        elif f.kind == "missing-summary" and f.session_id is not None:
            session = store.session(f.session_id)
            write_json(f.path / SUMMARY_NAME, session.summary or {})
            done.append(f"session {f.session_id}: wrote {f.path / SUMMARY_NAME} again")
        elif f.kind == "upload-link" and f.session_id is not None:
            Uploads(f.path.parent).relink(f.path.name, f.session_id)
            done.append(f"upload {f.path.name}: linked to session {f.session_id}")
        elif f.kind == "orphan-folder" and f.session_id is not None:
            who = reindex(store, f.session_id, f.path)
            done.append(
                f"session {f.session_id}: indexed again" + (f" (person {who})" if who else "")
            )
    return done


def reindex(store: Store, session_id: int, folder: Path) -> str | None:
    """Insert the row of an analysis folder the database does not know, under its own id,
    with the annotations its record keeps; returns the person's name when the record names
    one (created if missing)."""
    summary = read_summary(folder / SUMMARY_NAME)
    record = read_record(folder)
    saved = record.get("session") or {}
    values = analysis_values(
        summary,
        saved.get("source") or "file",
        _when(saved.get("recorded_at"), folder),
        saved.get("notes"),
    )
    for key in ("task", "video_name", "view", "duration_s", "gaitlab_version"):
        if saved.get(key) is not None:
            values[key] = saved[key]
    if saved.get("created_at"):
        values["created_at"] = _when(saved["created_at"], folder)
    who = record.get("person") or None
    with transaction(store.engine, write=True) as conn:
        person_id = _person_id(conn, who) if who else None
        conn.execute(sessions.insert().values(
            id=session_id, person_id=person_id, files_dir=session_folder(session_id), **values
        ))  # fmt: skip
        rows = migrations.metric_rows(session_id, summary.get("metrics") or {})
        if rows:
            conn.execute(session_metrics.insert(), rows)
        saved_notes = record.get("annotations") or []
        kept = [notes.from_record(session_id, a) for a in saved_notes if isinstance(a, dict)]
        if any(kept):
            conn.execute(annotations.insert(), [a for a in kept if a])
        if ids.read_mark(store.sessions_root) < session_id:
            ids.write_mark(store.sessions_root, session_id)
    return who["name"] if who else None


def _when(text: Any, folder: Path) -> datetime:
    """A saved time, else when the folder was last changed (a folder without its record)."""
    try:
        return datetime.fromisoformat(str(text)).astimezone(UTC)
    except ValueError:
        return datetime.fromtimestamp(folder.stat().st_mtime, UTC)


def _person_id(conn: Connection, who: dict[str, Any]) -> int | None:
    """The id of the record's person by name, added with the recorded details if missing."""
    name = str(who.get("name") or "").strip()
    if not name:
        return None
    row = conn.execute(sa.select(persons.c.id).where(persons.c.name == name)).first()
    if row is not None:
        return int(row.id)
    try:
        values = person_values(
            name,
            who.get("sex"),
            who.get("birth_year"),
            who.get("height_cm"),
            who.get("body_mass_kg"),
        )
    except GaitlabError:  # details this gaitlab no longer accepts: the name is what matters
        values = person_values(name, None, None, None, None)
    return int(conn.execute(
        persons.insert().values(**values, created_at=datetime.now(UTC))
    ).inserted_primary_key[0])  # fmt: skip


def set_aside(database: Path) -> Path:
    """Rename a damaged SQLite database (and its WAL files) out of the way; returns its new
    name, ``gaitlab.db.damaged-<UTC time>``. Nothing is deleted."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = database.with_name(f"{database.name}.damaged-{stamp}")
    os.rename(database, aside)
    for suffix in ("-wal", "-shm"):
        extra = database.with_name(database.name + suffix)
        if extra.exists():
            os.rename(extra, aside.with_name(aside.name + suffix))
    return aside
