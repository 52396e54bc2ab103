"""The ``gaitlab`` command: the parser, the exit codes and the one-line error handling.

Each subcommand lives in its own module (:mod:`gaitlab.cli.analyze`, ``footprint``, ``info``,
``live``, ``app``, ``history``, ``programme``), which adds its parser to ``gaitlab`` and runs
it. A command module imports its heavy libraries (MediaPipe, OpenCV, Streamlit, the pipeline)
inside the function that runs the command, never at the top, so that ``gaitlab --help`` and
the light commands start fast: that is the one reason for a function-level import there
(marked "heavy: see gaitlab.cli.main").
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence

from gaitlab import __version__
from gaitlab.cli import analyze, app, footprint, history, info, live, programme, users
from gaitlab.cli.terminal import safe
from gaitlab.core.errors import GaitlabError, os_reason

EXIT_USAGE = 2
EXIT_ERROR = 1
EXIT_INTERNAL = 3

#: Operating-system errors that are the computer's state, not a bug: a full disk or quota,
#: a read-only file system, missing rights. Any command meeting one says so in a line.
ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}
)


def build_parser() -> argparse.ArgumentParser:
    """The ``gaitlab`` parser: each command adds itself, in the order ``--help`` lists them."""
    parser = argparse.ArgumentParser(
        prog="gaitlab",
        description="Check walking and exercise form from ordinary video.",
    )
    parser.add_argument("--version", action="version", version=f"gaitlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in (analyze, footprint, info, live, app, users):
        command.add_command(sub)
    history.add_commands(sub)  # history, report, export, delete, person
    programme.add_programme_command(sub)  # list, show, do, log
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
        print(f"error: {safe(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        if exc.errno not in ENVIRONMENT_ERRNOS:  # not the disk or the rights: a bug
            return _internal_error(exc)
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {safe(os_reason(exc))}{safe(where)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line for the user, traceback on request
        return _internal_error(exc)


def _internal_error(exc: Exception) -> int:
    if os.environ.get("GAITLAB_DEBUG"):
        raise exc
    print(
        f"internal error: {type(exc).__name__}: {safe(exc)} (set GAITLAB_DEBUG=1 for details)",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
