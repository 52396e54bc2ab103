"""Helpers for the store, report and TRC tests: a throw-away PostgreSQL server, one real
analysis of the walking clip shared by every test module, hand-made summaries."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

# -- PostgreSQL -----------------------------------------------------------------------------------
#: Debian's server binaries; scripts/ci_postgres.sh installs them.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def _pg_bin() -> Path | None:
    found = [Path(p) for p in glob.glob(PG_BIN_GLOB) if (Path(p) / "initdb").is_file()]
    if not found:
        return None
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A PostgreSQL cluster in a temporary folder on a free port, trust auth on 127.0.0.1.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres``
    system user (created by Debian's package) and its commands run through ``runuser``.
    """

    def __init__(self) -> None:
        bin_dir = _pg_bin()
        if bin_dir is None:
            message = (
                "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: "
                "run `bash scripts/ci_postgres.sh` (as root)"
            )
            pytest.fail(message)  # make test installs it; never skipped
        self.bin = bin_dir
        self.base = Path(tempfile.mkdtemp(prefix="gaitlab-pg-"))
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("running as root needs the 'postgres' system user (Debian package)")
            os.chown(self.base, user.pw_uid, user.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.data = self.base / "data"
        self.port = 0
        self._n = 0
        self._start()

    def _run(self, *cmd: str, timeout: float = 120) -> None:
        proc = subprocess.run([*self.run_as, *cmd], capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{cmd[0]} failed: {proc.stdout}\n{proc.stderr}\n{tail}")

    def _start(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "gaitlab",
            "--auth=trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        last_error: Exception | None = None
        for _ in range(3):  # a port taken between choosing and binding: choose another
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._run(
                    str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                    str(self.base / "server.log"), "-w", "-t", "60", "-o", options, "start",
                )  # fmt: skip
                return
            except RuntimeError as err:
                last_error = err
                time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://gaitlab@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import sqlalchemy as sa

        self._n += 1
        name = f"gaitlab_test_{self._n}"
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


# -- a real analysis ------------------------------------------------------------------------------
_WALK: dict[str, Any] = {}


def walk_analysis(tmp_path_factory: pytest.TempPathFactory, clip: Path) -> tuple[Any, Path]:
    """``(Analysis, result folder)`` of the side-view walking clip (135 frames), made once
    per test session and shared by the store, report and TRC tests."""
    if "result" not in _WALK:
        from gaitlab.pipeline import AnalyzeOptions, analyze_video

        out = tmp_path_factory.mktemp("walk_result")
        analysis = analyze_video(clip, out, AnalyzeOptions(task="walk"))
        _WALK["result"] = (analysis, out)
    return _WALK["result"]


# -- hand-made summaries ------------------------------------------------------------------------
def make_summary(
    metrics: dict[str, Any] | None = None,
    *,
    task: str = "walk",
    view: str = "anterior",
    flags: list[dict[str, Any]] | None = None,
    path: str = "/videos/walk.mp4",
) -> dict[str, Any]:
    """A summary.json-shaped dict with only what the store and report read."""
    return {
        "task": task,
        "gaitlab_version": "test",
        "video": {
            "path": path,
            "fps": 30.0,
            "frames": 90,
            "duration_s": 3.0,
            "width": 1280,
            "height": 720,
            "rotation_deg": 0,
        },
        "view": view,
        "quality": {
            "detected_fraction": 1.0,
            "persons_seen": 1,
            "subject_track": 0,
            "warnings": [],
        },
        "metrics": dict(metrics or {}),
        "unavailable": {},
        "events": [],
        "reps": [],
        "flags": list(flags or []),
    }
