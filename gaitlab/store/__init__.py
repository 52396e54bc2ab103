"""Session history: persons, analyses and programme sessions in a database (SQLite in the
gaitlab home folder by default, any SQLAlchemy URL through ``GAITLAB_DB_URL``), their
result files under ``<home>/sessions/<id>/``; the app's analyses staged under
``<home>/uploads/<id>/`` until they succeed (layout: :mod:`gaitlab.store.home`).

Persistence only: the store takes plain data (summaries, files, :class:`Landmarks`) and
knows nothing of the pipeline or of how things are shown.

Typical use::

    from gaitlab.store import Store

    with Store.open() as store:
        ana = store.add_person("Ana", sex="female", height_cm=168)
        sid = store.save_analysis("results/walk1", ana)          # a result folder (copied)
        store.save_programme_session(ana, "short foot", 300, "easier on the left")
        store.sessions(ana)                                       # newest first
        store.metric_points(ana, "fppa_peak_left_deg")            # a measure over time
        store.add_annotation(sid, "note", text="left knee", t_s=2.4)  # a note at 2.4 s
        store.delete_session(sid)                                 # row and files
"""

from gaitlab.store.annotations import Annotation
from gaitlab.store.core import Store
from gaitlab.store.db import NotFoundError, StoreError
from gaitlab.store.home import LANDMARKS_NAME, THUMBS_DIR, gaitlab_home
from gaitlab.store.landmarks import Landmarks
from gaitlab.store.records import (
    ANALYSIS_SOURCES,
    PROGRAMME_EXERCISES,
    PROGRAMME_SOURCES,
    InputError,
    MetricPoint,
    Person,
    Session,
    parse_session_id,
)

__all__ = [
    "ANALYSIS_SOURCES",
    "Annotation",
    "LANDMARKS_NAME",
    "PROGRAMME_EXERCISES",
    "PROGRAMME_SOURCES",
    "THUMBS_DIR",
    "InputError",
    "Landmarks",
    "MetricPoint",
    "NotFoundError",
    "Person",
    "Session",
    "Store",
    "StoreError",
    "gaitlab_home",
    "parse_session_id",
]
