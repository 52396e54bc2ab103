"""The History page in Debian's Chromium against its own app server, whose history holds a
person with three weeks of sessions: choose the person, download a PDF report, follow a
measure over time; screenshots at desktop and phone widths (tests/browser/screenshots/)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browserkit import DESKTOP, PHONE, screenshot, serve_app, wait_app
from storekit import make_summary

from gaitlab.store import Store

T0 = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def history_server(tmp_path_factory) -> Iterator[str]:
    """``streamlit run app.py`` on a GAITLAB_HOME holding Ana's sessions."""
    home = tmp_path_factory.mktemp("history_home")
    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        ana = store.add_person(
            "Ana Example", sex="female", birth_year=1980, height_cm=168, body_mass_kg=61
        )
        for week, (fppa, cadence) in enumerate(((14.2, 104.0), (9.1, 108.5), (6.0, 111.0))):
            store.save_analysis(
                make_summary(
                    {
                        "fppa_peak_left_deg": fppa,
                        "fppa_peak_right_deg": 7.5,
                        "cadence_spm": cadence,
                    },
                    view="anterior",
                    path=f"/videos/ana week {week + 1}.mp4",
                ),
                ana,
                recorded_at=T0 + timedelta(days=7 * week),
            )
    with serve_app(home) as url:
        yield url


def test_history_page_person_report_and_progress(browser, history_server):
    context = browser.new_context(viewport=DESKTOP, base_url=history_server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto("/history")
        wait_app(page)
        page.get_by_text("Everyone's sessions").wait_for()

        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="Ana Example").click()
        page.get_by_text("Female · born 1980").wait_for()
        wait_app(page)
        page.get_by_text("ana week 3.mp4").wait_for()
        screenshot(page, "history-sessions", DESKTOP)
        screenshot(page, "history-sessions", PHONE)

        with page.expect_download() as download:
            page.get_by_role("button", name="Report (PDF)").first.click()
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
        assert download.value.suggested_filename.endswith(".pdf")

        page.get_by_role("tab", name="Progress").click()
        panel = page.get_by_role("tabpanel", name="Progress")
        panel.locator('[data-testid="stSelectbox"]').click()
        page.get_by_role("option", name="Knee valgus (FPPA), peak · left (°)").click()
        wait_app(page)
        panel.locator('[data-testid="stVegaLiteChart"] canvas, '
                      '[data-testid="stVegaLiteChart"] svg').first.wait_for()  # fmt: skip
        page.get_by_text("within measurement error").first.wait_for()
        screenshot(page, "history-progress", DESKTOP)
        screenshot(page, "history-progress", PHONE)
    finally:
        context.close()
