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


class OutputError(GaitlabError):
    """Results cannot be written where they were to go (a full disk, a read-only folder)."""


def os_reason(err: OSError) -> str:
    """An operating-system error in a few words (``No space left on device``), without the
    file name (the message names the folder the user chose) or the errno."""
    return err.strerror or str(err) or type(err).__name__
