"""Database URL and engine: SQLite by default, any SQLAlchemy URL through ``GAITLAB_DB_URL``.

SQLite is set up for several processes at once (two app tabs, the app and the CLI): WAL
journal (readers never block the writer), a busy timeout (a writer waits for the other
instead of failing), foreign keys on, and write transactions that take the write lock when
they start (``BEGIN IMMEDIATE``), so two writers queue up instead of one failing half way
with "database is locked" when it upgrades a read lock.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Connection, Engine

from gaitlab.core.errors import GaitlabError
from gaitlab.store.home import DB_NAME, why_unwritable

#: How long a SQLite writer waits for another one before giving up (milliseconds). A save
#: holds the write lock for milliseconds (files are copied before the transaction starts).
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: What SQLite says of a file that is not (or no longer) a database.
SQLITE_DAMAGED = ("file is not a database", "malformed", "disk image")

#: Execution option that marks a connection's next transaction as a write transaction.
WRITE_OPTION = "gaitlab_write"


class StoreError(GaitlabError):
    """The history database cannot be used (bad URL, unreachable server, newer schema)."""


class NotFoundError(StoreError):
    """No session or person with that id or name."""


def safe_url(url: URL) -> str:
    """The URL as text with any password masked, for messages."""
    return url.render_as_string(hide_password=True)


def resolve_url(url: str | URL | None, home: Path) -> URL:
    """``url``, else ``GAITLAB_DB_URL``, else SQLite in ``home``; checked and normalised.

    A bare ``postgresql://`` URL means psycopg2 to SQLAlchemy; when only psycopg (3) is
    installed, as gaitlab pins it, the driver is filled in so the plain URL works.
    """
    raw = url if url is not None else os.environ.get("GAITLAB_DB_URL") or None
    if raw is None:
        return sa.make_url(f"sqlite:///{home / DB_NAME}")
    try:
        parsed = sa.make_url(raw)
    except exc.ArgumentError:
        shown = str(raw).split("@")[-1]  # never echo a password
        raise StoreError(
            f"{shown!r} is not a database URL: expected e.g. sqlite:////path/gaitlab.db "
            "or postgresql://user@host/dbname (GAITLAB_DB_URL)"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        has_psycopg2 = importlib.util.find_spec("psycopg2") is not None
        if not has_psycopg2 and importlib.util.find_spec("psycopg") is not None:
            parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own implicit BEGIN is switched off: the "begin" hook below says which.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        _retry_locked(cur, "PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint under WAL
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _retry_locked(cur: Any, sql: str) -> None:
    """Run ``sql``, retrying while another process holds the database lock.

    Switching a brand-new database to WAL needs an exclusive lock and SQLite answers "database
    is locked" at once instead of waiting on the busy timeout, so two processes opening a new
    history together (two app tabs, CLI and app) would otherwise fail; the retry waits as
    long as the busy timeout would.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute(sql)
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def create_engine(url: URL) -> Engine:
    """An engine for ``url`` that has been connected to once (errors surface here).

    Raises
    ------
    StoreError
        Unknown database kind or missing driver, or the database cannot be opened.
    """
    kwargs: dict[str, Any] = {}
    database = url.database or ""
    if url.get_backend_name() == "sqlite":
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = sa.create_engine(url, **kwargs)
    except exc.NoSuchModuleError:
        raise StoreError(
            f"gaitlab cannot use {safe_url(url)}: no SQLAlchemy dialect or driver for "
            f"{url.drivername!r} is installed (PostgreSQL: pip install 'psycopg[binary]')"
        ) from None
    except ImportError as err:
        raise StoreError(
            f"gaitlab cannot use {safe_url(url)}: its database driver is not installed "
            f"({_first_line(err)})"
        ) from None
    except (exc.ArgumentError, TypeError, ValueError) as err:
        raise StoreError(f"gaitlab cannot use {safe_url(url)}: {_first_line(err)}") from None
    if url.get_backend_name() == "sqlite":
        _sqlite_setup(engine)
    try:
        with engine.connect():
            pass
    except exc.SQLAlchemyError as err:
        engine.dispose()
        why = db_message(err)
        if url.get_backend_name() == "sqlite" and any(w in why for w in SQLITE_DAMAGED):
            why += " (see: gaitlab history doctor)"
        elif url.get_backend_name() == "sqlite" and database[:1] not in ("", ":"):
            folder_why = why_unwritable(Path(database).expanduser().parent)
            if folder_why:  # SQLite says "disk I/O error" or "unable to open database file"
                why += f": {folder_why}"
        raise StoreError(f"cannot open the database {safe_url(url)}: {why}") from None
    return engine


def sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy of ``source`` while other connections
    read and write it."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def db_message(err: exc.SQLAlchemyError) -> str:
    """The driver's own one-line message, without SQLAlchemy's statement dump."""
    orig = getattr(err, "orig", None)
    return _first_line(orig if orig is not None else err)


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """One transaction: committed when the block ends, rolled back on any exception.

    ``write=True`` takes SQLite's write lock up front (``BEGIN IMMEDIATE``); other databases
    ignore the option.
    """
    with engine.connect() as conn:
        if write:
            conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn
