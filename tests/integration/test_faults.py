"""Fault injection: a process killed in the middle of a save, a full disk, a read-only home,
four processes saving at once, the database deleted while an analysis runs, decompression
bombs. Each case checks that nothing saved before is lost, that no half session looks
complete, and that the user gets one clear line (no traceback).

The processes are real ``gaitlab`` commands (:mod:`faultchild`): pose estimation is replaced
by the poses of the clip (posed once per test session) except in the one case that runs
the whole command, so that a case costs seconds. Small and read-only file systems are real
tmpfs mounts (the tests run as root, as CI does).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gaitlab.cli.main import main

REPO = Path(__file__).resolve().parents[2]
CHILD = REPO / "tests" / "fixtures" / "faultchild.py"
#: The cheapest real clip to pose (71 frames, 480×270): its poses stand in for pose
#: estimation in the child processes.
CLIP = REPO / "tests" / "data" / "walk_away_back_view_lowres.mp4"


@pytest.fixture(scope="module")
def people_pickle(pose_cache, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "people.pkl"
    path.write_bytes(pickle.dumps(pose_cache.people(CLIP)))
    return path


@pytest.fixture
def posed(people_pickle, monkeypatch) -> None:
    """Pose estimation in this process returns the clip's poses (as in the children)."""
    import gaitlab.pipeline as pipeline

    people = pickle.loads(people_pickle.read_bytes())
    monkeypatch.setattr(pipeline, "estimate_people", lambda *_a, **_k: people)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("GAITLAB_HOME", str(path))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    return path


def _child(
    spec: dict, home: Path, tmp: Path, *, timeout_s: float = 120
) -> subprocess.CompletedProcess:
    """Run :mod:`faultchild` with ``spec`` against the history in ``home``."""
    spec_path = tmp / f"spec-{time.monotonic_ns()}.json"
    spec_path.write_text(json.dumps(spec))
    env = {**os.environ, "GAITLAB_HOME": str(home)}
    env.pop("GAITLAB_DB_URL", None)
    return subprocess.run(
        [sys.executable, str(CHILD), str(spec_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def _analyze(out: Path, *extra: str) -> list[str]:
    return ["analyze", str(CLIP), "--task", "walk", "--no-video", "--out", str(out), *extra]


def _one_line(err: str) -> str:
    """The child's stderr: exactly one line, starting ``error:``, no traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def _cli(*argv: str) -> tuple[int, str, str]:
    """``gaitlab ARGV`` in this process: exit code, stdout, stderr."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _sessions(home: Path) -> dict[int, dict]:
    """Every session the history lists, by id, checked against its folder: each listed
    analysis has its folder with the files its record names, at the sizes saved."""
    code, out, err = _cli("history", "--json")
    assert code == 0, err
    listed = {s["id"]: s for s in json.loads(out)}
    for sid in listed:
        folder = home / "sessions" / str(sid)
        record = json.loads((folder / "record.json").read_text())
        for name, size in record["files"].items():
            assert (folder / name).stat().st_size == size, (sid, name)
    return listed


def _visible_folders(home: Path) -> set[int]:
    root = home / "sessions"
    return {int(p.name) for p in root.iterdir() if p.name.isdigit()} if root.is_dir() else set()


# -- kill -9 in the middle of a save ---------------------------------------------------------------
@pytest.mark.parametrize("point", ["stage-made", "mid-copy", "renamed", "committed"])
def test_kill_9_during_a_save_loses_nothing(point, people_pickle, posed, home, tmp_path):
    assert _cli(*_analyze(tmp_path / "out0"))[0] == 0
    before = _sessions(home)
    assert list(before) == [1]
    saved_files = {p.name: p.read_bytes() for p in (home / "sessions" / "1").iterdir()}

    killed = _child(
        {"argv": _analyze(tmp_path / "out1"), "people": str(people_pickle), "kill_at": point},
        home,
        tmp_path,
    )
    assert killed.returncode == -9, killed.stderr
    assert "saved to the history" not in killed.stdout

    # The history opens; a session is listed only when complete (all its files, as saved).
    after = _sessions(home)
    assert set(after) == ({1, 2} if point == "committed" else {1})
    assert {p.name: p.read_bytes() for p in (home / "sessions" / "1").iterdir()} == saved_files

    code, out, err = _cli("history", "doctor")
    if point == "renamed":  # a complete folder the database never committed: indexed again
        assert code == 1 and "sessions/2 is not in the database" in out, out
    elif point in ("stage-made", "mid-copy"):  # a young staging folder: left to its owner
        assert code == 1 and "still in progress" in out, out
    else:
        assert code == 0 and "nothing to repair" in out, out
    code, out, err = _cli("history", "doctor", "--repair")
    listed = _sessions(home)
    assert set(listed) == ({1} if point in ("stage-made", "mid-copy") else {1, 2})
    assert set(listed) <= _visible_folders(home)

    # The next save works and takes a new id, never the killed save's.
    code, out, err = _cli(*_analyze(tmp_path / "out2"))
    assert code == 0, err
    expected = 2 if point in ("stage-made", "mid-copy") else 3  # no id was taken yet
    assert f"saved to the history as session {expected} " in out
    assert max(_sessions(home)) == expected


# -- four processes at once --------------------------------------------------------------------
def test_four_processes_save_ten_analyses_each_into_one_history(
    people_pickle, posed, home, tmp_path
):
    """The save ``gaitlab analyze`` makes after a run, 4 processes × 10 at once, from one
    real analysis written once (the analysis itself is not what is tested here)."""
    assert _cli("person", "add", "Ana")[0] == 0
    assert _cli(*_analyze(tmp_path / "result", "--person", "Ana"))[0] == 0  # session 1
    from gaitlab.pipeline import AnalyzeOptions, analyze_people

    people = pickle.loads(people_pickle.read_bytes())
    analysis = analyze_people(people, AnalyzeOptions(task="walk"), str(CLIP))
    (tmp_path / "analysis.pkl").write_bytes(pickle.dumps(analysis))
    save = {"analysis": str(tmp_path / "analysis.pkl"), "out": str(tmp_path / "result")}
    started = time.monotonic()
    procs = []
    for k in range(4):
        spec_path = tmp_path / f"spec-{k}.json"
        spec_path.write_text(json.dumps({"save": {**save, "person": "Ana"}, "repeat": 10}))
        procs.append(
            subprocess.Popen(
                [sys.executable, str(CHILD), str(spec_path)],
                env={**os.environ, "GAITLAB_HOME": str(home)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    results = [p.communicate(timeout=300) for p in procs]
    elapsed = time.monotonic() - started
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0 and out.count("saved ") == 10, out + err
    said = sorted(int(line.split()[1]) for out, _ in results for line in out.splitlines())
    assert said == list(range(2, 42))  # 40 new ids, all distinct
    listed = _sessions(home)
    assert sorted(listed) == [1, *said] and _visible_folders(home) == set(listed)
    assert all(s["person"]["name"] == "Ana" for s in listed.values())
    reference = (home / "sessions" / "1" / "frames.csv").read_bytes()
    assert all((home / "sessions" / str(s) / "frames.csv").read_bytes() == reference for s in said)
    assert not [p for p in (home / "sessions").iterdir() if p.name.startswith(".staging")]
    code, out, _ = _cli("history", "doctor")
    assert code == 0 and "nothing to repair" in out, out
    print(f"4 x 10 saves in {elapsed:.1f} s")


# -- small, full and read-only file systems ----------------------------------------------------
@pytest.fixture
def mounts():
    """``mount(path, size_kb)``: a real tmpfs of that size at ``path`` (unmounted after the
    test); ``remount_ro(path)`` makes it read-only. Root only, as in CI: a permission bit
    stops nobody running as root, a read-only file system stops everybody."""
    mounted: list[Path] = []

    def mount(path: Path, size_kb: int) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(path)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.fail(f"these tests mount a tmpfs and need root (CI runs as root): {done.stderr}")
        mounted.append(path)
        return path

    def remount(path: Path, how: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{how}", str(path)], check=True)

    yield mount, remount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


def _fill(folder: Path, leave_kb: int) -> Path:
    """Fill the file system of ``folder`` until ``leave_kb`` kB are free."""
    filler = folder / "filler"
    filler.unlink(missing_ok=True)
    free_kb = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize // 1024
    with filler.open("wb") as f:
        f.write(b"\0" * max(0, free_kb - leave_kb) * 1024)
    return filler


def _snapshot(home: Path) -> dict[str, bytes]:
    root = home / "sessions"
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def test_a_full_disk_under_the_history_saves_nothing_and_says_so(posed, mounts, home, tmp_path):
    mount, _ = mounts
    mount(home, 400)
    assert _cli(*_analyze(tmp_path / "out1"))[0] == 0
    before, kept = _sessions(home), _snapshot(home)

    filler = _fill(home, 60)  # the database opens, the session's files do not fit
    code, out, err = _cli(*_analyze(tmp_path / "out2"))
    line = _one_line(err)
    assert code == 1 and "No space left on device; nothing was saved" in line, line
    assert f"the results are in {tmp_path / 'out2'}" in line
    assert (tmp_path / "out2" / "summary.json").is_file()
    assert _sessions(home) == before and _snapshot(home) == kept
    assert not [p for p in (home / "sessions").iterdir() if p.name.startswith(".staging")]

    _fill(home, 0)  # not even the database opens: said before any work
    code, out, err = _cli(*_analyze(tmp_path / "out3"))
    line = _one_line(err)
    assert code == 1 and f"the disk holding {home} is full" in line, line
    assert not (tmp_path / "out3").exists()

    filler.unlink()  # space again: the next save works, under a new id
    code, out, err = _cli(*_analyze(tmp_path / "out4"))
    assert code == 0 and "saved to the history as session 2 " in out, err
    assert _snapshot(home).items() >= kept.items()
    assert _cli("history", "doctor")[0] == 0


def test_a_full_disk_under_out_writes_nothing_real_command(mounts, home, tmp_path):
    """The whole ``gaitlab analyze`` (pose estimation included) onto a 100 kB --out."""
    mount, _ = mounts
    out = mount(tmp_path / "small", 100) / "results"
    env = {**os.environ, "GAITLAB_HOME": str(home)}
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gaitlab",
            "analyze",
            str(CLIP),
            "--task",
            "walk",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    line = _one_line(done.stderr)
    assert done.returncode == 1, done.stderr
    assert line == (
        f"error: cannot write the results to {out}: No space left on device; "
        "nothing was written there"
    )
    assert list(out.parent.iterdir()) == []  # no partial file, not even the folder
    assert _sessions(home) == {}  # nothing saved
    print(f"real analyze onto a full --out: {time.monotonic() - started:.1f} s")


def test_a_read_only_home_is_refused_before_any_pose_work(
    people_pickle, mounts, home, tmp_path, monkeypatch
):
    mount, remount = mounts
    mount(home, 2000)
    import gaitlab.pipeline as pipeline

    people = pickle.loads(people_pickle.read_bytes())
    monkeypatch.setattr(pipeline, "estimate_people", lambda *_a, **_k: people)
    assert _cli(*_analyze(tmp_path / "out1"))[0] == 0
    kept = _snapshot(home)
    remount(home, "ro")

    def no_pose(*_a, **_k):
        raise AssertionError("pose estimation started although nothing could be saved")

    monkeypatch.setattr(pipeline, "estimate_people", no_pose)
    code, out, err = _cli(*_analyze(tmp_path / "out2"))
    line = _one_line(err)
    assert code == 1 and f"{home} cannot be written: Read-only file system" in line, line
    assert not (tmp_path / "out2").exists()
    remount(home, "rw")
    assert _snapshot(home) == kept and list(_sessions(home)) == [1]


def test_a_read_only_sessions_folder_is_refused_before_any_pose_work(
    people_pickle, mounts, home, tmp_path, monkeypatch
):
    """The database can be written but the session folders cannot (the check the store makes
    for any database, PostgreSQL included)."""
    mount, remount = mounts
    assert _cli("history")[0] == 0  # creates the history
    mount(home / "sessions", 100)
    remount(home / "sessions", "ro")
    import gaitlab.pipeline as pipeline

    def no_pose(*_a, **_k):
        raise AssertionError("pose estimation started although nothing could be saved")

    monkeypatch.setattr(pipeline, "estimate_people", no_pose)
    code, out, err = _cli(*_analyze(tmp_path / "out"))
    line = _one_line(err)
    assert code == 1, line
    assert f"{home / 'sessions'} cannot be written (Read-only file system)" in line, line
    people = pickle.loads(people_pickle.read_bytes())
    monkeypatch.setattr(pipeline, "estimate_people", lambda *_a, **_k: people)
    code, out, err = _cli(*_analyze(tmp_path / "out", "--no-save"))  # nothing to save: runs
    assert code == 0 and "saved" not in out, err


# -- the database deleted while an analysis runs ---------------------------------------------------
def _delete_db_during_analysis(monkeypatch, home: Path) -> None:
    import gaitlab.pipeline as pipeline

    real = pipeline.analyze_people

    def then_delete(*args, **kwargs):
        for name in ("gaitlab.db", "gaitlab.db-wal", "gaitlab.db-shm"):
            (home / name).unlink(missing_ok=True)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "analyze_people", then_delete)


def test_the_database_deleted_mid_run_is_never_written_blind(posed, home, tmp_path, monkeypatch):
    assert _cli(*_analyze(tmp_path / "out1"))[0] == 0
    kept = _snapshot(home)
    with monkeypatch.context() as mp:
        _delete_db_during_analysis(mp, home)
        code, out, err = _cli(*_analyze(tmp_path / "out2"))
    line = _one_line(err)
    assert code == 1 and "deleted or replaced while gaitlab had it open" in line, line
    assert "gaitlab history doctor --repair" in line and str(tmp_path / "out2") in line
    assert "saved to the history" not in out
    assert _snapshot(home) == kept  # sessions/1 untouched, no new folder
    code, out, err = _cli("history")
    assert code == 1 and "holds no sessions" in _one_line(err)
    assert _cli("history", "doctor", "--repair")[0] == 0
    assert list(_sessions(home)) == [1]
    code, out, err = _cli(*_analyze(tmp_path / "out3"))
    assert code == 0 and "as session 2 " in out, err


def test_a_database_deleted_before_the_first_session_is_made_again(
    posed, home, tmp_path, monkeypatch
):
    """No session folder yet: the lost database held nothing, so a new one is safe."""
    assert _cli("history")[0] == 0
    with monkeypatch.context() as mp:
        _delete_db_during_analysis(mp, home)
        code, out, err = _cli(*_analyze(tmp_path / "out"))
    assert code == 0 and "saved to the history as session 1 " in out, err
    assert list(_sessions(home)) == [1]


# -- decompression bombs ---------------------------------------------------------------------------
#: ``gaitlab ARGV`` that prints its own peak memory (kB) last, on stdout: VmHWM, which
#: starts afresh at exec (``ru_maxrss`` would keep the peak of the forked test process).
_MEASURED = (
    "import re, sys\n"
    "from gaitlab.cli.main import main\n"
    "sys.argv = ['gaitlab', *sys.argv[1:]]\n"
    "code = main()\n"
    "status = open('/proc/self/status').read()\n"
    "print('peak', re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
    "sys.exit(code)\n"
)


def _run_measured(argv: list[str], home: Path) -> tuple[int, str, float]:
    """Run ``gaitlab ARGV`` in a child: exit code, stderr, its peak memory in MB."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *argv],
        env={**os.environ, "GAITLAB_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    peak_kb = int(done.stdout.split("peak")[-1])
    return done.returncode, done.stderr, peak_kb / 1024


def _png(width: int, height: int, rows: int | None = None) -> bytes:
    """A grey PNG of ``width``×``height`` zeros; with ``rows``, only that many rows of data
    follow the header (the size is still the header's)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    comp = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    data = b"".join(comp.compress(row) for _ in range(height if rows is None else rows))
    data += comp.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_photo_is_refused_before_decoding(home, tmp_path):
    """A 0.1 MB PNG of 9000×9000 zeros (81 MP, 243 MB as BGR) and a 1 kB PNG declaring
    40000×40000: refused from the header, the process stays at its usual size."""
    bomb = tmp_path / "print.png"
    bomb.write_bytes(_png(9000, 9000))
    assert bomb.stat().st_size < 200_000
    code, err, peak_mb = _run_measured(["footprint", str(bomb), "--out", str(tmp_path / "o")], home)
    line = _one_line(err)
    assert code == 1 and "print.png is 9000×9000 px (81 MP), more than the 64 MP" in line, line
    print(f"bomb photo refused at a peak of {peak_mb:.0f} MB")
    assert peak_mb < 300, peak_mb  # decoded, it alone would be 243 MB more
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png(40000, 40000, rows=4))
    code, err, _ = _run_measured(["footprint", str(huge), "--out", str(tmp_path / "o")], home)
    assert code == 1 and "claims an absurd size" in _one_line(err)
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").rglob("*.*"))


def _mpeg2(width: int, height: int) -> bytes:
    """A few kB of MPEG-2 (three 64×64 frames) whose headers declare ``width``×``height``:
    the sequence header holds the low 12 bits of each, its extension the top 2."""
    import io

    import av
    import numpy as np

    buf = io.BytesIO()
    with av.open(buf, "w", format="mpeg") as c:
        s = c.add_stream("mpeg2video", rate=25)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        for _ in range(3):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    d = bytearray(buf.getvalue())
    i = d.find(b"\x00\x00\x01\xb3")
    d[i + 4 : i + 7] = (((width & 0xFFF) << 12) | (height & 0xFFF)).to_bytes(3, "big")
    j = d.find(b"\x00\x00\x01\xb5", i)
    assert d[j + 4] >> 4 == 1  # the sequence extension
    d[j + 5] = (d[j + 5] & 0xFE) | ((width >> 13) & 1)
    d[j + 6] = (d[j + 6] & 0x1F) | (((width >> 12) & 1) << 7) | (((height >> 12) & 3) << 5)
    return bytes(d)


def _long_mkv(claimed_s: float) -> bytes:
    """Twelve 64×64 frames in Matroska whose header claims ``claimed_s`` seconds."""
    import io
    import struct

    import av
    import numpy as np

    buf = io.BytesIO()
    with av.open(buf, "w", format="matroska") as c:
        s = c.add_stream("mpeg2video", rate=25)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        for k in range(12):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), k * 20, np.uint8), "rgb24")
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    d = bytearray(buf.getvalue())
    i = d.find(b"\x44\x89")  # Segment Duration, in milliseconds (TimecodeScale 1 ms)
    size = d[i + 2] & 0x7F
    d[i + 3 : i + 3 + size] = struct.pack(">d" if size == 8 else ">f", claimed_s * 1000)
    return bytes(d)


def test_bomb_like_videos_are_refused_before_decoding(home, tmp_path):
    from gaitlab.io.video import probe

    huge = tmp_path / "huge.mpg"
    huge.write_bytes(_mpeg2(16383, 16383))
    long = tmp_path / "long.mkv"
    long.write_bytes(_long_mkv(1e9))
    assert huge.stat().st_size < 5000 and long.stat().st_size < 5000
    with pytest.raises(Exception, match=r"declares a 16383×16383 picture \(268 MP\)"):
        probe(huge)
    with pytest.raises(Exception, match=r"declares 25000000000 frames .* in only \d+ bytes"):
        probe(long)
    code, err, peak_mb = _run_measured(["analyze", str(huge), "--out", str(tmp_path / "o")], home)
    assert code == 1 and "not decoded" in _one_line(err)
    # the same command refusing a file that is no video at all: what starting it costs here
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video" * 100)
    junk_code, _, start_mb = _run_measured(
        ["analyze", str(junk), "--out", str(tmp_path / "j")], home
    )
    assert junk_code == 1
    print(f"bomb video refused at a peak of {peak_mb:.0f} MB (start-up alone {start_mb:.0f} MB)")
    assert peak_mb < start_mb + 100, (peak_mb, start_mb)  # one decoded frame would be 400 MB
    assert _sessions(home) == {} and not (tmp_path / "o").exists()


# -- the app's uploads -----------------------------------------------------------------------------
def _finished_upload(home: Path) -> tuple[str, dict[str, bytes]]:
    """An upload of the app whose analysis finished: its outputs are waiting to be saved."""
    from gaitlab.store.uploads import Uploads

    uploads = Uploads()
    request = {"task": "walk", "subject": "auto", "created": "2026-01-02T03:04:05"}
    rid = uploads.add("walk.mp4", b"\0\0\0\x18ftypmp42 video", request, {"state": "done"})
    frames = REPO / "tests" / "data" / "gait_events_truth.csv"  # any real table will do
    outputs = {
        "summary.json": json.dumps({"task": "walk", "metrics": {"cadence_spm": 110.0}}).encode(),
        "frames.csv": frames.read_bytes(),
        "annotated.mp4": CLIP.read_bytes(),
    }
    for name, data in outputs.items():
        (uploads.path(rid) / name).write_bytes(data)
    return rid, outputs


@pytest.mark.parametrize("point", ["renamed", "unlinked"])
def test_an_app_save_killed_half_way_loses_nothing_and_never_saves_twice(point, home, tmp_path):
    from gaitlab.store.uploads import Uploads

    assert _cli("history")[0] == 0
    rid, outputs = _finished_upload(home)
    killed = _child({"commit": rid, "kill_at": point}, home, tmp_path)
    assert killed.returncode == -9, killed.stderr
    upload = Uploads().path(rid)
    if point == "renamed":  # not committed: the upload still holds every output
        for name in ("frames.csv", "annotated.mp4"):
            assert (upload / name).read_bytes() == outputs[name]
        code, out, _ = _cli("history", "doctor", "--repair")
        assert "sessions/1 is not in the database" in out  # complete, indexed again
    else:  # saved as session 1; the upload's link was never written
        assert not (upload / "history.json").exists()
        code, out, _ = _cli("history", "doctor")
        assert code == 1 and f"upload {upload} was saved as session 1 but does not" in out, out
        code, out, _ = _cli("history", "doctor", "--repair")
        assert code == 0 and f"upload {rid}: linked to session 1" in out, out
        assert _cli("history", "doctor")[1].endswith("nothing to repair\n")
    assert Uploads().commit(rid)["session_id"] == 1  # saved once, never twice
    assert list(_sessions(home)) == [1]
    kept = home / "sessions" / "1"
    for name in ("frames.csv", "annotated.mp4"):
        assert (kept / name).read_bytes() == outputs[name]
        assert not (upload / name).exists()  # one copy, owned by the history
    assert Uploads().video_path(rid) == kept / "annotated.mp4"
