"""The analysis queue seen from several browser sessions at once: each waiting upload's page
says where it stands and follows the queue, an upload beyond the limit is refused with a
message, cancelling works waiting and running, and a queued upload starts when its turn
comes (a whole upload analysed to its result: ``test_browser.py``).

The app serves one analysis at a time and two waiting (``gaitlab app --analyses 1
--queue-limit 2``). The test holds the one run slot itself, as an analysis in another app
process on the same home would, so nothing depends on the machine's speed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from browserkit import DESKTOP, screenshot, serve_app, wait_app
from playwright.sync_api import expect

from gaitlab.store.queue import DiskQueue

#: A started analysis shows its progress bar within a poll of the queue (1 s) and a page
#: refresh (0.5 s); the margin is for a busy machine.
START_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def queue_app(tmp_path_factory) -> Iterator[tuple[str, DiskQueue]]:
    home = tmp_path_factory.mktemp("queue_home")
    mp = pytest.MonkeyPatch()
    mp.setitem(os.environ, "GAITLAB_ANALYSES", "1")
    mp.setitem(os.environ, "GAITLAB_QUEUE_LIMIT", "2")
    try:
        with serve_app(home) as url:
            yield url, DiskQueue(home / "uploads", 1)
    finally:
        mp.undo()


def _session(browser, url: str):
    context = browser.new_context(viewport=DESKTOP, base_url=url)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto("/analyse")
    wait_app(page)
    return context, page


def _upload(page, clip) -> None:
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(clip))
    analyse = page.get_by_role("button", name="Analyse", exact=True)
    expect(analyse).to_be_enabled(timeout=60_000)  # once the upload has reached the server
    analyse.click()


def test_several_sessions_queue_wait_their_turn_are_refused_or_cancel(
    browser, queue_app, walk_side_clip
):
    url, queue = queue_app
    slot = queue.take_slot()  # another process's analysis: nothing here starts yet
    assert slot is not None
    sessions = [_session(browser, url) for _ in range(3)]
    (_, first), (_, second), (_, third) = sessions
    try:
        _upload(first, walk_side_clip)
        first.get_by_text("Waiting: 1st in the queue").wait_for()
        _upload(second, walk_side_clip)
        second.get_by_text("Waiting: 2nd in the queue").wait_for()
        _upload(third, walk_side_clip)
        third.get_by_text("The queue is full: 2 videos are waiting").wait_for()
        assert "?result=" not in third.url  # refused: no result page, nothing kept
        assert len(queue.waiting()) == 2
        screenshot(second, "queue-waiting", DESKTOP)

        first.get_by_role("button", name="Cancel this analysis").click()
        first.get_by_text("was removed, nothing was kept").wait_for()
        second.get_by_text("Waiting: 1st in the queue").wait_for()  # the page follows
        _upload(third, walk_side_clip)  # room again
        third.get_by_text("Waiting: 2nd in the queue").wait_for()

        slot.release()  # the other analysis ended: the queue moves on, in order
        second.locator('[data-testid="stProgress"]').wait_for(timeout=START_TIMEOUT_MS)
        third.get_by_text("Waiting: 1st in the queue").wait_for(timeout=START_TIMEOUT_MS)
        second.get_by_role("button", name="Cancel this analysis").click()  # while it runs
        second.get_by_text("was removed, nothing was kept").wait_for()
        third.locator('[data-testid="stProgress"]').wait_for(timeout=START_TIMEOUT_MS)
        third.get_by_role("button", name="Cancel this analysis").click()
        third.get_by_text("was removed, nothing was kept").wait_for()
        assert queue.waiting() == []
    finally:
        slot.release()
        for context, _ in sessions:
            context.close()
