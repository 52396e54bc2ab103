"""Session history: persons, analyses and programme sessions in a database (SQLite in the
gaitlab home folder by default, any SQLAlchemy URL through ``GAITLAB_DB_URL``), their
result files under ``<home>/sessions/<id>/``.

Typical use::

    from gaitlab.store import Store

    with Store.open() as store:
        ana = store.add_person("Ana", sex="female", height_cm=168)
        sid = store.save_analysis("results/walk1", ana)          # a result folder
        store.save_programme_session(ana, "short foot", 300, "easier on the left")
        store.sessions(ana)                                       # newest first
        store.progress(ana, "fppa_peak_left_deg")                 # points, band, verdicts
        store.delete_session(sid)                                 # row and files
"""

from gaitlab.store.core import (
    ANALYSIS_SOURCES,
    LANDMARKS_NAME,
    PROGRAMME_EXERCISES,
    PROGRAMME_SOURCES,
    THUMBS_DIR,
    InputError,
    MetricPoint,
    Person,
    Session,
    Store,
    parse_session_id,
)
from gaitlab.store.db import NotFoundError, StoreError, gaitlab_home
from gaitlab.store.progress import (
    WITHIN_ERROR,
    Progress,
    ProgressPoint,
    Reference,
    build_progress,
    judge_change,
)
from gaitlab.store.save import save_after_analyze

__all__ = [
    "ANALYSIS_SOURCES",
    "LANDMARKS_NAME",
    "PROGRAMME_EXERCISES",
    "PROGRAMME_SOURCES",
    "THUMBS_DIR",
    "WITHIN_ERROR",
    "InputError",
    "MetricPoint",
    "NotFoundError",
    "Person",
    "Progress",
    "ProgressPoint",
    "Reference",
    "Session",
    "Store",
    "StoreError",
    "build_progress",
    "gaitlab_home",
    "judge_change",
    "parse_session_id",
    "save_after_analyze",
]
