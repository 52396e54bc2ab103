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
