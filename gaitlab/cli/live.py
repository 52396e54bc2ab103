"""``gaitlab live``: calf raises or balance live, from a webcam or a video file played as if it
were one. The session itself: :mod:`gaitlab.cli.live_session`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gaitlab.cli.history import AnalyzeHistory, add_analyze_options
from gaitlab.cli.outputs import check_out_folder
from gaitlab.cli.terminal import safe


def add_command(sub: Any) -> None:
    """Register ``gaitlab live`` on the ``gaitlab`` parser."""
    p = sub.add_parser(
        "live",
        help="calf raises or balance live: a webcam, or a video file played as if it were one",
        description="Follow a live session: skeleton, rep / hold counter, phase and cues as "
        "they happen. --source plays a file in real time, dropping frames when processing "
        "falls behind, as a webcam would. Stop with Ctrl-C; with --out the session is "
        "written as summary.json, frames.csv and annotated.mp4 (the frames processed).",
    )
    p.add_argument("--task", required=True, choices=["calf-raise", "balance"])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--camera", type=int, metavar="N", help="webcam number (0 = the first)")
    src.add_argument("--source", metavar="FILE", help="play a video file as if it were a camera")
    p.add_argument(
        "--json", action="store_true", help="print each event as one JSON object per line"
    )
    p.add_argument("--out", default=None, help="write the session's results to this folder")
    p.add_argument("--show", action="store_true", help="show the annotated picture in a window")
    p.add_argument("--height-cm", type=float, default=None, help="height, for heel heights in cm")
    p.add_argument(
        "--sex",
        choices=["female", "male"],
        default=None,
        help="selects sex-specific thresholds where the source gives them",
    )
    p.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        metavar="S",
        help="stop after S seconds of video (default: until the end or Ctrl-C)",
    )
    add_analyze_options(p)  # --person, --no-save
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the live session, print what was written, save the session."""
    if args.out is not None:  # before the camera and the pose model: a wrong --out costs nothing
        check_out_folder(args.out)
    from gaitlab.cli.live_session import LiveOptions, run_live  # heavy: see gaitlab.cli.main

    say = print if not args.json else (lambda m: print(m, file=sys.stderr))
    # with --out the session is kept in the history like an analysed file (unless --no-save)
    with AnalyzeHistory.open(args) as history:
        session = run_live(
            LiveOptions(
                task=args.task,
                camera=args.camera,
                source=Path(args.source) if args.source is not None else None,
                json_lines=args.json,
                out_dir=Path(args.out) if args.out is not None else None,
                show=args.show,
                height_cm=history.height_cm(args.height_cm),
                sex=history.sex(args.sex),
                max_seconds=args.max_seconds,
            )
        )
        if session.written:
            say(safe(f"wrote {', '.join(str(p) for p in session.written.values())}"))
        if session.analysis is not None:
            history.save(args, session.analysis, Path(args.out), say, source="live")
    return 0
