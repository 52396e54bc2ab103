"""Peak memory of the app with many uploads at once.

Starts the app (``streamlit run app.py``, one analysis at a time) with an empty home, opens
``--uploads`` browser sessions in Chromium, uploads a short clip from each and presses
Analyse in every one; then lets the queue run until every upload has finished. The server's
resident memory is read from ``/proc`` twice: its peak (``VmHWM``) once all uploads wait in
the queue (the run slot is held meanwhile, so none has started) and once all have finished.

The clip is the first ``--seconds`` of ``sample_videos/demo.mp4`` at full size, uncompressed,
so that each upload is large (55 MB for 0.7 s): were uploads held in memory, the peak would
grow by that much with each one queued.

Usage: python benchmarks/queue_memory.py --uploads 10 [--seconds 0.7]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import av

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from browserkit import CHROMIUM_FLAGS, DESKTOP, serve_app, wait_app  # noqa: E402

from gaitlab.store.queue import DiskQueue  # noqa: E402


def make_clip(source: Path, seconds: float, out: Path) -> Path:
    """The first ``seconds`` of ``source`` at full size, uncompressed (Matroska)."""
    with av.open(str(source)) as src, av.open(str(out), "w") as dst:
        stream_in = src.streams.video[0]
        rate = stream_in.average_rate or 30
        stream = dst.add_stream("rawvideo", rate=rate)
        stream.width, stream.height = stream_in.width, stream_in.height
        stream.pix_fmt = "yuv420p"
        for frame in src.decode(stream_in):
            if frame.time is not None and frame.time >= seconds:
                break
            img = frame.to_ndarray(format="rgb24")
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    return out


def memory_kb(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` (peak resident memory) of a process, in kB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def server_pid(port: int) -> int:
    """The pid of the process listening on ``port`` (the app server)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if int(cols[1].split(":")[1], 16) == port and cols[3] == "0A":
                inode = cols[9]
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            for fd in fd_dir.iterdir():
                if fd.readlink().name == f"socket:[{inode}]":
                    return int(fd_dir.parent.name)
        except OSError:
            continue
    raise RuntimeError(f"no process listens on {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=0.7)
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    work = Path(tempfile.mkdtemp(prefix="gaitlab-queue-memory-"))
    clip = make_clip(REPO / "sample_videos" / "demo.mp4", args.seconds, work / "clip.mkv")
    home = work / "home"
    home.mkdir()
    import os

    os.environ.update(GAITLAB_ANALYSES="1", GAITLAB_QUEUE_LIMIT=str(args.uploads))
    queue = DiskQueue(home / "uploads", 1)
    with serve_app(home) as url, sync_playwright() as pw:
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        idle = memory_kb(pid)
        slot = queue.take_slot()  # nothing starts until every upload waits
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        pages = []
        for _ in range(args.uploads):
            page = browser.new_context(viewport=DESKTOP, base_url=url).new_page()
            page.set_default_timeout(120_000)
            page.goto("/analyse")
            wait_app(page)
            pages.append(page)
        for page in pages:  # all files sent before any Analyse is pressed
            page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(clip))
        for page in pages:
            expect(page.get_by_role("button", name="Analyse", exact=True)).to_be_enabled(
                timeout=120_000
            )
        for page in pages:
            page.get_by_role("button", name="Analyse", exact=True).click()
        for page in pages:
            page.get_by_text("Waiting:").wait_for()
        queued = memory_kb(pid)
        start = time.monotonic()
        slot.release()
        while True:
            states = [s.get("state") for s in queue.statuses().values()]
            if len(states) == args.uploads and all(s not in ("queued", "running") for s in states):
                break
            time.sleep(1.0)
        elapsed = time.monotonic() - start
        done = memory_kb(pid)
        browser.close()
    print(
        json.dumps(
            {
                "uploads": args.uploads,
                "clip_mb": round(clip.stat().st_size / 1e6, 1),
                "idle_rss_mb": round(idle["VmRSS"] / 1024),
                "all_queued_peak_mb": round(queued["VmHWM"] / 1024),
                "all_queued_rss_mb": round(queued["VmRSS"] / 1024),
                "finished_peak_mb": round(done["VmHWM"] / 1024),
                "finished_rss_mb": round(done["VmRSS"] / 1024),
                "states": sorted(states),
                "run_s": round(elapsed, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
