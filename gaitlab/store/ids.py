"""Session ids that are never handed out twice, and what the session folders say.

A session id names a folder, ``sessions/<id>/``, and links such as an upload's
``history.json`` or a report's file name. The database alone cannot promise an id is new:
SQLite hands out ``max(id) + 1``, so deleting the newest session, or a database that was
lost, emptied or replaced, would give an old id (and its folder) to a new session. A new id
is therefore above every id the database holds, every session folder (trash included) and
the last id handed out, kept in ``sessions/.last-session-id`` beside the folders (it survives
the database). The id is taken inside the save's write transaction (SQLite's write lock,
a PostgreSQL advisory lock), so two processes never take the same one.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gaitlab.store.schema import sessions

#: The last session id handed out, one integer, in the sessions folder.
MARK_NAME = ".last-session-id"
#: Arbitrary constant naming gaitlab's PostgreSQL advisory lock for new session ids.
_PG_ID_LOCK_KEY = 0x6761_6975

_TRASH_RE = re.compile(r"^\.deleted-(\d+)-[0-9a-f]+$")


def session_folders(sessions_root: Path) -> dict[int, Path]:
    """The session folders (``sessions/<id>/``) by id; hidden staging and trash left out."""
    out: dict[int, Path] = {}
    try:
        items = list(sessions_root.iterdir())
    except FileNotFoundError:
        return out
    for item in items:
        if item.name.isdigit() and item.is_dir():
            out[int(item.name)] = item
    return out


def _highest_folder_id(sessions_root: Path) -> int:
    top = 0
    try:
        names = os.listdir(sessions_root)
    except FileNotFoundError:
        return 0
    for name in names:
        trash = _TRASH_RE.match(name)
        if name.isdigit():
            top = max(top, int(name))
        elif trash:
            top = max(top, int(trash.group(1)))
    return top


def read_mark(sessions_root: Path) -> int:
    """The last id handed out, as the mark file says (0 when there is none or it is unreadable:
    the folders and the database still bound the next id)."""
    try:
        return max(0, int((sessions_root / MARK_NAME).read_text().strip()))
    except (OSError, ValueError):
        return 0


def write_mark(sessions_root: Path, session_id: int) -> None:
    """Record ``session_id`` as the last id handed out (atomically)."""
    tmp = sessions_root / f"{MARK_NAME}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(f"{session_id}\n")
    os.replace(tmp, sessions_root / MARK_NAME)


def highest_id(conn: Connection, sessions_root: Path) -> int:
    """The highest session id ever seen: in the database, the folders or the mark file."""
    in_db = conn.execute(sa.select(sa.func.max(sessions.c.id))).scalar() or 0
    return max(int(in_db), _highest_folder_id(sessions_root), read_mark(sessions_root))


def lock(conn: Connection) -> None:
    """Hold the save lock until the transaction ends: no session is added or deleted by
    another process meanwhile. SQLite's write transaction is that lock already; PostgreSQL
    takes gaitlab's advisory lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_ID_LOCK_KEY})


def take_session_id(conn: Connection, sessions_root: Path) -> int:
    """A new session id, recorded in the mark file before it is used; call it inside the
    write transaction that inserts the session."""
    lock(conn)
    new_id = highest_id(conn, sessions_root) + 1
    write_mark(sessions_root, new_id)
    return new_id


def lost_index_message(conn: Connection, sessions_root: Path, where: str) -> str | None:
    """Why the database cannot be the index of these folders, or None when it can.

    A database without a single session beside folders that hold sessions was lost, emptied
    or replaced: saving into it would start a second history over the first one.
    """
    folders = session_folders(sessions_root)
    if not folders or conn.execute(sa.select(sessions.c.id).limit(1)).first() is not None:
        return None
    span = f"{min(folders)}" if len(folders) == 1 else f"{min(folders)}-{max(folders)}"
    return (
        f"the history database {where} holds no sessions, but {sessions_root} holds "
        f"{len(folders)} session folder(s) (ids {span}): the database was lost, emptied or "
        "replaced. Rebuild it from the folders with: gaitlab history doctor --repair "
        "(or restore a backup into a new GAITLAB_HOME: gaitlab history restore FILE, or set "
        "GAITLAB_DB_URL to the right database)"
    )
