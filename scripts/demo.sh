#!/usr/bin/env bash
# `make demo`: build the multiply guest, run it, prove and verify the run, and show a tampered
# receipt being rejected.
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

say "Prove the 17 x 23 run"
receipt="$build/multiply.receipt"
"$rvzk" prove "$elf" --input-u32 17,23 -o "$receipt" --stats | tee "$build/prove.txt"

say "Verify the receipt with nothing but the image ID"
image_id=$("$rvzk" image-id "$elf")
echo "rvzk image-id $elf  ->  $image_id"
echo
"$rvzk" verify "$receipt" --image-id "$image_id" | tee "$build/verify.txt"

field() { grep -m1 "^$1" "$2" | sed -E "s/^$1 +//"; }
say "Summary"
echo "image ID      $image_id"
echo "journal       $(grep -m1 '^  u32 LE' "$build/verify.txt" | sed -E 's/^  u32 LE +//') (the product $product, as u32 words)"
echo "cycles        $(field cycles "$build/prove.txt")"
echo "prove time    $(field time "$build/prove.txt")"
echo "verify time   $(field time "$build/verify.txt")"
echo "seal          $(field seal "$build/verify.txt")"
echo "security      $(field security "$build/verify.txt")"

say "A tampered receipt: the journal edited to claim 392"
tampered="$build/multiply-tampered.receipt"
cp "$receipt" "$tampered"
# The journal starts at byte 76 (docs/receipt.md); 391 = 0x187, so its first byte is 0x87.
printf '\x88' | dd of="$tampered" bs=1 seek=76 conv=notrunc status=none
set +e
"$rvzk" verify "$tampered" --image-id "$image_id"
status=$?
set -e
echo "rvzk verify exited with status $status: the seal does not prove the edited claim."

say "The right receipt, the wrong program: checked against fibonacci's image ID"
set +e
"$rvzk" verify "$receipt" --elf "$build/guests/fibonacci.elf"
status=$?
set -e
echo "rvzk verify exited with status $status."
