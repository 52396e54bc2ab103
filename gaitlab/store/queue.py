"""The app's analysis queue, on disk in the uploads folder, shared by every app process that
uses the folder.

An upload waits while its ``status.json`` says ``queued``; uploads wait in the order they
were queued (``queued_at``, then the id). Who runs what is decided with ``flock`` locks,
which the kernel releases when a process ends, so an app that was stopped or crashed never
leaves an upload looking as if it still ran:

- ``uploads/<id>/run.lock`` is held while that upload's analysis runs, by whichever process
  runs it; a ``running`` status without its lock held was interrupted;
- ``uploads/.queue/slot-<k>.lock``, ``k < slots``: one is held by each running analysis, so
  no more than ``slots`` run at once however many app processes share the folder;
- ``uploads/.queue/admit.lock`` is held while an upload is counted and queued, so the queue
  limit holds across processes;
- ``uploads/.queue/rate.json`` keeps the seconds per video frame that the last analyses
  took, for the waiting time shown to those in the queue.

Nothing here knows about analyses: statuses are plain dicts (:mod:`gaitlab.store.uploads`).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gaitlab.core.errors import GaitlabError
from gaitlab.store.uploads import STATUS_NAME, valid_id, write_json_atomic

QUEUE_DIR = ".queue"
RUN_LOCK_NAME = "run.lock"
#: Asks whichever process runs an upload to stop it (a cancel from another app process).
CANCEL_NAME = "cancel.request"
RATE_NAME = "rate.json"

#: Analyses at once by default (per uploads folder): one already keeps both cores of a small
#: machine busy (pose estimation runs two segments in parallel).
DEFAULT_PARALLEL = 1
#: Uploads that may wait by default: at about a minute for a 30-second clip (README,
#: "Speed"), the last one waits some ten minutes; beyond that, come back later.
DEFAULT_QUEUE_LIMIT = 8
#: Environment variables that set the two numbers (``gaitlab app --analyses``, ``--queue-limit``).
PARALLEL_ENV = "GAITLAB_ANALYSES"
QUEUE_LIMIT_ENV = "GAITLAB_QUEUE_LIMIT"

#: Weight of the newest analysis in the running average of seconds per frame.
RATE_WEIGHT = 0.5


def limits_from_env(env: Mapping[str, str]) -> tuple[int, int]:
    """``(analyses at once, uploads that may wait)`` from :data:`PARALLEL_ENV` and
    :data:`QUEUE_LIMIT_ENV`, the defaults where unset.

    Raises
    ------
    GaitlabError
        A value that is not a whole number in range (1-16 at once, 0-1000 waiting).
    """
    out = []
    for name, flag, default, low, high in (
        (PARALLEL_ENV, "--analyses", DEFAULT_PARALLEL, 1, 16),
        (QUEUE_LIMIT_ENV, "--queue-limit", DEFAULT_QUEUE_LIMIT, 0, 1000),
    ):
        raw = env.get(name, "").strip()
        try:
            value = int(raw) if raw else default
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise GaitlabError(
                f"{flag} {raw} ({name}): expected a whole number from {low} to {high}"
            )
        out.append(value)
    return out[0], out[1]


class Lock:
    """An exclusive ``flock`` on a file, held until :meth:`release` (or the process ends)."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases its lock
            self._fd = None

    def __enter__(self) -> Lock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def try_lock(path: Path, *, create: bool = True) -> Lock | None:
    """The lock on ``path`` if nobody holds it (never waits); None when it is held or the
    file (or, with ``create``, its folder) is gone."""
    flags = os.O_RDWR | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, 0o600)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return Lock(fd)


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Hold the lock on ``path`` for the block, waiting for it when another holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _status(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / STATUS_NAME).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class DiskQueue:
    """The queue of the uploads folder ``root`` with ``slots`` analyses at a time."""

    def __init__(self, root: Path, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"at least one analysis must be able to run (slots={slots})")
        self.root = Path(root)
        self.slots = slots
        self.dir = self.root / QUEUE_DIR

    def _ensure(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)

    # -- what waits and what runs -------------------------------------------------------------
    def statuses(self) -> dict[str, dict[str, Any]]:
        """Every upload's status, by id."""
        out: dict[str, dict[str, Any]] = {}
        try:
            folders = list(self.root.iterdir())
        except FileNotFoundError:
            return out
        for folder in folders:
            if valid_id(folder.name):
                status = _status(folder)
                if status is not None:
                    out[folder.name] = status
        return out

    @staticmethod
    def waiting_of(statuses: dict[str, dict[str, Any]]) -> list[str]:
        """The queued ids of ``statuses``, first in line first."""
        queued = [(s.get("queued_at") or s.get("updated") or 0.0, rid)
                  for rid, s in statuses.items() if s.get("state") == "queued"]  # fmt: skip
        return [rid for _, rid in sorted(queued)]

    def waiting(self) -> list[str]:
        """Uploads waiting to run, first in line first."""
        return self.waiting_of(self.statuses())

    def is_running(self, result_id: str) -> bool:
        """Whether some process holds ``result_id``'s run lock (runs its analysis now)."""
        lock = try_lock(self.root / result_id / RUN_LOCK_NAME, create=False)
        if lock is None:
            return (self.root / result_id / RUN_LOCK_NAME).exists()
        lock.release()
        return False

    # -- taking work --------------------------------------------------------------------------
    def take_slot(self) -> Lock | None:
        """One of the ``slots`` run slots, or None when all are taken."""
        self._ensure()
        for k in range(self.slots):
            lock = try_lock(self.dir / f"slot-{k}.lock")
            if lock is not None:
                return lock
        return None

    def claim(self, result_id: str) -> Lock | None:
        """``result_id``'s run lock when it is still queued and nobody else claimed it."""
        folder = self.root / result_id
        lock = try_lock(folder / RUN_LOCK_NAME, create=folder.is_dir())
        if lock is None:
            return None
        if (_status(folder) or {}).get("state") != "queued":  # run and finished meanwhile
            lock.release()
            return None
        return lock

    @contextmanager
    def admitting(self) -> Iterator[None]:
        """Hold the admission lock: count the queue and add to it as one step."""
        self._ensure()
        with held(self.dir / "admit.lock"):
            yield

    # -- cancelling ---------------------------------------------------------------------------
    def remove_waiting(self, result_id: str) -> bool:
        """Remove a queued upload that has not started (its folder and video); False when
        it runs (or ran) already."""
        folder = self.root / result_id
        lock = try_lock(folder / RUN_LOCK_NAME) if folder.is_dir() else None
        if lock is None:  # running, or gone
            return False
        try:
            if (_status(folder) or {}).get("state") != "queued":
                return False
            trash = self.root / f".cancelled-{result_id}-{secrets.token_hex(3)}"
            try:
                os.rename(folder, trash)  # claims see no folder from here on
            except FileNotFoundError:
                return False
        finally:
            lock.release()
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def ask_to_cancel(self, result_id: str) -> None:
        """Ask whichever process runs ``result_id`` to stop it."""
        (self.root / result_id / CANCEL_NAME).touch()

    def cancel_asked(self, result_id: str) -> bool:
        return (self.root / result_id / CANCEL_NAME).exists()

    # -- how long it takes --------------------------------------------------------------------
    def seconds_per_frame(self, default: float) -> float:
        """The running average of seconds per video frame, ``default`` before any."""
        try:
            value = float(json.loads((self.dir / RATE_NAME).read_text())["s_per_frame"])
        except (OSError, ValueError, KeyError, TypeError):
            return default
        return value if value > 0 else default

    def record_rate(self, seconds: float, frames: int, default: float) -> None:
        """Fold one finished analysis (``seconds`` for ``frames`` frames) into the average."""
        if frames <= 0 or seconds <= 0:
            return
        self._ensure()
        old = self.seconds_per_frame(default)
        new = (1 - RATE_WEIGHT) * old + RATE_WEIGHT * seconds / frames
        write_json_atomic(self.dir / RATE_NAME, {"s_per_frame": new})
