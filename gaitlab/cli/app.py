"""``gaitlab app``: open the app in the browser (Streamlit running :mod:`gaitlab.app.main`)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import subprocess
import sys
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from gaitlab.core.errors import GaitlabError

#: Served on this computer only unless ``--host`` says otherwise: the app shows patients'
#: sessions, and beyond this computer only to those who sign in (:mod:`gaitlab.app.auth`).
LOCAL_ADDRESS = "127.0.0.1"

#: The largest video the app accepts by default (MB): a minute of 4K phone video is about 400 MB;
#: a larger limit lets one upload fill the disk.
DEFAULT_MAX_UPLOAD_MB = 500

#: The app's entry script, inside the package (so an installed wheel has it too).
APP_SCRIPT = files("gaitlab.app") / "main.py"


def add_command(sub: Any) -> None:
    """Register ``gaitlab app`` on the ``gaitlab`` parser."""
    p = sub.add_parser("app", help="open the app in the browser (streamlit run app.py)")
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    p.add_argument(
        "--host",
        "--address",
        dest="address",
        default=LOCAL_ADDRESS,
        help="address to listen on (default 127.0.0.1: this computer only). Any other "
        "(0.0.0.0: every network) needs accounts (gaitlab users add) and, on a network you "
        "do not control, HTTPS from a reverse proxy in front",
    )
    p.add_argument(
        "--max-upload-mb",
        type=_upload_mb,
        default=DEFAULT_MAX_UPLOAD_MB,
        metavar="MB",
        help=f"largest video the app accepts, in MB (default {DEFAULT_MAX_UPLOAD_MB})",
    )
    p.add_argument(
        "--analyses",
        metavar="N",
        help="analyses run at once (default 1, or GAITLAB_ANALYSES); shared by every app "
        "process using the same GAITLAB_HOME",
    )
    p.add_argument(
        "--queue-limit",
        metavar="N",
        help="uploads that may wait for their turn (default 8, or GAITLAB_QUEUE_LIMIT); beyond "
        "it an upload is refused with a message",
    )
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.set_defaults(func=run)


def _upload_mb(text: str) -> int:
    try:
        mb = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of MB") from None
    if not 1 <= mb <= 10_000:
        raise argparse.ArgumentTypeError(f"{mb} MB: choose between 1 and 10000")
    return mb


def is_local(address: str) -> bool:
    """Whether ``address`` can be reached from this computer only (a loopback address)."""
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip()).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def run(args: argparse.Namespace) -> int:
    """Serve the app with Streamlit until it stops (Ctrl-C ends it quietly).

    Raises
    ------
    GaitlabError
        Served beyond this computer without any account; a bad number of analyses at once
        or queue limit.
    """
    from gaitlab.store.accounts import Accounts  # heavy: see gaitlab.cli.main
    from gaitlab.store.queue import PARALLEL_ENV, QUEUE_LIMIT_ENV, limits_from_env

    env = dict(os.environ)
    if args.analyses is not None:
        env[PARALLEL_ENV] = args.analyses
    if args.queue_limit is not None:
        env[QUEUE_LIMIT_ENV] = args.queue_limit
    limits_from_env(env)  # a bad number is refused here, before the server starts
    if not is_local(args.address) and not Accounts():
        raise GaitlabError(
            f"serving the app on {args.address} lets other computers in: add an account "
            "first (gaitlab users add NAME --role clinician), then everyone signs in"
        )
    with as_file(APP_SCRIPT) as script:
        if not script.is_file():
            raise GaitlabError(f"the app script {script} is missing: reinstall gaitlab")
        return _serve(script, args, env)


def _serve(script: Path, args: argparse.Namespace, env: dict[str, str]) -> int:
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(args.port),
        "--server.maxUploadSize", str(args.max_upload_mb),
        "--client.toolbarMode", "minimal",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    cmd += ["--server.address", args.address]
    if args.headless:
        cmd += ["--server.headless", "true"]
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0
