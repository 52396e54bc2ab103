"""The gaitlab error family: plain-language messages raised at the boundaries."""


class GaitlabError(Exception):
    """Base class. ``str(err)`` is a one-line message meant for the user."""


class VideoError(GaitlabError):
    """The input is not a readable video (missing, empty, not a video, no video stream)."""


class ModelError(GaitlabError):
    """The pose model bundle cannot be found, built or loaded."""


class NoSubjectError(GaitlabError):
    """Nobody (or not enough of anybody) was found in the video."""


class ShapeError(GaitlabError, ValueError):
    """An array handed to a gaitlab type has the wrong shape or contents."""
