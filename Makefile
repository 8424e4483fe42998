# The single entry point: every target installs what it needs first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup lock test smoke figures campaign report book bench peers-env lint lab clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name alnb --display-name "alnb (.venv)" > /dev/null
	touch $@

# Exact versions and hashes of every package: the CPU install (requirements.lock, what setup
# and CI use) and the CUDA 12 one (requirements-cuda.lock). `make lock` re-resolves both.
UV_VERSION := 0.13.9
LOCK_FLAGS := --python-version 3.11 --python-platform x86_64-manylinux_2_28 --generate-hashes
lock:
	$(PYTHON) -m venv build/uv
	build/uv/bin/pip install --quiet uv==$(UV_VERSION)
	build/uv/bin/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) -o requirements.lock
	build/uv/bin/uv pip compile pyproject.toml --extra dev --extra cuda $(LOCK_FLAGS) \
		-o requirements-cuda.lock

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check alnb tests benchmarks notebooks

# SCALE=smoke|quick|study|paper picks the scale (study re-plots the committed campaign), NB=01
# one notebook; outputs go to build/.
SCALE ?= study
ONLY = $(if $(NB),--only $(NB))

smoke: $(STAMP)
	$(PY) -m alnb.notebooks --params notebooks/smoke.yml $(ONLY)

figures: $(STAMP)
	$(PY) -m alnb.notebooks --scale $(SCALE) $(ONLY)

# Every uncached result at the study scale, in the background; TIER=2 or 3 for more,
# NB=01 for only what notebook 01 reads.
TIER ?= 1
campaign: $(STAMP)
	mkdir -p build
	nohup $(PY) -m alnb.campaign --scale study --tier $(TIER) $(if $(NB),--notebook $(NB)) >> build/campaign.log 2>&1 &
	@echo "campaign running in the background; follow it with: tail -f build/campaign.log"

# The README's claims and runtime tables, from results/claims_*.csv and results/runtimes.csv.
report: $(STAMP)
	$(PY) -m alnb.report

# The study as a site: the notebooks executed at study scale from the cache (no training), the
# claims inventory and the how-to pages of book/, into build/book/html.
book: $(STAMP)
	$(PY) -m alnb.book

bench: $(STAMP)
	$(PY) benchmarks/bench.py

# The reference loops of ../shared/peers (PyTorch, tf.keras), for `make bench` to run beside alnb.
peers-env:
	$(PYTHON) -m venv .venv-peers
	.venv-peers/bin/pip install --quiet numpy torch==2.13.0 tensorflow-cpu

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf build .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
