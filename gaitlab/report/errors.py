"""The report's one error."""

from __future__ import annotations

from gaitlab.core.errors import GaitlabError


class ReportError(GaitlabError):
    """The report cannot be made (no summary, cannot write the file)."""
