"""The app's analysis queue under load: ten uploads at once, a fixed number running, the rest
waiting in order up to the limit and the others refused with a message; places in the queue,
cancelling, an app restart; two app processes writing into one PostgreSQL history.

The analyses are real (the walking clip, from its poses made once per session) but held at
their start until the test lets them go, so nothing depends on the machine's speed: the test
holds the run slots itself (as another app process would) or holds a started analysis.
"""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from storekit import PostgresServer

from gaitlab.app.jobs import (
    DEFAULT_S_PER_FRAME,
    AnalysisJobs,
    QueueFull,
    ordinal,
)
from gaitlab.app.results import ResultStore, Status, run_analysis
from gaitlab.core.errors import GaitlabError
from gaitlab.pipeline import AnalyzeOptions
from gaitlab.store import Store
from gaitlab.store.queue import DiskQueue, limits_from_env

TIMEOUT_S = 300  # a deadlock guard only: every step is released by the test


@pytest.fixture(scope="module")
def walk_people(pose_cache, walk_side_clip, tmp_path_factory) -> Path:
    """The walking clip's poses, pickled as an upload keeps them (``people.pkl``)."""
    path = tmp_path_factory.mktemp("poses") / "people.pkl"
    path.write_bytes(pickle.dumps(pose_cache.people(walk_side_clip)))
    return path


class HeldRunner:
    """:func:`run_analysis` from the clip's poses, held at its first status (``running``,
    on disk) until :meth:`release` lets that upload go on."""

    def __init__(self, people: Path) -> None:
        self.people = people
        self.started: list[str] = []
        self._go: dict[str, threading.Event] = {}
        self._lock = threading.Condition()

    def _gate(self, rid: str) -> threading.Event:
        with self._lock:
            return self._go.setdefault(rid, threading.Event())

    def __call__(self, store, rid, *, on_status, cancel) -> Status:
        shutil.copy(self.people, store.path(rid) / "people.pkl")
        first = [True]

        def held(status: Status) -> None:
            on_status(status)
            if first[0]:
                first[0] = False
                with self._lock:
                    self.started.append(rid)
                    self._lock.notify_all()
                assert self._gate(rid).wait(TIMEOUT_S), "never released"

        return run_analysis(store, rid, on_status=held, cancel=cancel)

    def wait_started(self, n: int) -> list[str]:
        with self._lock:
            assert self._lock.wait_for(lambda: len(self.started) >= n, TIMEOUT_S)
            return list(self.started)

    def release(self, rid: str) -> None:
        self._gate(rid).set()


def _hold_slots(root: Path, n: int) -> list:
    """Take the ``n`` run slots, as analyses in another app process would."""
    queue = DiskQueue(root, n)
    slots = [queue.take_slot() for _ in range(n)]
    assert all(s is not None for s in slots)
    return slots


def _ten_at_once(jobs: AnalysisJobs, clip: Path) -> tuple[list[str], list[str]]:
    """Ten uploads of ``clip`` from ten threads at once: (accepted ids, refusal messages)."""
    data = clip.read_bytes()
    start = threading.Barrier(10)

    def upload(i: int) -> str:
        start.wait()
        try:
            return jobs.add(f"walk-{i}.mp4", data, AnalyzeOptions("walk"))
        except QueueFull as exc:
            return f"refused: {exc}"

    with ThreadPoolExecutor(10) as pool:
        out = list(pool.map(upload, range(10)))
    return [o for o in out if not o.startswith("refused")], [o for o in out if o.startswith("r")]


def _expected_wait(running: int, ahead: int, frames: int, slots: int) -> float:
    return (running + ahead) * frames * DEFAULT_S_PER_FRAME / slots


def test_ten_uploads_at_once_wait_in_order_run_two_at_a_time_or_are_refused(
    tmp_path, walk_side_clip, walk_people
):
    root = tmp_path / "uploads"
    runner = HeldRunner(walk_people)
    slots = _hold_slots(root, 2)  # nothing starts until the test says so
    jobs = AnalysisJobs(ResultStore(root), max_parallel=2, max_waiting=5, runner=runner)
    try:
        accepted, refused = _ten_at_once(jobs, walk_side_clip)
        assert len(accepted) == 5 and len(refused) == 5
        assert all("The queue is full: 5 videos are waiting" in r for r in refused)
        assert len(list(root.glob("2*"))) == 5  # a refused upload leaves nothing behind
        order = sorted(accepted, key=lambda r: jobs.store.status(r).queued_at)
        frames = 135
        for k, rid in enumerate(order, 1):
            place = jobs.place(rid)
            assert (place.place, place.waiting, place.running) == (k, 5, 0)
            assert place.wait_s == pytest.approx(_expected_wait(0, k - 1, frames, 2))
            assert place.text.startswith(f"{ordinal(k)} in the queue, ")
        assert jobs.queue_text() == "0 analyses running, 5 waiting (up to 5 may wait)"

        for s in slots:
            s.release()
        jobs.submit(order[0])
        assert sorted(runner.wait_started(2)) == sorted(order[:2])  # first come, first served
        for k, rid in enumerate(order[2:], 1):
            place = jobs.place(rid)
            assert (place.place, place.waiting, place.running) == (k, 3, 2)
            assert place.wait_s == pytest.approx(_expected_wait(2, k - 1, frames, 2))
        assert jobs.place(order[0]) is None and jobs.status(order[0]).state == "running"

        # room again for two: the queue limit counts waiting uploads, not running ones
        more, refused = _ten_at_once(jobs, walk_side_clip)
        assert len(more) == 2 and len(refused) == 8
        order += sorted(more, key=lambda r: jobs.store.status(r).queued_at)
        assert [jobs.place(r).place for r in order[2:]] == [1, 2, 3, 4, 5]

        for n, rid in enumerate(order):  # let them finish one by one, in order
            runner.release(rid)
            assert jobs.wait(rid, TIMEOUT_S).state == "done"
            if n + 2 < len(order):
                assert runner.wait_started(n + 3)[n + 2] == order[n + 2]
        for rid in order:
            assert isinstance(jobs.store.history(rid)["session_id"], int)
        with Store.open(home=tmp_path) as history:
            assert len(history.sessions(kind="analysis")) == 7
    finally:
        for rid in runner.started:
            runner.release(rid)
        jobs.close()


def test_cancel_a_waiting_and_a_running_upload(tmp_path, walk_side_clip, walk_people):
    root = tmp_path / "uploads"
    runner = HeldRunner(walk_people)
    jobs = AnalysisJobs(ResultStore(root), max_parallel=1, max_waiting=5, runner=runner)
    try:
        data = walk_side_clip.read_bytes()
        first = jobs.add("a.mp4", data, AnalyzeOptions("walk"))
        assert runner.wait_started(1) == [first]
        second = jobs.add("b.mp4", data, AnalyzeOptions("walk"))
        third = jobs.add("c.mp4", data, AnalyzeOptions("walk"))
        assert jobs.place(third).place == 2
        assert jobs.cancel(second)  # waiting: removed at once, video and all
        assert not (root / second).exists() and jobs.status(second).state == "missing"
        assert jobs.place(third).place == 1

        assert jobs.cancel(first)  # running: stops between frames, nothing saved
        runner.release(first)
        assert jobs.wait(first, TIMEOUT_S).state == "missing"
        assert not (root / first).exists()
        assert runner.wait_started(2)[1] == third
        runner.release(third)
        assert jobs.wait(third, TIMEOUT_S).state == "done"
        assert not jobs.cancel(third)  # finished: nothing to cancel
        with Store.open(home=tmp_path) as history:
            assert len(history.sessions(kind="analysis")) == 1
    finally:
        for rid in runner.started:
            runner.release(rid)
        jobs.close()


def test_a_restart_keeps_the_queue_and_an_interrupted_run_can_go_again(
    tmp_path, walk_side_clip, walk_people
):
    root = tmp_path / "uploads"
    data = walk_side_clip.read_bytes()
    slots = _hold_slots(root, 1)
    before = AnalysisJobs(ResultStore(root), runner=HeldRunner(walk_people))
    queued = [before.add(f"{i}.mp4", data, AnalyzeOptions("walk")) for i in range(3)]
    before.close()  # the app stops with three uploads waiting
    stopped = before.store.create("x.mp4", data, AnalyzeOptions("walk"))
    before.store.write_status(stopped, Status("running", "pose", 10, 135))  # died mid-run
    for s in slots:
        s.release()

    runner = HeldRunner(walk_people)
    after = AnalysisJobs(ResultStore(root), runner=runner)  # the app again
    try:
        assert after.status(stopped).state == "interrupted"
        for n, rid in enumerate(queued):  # the waiting ones run in their order
            assert runner.wait_started(n + 1)[n] == rid
            runner.release(rid)
            assert after.wait(rid, TIMEOUT_S).state == "done"
        assert after.status(stopped).state == "interrupted"  # not started again by itself
        after.retry(stopped)
        assert runner.wait_started(4)[3] == stopped
        runner.release(stopped)
        assert after.wait(stopped, TIMEOUT_S).state == "done"
    finally:
        for rid in runner.started:
            runner.release(rid)
        after.close()


def test_queue_limits_come_from_the_command_line_or_the_environment():
    bad = subprocess.run(
        [sys.executable, "-m", "gaitlab", "app", "--analyses", "0", "--headless"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0
    assert bad.stderr.strip().splitlines() == [
        "error: --analyses 0 (GAITLAB_ANALYSES): expected a whole number from 1 to 16"
    ]
    assert limits_from_env({}) == (1, 8)
    assert limits_from_env({"GAITLAB_ANALYSES": "2", "GAITLAB_QUEUE_LIMIT": "0"}) == (2, 0)
    for env in ({"GAITLAB_ANALYSES": "0"}, {"GAITLAB_QUEUE_LIMIT": "many"}):
        with pytest.raises(GaitlabError, match="expected a whole number"):
            limits_from_env(env)
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 102)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "102nd"
    ]  # fmt: skip


# -- two app processes, one PostgreSQL history ---------------------------------------------------
APP_PROCESS = textwrap.dedent(
    """
    import shutil, sys, time
    from pathlib import Path
    from gaitlab.app.jobs import AnalysisJobs
    from gaitlab.app.results import ResultStore, run_analysis
    from gaitlab.pipeline import AnalyzeOptions

    root, clip, people, tag, n, go = sys.argv[1:]
    def runner(store, rid, **kw):
        shutil.copy(people, store.path(rid) / "people.pkl")  # the clip's poses, made once
        return run_analysis(store, rid, **kw)

    jobs = AnalysisJobs(ResultStore(Path(root)), max_parallel=2, max_waiting=50, runner=runner)
    while not Path(go).exists():
        time.sleep(0.01)
    data = Path(clip).read_bytes()
    mine = [jobs.add(f"{tag}-{i}.mp4", data, AnalyzeOptions("walk")) for i in range(int(n))]
    states = [jobs.wait(rid, 600).state for rid in mine]
    jobs.close()  # after the analysis its runners have in hand, whoever queued it
    print(" ".join(mine), states.count("done"))
    """
)


PER_PROCESS = 4


def test_two_app_processes_on_one_postgresql_history_lose_nothing(
    tmp_path, walk_side_clip, walk_people, monkeypatch
):
    server = PostgresServer()
    try:
        url = server.new_database()
        home = tmp_path / "home"
        monkeypatch.setenv("GAITLAB_HOME", str(home))
        monkeypatch.setenv("GAITLAB_DB_URL", url)
        go = tmp_path / "go"
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    APP_PROCESS,
                    str(home / "uploads"),
                    str(walk_side_clip),
                    str(walk_people),
                    tag,
                    str(PER_PROCESS),
                    str(go),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for tag in ("a", "b")
        ]
        go.write_text("go")
        uploads = []
        for p in procs:
            out, err = p.communicate(timeout=TIMEOUT_S)
            assert p.returncode == 0, err
            ids, done = out.split()[:-1], out.split()[-1]
            assert done == str(PER_PROCESS), out
            uploads += ids
        assert len(set(uploads)) == 2 * PER_PROCESS
        store = ResultStore(home / "uploads")
        linked = {store.history(rid)["session_id"] for rid in uploads}
        with Store.open(url, home) as history:
            sessions = history.sessions(kind="analysis")
            assert len(sessions) == 2 * PER_PROCESS
            assert {s.id for s in sessions} == linked  # distinct ids, each upload's own
            for s in sessions:
                assert (s.files_dir / "summary.json").is_file()
                assert (s.files_dir / "annotated.mp4").is_file()
        folders = {p.name for p in (home / "sessions").iterdir() if p.name.isdigit()}
        assert folders == {str(i) for i in linked}
    finally:
        server.stop()
