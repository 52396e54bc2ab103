"""The Compare page in Debian's Chromium against its own app server, whose history holds two
real walking sessions filed under one person (the side-view walk, 59.7 fps, and the older
adult's walk, 30 fps, posed once here), a balance session of hers and a person with one
session: both annotated videos load; lined up on a heel strike, each lands on its own
event's frame; a step and playback keep them on one moment; the measures list the change;
pairs of other tasks and a person with one session are refused. Screenshots at desktop and
phone widths."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import pytest
from browserkit import DESKTOP, PHONE, screenshot, serve_app, wait_app
from storekit import make_summary

from gaitlab.pipeline import (
    AnalyzeOptions,
    PeopleTrack,
    analyze_people,
    estimate_people,
    write_outputs,
)
from gaitlab.present.compare import SyncEvent, compare_metrics, frame_at, sync_point
from gaitlab.store import Store

REPO = Path(__file__).resolve().parents[2]
CLIPS = {
    "walk_a": REPO / "tests/data/walk_side_outdoor_60fps.mp4",
    "walk_b": REPO / "tests/data/walk_side_turn_older_adult.mp4",
}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PLAYER = 'iframe[title*="gaitlab_dual_player"]'
#: Each pane's video: current time, frame count known, paused and settled.
PANES_JS = """() => {
  const d = document.querySelector('PLAYER').contentDocument;
  return [0, 1].map(i => { const v = d.getElementById('video-' + i);
    return {t: v.currentTime, ready: v.readyState >= 2 && !v.seeking, paused: v.paused,
            frame: parseInt(d.getElementById('where-' + i).dataset.frame ?? '-1')}; });
}""".replace("PLAYER", PLAYER)


def build_home(home: Path, people_of: Callable[[Path], PeopleTrack]) -> dict[str, int]:
    """A history at ``home``: Mia's two walks a week apart (with their annotated videos) and
    a balance session of hers (a summary only), and Noor with one walk; returns the session
    ids by name."""
    ids = {}
    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        mia = store.add_person("Mia Example", sex="female", birth_year=1958, height_cm=162)
        noor = store.add_person("Noor Example", sex="female", birth_year=1990)
        for name, who, day in (("walk_a", mia, 0), ("walk_b", mia, 7), ("noor", noor, 9)):
            clip = CLIPS["walk_a" if name == "noor" else name]
            analysis = analyze_people(people_of(clip), AnalyzeOptions(task="walk"), str(clip))
            out = home / "results" / name
            write_outputs(analysis, clip, out, write_video=name != "noor")
            ids[name] = store.save_analysis(out, who, recorded_at=T0 + timedelta(days=day))
        stance = make_summary({"hold_time_s": 12.0}, task="balance", path="/v/stance.mp4")
        ids["stance"] = store.save_analysis(stance, mia, recorded_at=T0 + timedelta(days=8))
    return ids


@pytest.fixture(scope="module")
def compare_home(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """Pose each clip once (the module's cost: 536 frames) and build the history."""
    home = tmp_path_factory.mktemp("compare_home")
    posed: dict[Path, PeopleTrack] = {}

    def people_of(clip: Path) -> PeopleTrack:
        if clip not in posed:
            posed[clip] = estimate_people(clip, AnalyzeOptions(write_video=False))
        return posed[clip]

    return home, build_home(home, people_of)


@pytest.fixture(scope="module")
def compare_server(compare_home) -> Iterator[str]:
    with serve_app(compare_home[0]) as url:
        yield url


def expected(home: Path, ids: dict[str, int], event: SyncEvent) -> list[dict[str, Any]]:
    """Where each video must land for ``event``: its video time and the row of its frame."""
    import pandas as pd

    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        a, b = store.session(ids["walk_a"]), store.session(ids["walk_b"])
    frames = [pd.read_csv(s.file("frames.csv")) for s in (a, b)]
    firsts = [float(f["t_s"].iloc[0]) for f in frames]
    point = sync_point(a.summary, b.summary, event, a_first_s=firsts[0], b_first_s=firsts[1])
    out = []
    for s, f, t in ((a, frames[0], point.a_s), (b, frames[1], point.b_s)):
        times = (f["t_s"] - f["t_s"].iloc[0]).tolist()
        out.append({"t": t, "row": frame_at(times, t), "fps": float(s.summary["video"]["fps"]),
                    "times": times, "summary": s.summary})  # fmt: skip
    return out


def panes(page) -> list[dict[str, Any]]:
    page.wait_for_function(
        f"() => ({PANES_JS})().every(p => p.ready && p.paused && p.frame >= 0)", timeout=30_000
    )
    return page.evaluate(PANES_JS)


def assert_on_event(page, want: list[dict[str, Any]]) -> None:
    for got, w in zip(panes(page), want, strict=True):
        assert got["frame"] == w["row"], (got, w["row"])
        assert abs(got["t"] - w["t"]) < 1 / w["fps"], (got["t"], w["t"])


def same_moment(page, want: list[dict[str, Any]]) -> bool:
    """Whether the frames both videos show are on screen at one moment: their display
    intervals, each counted from its own event, overlap (a video before its start shows its
    first frame, after its end its last)."""
    spans = []
    for got, w in zip(panes(page), want, strict=True):
        times, f = w["times"], got["frame"]
        start = times[f] - w["t"] if f > 0 else -math.inf
        end = times[f + 1] - w["t"] if f + 1 < len(times) else math.inf
        spans.append((start, end))
    return max(s[0] for s in spans) < min(s[1] for s in spans) + 1e-3


def clock_gap(page, want: list[dict[str, Any]]) -> float | None:
    """How far apart the two videos' moments are (s): each time minus its event time; None
    once one of them has reached its last frame."""
    p = page.evaluate(PANES_JS)
    if any(g["frame"] >= len(w["times"]) - 1 for g, w in zip(p, want, strict=True)):
        return None
    return abs((p[0]["t"] - want[0]["t"]) - (p[1]["t"] - want[1]["t"]))


def test_compare_two_walks_in_step(browser, compare_home, compare_server):
    home, ids = compare_home
    context = browser.new_context(viewport=DESKTOP, base_url=compare_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"/compare?a={ids['walk_a']}&b={ids['walk_b']}")
        wait_app(page)
        page.wait_for_selector(PLAYER)
        page.get_by_text("Female · born 1958").wait_for()  # her sessions, from the address
        # the default moment: the first left heel strike both have
        first = expected(home, ids, SyncEvent("heel_strike", 1, "left"))
        assert_on_event(page, first)

        page.get_by_role("combobox", name="Line the videos up on").click()
        page.get_by_role("option", name="left heel strike 2").click()
        wait_app(page)
        second = expected(home, ids, SyncEvent("heel_strike", 2, "left"))
        assert second[1]["row"] != first[1]["row"]
        assert_on_event(page, second)

        frame = page.frame_locator(PLAYER)
        coarse = max(1 / w["fps"] for w in second)
        before = panes(page)
        for _ in range(3):
            frame.get_by_role("button", name="One frame forward").click()
            page.wait_for_timeout(150)
        after = panes(page)
        moved = [a["frame"] - b["frame"] for a, b in zip(after, before, strict=True)]
        assert 1 <= max(moved) <= 3 and min(moved) >= 0, moved  # one change of either a step
        assert same_moment(page, second)

        frame.get_by_label("Playback speed").select_option("0.25")
        frame.get_by_role("button", name="Play").click()
        gaps = []
        for _ in range(8):
            page.wait_for_timeout(150)
            gaps.append(clock_gap(page, second))
        frame.get_by_role("button", name="Pause").click()
        played = panes(page)
        assert played[0]["t"] > after[0]["t"] + 0.1  # it played
        gaps = [g for g in gaps if g is not None]
        assert len(gaps) >= 3 and median(gaps) < 2 * coarse, gaps
        assert same_moment(page, second)  # paused: both on one moment

        # a mark on the second video's lane: it goes to that event, the first along with it
        frame.get_by_role("button", name="Second: left heel strike 1").click()
        at_mark = panes(page)
        assert at_mark[1]["frame"] == first[1]["row"]
        assert same_moment(page, second)

        # the measures: both values and the change
        a, b = second[0]["summary"], second[1]["summary"]
        rows = {r.name: r for r in compare_metrics(a, b, {}, "female")}
        cadence = rows["cadence_spm"]
        table = page.locator('[data-testid="stTable"]')
        row = table.locator("tr", has_text="Cadence")
        for text in (cadence.a_text, cadence.b_text, cadence.change_text, "no published SDD"):
            assert text in row.inner_text().replace("\u00a0", " ")
        fppa = rows["fppa_peak_left_deg"]  # the side view cannot see knee valgus
        assert fppa.verdict == "not_compared" and fppa.a_text == "not measured"
        row = table.locator("tr", has_text="Knee valgus (FPPA), peak · left")
        assert fppa.judgement.split(";")[0] in row.inner_text().replace("\u00a0", " ")
        screenshot(page, "compare-walks", DESKTOP)

        page.set_viewport_size(PHONE)
        page.wait_for_timeout(800)
        boxes = [frame.locator(f"#video-{i}").bounding_box() for i in (0, 1)]
        assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"] - 1  # one above the other
        assert boxes[0]["width"] <= PHONE["width"]
        frame.get_by_role("button", name="To the moment").click()
        assert_on_event(page, second)
        screenshot(page, "compare-walks", PHONE)
    finally:
        context.close()


def test_compare_refuses_other_tasks_and_a_single_session(browser, compare_home, compare_server):
    _, ids = compare_home
    context = browser.new_context(viewport=PHONE, base_url=compare_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"/compare?a={ids['walk_a']}&b={ids['stance']}")
        wait_app(page)
        page.get_by_text("only sessions of the same task are compared").wait_for()
        page.goto(f"/compare?a={ids['noor']}")
        wait_app(page)
        page.get_by_text("Noor Example has one session yet").wait_for()
        screenshot(page, "compare-one-session", PHONE)
    finally:
        context.close()
