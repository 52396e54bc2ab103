"""The command line as a careful user and a hostile input see it: where ``--out`` may point,
what Ctrl-C leaves behind, and what reaches the terminal from names and notes."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import textwrap
import threading
import time
from pathlib import Path

import pytest
from storekit import make_summary

import gaitlab.cli.live_session
import gaitlab.pipeline
from gaitlab.cli.main import main
from gaitlab.cli.terminal import safe
from gaitlab.store import Store


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private GAITLAB_HOME (SQLite) for one test."""
    path = tmp_path / "home"
    monkeypatch.setenv("GAITLAB_HOME", str(path))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    return path


@pytest.fixture
def no_pose_work(monkeypatch):
    """Any pose work, or any live session, fails the test."""

    def forbidden(*args, **kwargs):
        raise AssertionError("pose work started before --out was checked")

    monkeypatch.setattr(gaitlab.pipeline, "estimate_people", forbidden)
    monkeypatch.setattr(gaitlab.pipeline, "resolve_bundle", forbidden)
    monkeypatch.setattr(gaitlab.cli.live_session, "run_live", forbidden)


def _saved_session(home: Path, tmp_path: Path) -> int:
    result = tmp_path / "result"
    result.mkdir()
    (result / "summary.json").write_text(json.dumps(make_summary({"cadence_spm": 100.0})))
    (result / "frames.csv").write_text("frame,t_s\n0,0.0\n1,0.033\n")
    with Store.open() as store:
        return store.save_analysis(result)


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


# -- item 3: --out ---------------------------------------------------------------------------------
def _bad_outs(tmp_path: Path) -> list[tuple[Path, str]]:
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    outs = [(a_file, "is a file, not a folder"), (a_file / "sub", "is a file")]
    outs.append((Path("/sys/gaitlab-out"), "cannot write"))  # even root cannot write there
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        outs.append((locked / "out", "cannot write"))
    return outs


@pytest.mark.parametrize("command", ["analyze", "live"])
def test_out_is_checked_before_any_pose_work(
    command, walk_side_clip, home, tmp_path, no_pose_work, capsys
):
    for out, message in _bad_outs(tmp_path):
        args = (
            ["analyze", str(walk_side_clip)]
            if command == "analyze"
            else ["live", "--task", "balance", "--source", str(walk_side_clip)]
        )
        assert main([*args, "--out", str(out)]) == 1  # no_pose_work: refused before any
        assert message in _one_line_error(capsys)
    assert not (tmp_path / "a_file").is_dir()


def test_out_inside_the_gaitlab_home_is_refused(
    walk_side_clip, home, tmp_path, no_pose_work, capsys
):
    sid = _saved_session(home, tmp_path)
    session_dir = home / "sessions" / str(sid)
    before = {p.name: p.read_bytes() for p in session_dir.iterdir() if p.is_file()}
    for args in (
        ["analyze", str(walk_side_clip), "--out", str(session_dir)],
        ["analyze", str(walk_side_clip), "--out", str(home)],
        ["live", "--task", "balance", "--source", str(walk_side_clip), "--out", str(home / "x")],
        ["export", str(sid), "--format", "csv", "--out", str(session_dir / "summary.json")],
        ["report", str(sid), "--out", str(home / "report.pdf")],
    ):
        assert main(args) == 1
        assert "inside the gaitlab home folder" in _one_line_error(capsys)
    assert {p.name: p.read_bytes() for p in session_dir.iterdir() if p.is_file()} == before
    assert not (home / "report.pdf").exists()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_onto_a_folder_is_one_line_exit_1_nothing_left(fmt, home, tmp_path, capsys):
    sid = _saved_session(home, tmp_path)
    folder = tmp_path / "exports"
    folder.mkdir()
    assert main(["export", str(sid), "--format", fmt, "--out", str(folder)]) == 1
    assert "is a folder" in _one_line_error(capsys)
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert main(["report", str(sid), "--out", str(folder)]) == 1
    assert "is a folder" in _one_line_error(capsys)


# -- item 4: Ctrl-C and SIGTERM --------------------------------------------------------------------
class _Terminal:
    """``python -m gaitlab ARGS`` with stderr on a pseudo-terminal (so the progress bar shows),
    read all along in a thread so that the process never blocks on a full terminal."""

    def __init__(self, args: list[str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gaitlab", *args], stdout=subprocess.PIPE, stderr=slave
        )
        os.close(slave)
        self.seen = b""
        self._reader = threading.Thread(target=self._read, args=(master,), daemon=True)
        self._reader.start()

    def _read(self, master: int) -> None:
        try:
            while chunk := os.read(master, 4096):
                self.seen += chunk
        except OSError:  # the process ended: its terminal is gone
            pass
        finally:
            os.close(master)

    def wait_for(self, wanted: bytes, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while wanted not in self.seen:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {wanted!r}: {self.seen[-300:]!r}")
            time.sleep(0.01)

    def finish(self) -> bytes:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=5)
        return self.seen


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_analyze_within_2_s_leaving_nothing(
    signum, code, walk_turn_clip, home, tmp_path
):
    with Store.open() as store:
        store.add_person("Ana")
    out = tmp_path / "out"
    run = _Terminal(["analyze", str(walk_turn_clip), "--out", str(out), "--person", "Ana"])
    proc = run.proc
    try:
        run.wait_for(b"pose estimation", timeout_s=120)
        t0 = time.monotonic()
        proc.send_signal(signum)
        code_seen = proc.wait(timeout=10)
        stopped_s = time.monotonic() - t0
    finally:
        terminal = run.finish()
    assert code_seen == code, terminal[-500:]
    assert stopped_s < 2.0
    assert b"interrupted" in terminal
    assert proc.stdout is not None and b"wrote" not in proc.stdout.read()
    assert not out.exists() or list(out.iterdir()) == []  # no summary.json, no hidden stage
    with Store.open() as store:
        assert store.sessions() == []


def test_a_second_ctrl_c_exits_at_once(tmp_path):
    """Work that does not look at its cancel event still ends on the second Ctrl-C."""
    script = textwrap.dedent(
        """
        import sys, time
        from gaitlab.cli.interrupt import cancel_on_signals
        with cancel_on_signals() as interrupts:
            print("ready", flush=True)
            while True:  # ignores interrupts.cancel
                time.sleep(0.01)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
        assert proc.poll() is None  # the first only asked the work to stop
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 130  # the loop never ends by itself
    finally:
        if proc.poll() is None:
            proc.kill()


# -- item 5: terminal text, names and ids ---------------------------------------------------------
def test_safe_escapes_controls_and_keeps_printable_text():
    assert safe("Ana\x1b[2J\x1b]0;owned\x07") == "Ana\\x1b[2J\\x1b]0;owned\\x07"
    assert safe("a\rb\nc\td\x7f\x9b") == "a\\rb\\nc\\td\\x7f\\x9b"
    assert safe("x\u202ey") == "x\\u202ey"  # a bidi override
    assert safe("Zoë · Ōkubo …") == "Zoë · Ōkubo …"
    assert safe(3) == "3"


def test_names_and_notes_reach_the_terminal_escaped(home, capsys):
    evil = "Eve\x1b[2J\x1b[31m"
    assert main(["person", "add", evil]) == 0
    assert main(["programme", "log", "toe yoga", "--minutes", "2", "--notes", "ok\x1b[8m"]) == 0
    for args in (["person", "list"], ["history"], ["history", "--person", evil]):
        capsys.readouterr()
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "Eve\\x1b[2J\\x1b[31m" in out
    with Store.open() as store:
        store.save_analysis(make_summary(path="/videos/walk\x1b]0;owned\x07.mp4"), evil)
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "ok\\x1b[8m" in out and "walk\\x1b]0;owned\\x07.mp4" in out
    assert main(["person", "delete", evil]) == 1  # asks for --yes; the name comes back escaped
    assert "\x1b" not in capsys.readouterr().err


def test_person_delete_takes_a_name_or_an_id_never_guessing(home, capsys):
    for name in ("Ana", "1", "Bo"):
        assert main(["person", "add", name]) == 0
    with Store.open() as store:
        ids = {p.name: p.id for p in store.persons()}
    assert ids == {"Ana": 1, "1": 2, "Bo": 3}
    capsys.readouterr()
    assert main(["person", "delete", "3", "--yes"]) == 1  # nobody is named "3"
    assert "--id 3" in _one_line_error(capsys)
    assert main(["person", "delete", "1", "--yes"]) == 0  # the person named "1" (id 2)
    assert main(["person", "delete", "--id", "1", "--yes"]) == 0  # Ana
    assert main(["person", "delete", "Bo", "--yes"]) == 0  # the old positional form
    with Store.open() as store:
        assert store.persons() == []
    with pytest.raises(SystemExit) as usage:
        main(["person", "delete", "Ana", "--id", "1"])
    assert usage.value.code == 2
