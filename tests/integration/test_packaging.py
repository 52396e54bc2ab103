"""The wheel carries the data the code needs and finds it outside the checkout: the thresholds
file and pose models (the repository's models/ as gaitlab.models) and the programme's exercises,
all found through importlib.resources from an unpacked wheel that is the only gaitlab on the
path."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import gaitlab

REPO = Path(__file__).resolve().parents[2]
#: What the wheel is built from (copied, so the build leaves nothing in the checkout).
SOURCES = ("pyproject.toml", "setup.py", "README.md", "gaitlab", "models")

CHECK = """
import json
import gaitlab
from gaitlab.core.package_data import models_dir
from gaitlab.core.thresholds import DEFAULT_PATH, load_thresholds
from gaitlab.pose.bundle import default_models_dir
from gaitlab.cli.app import APP_SCRIPT
from gaitlab.programme import exercises

print(json.dumps({
    "package": gaitlab.__file__,
    "version": gaitlab.__version__,
    "models": str(models_dir()),
    "pose_models": str(default_models_dir()),
    "thresholds": str(DEFAULT_PATH),
    "n_thresholds": len(load_thresholds()),
    "exercises": [e.key for e in exercises()],
    "app": str(APP_SCRIPT),
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the checkout with the build requirements at hand
    (``--no-build-isolation``: nothing is downloaded)."""
    for req in ("setuptools", "wheel"):
        if importlib.util.find_spec(req) is None:
            pytest.fail(f"{req} missing: the test extras have it (pip install -e '.[test]')")
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(REPO / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(src)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (path,) = out.glob("gaitlab_video-*.whl")
    return path


def test_the_wheel_carries_the_thresholds_and_the_programme(wheel):
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        assert (
            whl.read("gaitlab/models/thresholds.toml")
            == (REPO / "models" / "thresholds.toml").read_bytes()
        )
        assert (
            whl.read("gaitlab/programme/exercises.toml")
            == (REPO / "gaitlab" / "programme" / "exercises.toml").read_bytes()
        )
    assert "gaitlab/models/__init__.py" in names
    assert not any(n.startswith(("models/", "tests/")) for n in names)  # only under gaitlab/
    # every package of the tree is in the wheel
    for init in (REPO / "gaitlab").rglob("__init__.py"):
        assert init.relative_to(REPO).as_posix() in names


def test_an_unpacked_wheel_finds_its_data_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as whl:
        whl.extractall(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAITLAB_")}
    env["PYTHONPATH"] = str(site)
    run = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert Path(found["package"]) == site / "gaitlab" / "__init__.py"
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["name"] == gaitlab.DISTRIBUTION  # not "gaitlab": taken on PyPI
    assert found["version"] == project["version"]  # read from the installed distribution
    assert Path(found["models"]) == Path(found["pose_models"]) == site / "gaitlab" / "models"
    assert Path(found["thresholds"]) == site / "gaitlab" / "models" / "thresholds.toml"
    assert found["n_thresholds"] > 30
    assert Path(found["app"]) == site / "gaitlab" / "app" / "main.py"  # `gaitlab app` runs it
    assert found["exercises"] == [
        "toe-yoga", "short-foot", "calf-raises", "toe-splaying", "barefoot-balancing",
    ]  # fmt: skip
