"""The app's analysis queue: uploads wait in order on disk, a fixed number run at once, and
an upload beyond the queue's limit is refused with a message.

The queue is the uploads folder itself (:mod:`gaitlab.store.queue`): an upload waits while its
status says ``queued``, so a restarted app, or another app process sharing the folder, finds
every waiting upload and runs it in turn. An analysis that was running when its app stopped
is ``interrupted`` (the page offers to run it again): running it again by itself could stop
the app again if the video was what stopped it. Nothing here imports Streamlit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from gaitlab.app.results import ResultStore, Status, queued_status, run_analysis
from gaitlab.core.errors import GaitlabError
from gaitlab.io.video import probe
from gaitlab.pipeline import AnalyzeOptions
from gaitlab.store import Person
from gaitlab.store.queue import DEFAULT_PARALLEL, DEFAULT_QUEUE_LIMIT, DiskQueue, Lock

#: Seconds per video frame assumed before any analysis finished: the 135-frame walking clip
#: takes 7.1 s on two cores (README, "Speed"), 0.053 s a frame, rounded up.
DEFAULT_S_PER_FRAME = 0.06
#: How often idle runners look for uploads queued by another app process (seconds).
POLL_S = 1.0

Runner = Callable[..., Status]


class QueueFull(GaitlabError):
    """The queue holds as many waiting uploads as it may: the upload is refused."""


@dataclass(frozen=True)
class Place:
    """Where a waiting upload stands: ``place`` 1 runs next; ``wait_s`` is the estimate."""

    place: int
    waiting: int
    running: int
    wait_s: float

    @property
    def text(self) -> str:
        """``2nd in the queue, about 3 min``."""
        return f"{ordinal(self.place)} in the queue, {duration_text(self.wait_s)}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def duration_text(seconds: float) -> str:
    """``about N min`` (rounded up), ``under a minute`` below 60 s."""
    if seconds < 60:
        return "under a minute"
    return f"about {int(-(-seconds // 60))} min"


class AnalysisJobs:
    """Runs the queued analyses of ``store``'s uploads folder, ``max_parallel`` at a time
    (across every process sharing the folder); at most ``max_waiting`` uploads wait.

    One instance per app process (the app keeps it in ``st.cache_resource``); it starts its
    runner threads at once, so uploads left queued by a stopped app run after a restart.
    ``runner`` is the analysis (:func:`~gaitlab.app.results.run_analysis`), called as
    ``runner(store, result_id, on_status=..., cancel=...)``.
    """

    def __init__(
        self,
        store: ResultStore,
        max_parallel: int = DEFAULT_PARALLEL,
        max_waiting: int = DEFAULT_QUEUE_LIMIT,
        runner: Runner = run_analysis,
        poll_s: float = POLL_S,
    ) -> None:
        if max_waiting < 0:
            raise ValueError(f"max_waiting must be 0 or more, not {max_waiting}")
        self.store = store
        self.queue = DiskQueue(store.root, max_parallel)
        self.max_parallel = max_parallel
        self.max_waiting = max_waiting
        self._runner = runner
        self._poll_s = poll_s
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._cancels: dict[str, threading.Event] = {}
        self._frames: dict[str, int] = {}
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._work, name=f"analyse-{k}", daemon=True)
            for k in range(max_parallel)
        ]
        for t in self._threads:
            t.start()

    # -- adding -------------------------------------------------------------------------------
    def _admit(self, make: Callable[[], str]) -> str:
        with self.queue.admitting():
            waiting = len(self.queue.waiting())
            if waiting >= self.max_waiting:
                raise QueueFull(
                    f"The queue is full: {waiting} videos are waiting for analysis "
                    f"({self.max_parallel} at a time). Nothing was kept: please upload it "
                    "again when one of them has finished."
                )
            rid = make()
        self.submit(rid)
        return rid

    def add(
        self,
        filename: str,
        data: IO[bytes] | bytes,
        options: AnalyzeOptions,
        person: Person | None = None,
    ) -> str:
        """Queue a new upload (:meth:`ResultStore.create`); returns its id.

        Raises
        ------
        QueueFull
            Too many uploads wait already: nothing is written.
        """
        return self._admit(lambda: self.store.create(filename, data, options, person))

    def add_rerun(self, parent_id: str, options: AnalyzeOptions) -> str:
        """Queue the same video with other options (:meth:`ResultStore.create_rerun`)."""
        return self._admit(lambda: self.store.create_rerun(parent_id, options))

    def retry(self, result_id: str) -> None:
        """Put an interrupted upload back at the end of the queue (limit as for new ones)."""

        def requeue() -> str:
            self.store.write_status(result_id, queued_status())
            return result_id

        self._admit(requeue)

    def submit(self, result_id: str) -> None:
        """Wake the runners: ``result_id`` (already queued on disk) waits its turn."""
        with self._wake:
            self._wake.notify_all()

    # -- where things stand -------------------------------------------------------------------
    def status(self, result_id: str) -> Status:
        """The upload's status; a ``running`` one that no process runs is ``interrupted``."""
        status = self.store.status(result_id)
        if status.state == "running" and not self.queue.is_running(result_id):
            again = self.store.status(result_id)  # it may have finished just now
            if again.state != "running":
                return again
            return Status(
                "interrupted",
                status.stage,
                message="the analysis stopped before it finished (the app was restarted)",
            )
        return status

    def place(self, result_id: str) -> Place | None:
        """Where a waiting upload stands in the queue, None when it does not wait."""
        statuses = self.queue.statuses()
        waiting = self.queue.waiting_of(statuses)
        if result_id not in waiting:
            return None
        rate = self.queue.seconds_per_frame(DEFAULT_S_PER_FRAME)
        running = [rid for rid, s in statuses.items() if s.get("state") == "running"]
        left = 0.0
        for rid in running:
            share = Status(**statuses[rid]).fraction
            left += self._frames_of(rid) * rate * (1.0 - share)
        i = waiting.index(result_id)
        left += sum(self._frames_of(rid) * rate for rid in waiting[:i])
        return Place(i + 1, len(waiting), len(running), left / self.max_parallel)

    def queue_text(self) -> str:
        """How busy the queue is, for the upload form (empty when nothing waits or runs)."""
        statuses = self.queue.statuses()
        waiting = len(self.queue.waiting_of(statuses))
        running = sum(s.get("state") == "running" for s in statuses.values())
        if not waiting and not running:
            return ""
        noun = "analysis" if running == 1 else "analyses"
        return f"{running} {noun} running, {waiting} waiting (up to {self.max_waiting} may wait)"

    def _frames_of(self, result_id: str) -> int:
        with self._lock:
            if result_id in self._frames:
                return self._frames[result_id]
        try:
            frames = probe(self.store.input_path(result_id)).frames
        except GaitlabError:
            frames = 0  # not a video: it ends at once with its message
        with self._lock:
            self._frames[result_id] = frames
        return frames

    # -- cancelling ---------------------------------------------------------------------------
    def cancel(self, result_id: str) -> bool:
        """Cancel a waiting or running upload: it is removed (video and all). False when it
        had finished already."""
        if self.queue.remove_waiting(result_id):
            return True
        if self.store.status(result_id).state not in ("queued", "running"):
            return False
        try:
            self.queue.ask_to_cancel(result_id)  # whichever process runs it stops it
        except FileNotFoundError:
            return False
        with self._lock:
            event = self._cancels.get(result_id)
        if event is not None:
            event.set()
        return True

    # -- running ------------------------------------------------------------------------------
    def _work(self) -> None:
        while not self._stop.is_set():
            if not self._run_next():
                with self._wake:
                    self._wake.wait(self._poll_s)

    def _run_next(self) -> bool:
        slot = self.queue.take_slot()
        if slot is None:
            return False
        with slot:
            claim = self._claim_next()
            if claim is None:
                return False
            rid, lock = claim
            with lock:
                self._run(rid)
            return True

    def _claim_next(self) -> tuple[str, Lock] | None:
        """The first waiting upload, marked running, with its run lock; under the admission
        lock, so an upload is always counted either waiting or running."""
        with self.queue.admitting():
            for rid in self.queue.waiting():
                lock = self.queue.claim(rid)
                if lock is None:
                    continue
                status = self.store.status(rid)
                self.store.write_status(
                    rid, Status("running", "pose", updated=time.time(), queued_at=status.queued_at)
                )
                return rid, lock
        return None

    def _run(self, result_id: str) -> None:
        cancel = threading.Event()
        with self._lock:
            self._cancels[result_id] = cancel

        def on_status(_status: Status) -> None:
            if self.queue.cancel_asked(result_id):
                cancel.set()

        start = time.monotonic()
        try:
            status = self._runner(self.store, result_id, on_status=on_status, cancel=cancel)
        finally:
            with self._lock:
                self._cancels.pop(result_id, None)
        if status.state == "cancelled":
            self.store.delete(result_id)
        elif status.state == "done":
            frames = self._frames_of(result_id)
            self.queue.record_rate(time.monotonic() - start, frames, DEFAULT_S_PER_FRAME)

    def wait(self, result_id: str, timeout: float | None = None) -> Status:
        """Block until ``result_id`` finishes (tests, scripts)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.status(result_id)
            if status.finished:
                return status
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{result_id} did not finish within {timeout} s")
            time.sleep(0.05)

    def close(self) -> None:
        """Stop the runners once their current analysis ends (tests)."""
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        for t in self._threads:
            t.join()
