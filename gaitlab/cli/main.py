"""The ``gaitlab`` command."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

from gaitlab import __version__
from gaitlab.core.errors import GaitlabError

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
    from gaitlab.cli.history import AnalyzeHistory
    from gaitlab.pipeline import AnalyzeOptions, analyze_video

    # Opened before the run, so a bad database URL or an unknown --person fails at once.
    with AnalyzeHistory.open(args) as history:
        options = AnalyzeOptions(
            task=args.task,
            subject=args.subject,
            height_cm=history.height_cm(args.height_cm),
            sex=history.sex(args.sex),
            write_video=not args.no_video,
            heel_rise_test=args.heel_rise_test,
            **{  # age and body mass: the command line wins over what --person knows
                **history.person_options(),
                **{
                    k: v
                    for k, v in (("age_years", args.age), ("body_mass_kg", args.mass_kg))
                    if v is not None
                },
            },
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
        history.save(args, analysis, out)
    return 0


def _cmd_footprint(args: argparse.Namespace) -> int:
    from gaitlab.footprint.analyze import run_footprint

    summary = run_footprint(args.photo, args.out, side=args.side, age_years=args.age)
    print(
        f"{Path(args.photo).name}: {summary['arch_type']} arch "
        f"(arch index {summary['arch_index']:.3f}, "
        f"Chippaux-Smirak {summary['chippaux_smirak_index']:.3f}, "
        f"Staheli {summary['staheli_index']:.3f}), {summary['side'] or 'unknown'} foot"
    )
    for w in summary.get("warnings", []):
        print(f"warning: {w}")
    if summary["side"] is None:
        print("which foot is it? the print does not say: run again with --side left or right")
    print("a screening clue, not a diagnosis: see a clinician about pain or a change")
    print(f"wrote {Path(args.out) / 'summary.json'}, {Path(args.out) / 'overlay.png'}")
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
    from gaitlab.core.thresholds import DEFAULT_PATH

    print(f"thresholds: {os.environ.get('GAITLAB_THRESHOLDS') or DEFAULT_PATH}")
    return 0


#: The app's entry script, beside the package in a source checkout.
APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"


def _cmd_app(args: argparse.Namespace) -> int:
    import subprocess

    if not APP_SCRIPT.is_file():
        raise GaitlabError(f"the app script {APP_SCRIPT} is missing: run from a gaitlab checkout")
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
        "--server.port", str(args.port),
        "--server.maxUploadSize", "2048",
        "--client.toolbarMode", "minimal",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    if args.address:
        cmd += ["--server.address", args.address]
    if args.headless:
        cmd += ["--server.headless", "true"]
    try:
        return subprocess.call(cmd, cwd=APP_SCRIPT.parent)
    except KeyboardInterrupt:
        return 0


def _cmd_live(args: argparse.Namespace) -> int:
    from gaitlab.cli.history import AnalyzeHistory
    from gaitlab.cli.live import LiveOptions, run_live

    say = print if not args.json else (lambda m: print(m, file=sys.stderr))
    # with --out the session is kept in the history like an analysed file (unless --no-save)
    with AnalyzeHistory.open(args) as history:
        run = run_live(
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
        if run.written:
            say(f"wrote {', '.join(str(p) for p in run.written.values())}")
        if run.analysis is not None:
            history.save(args, run.analysis, Path(args.out), say, source="live")
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
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    from gaitlab.cli.history import add_analyze_options, add_commands

    add_analyze_options(p)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("footprint", help="wet foot test: arch indices from a footprint photo")
    p.add_argument("photo", help="photo of a wet footprint on paper or cardboard (jpg, png)")
    p.add_argument("--out", required=True, help="output folder (one per photo)")
    p.add_argument(
        "--side",
        choices=["left", "right"],
        default=None,
        help="which foot made the print (detected when not given)",
    )
    p.add_argument(
        "--age", type=float, default=None, help="age in years (children's cut-offs apply under 17)"
    )
    p.set_defaults(func=_cmd_footprint)

    p = sub.add_parser("info", help="print versions and the pose model in use")
    p.set_defaults(func=_cmd_info)

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
    p.set_defaults(func=_cmd_live)

    p = sub.add_parser("app", help="open the app in the browser (streamlit run app.py)")
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    p.add_argument("--address", default=None, help="address to listen on (default: all)")
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.set_defaults(func=_cmd_app)

    add_commands(sub)  # history, report, export, delete, person (gaitlab.cli.history)
    from gaitlab.cli.programme import add_programme_command

    add_programme_command(sub)  # list, show, do, log (gaitlab.cli.programme)
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
