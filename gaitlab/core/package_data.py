"""Where the data that ships with gaitlab is: the repository's ``models/`` folder (thresholds
file, pose model bundles), installed as the package ``gaitlab.models`` and found through
:mod:`importlib.resources`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The package that ``models/`` is installed as (``setup.py`` maps it into the wheel).
MODELS_PACKAGE = "gaitlab.models"


def models_dir() -> Path:
    """The folder of :data:`MODELS_PACKAGE`: inside the installed package (a wheel), or the
    repository's ``models/`` for an editable install. Source code put on ``sys.path`` without
    installing it has no ``gaitlab.models``: then ``models/`` beside the package folder."""
    try:
        return Path(str(resources.files(MODELS_PACKAGE)))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "models"
