"""Pose once per session: a cache of posed clips (and their variants) for integration tests.

Pose estimation is the expensive step (20–40 ms a frame). :class:`PoseCache` poses each
video file once per test session and keeps the :class:`~gaitlab.pipeline.PeopleTrack`; the
task analysis (well under a second) runs from it as often as a test likes.

Reruns on a developer's machine can also reuse poses from disk: the pickles are keyed by
the video file's SHA-256, the pose bundle's SHA-256, the mediapipe version and the source of
the code that decodes and poses (gaitlab/io/video.py, gaitlab/pose/, gaitlab/pipeline.py),
so any change there poses afresh. The folder is ``$GAITLAB_TEST_CACHE`` or
``<repository>/.cache/tests``; ``GAITLAB_TEST_CACHE=off`` keeps everything in the session's
temporary folder (a clean CI clone has no cache either way).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest

from gaitlab.pipeline import Analysis, AnalyzeOptions, PeopleTrack, analyze_people, estimate_people
from gaitlab.pose import resolve_bundle
from gaitlab.testing.variants import file_digest

REPO = Path(__file__).resolve().parents[2]

#: Options pose estimation runs with (the defaults of `gaitlab analyze`).
POSE_OPTIONS = AnalyzeOptions(write_video=False)

#: Code whose change changes the poses: a disk cache entry names a digest of all of it.
_POSE_CODE = ("gaitlab/io/video.py", "gaitlab/pipeline.py", "gaitlab/pose")


def _pose_code_digest() -> str:
    import mediapipe

    h = hashlib.sha256()
    for entry in _POSE_CODE:
        path = REPO / entry
        for f in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            h.update(f.relative_to(REPO).as_posix().encode())
            h.update(f.read_bytes())
    h.update(file_digest(resolve_bundle().path).encode())
    h.update(mediapipe.__version__.encode())
    h.update(repr((POSE_OPTIONS.max_side, POSE_OPTIONS.num_poses)).encode())
    return h.hexdigest()[:16]


class PoseCache:
    """Posed video files for one test session (optionally backed by a folder on disk).

    Parameters
    ----------
    folder : where pose pickles and generated clips are kept; ``persistent`` says whether
        pose pickles are read from and written to it (otherwise only memory is used).
    """

    def __init__(self, folder: Path, persistent: bool) -> None:
        self.folder = folder
        self.persistent = persistent
        self._code = _pose_code_digest()
        self._people: dict[Path, PeopleTrack] = {}
        self._analyses: dict[tuple[Path, str], Analysis] = {}
        #: Frames posed in this session (not read from disk): what the cache saved or cost.
        self.frames_posed = 0

    def people(self, video: Path) -> PeopleTrack:
        """Every person in every frame of ``video`` (posed at most once per session)."""
        video = Path(video).resolve()
        if video in self._people:
            return self._people[video]
        disk = self.folder / "poses" / f"{file_digest(video)[:20]}-{self._code}.pkl"
        if self.persistent and disk.exists():
            people = pickle.loads(disk.read_bytes())
        else:
            people = estimate_people(video, POSE_OPTIONS)
            self.frames_posed += len(people.t_s)
            if self.persistent:
                disk.parent.mkdir(parents=True, exist_ok=True)
                tmp = disk.with_suffix(".part")
                tmp.write_bytes(pickle.dumps(people))
                tmp.replace(disk)
        self._people[video] = people
        return people

    def analysis(self, video: Path, task: str) -> Analysis:
        """The ``task`` analysis of ``video`` from its cached poses."""
        key = (Path(video).resolve(), task)
        if key not in self._analyses:
            options = AnalyzeOptions(task=task, write_video=False)
            self._analyses[key] = analyze_people(self.people(video), options, str(video))
        return self._analyses[key]


@pytest.fixture(scope="session")
def pose_cache(tmp_path_factory) -> PoseCache:
    """The session's :class:`PoseCache` (see the module docstring for the disk cache)."""
    setting = os.environ.get("GAITLAB_TEST_CACHE", "")
    if setting.lower() == "off":
        return PoseCache(tmp_path_factory.mktemp("pose_cache"), persistent=False)
    folder = Path(setting).expanduser() if setting else REPO / ".cache" / "tests"
    return PoseCache(folder, persistent=True)
