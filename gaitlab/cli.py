"""The ``gaitlab`` command."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

from gaitlab import __version__
from gaitlab.errors import GaitlabError

EXIT_USAGE = 2
EXIT_ERROR = 1
EXIT_INTERNAL = 3


class _Progress:
    """tqdm bars on stderr, one per stage ("pose", "video"); silent when not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, object] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            label = {"pose": "pose estimation", "video": "annotated video"}.get(stage, stage)
            bar = tqdm(total=total or None, desc=label, unit="frame", file=sys.stderr, leave=True)
            self.bars[stage] = bar
        bar.n = done  # type: ignore[attr-defined]
        if total and done > total:
            bar.total = done  # type: ignore[attr-defined]
        bar.refresh()  # type: ignore[attr-defined]

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()  # type: ignore[attr-defined]


def _cmd_analyze(args: argparse.Namespace) -> int:
    from gaitlab.pipeline import AnalyzeOptions, analyze_video

    options = AnalyzeOptions(
        task=args.task,
        subject=args.subject,
        height_cm=args.height_cm,
        sex=args.sex,
        write_video=not args.no_video,
    )
    video = Path(args.video)
    progress = _Progress(enabled=not args.quiet and sys.stderr.isatty())
    try:
        analysis = analyze_video(video, args.out, options, progress=progress)
    finally:
        progress.close()
    out = Path(args.out)
    q = analysis.quality
    print(
        f"{video.name}: task {analysis.task}, view {analysis.view}, "
        f"subject found in {q['detected_fraction']:.0%} of {len(analysis.pose)} frames, "
        f"{q['persons_seen']} person(s) seen"
    )
    for w in q["warnings"]:
        print(f"warning: {w}")
    print(
        f"wrote {out / 'summary.json'}, {out / 'frames.csv'}"
        + ("" if args.no_video else f", {out / 'annotated.mp4'}")
    )
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
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
    from gaitlab.thresholds import DEFAULT_PATH

    print(f"thresholds: {os.environ.get('GAITLAB_THRESHOLDS') or DEFAULT_PATH}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gaitlab",
        description="Check walking and exercise form from ordinary video.",
    )
    parser.add_argument("--version", action="version", version=f"gaitlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("analyze", help="analyse a video file and write the results to a folder")
    p.add_argument("video", help="video file (mp4, mov, webm, mkv …)")
    p.add_argument(
        "--task",
        default="auto",
        choices=["walk", "calf-raise", "balance", "auto"],
        help="what the video shows (default: auto, guessed from the motion)",
    )
    p.add_argument("--out", required=True, help="output folder (created if needed)")
    p.add_argument("--no-video", action="store_true", help="skip the annotated video")
    p.add_argument(
        "--subject",
        default="auto",
        help="who to analyse when several people are in view: auto (default: the "
        "person most completely and longest visible, largest), largest, or a "
        "track id from a previous run's summary.json",
    )
    p.add_argument(
        "--height-cm",
        type=float,
        default=None,
        help="the subject's height, to report distances in cm",
    )
    p.add_argument(
        "--sex",
        choices=["female", "male"],
        default=None,
        help="selects sex-specific thresholds where the source gives them",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("info", help="print versions and the pose model in use")
    p.set_defaults(func=_cmd_info)
    return parser


def _silence_native_stderr() -> None:
    """Send the C++ libraries' own log lines (MediaPipe, TFLite, absl) to /dev/null.

    They write straight to file descriptor 2, which no Python setting reaches, and bury the
    one-line messages gaitlab prints. Python's ``sys.stderr`` is moved to a duplicate of the
    original descriptor first, so gaitlab's messages and progress bars still show.
    ``GAITLAB_DEBUG=1`` keeps the native logs.
    """
    if os.environ.get("GAITLAB_DEBUG"):
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        sys.stderr = os.fdopen(saved, "w", buffering=1, encoding="utf-8", errors="replace")
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:  # no usable descriptor 2 (embedded use): leave things as they are
        return


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if argv is None:  # a real command-line run, not a call from tests or other code
        _silence_native_stderr()
    try:
        return int(args.func(args))
    except GaitlabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line for the user, traceback on request
        if os.environ.get("GAITLAB_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (set GAITLAB_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
