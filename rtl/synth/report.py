#!/usr/bin/env python3
"""Print the utilisation and Fmax of every synthesis run found under BUILD (`make report`).

    rtl/synth/report.py BUILD

Reads BUILD/synth/<board>/summary.json (written by `make synth-accel`, `synth-core` and
`synth-soc`: one row per block, the last run of each block wins) and
BUILD/bitstream/<board>.json (written by `make bitstream`). Says which command builds
what is missing; it runs nothing itself, since a full set of runs takes tens of minutes.
"""

import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synth import yosys_counts  # noqa: E402  (the same counting as the summaries)

# what each board's synthesis targets cover, and the command that builds it
EXPECTED = {
    "ulx3s": [
        ("make synth-accel BOARD=ulx3s",
         ["rvzk_mod_add", "rvzk_mod_sub", "rvzk_mont_mul", "rvzk_butterfly", "rvzk_sha256",
          "rvzk_ntt14"]),
        ("make synth-core BOARD=ulx3s", ["rvzk_core"]),
        ("make synth-soc BOARD=ulx3s", ["rvzk_soc_ulx3s"]),
    ],
    "icebreaker": [
        ("make synth-accel BOARD=icebreaker",
         ["rvzk_mont_mul", "rvzk_butterfly", "rvzk_sha256_cs", "rvzk_ntt12"]),
        ("make synth-core BOARD=icebreaker", ["rvzk_core_up5k"]),
        ("make synth-soc BOARD=icebreaker", ["rvzk_soc_icebreaker"]),
    ],
}


def rows_of(build, board):
    """Every block row of the board's synthesis runs, by block (summary.json files)."""
    found = {}
    device = None
    for path in sorted(glob.glob(os.path.join(build, "synth", board, "summary.json"))):
        data = json.load(open(path))
        device = data.get("board", device)
        for row in data.get("rows", []):
            found[row["block"]] = row
    # synth.py keeps one summary per run; per-block reports survive in <block>.report.json,
    # so a block synthesised by an earlier run is still reported from its own files.
    return device, found


def block_row(build, board, block):
    """A block's row rebuilt from its own report and stat files, when its summary is gone."""
    report = os.path.join(build, "synth", board, f"{block}.report.json")
    if not os.path.exists(report):
        return None
    rep = json.load(open(report))
    fmax = min((v["achieved"] for v in rep.get("fmax", {}).values()), default=0.0)
    util = rep.get("utilization", {})
    cells = {k: f"{v['used']}/{v['available']}" for k, v in util.items()
             if v.get("used") and k in ("ICESTORM_LC", "ICESTORM_DSP", "ICESTORM_RAM",
                                         "ICESTORM_SPRAM", "TRELLIS_COMB", "TRELLIS_FF",
                                         "MULT18X18D", "DP16KD")}
    stat = os.path.join(build, "synth", board, f"{block}.stat")
    luts, ffs, carry = yosys_counts(stat) if os.path.exists(stat) else ("", "", "")
    return {"block": block, "fmax_mhz": round(fmax, 1), "cells": cells, "lut4": luts,
            "ff": ffs, "carry": carry}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    missing = []
    for board, groups in EXPECTED.items():
        device, rows = rows_of(build, board)
        print(f"== {board}: {device or 'no synthesis summary yet'}")
        print(f"   {'block':22}{'LUT4':>7}{'FF':>7}{'carry':>7}  {'placed cells':44}"
              f"{'Fmax':>8}{'target':>8}")
        for command, blocks in groups:
            absent = []
            for block in blocks:
                row = rows.get(block)
                if row is not None:
                    cells = ", ".join(f"{k} {v}" for k, v in row.items()
                                      if isinstance(v, str) and "/" in v
                                      and not v.startswith("0/"))
                    print(f"   {block:22}{row['lut4']:>7}{row['ff']:>7}{row['carry']:>7}  "
                          f"{cells:44}{row['fmax_mhz']:>8}{row['target_mhz']:>8}")
                    continue
                alt = block_row(build, board, block)
                if alt is not None:
                    cells = ", ".join(f"{k} {v}" for k, v in alt["cells"].items())
                    print(f"   {block:22}{alt['lut4']:>7}{alt['ff']:>7}{alt['carry']:>7}  "
                          f"{cells:44}{alt['fmax_mhz']:>8}")
                else:
                    absent.append(block)
            if absent:
                missing.append(f"{command}   ({', '.join(absent)})")
        bit = os.path.join(build, "bitstream", f"{board}.json")
        if os.path.exists(bit):
            b = json.load(open(bit))
            use = ", ".join(f"{k} {v}" for k, v in b["utilization"].items())
            clocks = ", ".join(f"{c['clock']} {c['fmax_mhz']} MHz (target {c['target_mhz']:g})"
                               for c in b["clocks"])
            print(f"   bitstream {b['bitstream']} ({b['top']} on its pins): {use}")
            print(f"     Fmax: {clocks}; {b['tools']['yosys']}; {b['tools']['nextpnr']}")
        else:
            missing.append(f"make bitstream BOARD={board}")
        print()
    if missing:
        print("Not built yet (run these, then `make report` again):")
        for m in missing:
            print(f"   {m}")


if __name__ == "__main__":
    main()
