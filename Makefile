# The course's commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GPU ?= 0
NB ?= notebooks/*.ipynb
PYTEST_ARGS ?=
LAB_ARGS ?=
PROFILE ?= full

# The interpreters the course supports, as pyproject.toml states them (requires-python = ">=3.A,<3.B").
REQUIRES_PYTHON := $(shell sed -n 's/^requires-python = "\(.*\)"/\1/p' pyproject.toml)
# TensorFlow's build: the CPU wheel, or with GPU=1 the one that brings its own CUDA libraries. The stamp
# records which one .venv holds, so that switching builds reinstalls TensorFlow by itself.
BUILD := $(if $(filter 1,$(GPU)),gpu,cpu)
STAMP := $(VENV)/.installed-$(BUILD)
OTHER_STAMP := $(VENV)/.installed-$(if $(filter 1,$(GPU)),cpu,gpu)
TF_VERSION := $(shell sed -n 's/^tensorflow-cpu==\([0-9.]*\).*/\1/p' requirements.txt)
# The Keras backend: tensorflow (default), jax or torch. TensorFlow is installed in every case (tf.data
# feeds the models on every backend); jax and torch add their requirements-<backend>.txt, once each.
KERAS_BACKEND ?= tensorflow
export KERAS_BACKEND
BACKENDS := tensorflow jax torch
ifeq ($(filter $(KERAS_BACKEND),$(BACKENDS)),)
$(error KERAS_BACKEND=$(KERAS_BACKEND) is not a backend of the course: use tensorflow, jax or torch)
endif
BACKEND_STAMP := $(if $(filter tensorflow,$(KERAS_BACKEND)),,$(VENV)/.installed-$(KERAS_BACKEND)-$(BUILD))
# The unit tests that run the backend's own code (and the input pipeline, whose augmentation uses Keras'
# preprocessing layers); the rest (NumPy references, TensorFlow's fused batch-norm kernel in
# tests/test_layers.py, tooling) run on TensorFlow.
BACKEND_TESTS := tests/test_environment.py tests/test_profile.py tests/test_models.py tests/test_training.py \
  tests/test_timeseries.py tests/test_text.py tests/test_complexity.py tests/test_distributed.py \
  tests/test_transfer.py tests/test_pipeline.py tests/test_separable.py tests/test_pooling.py
# The notebooks that run on JAX or PyTorch: all of them, unless BACKEND_NOTEBOOKS names fewer.
BACKEND_NOTEBOOKS ?= notebooks
BACKEND_SUITE = COURSE_PROFILE=ci $(BIN)/python -m pytest $(BACKEND_NOTEBOOKS) $(BACKEND_TESTS) $(PYTEST_ARGS)
FASHION_MNIST := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0

ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# The server `make lab` starts; tests/test_jupyterlab.py starts the same one (`make lab-command` prints it).
LAB_FLAGS = $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" --ContentsManager.preferred_dir=notebooks \
  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

.PHONY: help setup env data lab test test-backend unit student execute run bench lint clean clean-student

help:
	@echo "make lab        set everything up (first time: .venv, packages, data), then open JupyterLab on notebooks/"
	@echo "make test       set everything up, then run the whole suite: unit tests and every notebook under strict nbval"
	@echo "make student    write student copies of the notebooks (solutions replaced by stubs) into student/"
	@echo "make execute NB=notebooks/03_*.ipynb   re-execute notebooks in the ci profile and store their outputs"
	@echo "make run NB=notebooks/09_*.ipynb PROFILE=full   run notebooks in a profile, results into build/PROFILE/"
	@echo "make site       build the course's website from the notebooks' stored outputs into build/site"
	@echo "make bench      measure speed and accuracy, write benchmarks/RESULTS.md (make bench QUICK=1 for a quick run)"
	@echo "make clean      remove .venv and build/ (student/ is kept: make clean-student removes it)"
	@echo "make test-backend   on KERAS_BACKEND=jax or torch: every notebook and the backend's unit tests"
	@echo "options: KERAS_BACKEND=tensorflow|jax|torch picks Keras' backend (make installs what it needs);"
	@echo "         GPU=1 installs the CUDA builds; PYTHON=python3.12 picks the interpreter for .venv;"
	@echo "         COURSE_PROFILE=ci|lab|full sets the run profile"

setup: $(STAMP) $(BACKEND_STAMP) data

env: $(STAMP) $(BACKEND_STAMP)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; lo, hi = "$(REQUIRES_PYTHON)".lstrip(">=").split(",<"); v = sys.version_info[:2]; \
	  sys.exit(not tuple(map(int, lo.split("."))) <= v < tuple(map(int, hi.split("."))))' 2>/dev/null \
	  || { echo "error: $(PYTHON) is $$($(PYTHON) --version 2>/dev/null || echo 'not found'); the course needs Python $(REQUIRES_PYTHON) \
	(pyproject.toml: the pinned NumPy and SciPy need 3.11 or later, TensorFlow $(TF_VERSION) has no wheels after 3.13). \
	Point make at a supported interpreter, e.g. make lab PYTHON=python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
ifneq ($(wildcard $(OTHER_STAMP)),)
	@echo "switching TensorFlow to the $(BUILD) build"
	$(BIN)/python -m pip uninstall -q -y tensorflow tensorflow-cpu
	rm -f $(OTHER_STAMP)
endif
ifeq ($(BUILD),gpu)
	grep -v '^tensorflow' requirements.txt > $(VENV)/requirements-gpu.txt
	$(BIN)/python -m pip install -q -r $(VENV)/requirements-gpu.txt "tensorflow[and-cuda]==$(TF_VERSION)"
else
	$(BIN)/python -m pip install -q -r requirements.txt
endif
	rm -f $(VENV)/lib/python*/site-packages/keras_cnn_course.pth
	$(BIN)/python -m pip install -q --no-deps -e .
	mkdir -p $(dir $(LAB_SETTINGS)) && cp course_tools/lab-overrides.json $(LAB_SETTINGS)
	touch $@

ifneq ($(BACKEND_STAMP),)
$(BACKEND_STAMP): requirements-$(KERAS_BACKEND).txt $(STAMP)
	rm -f $(VENV)/.installed-$(KERAS_BACKEND)-*
ifeq ($(BUILD)-$(KERAS_BACKEND),gpu-jax)
	sed 's/^jax==/jax[cuda12]==/' requirements-jax.txt > $(VENV)/requirements-jax-gpu.txt
	$(BIN)/python -m pip install -q -r $(VENV)/requirements-jax-gpu.txt
else
	$(BIN)/python -m pip install -q -r requirements-$(KERAS_BACKEND).txt
endif
	touch $@
endif

# Fashion-MNIST comes from the Debian package, installed here only while it is missing (apt-get needs root:
# as another user make asks sudo, and says so first); where that cannot be, `make data` offers Keras' download.
# The other data sets are shipped in data/. Every file is checksummed.
data: $(STAMP)
	@if [ ! -f $(FASHION_MNIST) ] && command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; echo "installing the Debian package dataset-fashion-mnist with sudo"; \
	  else SUDO=none; echo "note: Fashion-MNIST is not installed; install it with: sudo apt-get install dataset-fashion-mnist"; fi; \
	  if [ "$$SUDO" != none ]; then \
	    echo "installing Fashion-MNIST: $$SUDO apt-get update && $$SUDO apt-get install dataset-fashion-mnist"; \
	    { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q dataset-fashion-mnist; } >/dev/null \
	      || echo "note: could not install the Debian package dataset-fashion-mnist"; \
	  fi; \
	fi
	$(BIN)/python -m course_utils.data

# The course site and the browser tests: Sphinx, MyST-NB and Playwright (requirements-site.txt), and Debian's
# Chromium, installed while it is missing as Fashion-MNIST is (apt-get as root, or sudo after saying so).
SITE_STAMP := $(VENV)/.installed-site
# The browsers the tests can drive (course_tools/browser.py looks for the same); Debian's chromium is installed
# only when none of them is there.
BROWSERS := /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome
.PHONY: site browser lab-command
setup: $(SITE_STAMP) browser

$(SITE_STAMP): requirements-site.txt $(STAMP)
	$(BIN)/python -m pip install -q -r requirements-site.txt
	touch $@

browser:
	@found=; for b in $(BROWSERS); do [ -x $$b ] && found=$$b; done; \
	if [ -z "$$found" ] && command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; echo "installing the Debian package chromium with sudo"; \
	  else SUDO=none; echo "note: Chromium is not installed (the browser tests need it); install it with: sudo apt-get install chromium"; fi; \
	  if [ "$$SUDO" != none ]; then \
	    echo "installing Chromium: $$SUDO apt-get update && $$SUDO apt-get install chromium fonts-liberation"; \
	    { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation; } >/dev/null \
	      || echo "note: could not install the Debian package chromium"; \
	  fi; \
	fi

site: $(SITE_STAMP)
	$(BIN)/python -m course_tools.site

lab: setup
	$(BIN)/jupyter lab $(LAB_FLAGS) $(LAB_ARGS)

lab-command:
	@echo '$(BIN)/jupyter lab $(LAB_FLAGS)'

# On JAX or PyTorch, `make test` is `make test-backend`: the rest of the suite (NumPy references, tf.data,
# tooling, the site) does not depend on the backend and runs on TensorFlow.
test: setup
ifeq ($(KERAS_BACKEND),tensorflow)
	COURSE_PROFILE=ci $(BIN)/python -m pytest $(PYTEST_ARGS)
else
	@echo "make test on $(KERAS_BACKEND): every notebook and the unit tests of the backend's own code"
	$(BACKEND_SUITE)
endif

unit: $(STAMP) $(BACKEND_STAMP)
	COURSE_PROFILE=ci $(BIN)/python -m pytest tests $(PYTEST_ARGS)

# What CI runs on the JAX and PyTorch backends: every notebook against the same stored outputs, and the unit
# tests of the backend's own code.
test-backend: setup
	$(BACKEND_SUITE)

student: $(STAMP)
	$(BIN)/python -m course_tools.student notebooks student $(if $(OVERWRITE),--overwrite,)

execute: setup
	COURSE_PROFILE=ci $(BIN)/python -m course_tools.execute $(NB)

# Runs notebooks in another profile without touching them: the executed copies go to build/$(PROFILE)/.
run: setup
	COURSE_PROFILE=$(PROFILE) $(BIN)/python -m course_tools.execute --output-dir build/$(PROFILE) --timeout 0 $(NB)

bench: setup
	$(BIN)/python -m benchmarks $(if $(QUICK),--quick,)

lint: $(STAMP)
	$(BIN)/ruff check course_utils course_tools tests benchmarks notebooks

# Never removes student/: the copies may hold a student's work.
clean:
	rm -rf $(VENV) build

clean-student:
	rm -rf student
