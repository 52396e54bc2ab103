"""The Compare page in Streamlit's AppTest: a clinician opens a pair from the address or from
the History page's "Compare with…", a pair of two persons is refused, a patient compares only
her own sessions, sessions without a kept video still compare their measures."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storekit import make_summary
from streamlit.testing.v1 import AppTest

from gaitlab.store import Store
from gaitlab.store.accounts import Accounts

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


def _shown(at: AppTest, kind: str) -> list[str]:
    return [html.unescape(str(e.value)).replace("\u2060", "") for e in at.get(kind)]


@pytest.fixture
def clinic(tmp_path, monkeypatch) -> dict[str, int]:
    """Ana (a patient account): two walks four weeks apart and a balance session; Ben: two
    walks; Dr Lee (a clinician). Summaries only: no videos kept."""
    monkeypatch.setenv("GAITLAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    ids = {}
    with Store.open() as store:
        ana, ben = store.add_person("Ana", sex="female"), store.add_person("Ben", sex="male")
        plan = [
            ("ana1", ana, 0, {"fppa_peak_left_deg": 16.0, "cadence_spm": 101.0}, "walk"),
            ("ana2", ana, 28, {"fppa_peak_left_deg": 6.5, "cadence_spm": 104.0}, "walk"),
            ("ana_balance", ana, 29, {"hold_time_s": 12.0}, "balance"),
            ("ben1", ben, 0, {"cadence_spm": 99.0}, "walk"),
            ("ben2", ben, 7, {"cadence_spm": 98.0}, "walk"),
        ]
        for name, who, day, metrics, task in plan:
            summary = make_summary(metrics, task=task, path=f"/v/{name}.mp4")
            ids[name] = store.save_analysis(summary, who, recorded_at=T0 + timedelta(days=day))
    Accounts().add("dr-lee", "clinician", PASSWORD)
    Accounts().add("ana", "patient", PASSWORD, ana.id)
    return ids


def _signed_in(name: str, page: str = "compare", **query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    at.text_input(key="sign-in-name").input(name)
    at.text_input(key="sign-in-password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page(f"gaitlab/app/{page}.py")
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table_text(at: AppTest) -> str:
    return " ".join(" ".join(map(str, row)) for t in at.table for row in t.value.itertuples())


def test_a_clinician_compares_a_pair_and_two_persons_are_refused(clinic):
    at = _signed_in("dr-lee", a=str(clinic["ana1"]), b=str(clinic["ana2"]))
    assert [t.value for t in at.title] == ["Compare"]
    assert at.selectbox(key="compare_person").value == 1  # Ana, from the address
    infos = " ".join(_shown(at, "info"))
    assert "No annotated video was kept for session" in infos  # the measures still compare
    text = _table_text(at).replace("\u00a0", " ")
    assert "16.0° → 6.5°" in text and "-9.5° · better beyond the SDD of 8.2°" in text
    assert "+3.0 steps/min · no published SDD" in text
    assert "Knee valgus (FPPA), peak · left (lower is better)" in text
    assert "Munro" in " ".join(_shown(at, "caption"))

    mixed = _signed_in("dr-lee", a=str(clinic["ana1"]), b=str(clinic["ben1"]))
    errors = " ".join(_shown(mixed, "error"))
    assert "is Ana's and" in errors and "only one person's sessions are compared" in errors
    tasks = _signed_in("dr-lee", a=str(clinic["ana1"]), b=str(clinic["ana_balance"]))
    assert "only sessions of the same task are compared" in " ".join(_shown(tasks, "error"))


def test_compare_with_from_the_history_page(clinic):
    at = _signed_in("dr-lee", page="history")
    at.button(key=f"compare-{clinic['ana2']}").click().run()
    assert [t.value for t in at.title] == ["Compare"]
    first = at.selectbox(key="compare-a-1-walk")
    second = at.selectbox(key="compare-b-1-walk")
    assert (first.value, second.value) == (clinic["ana1"], clinic["ana2"])  # first, then it


def test_a_patient_compares_only_her_own(clinic):
    at = _signed_in("ana", a=str(clinic["ben1"]), b=str(clinic["ben2"]))
    assert "compare_person" not in [s.key for s in at.selectbox]  # no way to Ben
    sessions = at.selectbox(key="compare-a-1-walk")
    assert {o.split(" ")[0] for o in sessions.options} == {
        f"#{clinic['ana1']}",
        f"#{clinic['ana2']}",
    }
    everything = " ".join(_shown(at, "caption") + _shown(at, "error") + _shown(at, "markdown"))
    assert "Ben" not in everything and "ben1" not in everything
    assert "16.0° → 6.5°" in _table_text(at).replace("\u00a0", " ")
