#!/usr/bin/env bash
# `make demo`: build the multiply guest, run it, and say what happened.
# Usage: scripts/demo.sh RVZK_BINARY BUILD_DIR
set -euo pipefail
rvzk=$1
build=$2
elf="$build/guests/multiply.elf"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "The guest: $elf"
echo "multiply reads two private u32 factors a, b; it exits with 1 if either is < 2,"
echo "otherwise it commits a*b (u64, little-endian) to the public journal."

say "Run it with the private input 17 x 23"
"$rvzk" run "$elf" --input-u32 17,23

hex=$("$rvzk" run "$elf" --input-u32 17,23 --json | sed -E 's/.*"journal_hex":"([0-9a-f]*)".*/\1/')
le=""
for ((i = ${#hex} - 2; i >= 0; i -= 2)); do le+=${hex:i:2}; done
product=$((16#$le))
echo
echo "The journal says the product is $product; the factors stay private input."

say "A trivial factorisation (1 x 391) is refused by the guest"
set +e
"$rvzk" run "$elf" --input-u32 1,391
status=$?
set -e
echo
echo "rvzk run exited with status $status: the guest halted with a non-zero exit code."

say "Where the cycles went"
"$rvzk" run "$elf" --input-u32 17,23 --profile | sed -n '/^profile/,$p'

say "What comes next"
echo "Proving and verifying this run (rvzk prove / rvzk verify) arrive with the circuit."
