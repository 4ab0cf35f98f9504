# rtl-accel targets (included by the top-level Makefile): the accelerator's Verilog,
# its lint, its Verilator co-simulation and its synthesis reports. See docs/rtl-accel.md.

RTL_OUT     := $(BUILD)/rtl
RTL_WAIVERS := $(ROOT)/rtl/lint/waivers.vlt
# Blocks linted and synthesised one by one (module = file name in $(RTL_OUT)).
RTL_BLOCKS  := rvzk_mod_add rvzk_mod_sub rvzk_mont_mul rvzk_butterfly rvzk_sha256 rvzk_ntt6 rvzk_ntt11 rvzk_ntt14

.PHONY: verilog lint-verilog sim-accel synth-accel

## verilog: write build/rtl/<block>.v for every accelerator block, then lint them
verilog:
	$(CARGO) run -q -p rvzk-rtl --bin gen_verilog -- $(RTL_OUT)
	@$(MAKE) --no-print-directory lint-verilog

lint-verilog:
	@$(TOOLS) need verilator
	@for m in $(RTL_BLOCKS); do \
	  echo "verilator --lint-only -Wall $$m"; \
	  verilator --lint-only -Wall $(RTL_WAIVERS) --top-module $$m $(RTL_OUT)/$$m.v || exit 1; \
	done

## sim-accel: the Verilator co-simulation (builds its harnesses into build/sim/)
sim-accel:
	$(CARGO) test -p rvzk-sim -- --nocapture
