"""``gaitlab info``: versions and the pose model in use."""

from __future__ import annotations

import argparse
import os
import platform
from typing import Any

from gaitlab import __version__
from gaitlab.core.thresholds import DEFAULT_PATH


def add_command(sub: Any) -> None:
    """Register ``gaitlab info`` on the ``gaitlab`` parser."""
    p = sub.add_parser("info", help="print versions and the pose model in use")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print gaitlab's version, its libraries' versions, the pose model and the thresholds."""
    # heavy: see gaitlab.cli.main
    import av
    import cv2
    import mediapipe
    import numpy

    from gaitlab.pose import resolve_bundle

    bundle = resolve_bundle()
    print(f"gaitlab {__version__}")
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(
        f"mediapipe {mediapipe.__version__}, opencv {cv2.__version__}, "
        f"PyAV {av.__version__}, numpy {numpy.__version__}"
    )
    print(f"pose model: {bundle.path}")
    print(f"  origin: {bundle.origin}")
    print(f"  {bundle.description}")
    print(f"thresholds: {os.environ.get('GAITLAB_THRESHOLDS') or DEFAULT_PATH}")
    return 0
