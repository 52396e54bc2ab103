"""Analyses started in the app, staged in the store until they succeed.

Every upload gets a folder ``<home>/uploads/<id>/`` holding:

- ``input<ext>``: the uploaded video, as uploaded;
- ``request.json``: what was asked (task, subject, height, sex, the file's name, whose
  video it is);
- ``status.json``: ``queued`` → ``running`` (stage and progress) → ``done`` or ``error``
  (with the one-line message), rewritten atomically while the analysis runs;
- ``persons.json``: every person seen (track id, when, where), for choosing the subject, and
  ``people.pkl``, the pose of every person in every frame, kept when more than one person was
  seen so that re-running with another subject skips pose estimation;
- while the analysis runs, its outputs (``summary.json``, ``frames.csv``, ``annotated.mp4``).

When the analysis succeeded, :meth:`Uploads.commit` makes it a session of the history: the
outputs move into ``sessions/<id>/`` (one copy of each file, owned by the history) and
``history.json`` records the session id, so the result is saved exactly once however often
it is run, reloaded or retried. From then on :meth:`Uploads.output` finds the files in the
session. Nothing here knows about analyses: the request and status are plain dicts.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from gaitlab.core.errors import GaitlabError
from gaitlab.io.export import FRAMES_NAME, SUMMARY_NAME, VIDEO_NAME
from gaitlab.store.core import Store
from gaitlab.store.files import read_record, session_with_origin
from gaitlab.store.home import (
    LANDMARKS_NAME,
    SESSIONS_DIR,
    UPLOADS_DIR,
    gaitlab_home,
    session_folder,
)
from gaitlab.store.landmarks import Landmarks

REQUEST_NAME = "request.json"
STATUS_NAME = "status.json"
PERSONS_NAME = "persons.json"
PEOPLE_NAME = "people.pkl"
ERROR_LOG_NAME = "error.log"
HISTORY_NAME = "history.json"
#: The outputs of an analysis, which a commit hands over to the history.
OUTPUT_NAMES = (SUMMARY_NAME, FRAMES_NAME, VIDEO_NAME, LANDMARKS_NAME)

#: Video types the upload accepts (PyAV opens them by content; the suffix is a first filter).
VIDEO_TYPES = ("mp4", "mov", "m4v", "webm", "mkv", "avi")

_ID_RE = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")


def valid_id(result_id: object) -> bool:
    """Whether ``result_id`` looks like an id this store makes (no path tricks)."""
    return isinstance(result_id, str) and bool(_ID_RE.match(result_id))


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)


@dataclass(frozen=True)
class ResultInfo:
    """One row of the uploads list."""

    result_id: str
    filename: str
    task: str
    subject: str
    created: str
    state: str
    person_name: str | None = None


class Uploads:
    """The uploads folder: ``root/<id>/`` per analysis (see the module docstring).

    ``root`` is ``<home>/uploads``; committed analyses become sessions of the history in
    that home (database: ``GAITLAB_DB_URL``, else the home's own).
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else gaitlab_home() / UPLOADS_DIR
        self.home = self.root.parent

    # -- paths ------------------------------------------------------------------------------
    def path(self, result_id: str) -> Path:
        if not valid_id(result_id):
            raise GaitlabError(f"{result_id!r} is not a result id")
        return self.root / result_id

    def exists(self, result_id: str) -> bool:
        return valid_id(result_id) and (self.path(result_id) / REQUEST_NAME).is_file()

    def input_path(self, result_id: str) -> Path:
        return self.path(result_id) / self.request(result_id)["input"]

    def output(self, result_id: str, name: str) -> Path:
        """Where output file ``name`` is: in the history's session once committed, else in
        the upload's folder (where the analysis writes it)."""
        sid = self.history(result_id).get("session_id")
        if isinstance(sid, int):
            kept = self.home / session_folder(sid) / name
            if kept.exists():
                return kept
        return self.path(result_id) / name

    def summary_path(self, result_id: str) -> Path:
        return self.output(result_id, SUMMARY_NAME)

    def frames_path(self, result_id: str) -> Path:
        return self.output(result_id, FRAMES_NAME)

    def video_path(self, result_id: str) -> Path:
        return self.output(result_id, VIDEO_NAME)

    # -- creating ---------------------------------------------------------------------------
    def _new_dir(self) -> tuple[str, Path]:
        self.root.mkdir(parents=True, exist_ok=True)
        while True:
            rid = f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
            folder = self.root / rid
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            return rid, folder

    def add(
        self,
        filename: str,
        data: IO[bytes] | bytes,
        request: Mapping[str, Any],
        status: Mapping[str, Any],
    ) -> str:
        """A new upload holding the video (``data``), the request and the first status;
        returns its id."""
        suffix = Path(filename).suffix.lower()
        if suffix.lstrip(".") not in VIDEO_TYPES:
            suffix = ".video"
        rid, folder = self._new_dir()
        target = folder / f"input{suffix}"
        with target.open("wb") as out:
            if isinstance(data, bytes | bytearray | memoryview):
                out.write(data)
            else:
                shutil.copyfileobj(data, out, length=1 << 20)
        self._write_request(folder, filename, target.name, request, status)
        return rid

    def add_rerun(
        self, parent_id: str, request: Mapping[str, Any], status: Mapping[str, Any]
    ) -> str:
        """A new upload of the same video as ``parent_id`` (another request); returns its id.

        The video is hard-linked (copied where links are not possible): both uploads are the
        store's own and never edited. The parent's poses are reused when it kept them."""
        src = self.input_path(parent_id)
        rid, folder = self._new_dir()
        _link_or_copy(src, folder / src.name)
        people = self.path(parent_id) / PEOPLE_NAME
        if people.is_file():
            _link_or_copy(people, folder / PEOPLE_NAME)
        filename = self.request(parent_id)["filename"]
        self._write_request(folder, filename, src.name, request, status)
        return rid

    @staticmethod
    def _write_request(
        folder: Path,
        filename: str,
        input_name: str,
        request: Mapping[str, Any],
        status: Mapping[str, Any],
    ) -> None:
        write_json_atomic(folder / STATUS_NAME, status)
        write_json_atomic(folder / REQUEST_NAME, {"filename": filename, "input": input_name,
                                                  **request})  # fmt: skip

    # -- reading and writing ----------------------------------------------------------------
    def request(self, result_id: str) -> dict[str, Any]:
        try:
            return json.loads((self.path(result_id) / REQUEST_NAME).read_text())
        except FileNotFoundError:
            raise GaitlabError(f"no result {result_id} in {self.root}") from None

    def read_status(self, result_id: str) -> dict[str, Any] | None:
        """What ``status.json`` says, or None when there is no such upload."""
        try:
            return json.loads((self.path(result_id) / STATUS_NAME).read_text())
        except (FileNotFoundError, json.JSONDecodeError, GaitlabError):
            return None

    def write_status_data(self, result_id: str, status: Mapping[str, Any]) -> None:
        write_json_atomic(self.path(result_id) / STATUS_NAME, status)

    def summary(self, result_id: str) -> dict[str, Any]:
        return json.loads(self.summary_path(result_id).read_text())

    def history(self, result_id: str) -> dict[str, Any]:
        """What :data:`HISTORY_NAME` says (``{"session_id": ...}`` once saved, or
        ``{"error": ...}`` when saving failed), empty before any attempt."""
        try:
            return json.loads((self.path(result_id) / HISTORY_NAME).read_text())
        except (FileNotFoundError, json.JSONDecodeError, GaitlabError):
            return {}

    def session_links(self) -> dict[int, str]:
        """History session id → result id, for every upload saved to the history."""
        out: dict[int, str] = {}
        if not self.root.is_dir():
            return out
        for folder in self.root.iterdir():
            sid = self.history(folder.name).get("session_id") if valid_id(folder.name) else None
            if isinstance(sid, int):
                out[sid] = folder.name
        return out

    def persons(self, result_id: str) -> list[dict[str, Any]]:
        path = self.path(result_id) / PERSONS_NAME
        return json.loads(path.read_text())["persons"] if path.is_file() else []

    def write_persons(self, result_id: str, persons: list[dict[str, Any]]) -> None:
        write_json_atomic(self.path(result_id) / PERSONS_NAME, {"persons": persons})

    def list(self) -> list[ResultInfo]:
        """Every upload, newest first."""
        if not self.root.is_dir():
            return []
        out = []
        for folder in sorted(self.root.iterdir(), reverse=True):
            if not self.exists(folder.name):
                continue
            r = self.request(folder.name)
            out.append(
                ResultInfo(
                    result_id=folder.name,
                    filename=r["filename"],
                    task=r["task"],
                    subject=r["subject"],
                    created=r["created"],
                    state=(self.read_status(folder.name) or {}).get("state", "missing"),
                    person_name=r.get("person_name"),
                )
            )
        return out

    def delete(self, result_id: str) -> None:
        shutil.rmtree(self.path(result_id), ignore_errors=True)

    # -- committing -------------------------------------------------------------------------
    def commit(self, result_id: str, landmarks: Landmarks | None = None) -> dict[str, Any]:
        """Make a finished analysis a session of the history, under the request's person,
        once: an upload that has a :data:`HISTORY_NAME` is not saved again. Returns what was
        written there.

        The outputs move into the session (which names the uploaded file, not
        ``input.mp4``); the upload keeps its video and request. A person deleted since the
        upload leaves the session without a person. A failure to save is recorded
        (``{"error": ...}``) and the outputs stay in the upload.
        """
        done = self.history(result_id)
        if "session_id" in done:
            self._drop_outputs(result_id)
            return done
        folder = self.path(result_id)
        request = self.request(result_id)
        saved = self.lost_link(result_id)
        if saved is not None:  # saved before, but the process stopped before it said so
            return self.relink(result_id, saved)
        try:
            summary = json.loads((folder / SUMMARY_NAME).read_text())
            summary.setdefault("video", {})["path"] = request["filename"]
            files = {n: folder / n for n in (FRAMES_NAME, VIDEO_NAME) if (folder / n).is_file()}
            with Store.open(home=self.home) as history:
                person = request.get("person_id")
                if person is not None and person not in {p.id for p in history.persons()}:
                    person = None
                sid = history.save_analysis(
                    summary,
                    person,
                    source="file",
                    files=files,
                    landmarks=landmarks,
                    move=True,
                    origin=self.origin(result_id),
                )
            out: dict[str, Any] = {"session_id": sid, "person_id": person}
        except Exception as exc:  # the analysis itself is fine: say why it is not in the history
            out = {"error": f"{type(exc).__name__}: {exc}"}
        write_json_atomic(folder / HISTORY_NAME, out)
        if "session_id" in out:
            self._drop_outputs(result_id)
        return out

    def origin(self, result_id: str) -> str:
        """What a session saved from this upload records as its origin."""
        return f"{UPLOADS_DIR}/{result_id}"

    def lost_link(self, result_id: str) -> int | None:
        """The session saved from this upload when its :data:`HISTORY_NAME` does not say so
        (the process stopped between the save and writing it), else None."""
        if "session_id" in self.history(result_id):
            return None
        return session_with_origin(self.home / SESSIONS_DIR, self.origin(result_id))

    def relink(self, result_id: str, session_id: int) -> dict[str, Any]:
        """Write the link to ``session_id`` (whose record names this upload) and drop the
        outputs the session holds; returns what was written."""
        record = read_record(self.home / session_folder(session_id))
        person = (record.get("person") or {}).get("id")
        out: dict[str, Any] = {"session_id": session_id, "person_id": person}
        write_json_atomic(self.path(result_id) / HISTORY_NAME, out)
        self._drop_outputs(result_id)
        return out

    def _drop_outputs(self, result_id: str) -> None:
        """Remove outputs left in a committed upload's folder (the session has them)."""
        for name in OUTPUT_NAMES:
            (self.path(result_id) / name).unlink(missing_ok=True)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
