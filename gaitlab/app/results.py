"""Analyses in the background, for the app: each upload is staged in the store
(:mod:`gaitlab.store.uploads`, ``GAITLAB_HOME/uploads/<id>/``) and becomes a session of the
history when its analysis succeeded; the result page reads its files from there.

An upload belongs to the person chosen in the app when it was created (``person_id`` in the
request); their height, sex, age and body mass fill the analysis options left empty.

The page only keeps the id (in the URL), so reloading the page, or coming back later, finds
the result again. Nothing here imports Streamlit.
"""

from __future__ import annotations

import pickle
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np

from gaitlab.core.errors import GaitlabError
from gaitlab.pipeline import (
    Analysis,
    AnalysisCancelled,
    AnalyzeOptions,
    PeopleTrack,
    analyze_people,
    estimate_people,
    write_outputs,
)
from gaitlab.pose import track_people
from gaitlab.rules.metrics import describe
from gaitlab.store import Landmarks, Person, Store
from gaitlab.store.uploads import (
    ERROR_LOG_NAME,
    HISTORY_NAME,
    PEOPLE_NAME,
    REQUEST_NAME,
    VIDEO_TYPES,
    ResultInfo,
    Uploads,
    valid_id,
)

__all__ = [  # with the uploads' names that the pages reach through here
    "ERROR_LOG_NAME",
    "HISTORY_NAME",
    "REQUEST_NAME",
    "VIDEO_TYPES",
    "ResultInfo",
    "ResultStore",
    "Status",
    "age_from_birth_year",
    "live_metrics",
    "options_for_person",
    "queued_status",
    "persons_table",
    "run_analysis",
    "save_live_session",
    "save_to_history",
    "valid_id",
]

#: Share of the progress bar per stage: pose estimation dominates the run time (README,
#: "Speed": pose ≈ 1.5x the cost of drawing and encoding the annotated video).
STAGE_SPANS = {
    "queued": (0.0, 0.0),
    "pose": (0.0, 0.75),
    "measures": (0.75, 0.8),
    "video": (0.8, 1.0),
    "save": (1.0, 1.0),
    "done": (1.0, 1.0),
}
STAGE_LABELS = {
    "queued": "Waiting for the previous analysis to finish",
    "pose": "Finding people in each frame",
    "measures": "Measuring",
    "video": "Drawing the annotated video",
    "save": "Saving to the history",
    "done": "Done",
}

#: A person must be seen in at least this share of frames (and 3 frames) to be offered as a
#: subject: shorter tracks are passers-by glimpsed at the edge, or detection noise.
MIN_PERSON_FRACTION = 0.05
MAX_PERSONS_LISTED = 6

#: Status file updates while running, at most this often (seconds).
STATUS_INTERVAL_S = 0.25


@dataclass(frozen=True)
class Status:
    """Where an analysis is. ``fraction`` is overall progress in [0, 1]."""

    state: str  # queued | running | done | error | cancelled | interrupted | missing
    stage: str = "queued"
    done: int = 0
    total: int = 0
    message: str = ""
    updated: float = 0.0
    #: When it joined the queue (epoch seconds): the queue's order.
    queued_at: float = 0.0

    @property
    def fraction(self) -> float:
        a, b = STAGE_SPANS.get(self.stage, (0.0, 0.0))
        part = min(self.done / self.total, 1.0) if self.total else 0.0
        return 1.0 if self.state == "done" else a + (b - a) * part

    @property
    def label(self) -> str:
        text = STAGE_LABELS.get(self.stage, self.stage)
        if self.total and self.stage in ("pose", "video"):
            text += f" ({min(self.done, self.total)}/{self.total} frames)"
        return text

    @property
    def finished(self) -> bool:
        return self.state in ("done", "error", "cancelled", "interrupted", "missing")


def age_from_birth_year(birth_year: int | None, today: date | None = None) -> float | None:
    """Age in whole years this year (what the norms need), or None when unknown or outside
    what :class:`~gaitlab.pipeline.AnalyzeOptions` accepts (3-120)."""
    if not birth_year:
        return None
    age = float((today or date.today()).year - birth_year)
    return age if 3 <= age <= 120 else None


def options_for_person(options: AnalyzeOptions, person: Person | None) -> AnalyzeOptions:
    """``options`` with what the person's profile knows filled in where nothing was given
    (height, sex, age from the birth year, body mass): what the page asked for wins."""
    if person is None:
        return options
    fill: dict[str, Any] = {}
    if options.height_cm is None and person.height_cm is not None:
        fill["height_cm"] = float(person.height_cm)
    if options.sex is None and person.sex is not None:
        fill["sex"] = person.sex
    if options.age_years is None:
        age = age_from_birth_year(person.birth_year)
        if age is not None:
            fill["age_years"] = age
    if options.body_mass_kg is None and person.body_mass_kg is not None:
        fill["body_mass_kg"] = float(person.body_mass_kg)
    return replace(options, **fill) if fill else options


class ResultStore(Uploads):
    """The uploads folder as the app uses it: requests from :class:`AnalyzeOptions`,
    statuses as :class:`Status` (the folder itself: :class:`gaitlab.store.uploads.Uploads`).

    ``person`` is whose new uploads these are (the person chosen in the app): :meth:`create`
    files them under that person and fills the options from their profile.
    """

    def __init__(self, root: Path | None = None, person: Person | None = None) -> None:
        super().__init__(root)
        self.person = person

    def create(
        self,
        filename: str,
        data: IO[bytes] | bytes,
        options: AnalyzeOptions,
        person: Person | None = None,
    ) -> str:
        """A new upload holding the video and the request; returns its id.

        ``person`` (default: this store's :attr:`person`) is whose video it is: the result is
        saved to the history under them and their profile fills the options left empty.
        """
        person = person if person is not None else self.person
        options = options_for_person(options, person)
        return self.add(filename, data, _request(options, None, person), _queued())

    def create_rerun(self, parent_id: str, options: AnalyzeOptions) -> str:
        """A new upload of the same video as ``parent_id`` with other options (another
        subject); the parent's poses are reused when it kept them."""
        parent = self.request(parent_id)
        person = (parent.get("person_id"), parent.get("person_name"))
        return self.add_rerun(parent_id, _request(options, parent_id, person), _queued())

    def options(self, result_id: str) -> AnalyzeOptions:
        r = self.request(result_id)
        return AnalyzeOptions(
            task=r["task"],
            subject=r["subject"],
            height_cm=r["height_cm"],
            sex=r["sex"],
            age_years=r.get("age_years"),
            body_mass_kg=r.get("body_mass_kg"),
        )

    def status(self, result_id: str) -> Status:
        raw = self.read_status(result_id)
        if raw is None:
            return Status("missing", message="no such result")
        status = Status(**raw)
        if (
            status.state == "done"
            and "session_id" in self.history(result_id)
            and not self.summary_path(result_id).is_file()
        ):
            return Status("missing", message="this analysis was deleted from the history")
        return status

    def write_status(self, result_id: str, status: Status) -> None:
        self.write_status_data(result_id, asdict(status))


def queued_status() -> Status:
    """A status that puts an upload at the back of the queue."""
    now = time.time()
    return Status("queued", updated=now, queued_at=now)


def _queued() -> dict[str, Any]:
    return asdict(queued_status())


def _request(
    options: AnalyzeOptions,
    parent: str | None,
    person: Person | tuple[int | None, str | None] | None,
) -> dict[str, Any]:
    """What ``request.json`` keeps of an upload besides its file names."""
    if isinstance(person, Person):
        person_id, person_name = person.id, person.name
    else:
        person_id, person_name = person or (None, None)
    return {
        "task": options.task,
        "subject": options.subject,
        "height_cm": options.height_cm,
        "sex": options.sex,
        "age_years": options.age_years,
        "body_mass_kg": options.body_mass_kg,
        "person_id": person_id,
        "person_name": person_name,
        "parent": parent,
        "created": datetime.now().isoformat(timespec="seconds"),
    }


# -- the analysis itself ---------------------------------------------------------------------
def persons_table(people: PeopleTrack) -> list[dict[str, Any]]:
    """Every person worth offering as the subject: track id, seconds in view, and the frame
    where they are seen largest and most completely (with their box there, in pixels).

    The ids are those :func:`gaitlab.pose.track_people` gives, which is what
    ``AnalyzeOptions(subject=str(track_id))`` selects.
    """
    tracks = track_people(people.persons, people.t_s, frame_index=people.frame_index)
    n = max(len(people.t_s), 1)
    rows = []
    for tr in tracks:
        if tr.n_obs < 3 or tr.n_obs / n < MIN_PERSON_FRACTION:
            continue
        score = [p.body_size_px * float(np.mean(p.visibility)) for p in tr.persons]
        best = int(np.argmax(score))
        person = tr.persons[best]
        rows.append(
            {
                "track_id": int(tr.track_id),
                "frames": int(tr.n_obs),
                "start_s": round(float(tr.start_s), 3),
                "end_s": round(float(tr.end_s), 3),
                "frame": int(tr.frame_index[best]),
                "bbox_px": [round(float(v), 1) for v in person.bbox],
            }
        )
    rows.sort(key=lambda r: -r["frames"])
    return rows[:MAX_PERSONS_LISTED]


def save_to_history(store: Uploads, result_id: str, analysis: Analysis) -> dict[str, Any]:
    """Commit a finished analysis into the history (:meth:`Uploads.commit
    <gaitlab.store.uploads.Uploads.commit>`) with its landmarks, once; a failure to save is
    recorded and never fails the analysis. Returns what the upload's history record says."""
    size = (analysis.info.width, analysis.info.height)
    return store.commit(result_id, Landmarks(analysis.raw, size, analysis.others))


def live_metrics(summary: Mapping[str, Any]) -> dict[str, float | None]:
    """Numbers of a live session (:meth:`gaitlab.live.LiveProcessor.summary`) under the
    file analyses' names, for the history's progress charts: ``reps``, ``holds`` and
    ``hold_time_s`` (the longest hold) when the task's live counter has them, and the maximum of
    each measure over the session as ``<what>_max_<side>_<unit>``."""
    counter = summary.get("counter") or {}
    out: dict[str, float | None] = {}
    if counter.get("reps") is not None:
        out["reps"] = float(counter["reps"])
    if counter.get("holds") is not None:
        out["holds"] = float(counter["holds"])
    if counter.get("best_hold_s") is not None:
        out["hold_time_s"] = float(counter["best_hold_s"])
    for name, m in (summary.get("measures") or {}).items():
        parsed = describe(name)
        if parsed.statistic is not None or m.get("max") is None:
            continue
        parts = [parsed.stem, "max", parsed.side, parsed.unit]
        out["_".join(p for p in parts if p)] = float(m["max"])
    return out


def save_live_session(summary: Mapping[str, Any], person: Person | int | None) -> int | None:
    """Save a live session's summary to the history (``source="live"``) with
    :func:`live_metrics` as its metrics unless it has its own; returns the session id, or
    None when nobody was seen (nothing to keep)."""
    if not summary.get("frames_with_subject"):
        return None
    data = dict(summary)
    if not isinstance(data.get("metrics"), dict):
        data["metrics"] = live_metrics(summary)
    with Store.open() as history:
        return history.save_analysis(data, person, source="live")


def run_analysis(
    store: ResultStore,
    result_id: str,
    on_status: Callable[[Status], None] | None = None,
    save: bool = True,
    cancel: threading.Event | None = None,
) -> Status:
    """Analyse one stored request, write its outputs and (``save``) save it to the history
    (:func:`save_to_history`); never raises for bad input. Setting ``cancel`` stops it
    between frames with a ``cancelled`` status and nothing saved.

    A :class:`~gaitlab.core.errors.GaitlabError` (bad file, nobody in view …) ends in an
    ``error`` status with its one-line message, and nothing is saved; any other exception
    is a bug: its traceback goes to ``error.log`` in the result folder and the status
    carries one line.
    """
    folder = store.path(result_id)
    last = [0.0]
    lock = threading.Lock()

    def report(status: Status, force: bool = False) -> None:
        with lock:
            now = time.monotonic()
            if not force and now - last[0] < STATUS_INTERVAL_S:
                return
            last[0] = now
            store.write_status(result_id, status)
        if on_status is not None:
            on_status(status)

    def progress(stage: str, done: int, total: int) -> None:
        report(Status("running", stage, done, total, updated=time.time()))

    report(Status("running", "pose", updated=time.time()), force=True)
    video = store.input_path(result_id)
    filename = store.request(result_id)["filename"]
    try:
        options = store.options(result_id)
        people_file = folder / PEOPLE_NAME
        if people_file.is_file():
            with people_file.open("rb") as fh:  # written by this store for this video
                people = pickle.load(fh)
        else:
            people = estimate_people(video, options, progress, cancel=cancel)
        persons = persons_table(people)
        store.write_persons(result_id, persons)
        if len(persons) > 1 and not people_file.is_file():
            with people_file.open("wb") as fh:
                pickle.dump(people, fh, protocol=pickle.HIGHEST_PROTOCOL)
        report(Status("running", "measures", updated=time.time()), force=True)
        analysis = analyze_people(people, options, source=str(video))
        write_outputs(
            analysis,
            video,
            folder,
            write_video=options.write_video,
            progress=progress,
            cancel=cancel,
        )
        if cancel is not None and cancel.is_set():
            raise AnalysisCancelled()
        if save:
            report(Status("running", "save", updated=time.time()), force=True)
            save_to_history(store, result_id, analysis)
    except AnalysisCancelled:
        status = Status("cancelled", "done", message="cancelled", updated=time.time())
    except GaitlabError as exc:
        # the person uploaded "holiday.mp4", not ".../input.mp4": name their file
        message = str(exc).replace(str(video), filename).replace(video.name, filename)
        status = Status("error", "done", message=message, updated=time.time())
    except Exception as exc:  # a bug: keep the page alive and the traceback on disk
        (folder / ERROR_LOG_NAME).write_text(traceback.format_exc())
        status = Status(
            "error",
            "done",
            message=f"internal error: {type(exc).__name__}: {exc} (details in {ERROR_LOG_NAME})",
            updated=time.time(),
        )
    else:
        status = Status("done", "done", updated=time.time())
    report(status, force=True)
    return status
