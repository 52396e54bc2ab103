"""The session history against SQLite and a real PostgreSQL server: create, list, migrate
from the previous schema version, delete, two processes writing at once, failed saves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from storekit import PostgresServer, make_summary, walk_analysis

from gaitlab.cli.history import save_after_analyze
from gaitlab.cli.main import main
from gaitlab.present.progress import WITHIN_ERROR, build_progress
from gaitlab.store import InputError, NotFoundError, Store, StoreError
from gaitlab.store import core as store_core
from gaitlab.store.db import create_engine, resolve_url
from gaitlab.store.migrations import migrate
from gaitlab.store.schema import LATEST_VERSION, metadata

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A new, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'gaitlab.db'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def store(db_url, home):
    with Store.open(url=db_url, home=home) as s:
        yield s


def _session_dirs(home: Path) -> list[str]:
    root = home / "sessions"
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []


# -- create and list ------------------------------------------------------------------------------
def test_create_and_list(store):
    ana = store.add_person("Ana", sex="female", birth_year=1980, height_cm=168, body_mass_kg=60)
    ben = store.add_person("Ben", sex="male")
    assert store.person("Ana") == ana
    assert store.person(ana.id) == ana
    assert [p.name for p in store.persons()] == ["Ana", "Ben"]

    first = store.save_analysis(make_summary({"fppa_peak_left_deg": 14.0}), ana, recorded_at=T0)
    second = store.save_analysis(
        make_summary(
            {"fppa_peak_left_deg": 11.5, "reps": 12, "view_note": "text"}, task="calf-raise"
        ),
        "Ana",
        source="live",
        recorded_at=T0 + timedelta(days=7),
    )
    other = store.save_analysis(make_summary({"cadence_spm": 110.0}), ben.id, recorded_at=T0)
    prog = store.save_programme_session(ana, "short foot", 300, "easier on the left",
                                        recorded_at=T0 + timedelta(days=8))  # fmt: skip

    assert [s.id for s in store.sessions("Ana")] == [prog, second, first]  # newest first
    assert [s.id for s in store.sessions(kind="analysis", task="walk")] == [other, first]
    assert len(store.sessions()) == 4

    s = store.session(second)
    assert (s.kind, s.source, s.task, s.person.name) == ("analysis", "live", "calf-raise", "Ana")
    assert s.recorded_at == T0 + timedelta(days=7)
    assert s.metrics == {"fppa_peak_left_deg": 11.5, "reps": 12.0, "view_note": "text"}
    assert s.summary["metrics"]["reps"] == 12
    assert s.video_name == "walk.mp4"
    assert json.loads((s.files_dir / "summary.json").read_text()) == s.summary

    p = store.session(prog)
    assert (p.kind, p.exercise, p.duration_s, p.notes) == (
        "programme",
        "short foot",
        300,
        "easier on the left",
    )
    assert p.files_dir is None and p.summary is None

    assert store.metric_history("Ana", "fppa_peak_left_deg") == [
        (T0, 14.0),
        (T0 + timedelta(days=7), 11.5),
    ]
    assert store.metric_history(ben, "fppa_peak_left_deg") == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "  "}, "needs a name"),
        ({"name": "A", "sex": "other"}, "sex must be"),
        ({"name": "A", "birth_year": 1850}, "birth year 1850"),
        ({"name": "A", "height_cm": 20}, "height 20"),
        ({"name": "A", "body_mass_kg": 1000}, "body mass 1000"),
    ],
)
def test_add_person_rejects_bad_values(store, kwargs, match):
    with pytest.raises(InputError, match=match):
        store.add_person(**kwargs)
    assert store.persons() == []


def test_names_are_unique_and_lookups_fail_plainly(store):
    store.add_person("Ana")
    with pytest.raises(InputError, match="already exists"):
        store.add_person(" Ana ")
    with pytest.raises(NotFoundError, match="no person named 'Zoe'"):
        store.save_analysis(make_summary(), "Zoe")
    with pytest.raises(NotFoundError, match="no session 42"):
        store.session(42)
    with pytest.raises(NotFoundError, match="not a session id"):
        store.session("abc")
    with pytest.raises(InputError, match="source must be"):
        store.save_analysis(make_summary(), source="tape")
    assert store.sessions() == []


# -- result files ----------------------------------------------------------------------------------
def test_saves_a_real_result_with_its_files_and_deletes_them(
    store, home, walk_side_clip, tmp_path_factory
):
    analysis, out = walk_analysis(tmp_path_factory, walk_side_clip)
    sid = save_after_analyze(analysis, out, person=store.add_person("Walker"), store=store)
    s = store.session(sid)
    assert s.files_dir == home / "sessions" / str(sid)
    assert sorted(p.name for p in s.files_dir.iterdir()) == [
        "annotated.mp4", "frames.csv", "landmarks.npz", "record.json", "steps.csv",
        "summary.json",
    ]  # fmt: skip
    for name in ("frames.csv", "steps.csv"):  # the step table is kept with the session too
        assert (s.files_dir / name).read_bytes() == (out / name).read_bytes()
    assert s.summary == json.loads((out / "summary.json").read_text())
    assert s.metrics["knee_flexion_peak_left_deg"] == pytest.approx(
        analysis.metrics["knee_flexion_peak_left_deg"]
    )
    with np.load(s.files_dir / "landmarks.npz") as lm:
        assert lm["xy"].shape == (135, 33, 2)
        np.testing.assert_allclose(lm["t_s"], analysis.pose.t_s)
    assert (out / "annotated.mp4").exists()  # the user's own folder is left alone

    gone = store.delete_session(sid)
    assert gone.id == sid
    assert not s.files_dir.exists()
    assert _session_dirs(home) == []
    with pytest.raises(NotFoundError):
        store.session(sid)
    with pytest.raises(NotFoundError):
        store.delete_session(sid)


def test_the_history_keeps_copies_of_the_out_folder_not_links(
    store, walk_side_clip, tmp_path_factory, tmp_path
):
    analysis, shared = walk_analysis(tmp_path_factory, walk_side_clip)
    out = tmp_path / "out"
    shutil.copytree(shared, out)  # the shared result folder stays untouched
    sid = save_after_analyze(analysis, out, store=store)
    kept = store.session(sid).files_dir
    for name in ("summary.json", "frames.csv", "annotated.mp4"):
        assert (kept / name).stat().st_nlink == 1
        assert not (kept / name).samefile(out / name)
    before = (kept / "frames.csv").read_bytes()
    (out / "frames.csv").write_text("edited by hand\n")
    assert (kept / "frames.csv").read_bytes() == before


def test_delete_removes_row_metrics_and_files_only_of_that_session(store, home):
    keep = store.save_analysis(make_summary({"a_deg": 1.0}))
    drop = store.save_analysis(make_summary({"a_deg": 2.0}))
    store.delete_session(str(drop))
    assert [s.id for s in store.sessions()] == [keep]
    assert _session_dirs(home) == [str(keep)]
    with store.engine.connect() as conn:
        names = conn.execute(sa.text("SELECT session_id FROM session_metrics")).scalars().all()
    assert names == [keep]


def test_delete_person_deletes_their_sessions_and_files(store, home):
    ana = store.add_person("Ana")
    store.save_analysis(make_summary(), ana)
    store.save_programme_session(ana, "toe yoga", 120)
    other = store.save_analysis(make_summary())
    assert len(store.delete_person("Ana")) == 2
    assert [s.id for s in store.sessions()] == [other]
    assert _session_dirs(home) == [str(other)]
    with pytest.raises(NotFoundError):
        store.person("Ana")


# -- failures leave nothing -----------------------------------------------------------------------
def test_failure_after_the_files_moved_rolls_back_row_and_files(store, home, monkeypatch):
    real_rename = os.rename

    def rename_then_fail(src, dst):
        real_rename(src, dst)
        raise OSError("disk unplugged")

    monkeypatch.setattr(store_core.os, "rename", rename_then_fail)
    with pytest.raises(StoreError, match="disk unplugged; nothing was saved"):
        store.save_analysis(make_summary({"fppa_peak_left_deg": 9.0}))
    monkeypatch.undo()
    assert store.sessions() == []
    assert _session_dirs(home) == []
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM session_metrics")).scalar() == 0
    # the id freed by the rollback is handed out again and works
    sid = store.save_analysis(make_summary({"fppa_peak_left_deg": 9.0}))
    assert _session_dirs(home) == [str(sid)]


def test_failure_inside_the_transaction_leaves_nothing(store, home, monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("metrics failed")

    monkeypatch.setattr(store_core.migrations, "metric_rows", broken)
    with pytest.raises(RuntimeError, match="metrics failed"):
        store.save_analysis(make_summary({"x": 1.0}))
    assert store.sessions() == []
    assert _session_dirs(home) == []


def test_bad_result_folder_saves_nothing(store, home, tmp_path):
    empty = tmp_path / "not_a_result"
    empty.mkdir()
    (empty / "frames.csv").write_text("frame,t_s\n")
    with pytest.raises(StoreError, match="not a gaitlab result folder"):
        store.save_analysis(empty)
    (empty / "summary.json").write_text("{not json")
    with pytest.raises(StoreError, match="not valid JSON"):
        store.save_analysis(empty)
    assert store.sessions() == []
    assert _session_dirs(home) == []


def test_failed_analysis_saves_no_session(db_url, home, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "holiday.mp4"
    bad.write_text("this is not a video")
    monkeypatch.setenv("GAITLAB_DB_URL", db_url)
    monkeypatch.setenv("GAITLAB_HOME", str(home))
    assert main(["person", "add", "Ana"]) == 0
    rc = main(["analyze", str(bad), "--out", str(tmp_path / "out"), "--person", "Ana"])
    assert rc == 1
    assert capsys.readouterr().err.count("\n") == 1
    with Store.open(url=db_url, home=home) as s:
        assert s.sessions() == []
    assert _session_dirs(home) == []


# -- migrations -----------------------------------------------------------------------------------
def _v1_database(url: str, home: Path) -> sa.Engine:
    engine = create_engine(resolve_url(url, home))
    assert migrate(engine, target=1) == (0, 1)
    md = sa.MetaData()
    md.reflect(engine)
    assert "session_metrics" not in md.tables
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            md.tables["persons"].insert().values(id=1, name="Ana", sex="female", created_at=now)
        )
        for sid, fppa, day in ((1, 15.0, 0), (2, 6.0, 14)):
            conn.execute(
                md.tables["sessions"].insert().values(
                    id=sid, person_id=1, kind="analysis", source="file", task="walk",
                    recorded_at=T0 + timedelta(days=day), created_at=now,
                    summary_json=json.dumps(make_summary({"fppa_peak_left_deg": fppa, "v": "x"})),
                )
            )  # fmt: skip
        conn.execute(
            md.tables["sessions"].insert().values(
                id=3, person_id=1, kind="programme", source="manual", exercise="toe yoga",
                recorded_at=T0, created_at=now, duration_s=60.0,
            )
        )  # fmt: skip
    if engine.dialect.name == "postgresql":  # explicit ids above: move the sequences on
        with engine.begin() as conn:
            for table in ("persons", "sessions"):
                conn.execute(
                    sa.text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )
    return engine


def test_migrates_from_the_previous_schema_version(db_url, home):
    engine = _v1_database(db_url, home)
    engine.dispose()
    with Store.open(url=db_url, home=home) as store:
        assert store.schema_version() == LATEST_VERSION == 3
        # v2's metrics table was filled from the v1 summaries
        assert store.metric_history("Ana", "fppa_peak_left_deg") == [
            (T0, 15.0),
            (T0 + timedelta(days=14), 6.0),
        ]
        assert {s.id for s in store.sessions("Ana")} == {1, 2, 3}
        assert store.session(1).metrics == {"fppa_peak_left_deg": 15.0, "v": "x"}
        new = store.save_analysis(make_summary({"fppa_peak_left_deg": 7.0}), "Ana")
        assert new == 4
        # the migrated database has exactly the tables and columns of the current schema
        md = sa.MetaData()
        md.reflect(store.engine)
        for name, table in metadata.tables.items():
            assert set(md.tables[name].columns.keys()) == set(table.columns.keys()), name
    with Store.open(url=db_url, home=home) as again:  # a second open changes nothing
        assert again.schema_version() == 3
        assert len(again.sessions()) == 4


def test_refuses_a_database_from_a_newer_gaitlab(db_url, home):
    with Store.open(url=db_url, home=home) as store:
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE gaitlab_schema SET version = 99"))
    with pytest.raises(StoreError, match="schema version 99, newer than this gaitlab"):
        Store.open(url=db_url, home=home)


# -- two processes at once ---------------------------------------------------------------------
WORKER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from gaitlab.store import Store

    url, home, tag, n, go = sys.argv[1:6]
    deadline = time.time() + 60
    while not os.path.exists(go) and time.time() < deadline:
        time.sleep(0.005)
    with Store.open(url=url, home=home) as store:
        store.add_person(f"worker {tag}")
        for i in range(int(n)):
            src = Path(home) / f"src-{tag}-{i}.txt"
            src.write_text(f"{tag}-{i}")
            store.save_analysis(
                {"task": "walk", "metrics": {"i": i}}, f"worker {tag}", files={"note.txt": src}
            )
            store.save_programme_session(f"worker {tag}", "calf raises", i)
    print("done")
    """
)


def test_two_processes_writing_at_once_lose_nothing(db_url, home, tmp_path):
    n = 15
    home.mkdir(parents=True)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db_url, str(home), tag, str(n), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]
    go.write_text("go")  # both start on a database that does not exist yet
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        assert out.strip() == "done"
    with Store.open(url=db_url, home=home) as store:
        assert store.schema_version() == LATEST_VERSION
        analyses = store.sessions(kind="analysis")
        assert len(analyses) == 2 * n
        assert len(store.sessions(kind="programme")) == 2 * n
        seen = set()
        for s in analyses:
            tag = s.person.name.split()[-1]
            i = int(s.metrics["i"])
            assert (s.files_dir / "note.txt").read_text() == f"{tag}-{i}"
            seen.add((tag, i))
        assert seen == {(t, i) for t in "ab" for i in range(n)}
        assert set(_session_dirs(home)) == {str(s.id) for s in analyses}


# -- progress -----------------------------------------------------------------------------------
def _progress(store, person, metric):
    """A person's metric over time, judged (the store's values, present's verdicts)."""
    return build_progress(store.person(person), metric, store.metric_points(person, metric))


def test_progress_labels_changes_within_the_smallest_detectable_difference(store):
    ana = store.add_person("Ana", sex="female")
    for day, value in enumerate((14.0, 9.0, 18.5)):
        store.save_analysis(
            make_summary({"fppa_peak_left_deg": value}), ana, recorded_at=T0 + timedelta(days=day)
        )
    p = _progress(store, "Ana", "fppa_peak_left_deg")
    assert [pt.value for pt in p.points] == [14.0, 9.0, 18.5]
    assert p.sdd == pytest.approx(8.2)  # thresholds file: Munro et al. 2012
    assert "Munro" in p.sdd_source
    assert [pt.verdict for pt in p.points] == ["first", "within_error", "increase"]
    assert WITHIN_ERROR in p.points[1].label  # |-5.0| < 8.2
    assert p.points[2].change == pytest.approx(9.5)
    assert [(r.name, r.low, r.high) for r in p.references] == [("fppa_peak", None, 12.0)]
    assert [pt.within_reference for pt in p.points] == [False, True, False]
    assert p.overall.verdict == "within_error"  # 14 -> 18.5 overall
    assert p.to_dict()["points"][0]["recorded_at"] == T0.isoformat()


def test_progress_without_a_known_sdd_gives_no_real_change_verdict(store):
    store.add_person("Ben", sex="male")
    for day, value in enumerate((100.0, 120.0)):
        store.save_analysis(
            make_summary({"cadence_spm": value}), "Ben", recorded_at=T0 + timedelta(days=day)
        )
    p = _progress(store, "Ben", "cadence_spm")
    assert p.sdd is None
    assert [pt.verdict for pt in p.points] == ["first", "unknown_error"]
    assert [(r.low, r.high) for r in p.references] == [(81.0, 135.0)]  # men's band


# -- bad input at the command line ------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("not a url", "is not a database URL"),
        ("postgresql+psycopg://u:secret@127.0.0.1:1/x", "cannot open the database"),
        ("nosuchdb://h/x", "no SQLAlchemy dialect or driver"),
    ],
)
def test_bad_database_url_is_one_line(url, match, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GAITLAB_DB_URL", url)
    monkeypatch.setenv("GAITLAB_HOME", str(tmp_path))
    with pytest.raises(StoreError, match=match):
        Store.open()
    assert main(["history"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "secret" not in err


def test_cli_person_history_delete(db_url, home, monkeypatch, capsys):
    monkeypatch.setenv("GAITLAB_DB_URL", db_url)
    monkeypatch.setenv("GAITLAB_HOME", str(home))
    assert main(["person", "add", "Ana", "--sex", "female", "--height-cm", "168"]) == 0
    assert main(["person", "add", "Ana"]) == 1
    with Store.open() as store:
        sid = store.save_analysis(make_summary({"cadence_spm": 101.0}), "Ana")
        store.save_programme_session("Ana", "toe splaying", 90)
    capsys.readouterr()
    assert main(["history", "--person", "Ana", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["kind"] for s in listed] == ["programme", "analysis"]
    assert listed[1]["metrics"] == {"cadence_spm": 101.0}
    assert main(["history"]) == 0
    table = capsys.readouterr().out
    assert "toe splaying (programme)" in table and "front view" in table
    assert main(["person", "list"]) == 0
    assert "Ana" in capsys.readouterr().out
    assert main(["delete", str(sid)]) == 0
    assert main(["delete", str(sid)]) == 1
    assert main(["report", "123", "--out", str(home / "r.pdf")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: no session 1 (see: gaitlab history)",
        "error: no session 123 (see: gaitlab history)",
    ]
    assert main(["person", "delete", "Ana"]) == 1  # asks for --yes
    assert main(["person", "delete", "Ana", "--yes"]) == 0
    assert main(["history", "--person", "Ana"]) == 1


def test_analyze_takes_the_persons_details_unless_given(db_url, home, monkeypatch):
    import argparse

    from gaitlab.cli.history import AnalyzeHistory

    monkeypatch.setenv("GAITLAB_DB_URL", db_url)
    monkeypatch.setenv("GAITLAB_HOME", str(home))
    with Store.open() as store:
        store.add_person("Ana", sex="female", birth_year=1970, height_cm=168, body_mass_kg=61)
    with AnalyzeHistory.open(argparse.Namespace(person="Ana", no_save=False)) as history:
        assert (history.height_cm(None), history.height_cm(172.0)) == (168.0, 172.0)
        assert (history.sex(None), history.sex("male")) == ("female", "male")
        options = history.person_options()
        assert options["body_mass_kg"] == 61.0
        assert options["age_years"] == datetime.now().year - 1970
    with AnalyzeHistory.open(argparse.Namespace(person=None, no_save=True)) as history:
        assert history.store is None and history.person_options() == {}
    with pytest.raises(NotFoundError, match="no person named 'Zoe'"):
        AnalyzeHistory.open(argparse.Namespace(person="Zoe", no_save=True))
