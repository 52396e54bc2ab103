"""The PDF report of a saved session (:func:`write_report`): key frames chosen and cropped from
the annotated video (:mod:`~gaitlab.report.keyframes`), the sections in the report's words
(:mod:`~gaitlab.report.sections`, :mod:`~gaitlab.report.wording`), put on the page and
written (:mod:`~gaitlab.report.pdf`)."""

from gaitlab.report.errors import ReportError
from gaitlab.report.keyframes import KeyFrame, choose_key_rows, key_frames
from gaitlab.report.pdf import render_report, write_report

__all__ = [
    "KeyFrame",
    "ReportError",
    "choose_key_rows",
    "key_frames",
    "render_report",
    "write_report",
]
