"""A backup of the whole history in one ``.tar.gz``, and restoring it into an empty home.

The archive holds ``manifest.json`` (what it is, each file with its size and SHA-256),
``gaitlab.db`` (the database as SQLite: SQLite's online backup API for a SQLite history, the
rows copied table by table for PostgreSQL) and ``sessions/`` (every session folder the
database names, and the last id handed out).

Consistency: the database is copied and the session folders hard-linked into a hidden
snapshot folder while the save lock is held (SQLite's write lock, gaitlab's PostgreSQL
advisory lock), so no session is saved or deleted half way through the snapshot; a save
waits that long (hard links take milliseconds a session). Session files are never
rewritten in place, so the links keep the snapshot's contents while the archive is written
without any lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gaitlab import __version__
from gaitlab.store import ids, migrations
from gaitlab.store.core import Store
from gaitlab.store.db import (
    StoreError,
    create_engine,
    resolve_url,
    safe_url,
    sqlite_copy,
    transaction,
)
from gaitlab.store.home import DB_NAME, SESSIONS_DIR, gaitlab_home
from gaitlab.store.schema import LATEST_VERSION, metadata, persons, sessions

MANIFEST_NAME = "manifest.json"
#: Bumped when the archive's layout changes.
FORMAT = 1
SUFFIXES = (".tar.gz", ".tgz")


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds (or a restore brought back)."""

    path: Path
    sessions: int
    persons: int
    files: int
    bytes: int


def _check_target(out: Path, home: Path) -> None:
    if not out.name.endswith(SUFFIXES):
        raise StoreError(f"{out}: a backup is a .tar.gz file (e.g. gaitlab-backup.tar.gz)")
    if out.exists():
        raise StoreError(f"{out} already exists: choose a new file name")
    if not out.parent.is_dir():
        raise StoreError(f"{out.parent} is not a folder")
    if out.resolve().is_relative_to(home.resolve()):
        raise StoreError(f"{out} is inside the gaitlab home {home}: put the backup elsewhere")


def backup(store: Store, out: str | os.PathLike[str]) -> BackupInfo:
    """Write a consistent snapshot of ``store`` (database and session files) to ``out``.

    Raises
    ------
    StoreError
        ``out`` is not a new ``.tar.gz`` outside the home, or the snapshot failed.
    """
    out = Path(out).expanduser()
    _check_target(out, store.home)
    snap = store.sessions_root / f".staging-backup-{secrets.token_hex(6)}"
    partial = out.with_name(f".{out.name}.{secrets.token_hex(4)}.partial")
    try:
        (snap / SESSIONS_DIR).mkdir(parents=True)
        counts, folders = _snapshot(store, snap)
        manifest = _manifest(snap, store, counts, folders)
        (snap / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:  # videos barely shrink
            tar.add(snap / MANIFEST_NAME, MANIFEST_NAME)
            for entry in manifest["files"]:
                tar.add(snap / entry["name"], entry["name"], recursive=False)
        with partial.open("rb") as f:
            os.fsync(f.fileno())
        os.rename(partial, out)
    except OSError as err:
        raise StoreError(f"cannot write the backup {out}: {err}") from None
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(snap, ignore_errors=True)
    total = sum(e["bytes"] for e in manifest["files"])
    return BackupInfo(out, counts[1], counts[0], len(manifest["files"]), total)


def _snapshot(store: Store, snap: Path) -> tuple[tuple[int, int], list[str]]:
    """Copy the database and hard-link the session folders into ``snap`` under the save
    lock; returns the numbers of persons and sessions, and the session folders taken."""
    with transaction(store.engine, write=True) as conn:
        ids.lock(conn)
        if conn.dialect.name == "sqlite":
            sqlite_copy(Path(store.url.database or ""), snap / DB_NAME)
        else:
            _rows_to_sqlite(conn, snap / DB_NAME)
        counts = (_count(conn, persons), _count(conn, sessions))
        dirs = conn.execute(
            sa.select(sessions.c.files_dir).where(sessions.c.files_dir.is_not(None))
        ).scalars()
        folders = [d for d in dirs if (store.home / d).is_dir()]
        for rel in folders:
            shutil.copytree(store.home / rel, snap / rel, copy_function=_link_or_copy)
        mark = store.sessions_root / ids.MARK_NAME
        if mark.is_file():
            shutil.copy2(mark, snap / SESSIONS_DIR / ids.MARK_NAME)
    return counts, folders


def _count(conn: Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links
        shutil.copy2(src, dst)


def _copy_rows(src: Connection, dst: Connection) -> None:
    """Every row of gaitlab's tables (parents first) from one database to another."""
    for table in metadata.sorted_tables:
        if table.name == "gaitlab_schema":
            continue
        rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
        if rows:
            dst.execute(table.insert(), rows)


def _rows_to_sqlite(conn: Connection, target: Path) -> None:
    engine = create_engine(sa.make_url(f"sqlite:///{target}"))
    try:
        migrations.migrate(engine)
        with transaction(engine, write=True) as dst:
            _copy_rows(conn, dst)
    finally:
        engine.dispose()


def _files(snap: Path) -> Iterator[Path]:
    yield snap / DB_NAME
    for path in sorted((snap / SESSIONS_DIR).rglob("*")):
        if path.is_file():
            yield path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _manifest(
    snap: Path, store: Store, counts: tuple[int, int], folders: list[str]
) -> dict[str, Any]:
    files = [
        {"name": p.relative_to(snap).as_posix(), "bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in _files(snap)
    ]
    return {
        "format": FORMAT,
        "what": "gaitlab history backup",
        "gaitlab_version": __version__,
        "schema_version": store.schema_version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": store.url.get_backend_name(),
        "persons": counts[0],
        "sessions": counts[1],
        "session_folders": sorted(int(PurePosixPath(f).name) for f in folders),
        "files": files,
    }


# -- restoring ------------------------------------------------------------------------------------
def restore(
    archive: str | os.PathLike[str],
    home: str | os.PathLike[str] | None = None,
    url: str | sa.URL | None = None,
) -> BackupInfo:
    """Restore a backup into an empty home (and database: ``url``, ``GAITLAB_DB_URL``, else
    SQLite in the home). Every file is checked against the manifest's SHA-256 first.

    Raises
    ------
    StoreError
        Not a gaitlab backup, a damaged one, one from a newer gaitlab, or a home or
        database that already holds a history (nothing is changed then).
    """
    archive = Path(archive).expanduser()
    if not archive.is_file():
        raise StoreError(f"{archive}: no such backup file")
    home_path = gaitlab_home(home)
    resolved = resolve_url(url, home_path)
    _check_empty(home_path, resolved)
    root = home_path / SESSIONS_DIR
    root.mkdir(parents=True, exist_ok=True)
    stage = root / f".staging-restore-{secrets.token_hex(6)}"
    try:
        manifest = _extract(archive, stage)
        if int(manifest.get("schema_version", 0)) > LATEST_VERSION:
            raise StoreError(
                f"{archive} holds schema version {manifest['schema_version']}, newer than "
                f"this gaitlab understands ({LATEST_VERSION}): upgrade gaitlab"
            )
        _restore_database(stage / DB_NAME, resolved)
        if (stage / SESSIONS_DIR).is_dir():
            for folder in sorted((stage / SESSIONS_DIR).iterdir()):
                os.rename(folder, root / folder.name)
    except OSError as err:
        raise StoreError(f"cannot restore {archive}: {err}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    with Store.open(url=resolved, home=home_path) as store:  # migrates an older backup
        counts = (len(store.persons()), len(store.sessions()))
    total = sum(int(e["bytes"]) for e in manifest["files"])
    return BackupInfo(home_path, counts[1], counts[0], len(manifest["files"]), total)


def _check_empty(home: Path, url: sa.URL) -> None:
    folders = ids.session_folders(home / SESSIONS_DIR)
    held = (0, 0)
    if url.get_backend_name() != "sqlite" or Path(url.database or "").exists():
        engine = create_engine(url)
        try:
            with transaction(engine, write=False) as conn:
                if sa.inspect(conn).has_table(sessions.name):
                    held = (_count(conn, persons), _count(conn, sessions))
        finally:
            engine.dispose()
    if folders or any(held):
        raise StoreError(
            f"{home} (database {safe_url(url)}) already holds a history ({held[1]} sessions, "
            f"{held[0]} persons, {len(folders)} session folders): a backup is restored into "
            "an empty home only, e.g. GAITLAB_HOME=/path/to/new/folder gaitlab history "
            "restore FILE"
        )


def _member_name(member: tarfile.TarInfo) -> str:
    """A member's name if it is a plain file at a plain relative path, else refused."""
    path = PurePosixPath(member.name)
    plain = not path.is_absolute() and ".." not in path.parts and path.parts
    if not (member.isfile() and plain):
        raise StoreError(f"not a gaitlab backup: it holds {member.name!r}")
    return path.as_posix()


def _extract(archive: Path, stage: Path) -> dict[str, Any]:
    """Unpack the manifest's files into ``stage``, each checked against its size and
    SHA-256; returns the manifest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = {_member_name(m): m for m in tar.getmembers() if not m.isdir()}
            if MANIFEST_NAME not in members:
                raise StoreError(f"{archive} is not a gaitlab backup (no {MANIFEST_NAME})")
            manifest = json.loads(tar.extractfile(members[MANIFEST_NAME]).read())  # type: ignore[union-attr]
            wanted = {e["name"]: e for e in manifest["files"]}
            if set(members) != {MANIFEST_NAME, *wanted} or DB_NAME not in wanted:
                raise StoreError(f"{archive} does not hold the files its manifest lists")
            for name, entry in wanted.items():
                _unpack(tar, members[name], stage / name, entry)
    except (tarfile.TarError, EOFError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise StoreError(f"{archive} is not a readable gaitlab backup ({err})") from None
    return manifest


def _unpack(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, entry: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    source = tar.extractfile(member)
    assert source is not None  # a regular file (checked by _member_name)
    with target.open("wb") as out:
        for block in iter(lambda: source.read(1 << 20), b""):
            h.update(block)
            out.write(block)
    if h.hexdigest() != entry["sha256"] or target.stat().st_size != int(entry["bytes"]):
        raise StoreError(f"the backup is damaged: {member.name} does not match its checksum")


def _restore_database(snapshot: Path, url: sa.URL) -> None:
    if url.get_backend_name() == "sqlite":
        database = Path(url.database or "")
        database.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):  # an empty database (checked) is replaced
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        shutil.copy2(snapshot, database)
        return
    source = create_engine(sa.make_url(f"sqlite:///{snapshot}"))
    target = create_engine(url)
    try:
        migrations.migrate(source)
        migrations.migrate(target)
        with transaction(source, write=False) as src, transaction(target, write=True) as dst:
            ids.lock(dst)
            _copy_rows(src, dst)
            for table in ("persons", "sessions", "annotations"):  # rows came with their ids
                if dst.dialect.name != "postgresql":
                    break
                dst.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                ))  # fmt: skip
    finally:
        source.dispose()
        target.dispose()
