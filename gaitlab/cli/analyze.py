"""``gaitlab analyze``: analyse a video file and write the results to a folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gaitlab.cli.history import AnalyzeHistory, add_analyze_options
from gaitlab.cli.interrupt import cancel_on_signals
from gaitlab.cli.outputs import check_out_folder
from gaitlab.cli.progress import Progress
from gaitlab.cli.terminal import safe
from gaitlab.present.view_notes import merge_view_notes


def add_command(sub: Any) -> None:
    """Register ``gaitlab analyze`` on the ``gaitlab`` parser."""
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
    p.add_argument(
        "--age",
        type=float,
        default=None,
        help="the subject's age in years (balance and heel-rise norms)",
    )
    p.add_argument(
        "--mass-kg",
        type=float,
        default=None,
        help="body mass in kg (work done in the heel-rise test)",
    )
    p.add_argument(
        "--heel-rise-test",
        action="store_true",
        help="calf raises: single-leg heel-rise test to fatigue, compared with norms",
    )
    p.add_argument(
        "--turn",
        default="auto",
        choices=["auto", "0", "90", "180", "270"],
        help="turn the picture this many degrees clockwise before analysis (default: auto, "
        "found from the people in it when a phone was held upside down or sideways and the "
        "file says nothing; rotation metadata is always applied first)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_analyze_options(p)
    p.set_defaults(func=run)


def _options(args: argparse.Namespace, history: AnalyzeHistory) -> Any:
    """The pipeline's options from the command line and what ``--person`` knows."""
    from gaitlab.pipeline import AnalyzeOptions  # heavy: see gaitlab.cli.main

    return AnalyzeOptions(
        task=args.task,
        subject=args.subject,
        height_cm=history.height_cm(args.height_cm),
        sex=history.sex(args.sex),
        write_video=not args.no_video,
        heel_rise_test=args.heel_rise_test,
        turn_deg=None if args.turn == "auto" else int(args.turn),
        **{  # age and body mass: the command line wins over what --person knows
            **history.person_options(),
            **{
                k: v
                for k, v in (("age_years", args.age), ("body_mass_kg", args.mass_kg))
                if v is not None
            },
        },
    )


def run(args: argparse.Namespace) -> int:
    """Analyse the video, print what was found and written, save the session.

    Ctrl-C or SIGTERM stops the pose workers between frames: nothing is written to ``--out``
    and nothing saved (:mod:`gaitlab.cli.interrupt`).
    """
    # Checked first, so a wrong --out costs a second, not the whole pose estimation.
    out = check_out_folder(args.out)
    from gaitlab.pipeline import AnalysisCancelled, analyze_video  # heavy: see gaitlab.cli.main

    # Opened before the run, so a bad database URL or an unknown --person fails at once.
    with AnalyzeHistory.open(args) as history:
        options = _options(args, history)
        video = Path(args.video)
        progress = Progress(enabled=not args.quiet and sys.stderr.isatty())
        with cancel_on_signals() as interrupts:
            try:
                analysis = analyze_video(
                    video, args.out, options, progress=progress, cancel=interrupts.cancel
                )
            except AnalysisCancelled:
                pass
            finally:
                progress.close()
        if interrupts.cancel.is_set():
            print("interrupted: nothing written, nothing saved", file=sys.stderr)
            return interrupts.exit_code
        q = analysis.quality
        print(
            f"{safe(video.name)}: task {analysis.task}, view {analysis.view}, "
            f"subject found in {q['detected_fraction']:.0%} of {len(analysis.pose)} frames, "
            f"{q['persons_seen']} person(s) seen"
        )
        why = analysis.metrics.get("reps_unavailable")
        if why:  # never a silent zero: say why no rep was counted
            print(f"no reps counted: {safe(str(why))}")
        for w in merge_view_notes(q["warnings"]):
            print(f"warning: {safe(w)}")
        print(
            safe(
                f"wrote {out / 'summary.json'}, {out / 'frames.csv'}"
                + ("" if args.no_video else f", {out / 'annotated.mp4'}")
            )
        )
        history.save(args, analysis, out)
    return 0
