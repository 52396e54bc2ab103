"""``gaitlab history doctor | backup | restore``: keeping the history whole.

:mod:`gaitlab.cli.history` adds them under ``gaitlab history``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaitlab.cli.terminal import safe

if TYPE_CHECKING:
    from gaitlab.store import Store

# The store (SQLAlchemy) is imported by each command, not here (heavy: see gaitlab.cli.main).


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


def _open_for_doctor(repair: bool) -> tuple[Store, list[str]]:
    """The store, even when its database is empty beside session folders; a damaged SQLite
    file is set aside first when repairing (never deleted)."""
    from gaitlab.store import Store, StoreError, doctor
    from gaitlab.store.db import SQLITE_DAMAGED, resolve_url
    from gaitlab.store.home import gaitlab_home

    try:
        return Store.open(lost_ok=True), []
    except StoreError as err:
        url = resolve_url(None, gaitlab_home())
        damaged = url.get_backend_name() == "sqlite" and any(w in str(err) for w in SQLITE_DAMAGED)
        if not damaged:
            raise
        if not repair:
            raise StoreError(
                f"{str(err).replace(' (see: gaitlab history doctor)', '')}. The database "
                "file is damaged: gaitlab history doctor --repair moves "
                "it aside and rebuilds the history from the session folders (or restore a "
                "backup into a new home: gaitlab history restore FILE)"
            ) from None
        aside = doctor.set_aside(Path(url.database or ""))
        return Store.open(lost_ok=True), [f"moved the damaged database aside to {aside}"]


def _cmd_doctor(args: argparse.Namespace) -> int:
    from gaitlab.store import doctor

    store, done = _open_for_doctor(args.repair)
    with store:
        found = doctor.examine(store)
        if args.repair:
            done += doctor.repair(store, found)
    print(f"history: {safe(store.home)}")
    if not found:
        print("database and session folders agree: nothing to repair")
        return 0
    for f in found:
        fix = f" [--repair: {f.fix}]" if f.fix and not args.repair else ""
        print(f"- {safe(f.message)}{fix}")
    for line in done:
        print(f"repaired: {safe(line)}")
    left = [f for f in found if f.fix is None]
    if not args.repair and any(f.fix for f in found):
        print("run gaitlab history doctor --repair to make the repairs listed")
    return 1 if left or not args.repair else 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from gaitlab.store import Store
    from gaitlab.store import backup as store_backup

    with Store.open() as store:
        info = store_backup.backup(store, args.file)
    print(
        f"wrote {safe(info.path)}: {info.sessions} sessions, {info.persons} persons, "
        f"{info.files} files ({_mb(info.bytes)} before compression)"
    )
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from gaitlab.store import backup as store_backup

    info = store_backup.restore(args.file)
    print(
        f"restored {info.sessions} sessions and {info.persons} persons ({info.files} files) "
        f"into {safe(info.path)}"
    )
    return 0


def add_commands(sub: Any) -> None:
    """Register doctor, backup and restore under ``gaitlab history``."""
    p = sub.add_parser(
        "doctor",
        help="check that the database and the session folders agree (--repair: fix what is safe)",
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="index session folders the database lost (a lost or damaged database is "
        "rebuilt from them), write missing summaries again, remove left-overs of stopped "
        "processes; nothing else is deleted",
    )
    p.set_defaults(func=_cmd_doctor)
    p = sub.add_parser(
        "backup", help="write the whole history (database and session files) to a .tar.gz"
    )
    p.add_argument("file", help="the backup to write, e.g. gaitlab-2025-03-01.tar.gz")
    p.set_defaults(func=_cmd_backup)
    p = sub.add_parser("restore", help="restore a backup into an empty GAITLAB_HOME (and database)")
    p.add_argument("file", help="a backup written by gaitlab history backup")
    p.set_defaults(func=_cmd_restore)
