"""``gaitlab --help`` and the parser import no heavy library.

The database (SQLAlchemy), tables (pandas), the pose model (MediaPipe), video (OpenCV, PyAV),
the PDF (reportlab), signal processing (SciPy) and the app (Streamlit) cost a second between
them; the command that needs one imports it. Checked by what is imported, not by a stopwatch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "pandas", "mediapipe", "cv2", "av", "streamlit", "reportlab", "scipy")

PROBE = """
import contextlib, io, json, sys
from gaitlab.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main({argv!r})
    except SystemExit:
        pass
print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))
"""


def _top_modules_after(argv: list[str], home: os.PathLike[str]) -> set[str]:
    env = {**os.environ, "GAITLAB_DEBUG": "1", "GAITLAB_HOME": str(home)}
    env.pop("GAITLAB_DB_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["analyze", "--help"],
        ["export", "--help"],
        ["history", "--help"],
        ["history", "doctor", "--help"],
        ["history", "note", "--help"],
        ["users", "add", "--help"],
        ["app", "--help"],
    ],
)
def test_help_imports_no_heavy_library(argv, tmp_path):
    loaded = _top_modules_after(argv, tmp_path)
    assert "gaitlab" in loaded  # the probe did run the command line
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_probe_sees_a_heavy_import(tmp_path):
    """The same probe on a command that opens the store does see SQLAlchemy: the check above
    can fail."""
    loaded = _top_modules_after(["history", "--json"], tmp_path)
    assert "sqlalchemy" in loaded


def test_export_choices_are_the_report_formats():
    from gaitlab.cli.history import EXPORT_CHOICES
    from gaitlab.report.exports import EXPORT_FORMATS

    assert tuple(EXPORT_CHOICES) == tuple(EXPORT_FORMATS)


def test_role_choices_are_the_account_roles():
    from gaitlab.cli.users import ROLE_CHOICES
    from gaitlab.store.accounts import ROLES

    assert tuple(ROLE_CHOICES) == tuple(ROLES)
