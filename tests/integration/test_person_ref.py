"""``--person NAME`` is always a name and ``--person-id N`` always an id, on history, analyze
and programme: a person named "1" and the person with id 1 are never confused."""

from __future__ import annotations

import json

import pytest
from storekit import make_summary

from gaitlab.cli.main import main
from gaitlab.store import Store


@pytest.fixture
def people(tmp_path, monkeypatch):
    """Ana (id 1) with a walk, and a person named "1" (id 2) with a calf-raise session."""
    monkeypatch.setenv("GAITLAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    with Store.open() as store:
        ana, one = store.add_person("Ana"), store.add_person("1")
        store.save_analysis(make_summary(task="walk"), ana)
        store.save_analysis(make_summary(task="calf-raise"), one)
    return ana, one


def _history(capsys, *argv):
    assert main(["history", *argv, "--json"]) == 0
    return [(s["person"]["name"], s["task"]) for s in json.loads(capsys.readouterr().out)]


def test_history_takes_a_name_or_an_id_never_one_for_the_other(people, capsys):
    assert _history(capsys, "--person", "1") == [("1", "calf-raise")]
    assert _history(capsys, "--person-id", "1") == [("Ana", "walk")]
    assert _history(capsys, "--person-id", "2") == [("1", "calf-raise")]
    assert main(["history", "--person", "2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no person named '2' (for the person with id 2: --person-id 2)")
    assert main(["history", "--person-id", "9"]) == 1
    assert "no person with id 9" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # one or the other
        main(["history", "--person", "Ana", "--person-id", "1"])


def test_programme_log_and_analyze_take_the_same_options(people, capsys, tmp_path):
    assert main(["programme", "log", "toe-yoga", "--minutes", "2", "--person-id", "2"]) == 0
    assert main(["programme", "log", "toe-yoga", "--minutes", "3", "--person", "1"]) == 0
    capsys.readouterr()
    programme = [s for s in _history(capsys, "--person-id", "2") if s[1] is None]
    assert len(programme) == 2  # both went to the person named "1" (id 2), none to Ana
    assert [s for s in _history(capsys, "--person-id", "1")] == [("Ana", "walk")]
    # analyze looks the person up before any pose work: an unknown name fails at once
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"not looked at")
    assert main(["analyze", str(bad), "--out", str(tmp_path / "o"), "--person", "2"]) == 1
    assert "--person-id 2" in capsys.readouterr().err
