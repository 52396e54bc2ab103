"""The Live page's processing meter: frames analysed per second and the time each took."""

from __future__ import annotations

import pytest

from gaitlab.app.webcam import FrameMeter


def test_rate_and_times_over_the_window():
    meter = FrameMeter(window_s=3.0)
    assert meter.reading(0.0) is None
    for i in range(31):  # 10 frames a second for 3 s, each taking 40 ms, every tenth 90 ms
        meter.add(100.0 + i / 10, 90.0 if i % 10 == 0 else 40.0)
    fps, median_ms, p95_ms = meter.reading(103.0)
    assert fps == pytest.approx(10.0)
    assert median_ms == pytest.approx(40.0)
    assert 40.0 < p95_ms <= 90.0


def test_old_frames_leave_the_window_and_a_stall_lowers_the_rate():
    meter = FrameMeter(window_s=3.0)
    for i in range(30):
        meter.add(i / 10, 40.0)
    assert meter.reading(2.9)[0] == pytest.approx(10.0, rel=0.05)
    # nothing for two seconds: the same frames are now spread over a longer time
    assert meter.reading(4.9)[0] < 5.0
    assert meter.reading(10.0) is None  # all older than the window
    meter.add(10.0, 40.0)
    meter.clear()
    assert meter.reading(10.0) is None
