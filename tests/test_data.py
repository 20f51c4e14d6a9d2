import gzip
import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from course_utils import data

SHIPPED = data.DATA_DIR


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of the shipped data, safe to damage."""
    target = tmp_path / "data"
    for relative in data.CHECKSUMS:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SHIPPED / relative, target / relative)
    return target


# ----------------------------------------------------------------- UCR

@pytest.mark.parametrize("name, shapes, classes", [
    ("GunPoint", ((50, 150, 1), (150, 150, 1)), 2),          # Dau et al. 2019, archive summary table
    ("ItalyPowerDemand", ((67, 24, 1), (1029, 24, 1)), 2),
    ("OSULeaf", ((200, 427, 1), (242, 427, 1)), 6),
    ("ArrowHead", ((36, 251, 1), (175, 251, 1)), 3),
])
def test_load_ucr_shapes_dtypes_and_labels(name, shapes, classes):
    (x_train, y_train), (x_test, y_test) = data.load_ucr(name)
    assert (x_train.shape, x_test.shape) == shapes
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert set(y_train) == set(range(classes)) and set(y_test) == set(range(classes))
    assert np.isfinite(x_train).all() and np.isfinite(x_test).all()


def test_load_ucr_matches_the_raw_file():
    """First training series and label against the text of the file itself."""
    raw = (SHIPPED / "ucr/GunPoint_TRAIN.ts").read_text().split("@data")[1].strip().splitlines()[0]
    values, label = raw.rsplit(":", 1)
    (x_train, y_train), _ = data.load_ucr("GunPoint")
    np.testing.assert_allclose(x_train[0, :, 0], np.array(values.split(","), dtype=float), rtol=1e-6)
    assert y_train[0] == int(label) - 1  # labels 1, 2 become 0, 1


def test_parse_ts_multivariate_and_errors():
    text = "@problemName X\n@data\n1,2,3:4,5,6:a\n7,8,9:1,2,3:b\n"
    x, labels = data.parse_ts(text)
    assert x.shape == (2, 3, 2)
    np.testing.assert_array_equal(x[0, :, 1], [4, 5, 6])
    assert list(labels) == ["a", "b"]
    with pytest.raises(ValueError, match="no @data line"):
        data.parse_ts("1,2,3:a\n")
    with pytest.raises(ValueError, match="row 1 has no ':label'"):
        data.parse_ts("@data\n1,2,3\n")
    with pytest.raises(ValueError, match="not a number"):
        data.parse_ts("@data\n1,x,3:a\n")
    with pytest.raises(ValueError, match="unequal length"):
        data.parse_ts("@data\n1,2,3:a\n1,2:b\n")
    with pytest.raises(ValueError, match="empty"):
        data.parse_ts("@data\n\n")


def test_unknown_ucr_name_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="GunPoint, ItalyPowerDemand"):
        data.load_ucr("ECG200")


def test_missing_file_names_it_and_the_fix(data_copy):
    (data_copy / "ucr/GunPoint_TEST.ts").unlink()
    with pytest.raises(data.DataFileMissingError, match=r"GunPoint_TEST\.ts is missing.*git checkout -- data/"):
        data.load_ucr("GunPoint", data_dir=data_copy)
    assert issubclass(data.DataFileMissingError, FileNotFoundError)


def test_corrupt_file_names_it_and_both_checksums(data_copy):
    path = data_copy / "series/sunspots.csv"
    content = path.read_bytes()
    path.write_bytes(content.replace(b"1700,5", b"1700,6"))
    with pytest.raises(data.DataChecksumError, match=r"sunspots\.csv is corrupt.*SHA-256 [0-9a-f]{64}, expected f67889b1"):
        data.load_sunspots(data_dir=data_copy)
    assert path.read_bytes() != content  # the damaged file is left for inspection, not replaced


# ----------------------------------------------------------------- sunspots and text

def test_load_sunspots():
    years, counts = data.load_sunspots()
    assert years.shape == counts.shape == (309,)
    assert years[0] == 1700 and years[-1] == 2008 and np.all(np.diff(years) == 1)
    assert counts.min() >= 0 and counts[0] == 5.0  # first row of the file: 1700,5


def test_load_rotten_tomatoes_split():
    (x_train, y_train), (x_test, y_test) = data.load_rotten_tomatoes()
    assert len(x_train) + len(x_test) == 12808  # 7,403 fresh + 5,405 rotten, plot rows dropped
    assert len(x_test) == round(0.2 * 7403) + round(0.2 * 5405)
    assert (y_train.sum() + y_test.sum()) == 7403
    assert set(np.unique(y_train)) == {0, 1}
    assert abs(y_test.mean() - y_train.mean()) < 0.01  # stratified
    assert all(isinstance(t, str) and t for t in x_train[:50])
    (x_train2, _), (x_test2, _) = data.load_rotten_tomatoes()
    np.testing.assert_array_equal(x_test, x_test2)
    (_, _), (x_test3, _) = data.load_rotten_tomatoes(seed=1)
    assert set(x_test3) != set(x_test)


@pytest.mark.parametrize("fraction", [0, 1, 1.2])
def test_load_rotten_tomatoes_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        data.load_rotten_tomatoes(test_fraction=fraction)


# ----------------------------------------------------------------- Fashion-MNIST

def _idx(array: np.ndarray) -> bytes:
    header = b"\x00\x00\x08" + bytes([array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_parse_idx_roundtrip_and_errors():
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(data.parse_idx(_idx(array)), array)
    with pytest.raises(ValueError, match="bad magic number"):
        data.parse_idx(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="implies"):
        data.parse_idx(_idx(array)[:-1])


def test_search_order_is_project_debian_keras():
    dirs = data.fashion_mnist_dirs()
    assert dirs[0] == data.DATA_DIR / "fashion-mnist"
    assert dirs[1] == Path("/usr/share/datasets/fashion-mnist")
    assert dirs[2].parts[-2:] == ("datasets", "fashion-mnist")


def test_load_fashion_mnist_official_files():
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist(download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [6000] * 10 and np.bincount(y_test).tolist() == [1000] * 10


def _official_folder():
    for folder in data.fashion_mnist_dirs():
        if all((folder / f).is_file() for f in data.FASHION_MNIST_FILES):
            return folder
    pytest.fail("the official Fashion-MNIST files are not installed; run `make data`")


def test_keras_cache_is_used_when_earlier_places_are_empty(tmp_path):
    keras_dir = tmp_path / "keras" / "fashion-mnist"
    keras_dir.mkdir(parents=True)
    for name in data.FASHION_MNIST_FILES:
        (keras_dir / name).symlink_to(_official_folder() / name)
    (_, y_train), _ = data.load_fashion_mnist(search=[tmp_path / "empty", keras_dir], download=False)
    assert len(y_train) == 60000


def test_corrupt_fashion_file_is_reported_and_left_alone(tmp_path):
    folder = tmp_path / "fm"
    folder.mkdir()
    for name in data.FASHION_MNIST_FILES:
        (folder / name).symlink_to(_official_folder() / name)
    bad = folder / "t10k-labels-idx1-ubyte.gz"
    bad.unlink()
    labels = gzip.decompress((_official_folder() / bad.name).read_bytes())
    bad.write_bytes(gzip.compress(labels[:-1] + bytes([(labels[-1] + 1) % 10])))
    with pytest.raises(data.DataChecksumError, match=r"t10k-labels-idx1-ubyte\.gz is corrupt.*expected 0402a96d"):
        data.load_fashion_mnist(search=[folder], download=False)
    bad.write_bytes(b"not gzip")
    with pytest.raises(data.DataChecksumError, match="not a readable gzip file"):
        data.load_fashion_mnist(search=[folder], download=False)
    assert bad.read_bytes() == b"not gzip"


def test_missing_fashion_files_name_them_and_the_fix(tmp_path):
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "train-images-idx3-ubyte.gz").write_bytes(b"")
    with pytest.raises(data.DataFileMissingError, match=r"not found in any of.*Some but not all.*partial.*make data"):
        data.load_fashion_mnist(search=[tmp_path / "none", partial], download=False)


def test_keras_download_path(tmp_path, monkeypatch):
    """With download=True: offline the download fails with a clear error; online it lands in the Keras cache and
    is verified."""
    import keras

    def offline():
        raise OSError("no network")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", offline)
    with pytest.raises(data.DataFileMissingError, match=r"Keras' download failed too \(OSError: no network\)"):
        data.load_fashion_mnist(search=[tmp_path / "none"], download=True)

    monkeypatch.setattr(data, "KERAS_DATASETS", tmp_path / "keras")

    def fake_download():  # stands in for keras' download: puts the official files in its cache
        target = tmp_path / "keras" / "fashion-mnist"
        target.mkdir(parents=True)
        for name in data.FASHION_MNIST_FILES:
            shutil.copy(_official_folder() / name, target / name)

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", fake_download)
    (_, y_train), (_, y_test) = data.load_fashion_mnist(search=[tmp_path / "none"], download=True)
    assert (len(y_train), len(y_test)) == (60000, 10000)


def test_load_fashion_mnist_never_downloads_unless_asked(tmp_path, monkeypatch):
    import keras

    calls = []
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", lambda: calls.append("download"))
    monkeypatch.setattr(data, "fashion_mnist_dirs", lambda: [tmp_path / "project", tmp_path / "debian"])
    for call in (lambda: data.load_fashion_mnist(), lambda: data.load_fashion_mnist(search=[tmp_path / "none"])):
        with pytest.raises(data.DataFileMissingError) as caught:
            call()
        message = str(caught.value)
        # the three ways to get the files: the Debian package, `make data`, download=True
        assert "dataset-fashion-mnist" in message and "apt-get install dataset-fashion-mnist" in message
        assert "/usr/share/datasets/fashion-mnist/" in message
        assert "`make data`" in message and "download=True" in message
    assert calls == []
    with pytest.raises(data.DataFileMissingError, match=r"project; .*debian\."):
        data.load_fashion_mnist()


def test_load_fashion_mnist_search_takes_one_folder_or_a_list(tmp_path):
    folder = tmp_path / "fm"
    folder.mkdir()
    for name in data.FASHION_MNIST_FILES:
        (folder / name).symlink_to(_official_folder() / name)
    for search in (str(folder), folder, [str(folder)], (tmp_path / "empty", folder)):
        (_, _), (x_test, y_test) = data.load_fashion_mnist(search=search)
        assert x_test.shape == (10000, 28, 28)
        assert np.bincount(y_test).tolist() == [1000] * 10  # the published test set: 1,000 images per class
    assert data.fashion_mnist_folder(str(folder)) == folder
    assert data.fashion_mnist_folder(tmp_path / "empty") is None
    # a str is one folder, never a list of one-character folders
    with pytest.raises(data.DataFileMissingError, match=r"not found in any of: " + re.escape(str(tmp_path / "none")) + r"\. "):
        data.load_fashion_mnist(search=str(tmp_path / "none"))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"search": 5}, TypeError, "search must be a path"),
    ({"search": [Path("."), 5]}, TypeError, "each entry of search"),
    ({"search": b"data"}, TypeError, "search must be a path"),
    ({"download": "no"}, TypeError, "download must be True or False"),
])
def test_load_fashion_mnist_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        data.load_fashion_mnist(**kwargs)


def test_verify_all_downloads_only_when_asked(monkeypatch):
    asked = []

    def fake(search=None, download=False):
        asked.append(download)
        return (np.zeros((1, 28, 28)), np.zeros(1)), (np.zeros((1, 28, 28)), np.zeros(1))

    monkeypatch.setattr(data, "load_fashion_mnist", fake)
    data.verify_all()
    data.verify_all(download=True)
    assert asked == [False, True]


# ----------------------------------------------------------------- photographs and provenance

def test_load_photo_against_skimage():
    import skimage.data

    camera = data.load_photo("camera")
    assert camera.shape == (512, 512) and camera.dtype == np.float32
    np.testing.assert_allclose(camera, skimage.data.camera() / 255.0, atol=1e-6)
    astronaut = data.load_photo("astronaut")
    assert astronaut.shape == (512, 512, 3) and 0.0 <= astronaut.min() and astronaut.max() <= 1.0
    assert data.load_photo("astronaut", gray=True).shape == (512, 512)
    with pytest.raises(ValueError, match="unknown photograph 'lena'; choose one of camera"):
        data.load_photo("lena")


def test_every_data_set_records_its_source():
    assert set(data.DATASETS) == {"ucr", "sunspots", "rotten_tomatoes", "fashion_mnist", "photos", "emotion_model"}
    for name in data.DATASETS:
        record = data.info(name)
        assert record.source and record.licence and record.citation
    assert "Dau" in data.info("ucr").citation and "Pang" in data.info("rotten_tomatoes").citation
    assert "Arriaga" in data.info("emotion_model").citation and "MIT" in data.info("emotion_model").licence
    with pytest.raises(ValueError, match="unknown data set"):
        data.info("imagenet")


def test_checksums_cover_every_shipped_file():
    shipped = {str(p.relative_to(SHIPPED)) for p in SHIPPED.rglob("*") if p.is_file()
               and p.suffix in (".ts", ".csv", ".bz2", ".hdf5")}
    assert shipped == set(data.CHECKSUMS)


# ----------------------------------------------------------------- wrong arguments

def test_sha256_helpers_against_the_published_test_vector(tmp_path):
    # FIPS 180-2, appendix B.1: SHA-256("abc")
    abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert data.sha256_bytes(b"abc") == abc
    (tmp_path / "abc").write_bytes(b"abc")
    assert data.sha256_file(tmp_path / "abc") == data.sha256_file(str(tmp_path / "abc")) == abc
    assert data.sha256_bytes(b"x" * 3_000_000) == hashlib.sha256(b"x" * 3_000_000).hexdigest()
    with pytest.raises(TypeError, match=r"content must be bytes.*encode"):
        data.sha256_bytes("abc")
    with pytest.raises(data.DataFileMissingError, match="no file at"):
        data.sha256_file(tmp_path / "missing")
    with pytest.raises(TypeError, match="path must be"):
        data.sha256_file(3)


@pytest.mark.parametrize("call, error, match", [
    (lambda: data.info(5), TypeError, "name must be the name of a data set"),
    (lambda: data.info(["ucr"]), TypeError, "name must be"),
    (lambda: data.shipped_file("series/missing.csv"), ValueError, r"relative='series/missing.csv' is not a file"),
    (lambda: data.load_sunspots(data_dir=5), TypeError, "data_dir must be"),
    (lambda: data.load_ucr(["GunPoint"]), ValueError, "choose one of GunPoint"),
    (lambda: data.parse_ts(b"@data\n1,2:a\n"), TypeError, r"text must be.*decode"),
    (lambda: data.parse_idx("\x00\x00\x08\x01"), TypeError, r"content must be the bytes.*read_bytes"),
    (lambda: data.load_rotten_tomatoes(test_fraction="0.2"), TypeError, "test_fraction must be a number"),
    (lambda: data.load_rotten_tomatoes(test_fraction=1e-6), ValueError, "test_fraction=1e-06 leaves the training or the test part empty"),
    (lambda: data.load_rotten_tomatoes(seed=-1), ValueError, "seed must be >= 0"),
    (lambda: data.load_rotten_tomatoes(seed=0.5), TypeError, "seed must be an integer"),
    (lambda: data.load_photo("camera", gray="no"), TypeError, "gray must be True or False"),
    (lambda: data.load_photo(["camera"]), ValueError, "unknown photograph"),
    (lambda: data.verify_all(download="yes"), TypeError, "download must be True or False"),
])
def test_wrong_arguments_name_the_argument_and_the_fix(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_load_ucr_accepts_a_str_data_dir(data_copy):
    (x_train, _), _ = data.load_ucr("ArrowHead", data_dir=str(data_copy))
    assert x_train.shape == (36, 251, 1)


@pytest.mark.parametrize("name, words", [("GunPoint", ("Gun-Draw and Point",)),
                                         ("ItalyPowerDemand", ("Oct to March", "April to September"))])
def test_ucr_class_names_follow_the_file_header(name, words):
    header = data.shipped_file(f"ucr/{name}_TRAIN.ts").read_text()
    assert all(w in " ".join(header.split()) for w in words)      # the names the archive's description gives
    assert "@classLabel true 1 2" in header                          # labels 1, 2 -> indices 0, 1
    (_, y_train), (_, y_test) = data.load_ucr(name)
    assert len(data.UCR_CLASSES[name]) == len(np.unique(np.concatenate([y_train, y_test]))) == 2
