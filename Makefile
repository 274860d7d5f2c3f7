# One entry point for a fresh machine: every target sets up what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install when the project's dependencies change.
INSTALLED := $(VENV)/.installed

.PHONY: test demo bench notebooks lint format clean system-deps

## system-deps: from Debian's packages where we can, only what is missing: Graphviz's `dot`
## (rendering pictures) and Chromium with its driver (the browser tests of the HTML player)
SYSTEM_PACKAGES := dot:graphviz chromium:chromium chromedriver:chromium-driver
system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
	  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif ! command -v dot >/dev/null 2>&1; then \
	  echo "Graphviz's dot is missing: install it (apt-get install graphviz / brew install graphviz)"; exit 1; \
	else \
	  echo "Chromium and chromedriver are missing: the browser tests will skip (they fail under CI=true)"; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev,plot]'
	touch $@

## test: lint, format check, the import layers (pyproject.toml) and the whole test suite (the
## README's test command)
test: system-deps $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

## demo: the main job: train a 784-128-10 MLP on MNIST (Adam 1e-3, batch 32, 5 epochs), print
## the test accuracy and write the loss curves to mnist_loss.png, with the fast extra (numba
## kernels, compiled once and cached). MNIST ships inside the package (nn/data/shipped/mnist);
## $$AUTOGRAD_LITE_DATA points at another copy if you like.
demo: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[fast]'
	$(BIN)/autograd-lite train --dataset mnist --hidden 128 --activation relu --optimizer adam \
	  --lr 1e-3 --batch-size 32 --epochs 5 --seed 0 --plot mnist_loss.png

## bench: every benchmark, with the peers we compare against (micrograd, JAX) and the numba
## kernels (the bench extra)
bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks

## notebooks: run every notebook in full and save its outputs (MNIST from the shipped copy)
notebooks: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	$(BIN)/python notebooks/execute.py

## format: apply ruff's fixes and formatting
format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .ruff_cache
