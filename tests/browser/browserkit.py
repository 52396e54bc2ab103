"""Helpers for the browser tests: Chromium flags, viewports, waiting, screenshots."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def wait_app(page) -> None:
    """Wait until Streamlit has rendered and finished running the script."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]')
    page.wait_for_selector('[data-testid="stMain"] h1')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def screenshot(page, name: str, viewport: dict[str, int]) -> Path:
    """A whole-page screenshot at ``viewport``'s width (Streamlit scrolls inside its main
    container, so the viewport is stretched to the content's height first)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.set_viewport_size(viewport)
    page.wait_for_timeout(500)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    page.wait_for_timeout(800)
    path = SCREENSHOTS / f"{name}-{viewport['width']}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(viewport)
    return path


@contextmanager
def serve_app(home: Path) -> Iterator[str]:
    """``streamlit run app.py`` with ``GAITLAB_HOME=home`` on a free port; yields its base
    URL once healthy and stops it afterwards (the server's log is ``home/server.log``)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GAITLAB_HOME": str(home)}
    env.pop("GAITLAB_DB_URL", None)
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"the app server exited; see {log.name}"
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the app server did not come up; see {log.name}"
            time.sleep(0.3)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
