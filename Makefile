# The course's commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
GPU ?= 0
NB ?= notebooks/*.ipynb
PYTEST_ARGS ?=
LAB_ARGS ?=
PROFILE ?= full

export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0

ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help setup env data lab test unit notebooks student execute run bench lint clean

help:
	@echo "make lab        set everything up (first time: .venv, packages, data), then open JupyterLab on notebooks/"
	@echo "make test       set everything up, then run the whole suite: unit tests and every notebook under strict nbval"
	@echo "make student    write student copies of the notebooks (solutions replaced by stubs) into student/"
	@echo "make execute NB=notebooks/03_*.ipynb   re-execute notebooks in the ci profile and store their outputs"
	@echo "make run NB=notebooks/09_*.ipynb PROFILE=full   run notebooks in a profile, results into build/PROFILE/"
	@echo "make bench      measure speed and accuracy, write benchmarks/RESULTS.md (make bench QUICK=1 for a quick run)"
	@echo "options: GPU=1 installs TensorFlow with CUDA; COURSE_PROFILE=ci|lab|full sets the run profile"

setup: $(STAMP) data

env: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
ifeq ($(GPU),1)
	grep -v '^tensorflow' requirements.txt > $(VENV)/requirements-gpu.txt
	$(BIN)/python -m pip install -q -r $(VENV)/requirements-gpu.txt "tensorflow[and-cuda]==2.21.0"
else
	$(BIN)/python -m pip install -q -r requirements.txt
endif
	$(BIN)/python -c "import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()['purelib'], 'keras_cnn_course.pth').write_text('$(CURDIR)\n')"
	touch $(STAMP)

# Fashion-MNIST comes from the Debian package where apt is available (root or passwordless sudo),
# else from Keras' download; the other data sets are shipped in data/. Every file is checksummed.
data: $(STAMP)
	@if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q dataset-fashion-mnist; } >/dev/null \
	    || echo "note: could not install the Debian package dataset-fashion-mnist; Keras' download will be used"; \
	fi
	$(BIN)/python -m course_utils.data

lab: setup
	cd notebooks && ../$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS)

test: setup
	COURSE_PROFILE=ci $(BIN)/python -m pytest $(PYTEST_ARGS)

unit: $(STAMP)
	COURSE_PROFILE=ci $(BIN)/python -m pytest tests $(PYTEST_ARGS)

student: $(STAMP)
	$(BIN)/python -m course_utils.student notebooks student $(if $(OVERWRITE),--overwrite,)

execute: setup
	COURSE_PROFILE=ci $(BIN)/python -m course_utils.execute $(NB)

# Runs notebooks in another profile without touching them: the executed copies go to build/$(PROFILE)/.
run: setup
	COURSE_PROFILE=$(PROFILE) $(BIN)/python -m course_utils.execute --output-dir build/$(PROFILE) --timeout 0 $(NB)

bench: setup
	$(BIN)/python -m benchmarks $(if $(QUICK),--quick,)

lint: $(STAMP)
	$(BIN)/ruff check course_utils tests benchmarks notebooks

clean:
	rm -rf $(VENV) student build
