"""The history subcommands of ``gaitlab`` (history, report, export, delete, person) and the
saving that ``gaitlab analyze`` does after a run. :mod:`gaitlab.cli.main` registers them."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaitlab.cli import history_care, notes, person_ref
from gaitlab.cli.outputs import check_out_file
from gaitlab.cli.person_ref import add_person_options, chosen_person, person_named
from gaitlab.cli.terminal import safe

if TYPE_CHECKING:
    from gaitlab.pipeline import Analysis
    from gaitlab.render.blur import PeopleModel
    from gaitlab.store import Person, Session, Store

# The store (SQLAlchemy, pandas), the report (reportlab) and the face blur (OpenCV) are
# imported by the command that uses them, not here: registering these commands on the parser
# must not cost ``gaitlab --help`` half a second (heavy: see gaitlab.cli.main).

#: ``gaitlab export --format`` choices; the same as
#: :data:`gaitlab.report.exports.EXPORT_FORMATS` (a test keeps them equal), spelt out here so
#: that building the parser does not import the report.
EXPORT_CHOICES = ("json", "csv", "trc", "mp4")

SESSION_HELP = "session id (from gaitlab history), or 'latest'"
VIEW_SHORT = {
    "anterior": "front view",
    "posterior": "back view",
    "sagittal_left": "side view (left)",
    "sagittal_right": "side view (right)",
    "oblique": "diagonal view",
    "unknown": "view unknown",
}


def _session_id(store: Store, ref: str, kind: str | None = None) -> int:
    """A session id from the command line: a number, or ``latest`` (of ``kind``)."""
    from gaitlab.store import parse_session_id  # heavy: see gaitlab.cli.main

    if ref.strip().lower() in ("latest", "last"):
        return store.latest_session_id(kind=kind)
    return parse_session_id(ref)


def _local(session: Session) -> str:
    return session.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M")


def _details(s: Session) -> str:
    if s.kind == "programme":
        minutes = (s.duration_s or 0) / 60
        bits = [f"{minutes:.0f} min" if minutes >= 1 else f"{s.duration_s or 0:.0f} s"]
        if s.notes:
            bits.append(s.notes if len(s.notes) <= 40 else s.notes[:39] + "…")
        return " · ".join(bits)
    bits = [VIEW_SHORT.get(s.view or "", s.view or "")]
    if s.video_name:
        bits.append(s.video_name)
    return " · ".join(b for b in bits if b)


def _table(rows: list[list[str]], head: list[str]) -> str:
    """Columns padded to width; every cell escaped (:func:`~gaitlab.cli.terminal.safe`)."""
    rows = [[safe(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


# -- commands -----------------------------------------------------------------------------------
def _cmd_history(args: argparse.Namespace) -> int:
    from gaitlab.store import Store  # heavy: see gaitlab.cli.main

    with Store.open() as store:
        person = chosen_person(store, args)
        found = store.sessions(person, limit=args.limit)
    if args.json:
        print(json.dumps([s.to_dict() for s in found], indent=2))
        return 0
    if not found:
        who = f" for {safe(person.name)}" if person else ""
        print(f"no sessions{who} yet: analyse a video with gaitlab analyze VIDEO --out DIR")
        return 0
    rows = [
        [
            str(s.id),
            _local(s),
            s.person.name if s.person else "-",
            s.what + (" (programme)" if s.kind == "programme" else ""),
            s.source,
            _details(s),
        ]
        for s in found
    ]
    print(_table(rows, ["id", "recorded", "person", "what", "source", "details"]))
    return 0


def face_model() -> Callable[[], PeopleModel]:
    """What makes the pose model that finds faces to blur in sessions saved without their
    landmarks."""
    from gaitlab.pose import MediaPipePose  # mediapipe: loaded only when a command needs it
    from gaitlab.render.blur import MAX_FACES  # heavy: see gaitlab.cli.main

    return partial(MediaPipePose, num_poses=MAX_FACES)


def _session_to_file(store: Store, args: argparse.Namespace) -> int:
    """The analysis session ``args.session`` once it exists and ``args.out`` is a file that
    may be written (:func:`~gaitlab.cli.outputs.check_out_file`), before any work."""
    sid = _session_id(store, args.session, kind="analysis")
    store.session(sid)  # an unknown session is the first thing to say
    check_out_file(args.out)
    return sid


def _cmd_report(args: argparse.Namespace) -> int:
    from gaitlab.report.pdf import write_report  # reportlab: loaded only for this command
    from gaitlab.store import Store  # heavy: see gaitlab.cli.main

    with Store.open() as store:
        sid = _session_to_file(store, args)
        path = write_report(
            store, sid, args.out, blur_faces=args.blur_faces, face_model=face_model()
        )
    print(f"wrote {safe(path)} (session {sid})")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from gaitlab.report.exports import export_session
    from gaitlab.store import Store  # heavy: see gaitlab.cli.main

    with Store.open() as store:
        sid = _session_to_file(store, args)
        path = export_session(
            store,
            sid,
            args.format,
            args.out,
            blur_faces=args.blur_faces,
            height_cm=args.height_cm,
            face_model=face_model(),
            clip_s=_clip(args),
        )
    print(f"wrote {safe(path)} (session {sid}, {args.format})")
    return 0


def _clip(args: argparse.Namespace) -> tuple[float, float] | None:
    """``--from``/``--to`` as a clip's (start, end) in seconds; either may be left out."""
    if args.clip_from is None and args.clip_to is None:
        return None
    start = args.clip_from if args.clip_from is not None else 0.0
    return start, args.clip_to if args.clip_to is not None else float("inf")


def _cmd_delete(args: argparse.Namespace) -> int:
    from gaitlab.store import Store  # heavy: see gaitlab.cli.main

    with Store.open() as store:
        gone = store.delete_session(_session_id(store, args.session))
    what = gone.what or gone.kind
    print(f"deleted session {gone.id} ({safe(what)}, {_local(gone)}) and its files")
    return 0


def _person_row(p: Person, count: int) -> list[str]:
    return [
        str(p.id),
        p.name,
        p.sex or "-",
        str(p.birth_year) if p.birth_year else "-",
        f"{p.height_cm:g}" if p.height_cm else "-",
        f"{p.body_mass_kg:g}" if p.body_mass_kg else "-",
        str(count),
    ]


def _cmd_person_add(args: argparse.Namespace) -> int:
    from gaitlab.store import Store  # heavy: see gaitlab.cli.main

    with Store.open() as store:
        p = store.add_person(
            args.name,
            sex=args.sex,
            birth_year=args.birth_year,
            height_cm=args.height_cm,
            body_mass_kg=args.mass_kg,
        )
    print(f"added person {p.name!r} (id {p.id})")
    return 0


def _cmd_person_list(args: argparse.Namespace) -> int:
    from gaitlab.store import Store  # heavy: see gaitlab.cli.main

    with Store.open() as store:
        people = store.persons()
        counts = {p.id: len(store.sessions(p)) for p in people}
    if args.json:
        print(json.dumps([{**p.to_dict(), "sessions": counts[p.id]} for p in people], indent=2))
        return 0
    if not people:
        print("nobody yet: add a person with gaitlab person add NAME")
        return 0
    head = ["id", "name", "sex", "born", "height_cm", "mass_kg", "sessions"]
    print(_table([_person_row(p, counts[p.id]) for p in people], head))
    return 0


def _cmd_person_delete(args: argparse.Namespace) -> int:
    from gaitlab.store import Store, StoreError  # heavy: see gaitlab.cli.main

    with Store.open() as store:
        p = store.person(args.id) if args.id is not None else person_named(store, args.name, "--id")
        n = len(store.sessions(p))
        if not args.yes:
            raise StoreError(
                f"this deletes {p.name!r} and their {n} session(s) with all files: "
                "repeat with --yes to confirm"
            )
        store.delete_person(p)
    print(f"deleted person {p.name!r} and {n} session(s) with their files")
    return 0


def add_commands(sub: Any) -> None:
    """Register history, report, export, delete and person on the ``gaitlab`` parser."""
    p = sub.add_parser("history", help="list saved sessions, newest first")
    add_person_options(p, "only this person's sessions")
    p.add_argument("--limit", type=int, default=None, help="at most this many sessions")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=_cmd_history)
    commands = p.add_subparsers(
        dest="history_command", metavar="{notes,note,doctor,backup,restore}"
    )
    notes.add_commands(commands)
    history_care.add_commands(commands)

    p = sub.add_parser("report", help="write a PDF report of a saved session")
    p.add_argument("session", help=SESSION_HELP)
    p.add_argument("--out", required=True, help="the PDF file to write")
    p.add_argument("--blur-faces", action="store_true", help="blur faces in the key frames")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("export", help="export a saved session (json, csv, trc, mp4)")
    p.add_argument("session", help=SESSION_HELP)
    p.add_argument(
        "--format",
        required=True,
        choices=EXPORT_CHOICES,
        help="json: summary with person and dates; csv: per-frame table; trc: OpenSim "
        "markers; mp4: the annotated video",
    )
    p.add_argument("--out", required=True, help="the file to write")
    p.add_argument("--blur-faces", action="store_true", help="blur faces (mp4)")
    p.add_argument(
        "--from",
        dest="clip_from",
        type=float,
        metavar="SECONDS",
        help="mp4: a clip starting at this time of the recording (as the result shows it)",
    )
    p.add_argument(
        "--to", dest="clip_to", type=float, metavar="SECONDS", help="mp4: a clip ending here"
    )
    p.add_argument(
        "--height-cm",
        type=float,
        default=None,
        help="trc: scale to metres with this height (default: the person's height; "
        "without one the markers stay in pixels)",
    )
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("delete", help="delete a saved session and its files")
    p.add_argument("session", help=SESSION_HELP)
    p.set_defaults(func=_cmd_delete)

    p = sub.add_parser("person", help="add, list or delete the people sessions belong to")
    people = p.add_subparsers(dest="person_command", required=True)
    q = people.add_parser("add", help="add a person")
    q.add_argument("name")
    q.add_argument("--sex", choices=["female", "male"], default=None)
    q.add_argument("--birth-year", type=int, default=None)
    q.add_argument("--height-cm", type=float, default=None)
    q.add_argument("--mass-kg", type=float, default=None)
    q.set_defaults(func=_cmd_person_add)
    q = people.add_parser("list", help="list everybody")
    q.add_argument("--json", action="store_true", help="print JSON instead of a table")
    q.set_defaults(func=_cmd_person_list)
    q = people.add_parser("delete", help="delete a person with all their sessions and files")
    which = q.add_mutually_exclusive_group(required=True)
    which.add_argument("name", nargs="?", help="the person's name (a number too is a name)")
    which.add_argument("--id", type=int, metavar="N", help="the person with this id")
    q.add_argument("--yes", action="store_true", help="confirm")
    q.set_defaults(func=_cmd_person_delete)


# -- gaitlab analyze ----------------------------------------------------------------------------
def add_analyze_options(p: argparse.ArgumentParser) -> None:
    """``--person`` and ``--no-save`` for ``gaitlab analyze``."""
    add_person_options(
        p,
        "whose video it is (saved under them; their sex and height are used unless "
        "--sex/--height-cm are given)",
    )
    p.add_argument(
        "--no-save",
        action="store_true",
        help="do not save the analysis to the history (GAITLAB_HOME)",
    )


@dataclass
class AnalyzeHistory:
    """What ``gaitlab analyze`` needs from the history: opened (and the person looked up)
    before the analysis so a bad database URL or an unknown name fails in a second, not
    after minutes of pose estimation."""

    store: Store | None
    person: Person | None

    @classmethod
    def open(cls, args: argparse.Namespace) -> AnalyzeHistory:
        if getattr(args, "no_save", False) and not person_ref.given(args):
            return cls(None, None)
        from gaitlab.store import Store  # heavy: see gaitlab.cli.main

        store = Store.open()
        try:
            if not getattr(args, "no_save", False):
                store.check_writable()
            person = chosen_person(store, args)
        except BaseException:
            store.close()
            raise
        return cls(store, person)

    def height_cm(self, given: float | None) -> float | None:
        return given if given is not None or self.person is None else self.person.height_cm

    def sex(self, given: str | None) -> str | None:
        return given if given is not None or self.person is None else self.person.sex

    def person_options(self) -> dict[str, float]:
        """``age_years`` (from the birth year, this year) and ``body_mass_kg`` of the
        person, for :class:`~gaitlab.pipeline.AnalyzeOptions`; empty without a person."""
        out: dict[str, float] = {}
        if self.person is not None and self.person.birth_year:
            out["age_years"] = float(date.today().year - self.person.birth_year)
        if self.person is not None and self.person.body_mass_kg:
            out["body_mass_kg"] = float(self.person.body_mass_kg)
        return out

    def save(
        self,
        args: argparse.Namespace,
        analysis: Analysis,
        out_dir: Path,
        say: Callable[[str], Any] = print,
        *,
        source: str = "file",
    ) -> int | None:
        """Save after a successful run (unless ``--no-save``); returns the session id."""
        if self.store is None or getattr(args, "no_save", False):
            return None
        from gaitlab.store import StoreError  # heavy: see gaitlab.cli.main

        try:
            sid = save_after_analyze(
                analysis, out_dir, person=self.person, store=self.store, source=source
            )
        except StoreError as err:
            raise StoreError(f"{err} (the results are in {out_dir})") from None
        who = f" for {safe(self.person.name)}" if self.person else ""
        say(f"saved to the history as session {sid}{who} (gaitlab report {sid} --out report.pdf)")
        return sid

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> AnalyzeHistory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def save_after_analyze(
    analysis: Analysis,
    out_dir: str | os.PathLike[str],
    *,
    person: Person | int | str | None = None,
    store: Store | None = None,
    source: str = "file",
    notes: str | None = None,
) -> int:
    """Save a finished analysis and the files it wrote to ``out_dir``; returns the session id.

    The history keeps its own copies of the files in ``out_dir`` (which stay where they
    are: editing them never changes the history), plus ``landmarks.npz`` with every landmark
    for face blurring and exports. Call it only after :func:`gaitlab.pipeline.analyze_video`
    returned: an analysis that failed has nothing to save, so the history never holds half a
    session.

    Parameters
    ----------
    analysis
        What :func:`~gaitlab.pipeline.analyze_video` returned.
    out_dir
        The folder it wrote to.
    person
        Whose session (:class:`~gaitlab.store.Person`, id or name) or None.
    store
        An open store; default :meth:`Store.open() <gaitlab.store.Store.open>` (closed again).
    """
    from gaitlab.store import Landmarks, Store  # heavy: see gaitlab.cli.main

    own = store is None
    target = Store.open() if store is None else store
    size = (analysis.info.width, analysis.info.height)
    landmarks = Landmarks(analysis.raw, size, analysis.others)
    try:
        return target.save_analysis(
            Path(out_dir), person, source=source, landmarks=landmarks, notes=notes
        )
    finally:
        if own:
            target.close()
