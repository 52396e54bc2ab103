"""Shared fixtures: paths to the real clips the tests use."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Real clips with their licences (tests/data/README.md), kept in the repository.
TEST_DATA = REPO / "tests" / "data"
SAMPLE_DEMO = REPO / "sample_videos" / "demo.mp4"


@pytest.fixture(autouse=True, scope="session")
def _private_gaitlab_home(tmp_path_factory):
    """Every test run gets its own GAITLAB_HOME: `gaitlab analyze` saves each result to the
    history database there, and tests must never write into the user's real history."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GAITLAB_HOME", str(tmp_path_factory.mktemp("gaitlab_home")))
    mp.delenv("GAITLAB_DB_URL", raising=False)
    yield
    mp.undo()


def _require(path: Path, how: str) -> Path:
    if not path.exists():
        pytest.fail(f"missing test clip {path}: {how}")
    return path


@pytest.fixture(scope="session")
def walk_side_clip() -> Path:
    """One man walking right→left outdoors, side view, 59.7 fps, 135 frames (MIT)."""
    return _require(
        TEST_DATA / "walk_side_outdoor_60fps.mp4", "tests/data is part of the repository"
    )


@pytest.fixture(scope="session")
def walk_turn_clip() -> Path:
    """An older woman walking across, turning and walking back, 30 fps (BSD-3)."""
    return _require(
        TEST_DATA / "walk_side_turn_older_adult.mp4", "tests/data is part of the repository"
    )


@pytest.fixture(scope="session")
def demo_clip() -> Path:
    """The bundled sample: several people outdoors, one walking in the foreground (BSD-3)."""
    return _require(SAMPLE_DEMO, "run `python scripts/fetch_samples.py` (the README's setup does)")


@pytest.fixture(scope="session")
def run_treadmill_clip() -> Path:
    """A man running on a treadmill, side/slightly rear view, portrait, 30 fps (MIT); cadence
    168.9 ± 0.5 steps/min measured by its source from pixels, without a pose model."""
    return _require(
        TEST_DATA / "run_treadmill_side_portrait.mp4", "tests/data is part of the repository"
    )
