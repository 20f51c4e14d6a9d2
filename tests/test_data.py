import gzip
import pickle
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
    """Offline the download fails with a clear error; online it lands in the Keras cache and is verified."""
    import keras

    def offline():
        raise OSError("no network")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", offline)
    with pytest.raises(data.DataFileMissingError, match=r"Keras' download failed too \(OSError: no network\)"):
        data.load_fashion_mnist(search=[tmp_path / "none"])

    monkeypatch.setattr(data, "KERAS_DATASETS", tmp_path / "keras")

    def fake_download():  # stands in for keras' download: puts the official files in its cache
        target = tmp_path / "keras" / "fashion-mnist"
        target.mkdir(parents=True)
        for name in data.FASHION_MNIST_FILES:
            shutil.copy(_official_folder() / name, target / name)

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", fake_download)
    (_, y_train), (_, y_test) = data.load_fashion_mnist(search=[tmp_path / "none"])
    assert (len(y_train), len(y_test)) == (60000, 10000)


# ----------------------------------------------------------------- CIFAR-10 (format parsed on a small file)

def _write_cifar_batch(path: Path, images: np.ndarray, labels: list[int]):
    rows = images.transpose(0, 3, 1, 2).reshape(len(images), -1)  # the archive stores R, G, B planes
    with open(path, "wb") as handle:
        pickle.dump({b"data": rows, b"labels": labels, b"batch_label": b"x"}, handle)


def test_read_cifar10_dir_on_a_small_file_of_the_same_format(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batches = [rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8) for _ in range(3)]
    for i, images in enumerate(batches[:2], start=1):
        _write_cifar_batch(folder / f"data_batch_{i}", images, [i, i + 1, i + 2])
    _write_cifar_batch(folder / "test_batch", batches[2], [9, 8, 7])
    (x_train, y_train), (x_test, y_test) = data.read_cifar10_dir(folder)
    assert x_train.shape == (6, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    np.testing.assert_array_equal(x_train[:3], batches[0])
    np.testing.assert_array_equal(x_test, batches[2])
    assert y_train.tolist() == [1, 2, 3, 2, 3, 4] and y_test.tolist() == [9, 8, 7]
    # load_cifar10 uses an extracted cache without downloading
    (x_train2, _), _ = data.load_cifar10(cache_dir=tmp_path)
    np.testing.assert_array_equal(x_train2, x_train)


def test_cifar10_errors(tmp_path, monkeypatch):
    import keras

    with pytest.raises(data.DataFileMissingError, match="data_batch_1..5 and test_batch"):
        data.read_cifar10_dir(tmp_path)
    folder = tmp_path / "bad"
    folder.mkdir()
    with open(folder / "data_batch_1", "wb") as handle:
        pickle.dump({b"data": np.zeros((2, 10), np.uint8), b"labels": [0, 1]}, handle)
    shutil.copy(folder / "data_batch_1", folder / "test_batch")
    with pytest.raises(ValueError, match=r"expected \(n, 3072\) data"):
        data.read_cifar10_dir(folder)

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(data.DataFileMissingError, match="could not be downloaded.*internet connection"):
        data.load_cifar10(cache_dir=tmp_path / "empty")


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
    for name in ("ucr", "sunspots", "rotten_tomatoes", "fashion_mnist", "cifar10", "photos"):
        record = data.info(name)
        assert record.source and record.licence and record.citation
    assert "Dau" in data.info("ucr").citation and "Pang" in data.info("rotten_tomatoes").citation
    with pytest.raises(ValueError, match="unknown data set"):
        data.info("imagenet")


def test_checksums_cover_every_shipped_file():
    shipped = {str(p.relative_to(SHIPPED)) for p in SHIPPED.rglob("*") if p.is_file()
               and p.suffix in (".ts", ".csv", ".bz2")}
    assert shipped == set(data.CHECKSUMS)
