"""Rebuild ``models/pose_landmarker_blazepose_full.task`` from the mediapipe 0.10.21 wheel.

Current mediapipe wheels ship no pose weights; 0.10.21's does: BlazePose's
``pose_detection.tflite`` and ``pose_landmark_full.tflite`` (Apache-2.0, see
models/NOTICE). This script downloads that wheel from PyPI with ``pip download`` into a
temporary directory (only PyPI is reachable from the machines gaitlab runs on), takes the
two files out of it (checked against their known SHA-256) and writes the bundle with
:func:`gaitlab.pose.bundle.build_bundle_from_wheel`, the recipe gaitlab has always used.

The wheel for CPython 3.11 on x86-64 Linux is asked for whatever runs the script: the
weights are the same in every wheel of the release, and 0.10.21 has no wheel for
Python 3.13.

Usage (with gaitlab and mediapipe installed)::

    python scripts/build_pose_bundle.py                  # into the models directory
    python scripts/build_pose_bundle.py --out x.task     # elsewhere
    python scripts/build_pose_bundle.py --wheel mediapipe-0.10.21-...whl   # no download
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from gaitlab.core.errors import ModelError
from gaitlab.pose.bundle import (
    BUNDLE_MEMBERS,
    SHIPPED_BUNDLE,
    SUPPORTED_MEDIAPIPE,
    build_bundle_from_wheel,
    default_models_dir,
)

WHEEL_SPEC = f"mediapipe=={SUPPORTED_MEDIAPIPE}"
# Any platform's wheel holds the same weights; one fixed choice keeps the download the same
# on every machine and lets the script run on a Python the release has no wheel for.
WHEEL_TARGET = ("--python-version", "3.11", "--platform", "manylinux_2_28_x86_64")


def download_wheel(dest: Path) -> Path:
    """``pip download`` the mediapipe wheel that ships the weights into ``dest``."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        *WHEEL_TARGET,
        "-d",
        str(dest),
        WHEEL_SPEC,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    wheels = sorted(dest.glob("mediapipe-*.whl"))
    if result.returncode != 0 or not wheels:
        last = result.stderr.strip().splitlines()[-1:] or ["no wheel"]
        raise ModelError(f"could not download {WHEEL_SPEC} from PyPI: {last[0]}")
    return wheels[0]


def same_members(a: Path, b: Path) -> bool:
    """Whether two bundles hold the same model bytes (zip timestamps aside)."""
    if not (a.is_file() and b.is_file()):
        return False
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        return all(za.read(m) == zb.read(m) for m in BUNDLE_MEMBERS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=default_models_dir() / SHIPPED_BUNDLE,
        help="bundle to write (default: %(default)s)",
    )
    parser.add_argument(
        "--wheel", type=Path, help=f"a downloaded {WHEEL_SPEC} wheel instead of downloading"
    )
    args = parser.parse_args(argv)

    try:
        with tempfile.TemporaryDirectory() as tmp:
            wheel = args.wheel or download_wheel(Path(tmp))
            built = build_bundle_from_wheel(Path(tmp) / SHIPPED_BUNDLE, wheel)
            if same_members(built, args.out):
                print(f"unchanged: {args.out} already holds these models")
                return 0
            args.out.parent.mkdir(parents=True, exist_ok=True)
            part = args.out.with_name(args.out.name + ".part")
            part.write_bytes(built.read_bytes())
            part.replace(args.out)
    except ModelError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} from {wheel.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
