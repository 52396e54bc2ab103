"""Find the MediaPipe pose landmarker model bundle (``.task``), and the recipe that builds it.

The Tasks ``PoseLandmarker`` (the only MediaPipe API that returns more than one person)
loads a ``.task`` file: an uncompressed, 4-byte-aligned zip holding
``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``, each carrying
input-normalisation metadata. Nothing can be downloaded at run time and current mediapipe
wheels ship no pose weights, so the bundle is a file in the models directory, in this order:

1. an official ``pose_landmarker_{full,heavy,lite}.task`` dropped there;
2. the bundle shipped with gaitlab, ``pose_landmarker_blazepose_full.task``: BlazePose full
   (``pose_detection.tflite`` and ``pose_landmark_full.tflite``, Apache-2.0) taken from the
   mediapipe 0.10.21 wheel by ``scripts/build_pose_bundle.py`` with
   :func:`build_bundle_from_wheel`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from gaitlab.core.errors import ModelError
from gaitlab.core.package_data import models_dir

#: Official bundle file names, most preferred first (see :func:`resolve_bundle` for why).
OFFICIAL_BUNDLES: tuple[str, ...] = (
    "pose_landmarker_full.task",
    "pose_landmarker_heavy.task",
    "pose_landmarker_lite.task",
)

#: The bundle shipped in the models directory, used when no official one is there.
SHIPPED_BUNDLE = "pose_landmarker_blazepose_full.task"

#: The two members every pose landmarker bundle holds.
BUNDLE_MEMBERS: tuple[str, ...] = ("pose_detector.tflite", "pose_landmarks_detector.tflite")

#: The mediapipe release whose wheel ships the BlazePose weights (the last one that does).
SUPPORTED_MEDIAPIPE = "0.10.21"

#: The weights inside that wheel (zip member names) and their SHA-256, the same in every
#: platform's wheel of the release.
WHEEL_DETECTOR = "mediapipe/modules/pose_detection/pose_detection.tflite"
WHEEL_LANDMARKER = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
WHEEL_SHA256: dict[str, str] = {
    WHEEL_DETECTOR: "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    WHEEL_LANDMARKER: "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
}

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
        ``"official"`` (an official MediaPipe file from the models directory) or
        ``"shipped"`` (the BlazePose bundle shipped with gaitlab).
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


def resolve_bundle(models_dir: Path | None = None) -> BundleInfo:
    """Return the pose landmarker bundle to use.

    An official bundle in ``models_dir`` wins; among them ``full`` is preferred because it
    is the same network as the shipped bundle (results match it), then ``heavy`` (more
    accurate but about 3x slower on a 2-core CPU, too slow for live use), then ``lite``
    (fastest, least accurate). Without an official bundle the shipped one,
    :data:`SHIPPED_BUNDLE`, is used.

    Parameters
    ----------
    models_dir
        Where to look for bundles; defaults to :func:`default_models_dir`.

    Raises
    ------
    ModelError
        The chosen bundle is broken (e.g. a Git LFS pointer instead of the file), or the
        models directory holds none.
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

    path = models_dir / SHIPPED_BUNDLE
    if not path.is_file():
        raise ModelError(
            f"No pose model in {models_dir}: it should hold {SHIPPED_BUNDLE} (shipped with "
            "gaitlab; python scripts/build_pose_bundle.py rebuilds it) or an official "
            "pose_landmarker_full.task."
        )
    _check_bundle(path)
    return BundleInfo(
        path=path,
        origin="shipped",
        description=(
            "BlazePose full (pose_detection + pose_landmark_full from the mediapipe "
            f"{SUPPORTED_MEDIAPIPE} wheel), shipped at {path}"
        ),
    )


def build_bundle_from_wheel(out_path: Path, wheel: Path) -> Path:
    """Build a pose landmarker bundle from the BlazePose weights inside a mediapipe wheel.

    The wheel is a downloaded ``mediapipe-0.10.21-*.whl`` file (any platform's); its two
    weight files are checked against :data:`WHEEL_SHA256`, given the metadata MediaPipe's
    tasks need, and bundled. Needs mediapipe (any release with the Tasks metadata writers)
    installed. The file appears atomically: it is written and checked under a temporary
    name in the same directory, then renamed, so a reader sees either no file or a whole
    one.

    Raises
    ------
    ModelError
        The wheel lacks the weights or holds other ones, or the bundle cannot be written.
    """
    out_path = Path(out_path)
    detector, landmarker = (_wheel_member(Path(wheel), m) for m in WHEEL_SHA256)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=out_path.name + ".", suffix=".tmp", dir=out_path.parent
        )
        os.close(fd)
    except OSError as err:
        raise ModelError(
            f"Cannot write the pose model bundle to {out_path.parent} ({err.strerror})."
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


def _wheel_member(wheel: Path, member: str) -> bytes:
    """One weight file from the wheel, checked against its known SHA-256."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(member)
    except KeyError as err:
        raise ModelError(
            f"{wheel} has no {member}; use the mediapipe=={SUPPORTED_MEDIAPIPE} wheel."
        ) from err
    except (zipfile.BadZipFile, OSError) as err:
        raise ModelError(f"Cannot read the wheel {wheel}: {err}") from err
    digest = hashlib.sha256(data).hexdigest()
    if digest != WHEEL_SHA256[member]:
        raise ModelError(
            f"{member} in {wheel} has SHA-256 {digest}, expected {WHEEL_SHA256[member]} "
            f"(the mediapipe {SUPPORTED_MEDIAPIPE} weights)."
        )
    return data


def _metadata_writers() -> tuple[ModuleType, ModuleType, ModuleType]:
    """mediapipe's Tasks metadata writers: ``metadata_writer``, ``writer_utils`` and
    ``model_asset_bundle_utils``.

    mediapipe 1.2.x ships the writers but not the compiled helper they import,
    ``_pywrap_metadata_version``, whose one function tells the lowest metadata parser
    version that can read the metadata. For what :func:`_with_metadata` writes (general
    info, one normalised image input, plain outputs) that is the schema's first version,
    "1.0.0", as mediapipe 0.10.21's compiled helper wrote; a stand-in returning it is put
    in place when the helper is missing. Bundles built either way hold the same bytes.
    """
    helper = "mediapipe.tasks.cc.metadata.python._pywrap_metadata_version"
    try:
        importlib.import_module(helper)
    except ImportError:
        parts = helper.split(".")
        for i in range(3, len(parts) + 1):  # mediapipe.tasks exists; add the rest
            name = ".".join(parts[:i])
            if name not in sys.modules:
                sys.modules[name] = ModuleType(name)
                setattr(sys.modules[".".join(parts[: i - 1])], parts[i - 1], sys.modules[name])
        sys.modules[helper].GetMinimumMetadataParserVersion = lambda _buf: "1.0.0"  # type: ignore[attr-defined]
    from mediapipe.tasks.python.metadata.metadata_writers import (
        metadata_writer,
        model_asset_bundle_utils,
        writer_utils,
    )

    return metadata_writer, writer_utils, model_asset_bundle_utils


def _with_metadata(tflite: bytes, mean: float, std: float, name: str) -> bytes:
    """The model with image-input normalisation metadata, as MediaPipe's tasks require."""
    metadata_writer, writer_utils, _ = _metadata_writers()
    buf = bytearray(tflite)
    n_outputs = len(writer_utils.get_output_tensor_types(buf))
    writer = (
        metadata_writer.MetadataWriter.create(buf)
        .add_general_info(name)
        .add_image_input(norm_mean=[mean], norm_std=[std])
    )
    for _ in range(n_outputs):
        writer.add_feature_output()
    model = bytes(writer.populate()[0])
    # mediapipe keeps a reference to this call's frame; without the del the writer lives to
    # interpreter exit, where its __del__ (removing a temporary folder) fails.
    del writer
    return model


def _write_bundle(detector: bytes, landmarker: bytes, out: Path) -> None:
    try:
        members = {
            BUNDLE_MEMBERS[0]: _with_metadata(detector, *_DETECTOR_NORM, "pose_detector"),
            BUNDLE_MEMBERS[1]: _with_metadata(
                landmarker, *_LANDMARKER_NORM, "pose_landmarks_detector"
            ),
        }
    except (ValueError, RuntimeError) as err:
        raise ModelError(f"Cannot add metadata to the BlazePose weights ({err}).") from err
    _metadata_writers()[2].create_model_asset_bundle(members, str(out))


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


def _check_bundle(path: Path, full: bool = False) -> None:
    problem = _bundle_problem(path, full=full)
    if problem is not None:
        raise ModelError(
            f"{path} is not a usable pose landmarker bundle: {problem}. Replace or remove it."
        )
