"""Find or build the MediaPipe pose landmarker model bundle (``.task``).

The Tasks ``PoseLandmarker`` (the only MediaPipe API that returns more than one person)
loads a ``.task`` file: an uncompressed, 4-byte-aligned zip holding
``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``, each carrying
input-normalisation metadata. Nothing can be downloaded at run time, so the bundle comes
from one of two places, in this order:

1. an official ``pose_landmarker_{full,heavy,lite}.task`` dropped into the models directory;
2. a bundle built once from the weights shipped inside the installed mediapipe wheel
   (0.10.21 ships ``pose_detection.tflite`` and ``pose_landmark_full.tflite``) and cached.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from gaitlab.core.errors import ModelError
from gaitlab.core.package_data import models_dir

#: Official bundle file names, most preferred first (see :func:`resolve_bundle` for why).
OFFICIAL_BUNDLES: tuple[str, ...] = (
    "pose_landmarker_full.task",
    "pose_landmarker_heavy.task",
    "pose_landmarker_lite.task",
)

#: The two members every pose landmarker bundle holds.
BUNDLE_MEMBERS: tuple[str, ...] = ("pose_detector.tflite", "pose_landmarks_detector.tflite")

#: Weights inside the mediapipe wheel, relative to the ``mediapipe`` package directory.
WHEEL_DETECTOR = Path("modules/pose_detection/pose_detection.tflite")
WHEEL_LANDMARKER = Path("modules/pose_landmark/pose_landmark_full.tflite")

#: The mediapipe release whose wheel is known to ship the weights above.
SUPPORTED_MEDIAPIPE = "0.10.21"

# Bump when the recipe in _build_bytes changes, so stale cached bundles are not reused.
_RECIPE_VERSION = 1

# Input normalisation written into the metadata: value_model = (pixel - mean) / std.
# The detector expects [-1, 1], the landmark model [0, 1] (as in MediaPipe's own graphs).
_DETECTOR_NORM = (127.5, 127.5)
_LANDMARKER_NORM = (0.0, 255.0)


@dataclass(frozen=True)
class BundleInfo:
    """A pose landmarker bundle ready to load.

    Attributes
    ----------
    path
        The ``.task`` file.
    origin
        ``"official"`` (a file from the models directory) or ``"wheel"`` (built from the
        installed mediapipe wheel's weights).
    description
        One line for logs and reports, e.g. which network and where it came from.
    """

    path: Path
    origin: str
    description: str


def default_models_dir() -> Path:
    """``$GAITLAB_MODELS_DIR`` if set, else the ``models/`` folder shipped with the package
    (:func:`gaitlab.core.package_data.models_dir`)."""
    env = os.environ.get("GAITLAB_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    return models_dir()


def default_cache_dir() -> Path:
    """``$GAITLAB_CACHE_DIR`` if set, else ``~/.cache/gaitlab``."""
    env = os.environ.get("GAITLAB_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "gaitlab"


def resolve_bundle(models_dir: Path | None = None, cache_dir: Path | None = None) -> BundleInfo:
    """Return the pose landmarker bundle to use, building it from the wheel if needed.

    An official bundle in ``models_dir`` wins; among them ``full`` is preferred because it
    is the same network the mediapipe wheel ships (results match the wheel-built bundle),
    then ``heavy`` (more accurate but about 3x slower on a 2-core CPU, too slow for live
    use), then ``lite`` (fastest, least accurate). Without an official bundle, one is built
    from the installed wheel's weights into ``cache_dir`` once and reused; the file name
    carries the mediapipe version so an upgrade never reuses a stale bundle.

    Parameters
    ----------
    models_dir
        Where to look for official bundles; defaults to :func:`default_models_dir`.
    cache_dir
        Where a built bundle is kept; defaults to :func:`default_cache_dir`.

    Raises
    ------
    ModelError
        An official bundle is present but broken, or none is present and the installed
        mediapipe ships no pose weights, or the cache directory is not writable.
    """
    models_dir = default_models_dir() if models_dir is None else Path(models_dir)
    for name in OFFICIAL_BUNDLES:
        path = models_dir / name
        if path.is_file():
            _check_bundle(path)
            variant = name.removeprefix("pose_landmarker_").removesuffix(".task")
            return BundleInfo(
                path=path,
                origin="official",
                description=f"official MediaPipe pose landmarker ({variant}) from {path}",
            )

    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
    version = _mediapipe_version()
    path = cache_dir / f"pose_landmarker_full-mediapipe{version}-r{_RECIPE_VERSION}.task"
    if not (path.is_file() and _is_valid_bundle(path)):
        build_bundle_from_wheel(path)
    return BundleInfo(
        path=path,
        origin="wheel",
        description=(
            f"BlazePose full (pose_detection + pose_landmark_full) from the mediapipe {version} "
            f"wheel, bundled at {path}"
        ),
    )


def build_bundle_from_wheel(out_path: Path) -> Path:
    """Build a pose landmarker bundle from the installed mediapipe wheel's weights.

    The file appears atomically: it is written and checked under a temporary name in the
    same directory, then renamed, so a concurrent reader sees either no file or a whole one.

    Raises
    ------
    ModelError
        The wheel has no pose weights, or the bundle cannot be written.
    """
    out_path = Path(out_path)
    root = _mediapipe_root()
    detector, landmarker = root / WHEEL_DETECTOR, root / WHEEL_LANDMARKER
    missing = [p for p in (detector, landmarker) if not p.is_file()]
    if missing:
        raise ModelError(
            f"The installed mediapipe {_mediapipe_version()} does not ship the BlazePose weights "
            f"({missing[0]} is missing). Install mediapipe=={SUPPORTED_MEDIAPIPE} "
            f"(pip install mediapipe=={SUPPORTED_MEDIAPIPE}) or put an official "
            f"pose_landmarker_full.task in {default_models_dir()}."
        )
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=out_path.name + ".", suffix=".tmp", dir=out_path.parent
        )
        os.close(fd)
    except OSError as err:
        raise ModelError(
            f"Cannot write the pose model bundle to {out_path.parent} ({err.strerror}); "
            "set GAITLAB_CACHE_DIR to a writable directory."
        ) from err
    tmp = Path(tmp_name)
    try:
        _write_bundle(detector, landmarker, tmp)
        _check_bundle(tmp, full=True)
        os.replace(tmp, out_path)
    except OSError as err:
        raise ModelError(f"Cannot write the pose model bundle {out_path}: {err}") from err
    finally:
        tmp.unlink(missing_ok=True)
    return out_path


# -- internals ---------------------------------------------------------------------------


def _mediapipe_root() -> Path:
    try:
        import mediapipe
    except ImportError as err:
        raise ModelError(
            f"mediapipe is not installed; install mediapipe=={SUPPORTED_MEDIAPIPE}."
        ) from err
    return Path(mediapipe.__file__).resolve().parent


def _mediapipe_version() -> str:
    try:
        return version("mediapipe")  # no need to import mediapipe (slow) just for this
    except PackageNotFoundError as err:
        raise ModelError(
            f"mediapipe is not installed; install mediapipe=={SUPPORTED_MEDIAPIPE}."
        ) from err


def _with_metadata(tflite: Path, mean: float, std: float, name: str) -> bytes:
    """The model with image-input normalisation metadata, as MediaPipe's tasks require."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    buf = bytearray(tflite.read_bytes())
    n_outputs = len(writer_utils.get_output_tensor_types(buf))
    writer = (
        metadata_writer.MetadataWriter.create(buf)
        .add_general_info(name)
        .add_image_input(norm_mean=[mean], norm_std=[std])
    )
    for _ in range(n_outputs):
        writer.add_feature_output()
    return bytes(writer.populate()[0])


def _write_bundle(detector: Path, landmarker: Path, out: Path) -> None:
    from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils

    try:
        members = {
            BUNDLE_MEMBERS[0]: _with_metadata(detector, *_DETECTOR_NORM, "pose_detector"),
            BUNDLE_MEMBERS[1]: _with_metadata(
                landmarker, *_LANDMARKER_NORM, "pose_landmarks_detector"
            ),
        }
    except (ValueError, RuntimeError) as err:
        raise ModelError(
            f"Cannot add metadata to the mediapipe wheel's pose weights ({err}); install "
            f"mediapipe=={SUPPORTED_MEDIAPIPE} or put an official pose_landmarker_full.task in "
            f"{default_models_dir()}."
        ) from err
    model_asset_bundle_utils.create_model_asset_bundle(members, str(out))


def _bundle_problem(path: Path, full: bool = False) -> str | None:
    """Why ``path`` is not a usable bundle, or None if it is."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist()}
            for member in BUNDLE_MEMBERS:
                info = infos.get(member)
                if info is None:
                    return f"it has no {member}"
                if info.compress_type != zipfile.ZIP_STORED:
                    return f"{member} is compressed (MediaPipe needs it stored uncompressed)"
                if info.file_size == 0:
                    return f"{member} is empty"
            if full and zf.testzip() is not None:
                return "a member fails its CRC check"
    except (zipfile.BadZipFile, OSError) as err:
        return f"it is not a zip file ({err})"
    return None


def _is_valid_bundle(path: Path) -> bool:
    return _bundle_problem(path) is None


def _check_bundle(path: Path, full: bool = False) -> None:
    problem = _bundle_problem(path, full=full)
    if problem is not None:
        raise ModelError(
            f"{path} is not a usable pose landmarker bundle: {problem}. Replace or remove it."
        )
