from dataclasses import replace
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

from course_utils import environment as envm

SANITIZE = Path(__file__).parent / "nbval_sanitize.cfg"
RECORDED = envm.Environment(python="3.11.7", course_utils="1.0.0", keras="3.15.1", numpy="2.4.6", scipy="1.17.1",
                            backend="tensorflow", backend_version="2.21.0",
                            device=envm.device_line([], 2, "x86_64"))


def sanitized(text: str) -> str:
    """The text as strict nbval compares it, with the suite's own patterns and nbval's own parser."""
    import re

    for regex, replacement in get_sanitize_patterns(SANITIZE.read_text()):
        text = re.sub(regex, replacement, text)
    return text


def cell_output(env: envm.Environment, profile_line: str = "profile: ci  [set COURSE_PROFILE=ci|lab|full to change]",
                seed: int = 0) -> str:
    return "\n".join(envm.setup_lines(env, profile_line, seed)) + "\n"


@pytest.mark.parametrize("other", [
    replace(RECORDED, python="3.11.14"),
    replace(RECORDED, python="3.12.8"),
    replace(RECORDED, python="3.13.2"),
    replace(RECORDED, device=envm.device_line([], 16, "x86_64")),
    replace(RECORDED, device=envm.device_line([], 8, "aarch64")),
    replace(RECORDED, device=envm.device_line(["NVIDIA H200"], 16, "x86_64")),
    replace(RECORDED, backend_version="2.21.1"),
    replace(RECORDED, backend="jax", backend_version="0.10.2"),
    replace(RECORDED, backend="torch", backend_version="2.13.0+cpu"),
    replace(RECORDED, python="3.13.0", device=envm.device_line(["NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB"], 64,
                                                               "x86_64")),
])
def test_the_setup_cell_compares_equal_on_another_machine(other):
    recorded, rerun = cell_output(RECORDED), cell_output(other)
    assert recorded != rerun
    assert sanitized(recorded) == sanitized(rerun)


@pytest.mark.parametrize("profile_line, seed", [("profile: lab  [set COURSE_PROFILE=ci|lab|full to change]", 0),
                                                ("profile: ci  [set COURSE_PROFILE=ci|lab|full to change]", 1)])
def test_the_setup_cell_still_tells_profile_and_seed_apart(profile_line, seed):
    assert sanitized(cell_output(RECORDED)) != sanitized(cell_output(RECORDED, profile_line, seed))


def test_sanitising_leaves_other_lines_that_mention_versions_alone():
    text = "the backend: see below\nversions of the model: 3\n"
    assert sanitized(text) == text


def test_setup_lines_name_every_version():
    lines = envm.setup_lines(RECORDED, "profile: ci", 3)
    assert lines[0] == "versions: Python 3.11.7 | course_utils 1.0.0 | Keras 3.15.1 | NumPy 2.4.6 | SciPy 1.17.1"
    assert lines[1] == "backend: tensorflow 2.21.0"
    assert lines[2:] == ["device: CPU (2 cores, x86_64)", "profile: ci", "seed: 3"]


def test_device_line():
    assert envm.device_line([], 4, "arm64") == "device: CPU (4 cores, arm64)"
    assert envm.device_line(["A", "B"], 4, "x86_64") == "device: GPU (A, B)"


def test_current_environment_is_this_process():
    import platform

    import keras
    import numpy

    env = envm.current()
    assert env.python == platform.python_version()
    assert env.keras == keras.__version__ and env.numpy == numpy.__version__
    assert env.backend == keras.backend.backend()
    assert env.device.startswith("device: ")


def test_installed_version_finds_any_build_of_tensorflow():
    import tensorflow as tf

    assert envm.installed_version("tensorflow") == tf.__version__
    assert envm.installed_version("tensorflow-cpu") == tf.__version__ or envm.installed_version("tensorflow-cpu") is None
    assert envm.installed_version("no-such-package-here") is None


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="KERAS_BACKEND"):
        envm.gpu_names("theano")


def write(tmp_path, text):
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return path


def test_pinned_versions_apply_markers_and_name_builds_by_backend(tmp_path):
    path = write(tmp_path, "# comment\n"
                           'tensorflow-cpu==2.21.0; sys_platform != "darwin"\n'
                           'tensorflow==2.21.0; sys_platform == "darwin"\n'
                           "NumPy==2.4.6  # trailing comment\n"
                           'never==1.0; python_version < "3.0"\n\n')
    assert envm.pinned_versions(path) == {"tensorflow": "2.21.0", "numpy": "2.4.6"}


@pytest.mark.parametrize("line, match", [("numpy>=2", "not pinned"), ("numpy", "not pinned"),
                                         ("numpy==2,<3", "not pinned"), ("num py == 2", "not a requirement")])
def test_pinned_versions_refuse_lines_that_are_not_pins(tmp_path, line, match):
    with pytest.raises(ValueError, match=rf"line 1: .*{match}"):
        envm.pinned_versions(write(tmp_path, line + "\n"))


def test_pinned_versions_of_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="requirements"):
        envm.pinned_versions(tmp_path / "nothing.txt")


def test_check_pins_names_what_differs(tmp_path, capsys):
    import numpy

    path = write(tmp_path, f"numpy=={numpy.__version__}\nscipy==0.0.1\nno-such-package-here==1.0\n")
    with pytest.raises(RuntimeError) as err:
        envm.check_pins(path, also=())
    message = str(err.value)
    assert "scipy (pinned 0.0.1, installed " in message and "no-such-package-here (pinned 1.0, installed nothing)" in message
    assert "numpy (" not in message
    assert "make clean lab" in message
    assert f"numpy            pinned {numpy.__version__}" in capsys.readouterr().out


def test_the_course_environment_matches_its_pins():
    rows = envm.check_pins()
    names = {name for name, _, _ in rows}
    assert {"tensorflow", "keras", "numpy", "scipy"} <= names


def test_a_local_build_label_satisfies_its_pin():
    assert envm.matches("2.13.0+cpu", "2.13.0") and envm.matches("2.13.0", "2.13.0")
    assert not envm.matches("2.13.1", "2.13.0") and not envm.matches(None, "2.13.0")
    assert not envm.matches("2.13.0rc1", "2.13.0")


def test_each_backend_has_its_requirements_file():
    assert envm.backend_requirements("tensorflow") is None
    for name in ("jax", "torch"):
        path = envm.backend_requirements(name)
        assert path.name == f"requirements-{name}.txt" and name in envm.pinned_versions(path)
    with pytest.raises(ValueError, match="KERAS_BACKEND"):
        envm.backend_requirements("theano")


def test_the_backend_pins_are_checked_but_not_printed(tmp_path, capsys):
    import numpy

    main = write(tmp_path, f"numpy=={numpy.__version__}\n")
    extra = tmp_path / "requirements-extra.txt"
    extra.write_text("no-such-package-here==1.0\n")
    with pytest.raises(RuntimeError, match=r"requirements-extra.txt: no-such-package-here \(pinned 1.0"):
        envm.check_pins(main, also=[extra])
    assert "no-such-package-here" not in capsys.readouterr().out
    extra.write_text(f"numpy=={numpy.__version__}\n")
    assert envm.check_pins(main, also=[extra]) == [("numpy", numpy.__version__, numpy.__version__)]
