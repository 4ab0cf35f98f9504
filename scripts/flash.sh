#!/usr/bin/env bash
# Load a board's bitstream onto a connected board (`make flash BOARD=...`).
#
#   scripts/flash.sh BOARD BITSTREAM_DIR [PERSIST]
#
# iCEBreaker: build/bitstream/icebreaker.bin into its SPI configuration flash (the UP5K
# boots from it), with openFPGALoader, or iceprog when that is what is installed.
# ULX3S: build/bitstream/ulx3s.bit into the ECP5's SRAM (lost at power-off), or its flash
# with PERSIST=1. Exits 1 with a plain message when no board answers on USB.
set -euo pipefail

board=${1:-}
dir=${2:-build/bitstream}
persist=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)

case "$board" in
  icebreaker) file="$dir/icebreaker.bin" ;;
  ulx3s) file="$dir/ulx3s.bit" ;;
  *) echo "make flash BOARD=icebreaker|ulx3s" >&2; exit 2 ;;
esac
if [ ! -f "$file" ]; then
  echo "make flash: $file is missing; build it first: make bitstream BOARD=$board" >&2
  exit 1
fi

if command -v openFPGALoader >/dev/null 2>&1; then
  if [ "$board" = icebreaker ]; then
    cmd=(openFPGALoader -b ice40_generic "$file")
  elif [ -n "$persist" ]; then
    cmd=(openFPGALoader -b ulx3s -f "$file")
  else
    cmd=(openFPGALoader -b ulx3s "$file")
  fi
elif [ "$board" = icebreaker ] && command -v iceprog >/dev/null 2>&1; then
  cmd=(iceprog "$file")
else
  # installs openFPGALoader (Debian package) or says how to
  "$root/scripts/tools.sh" need openfpgaloader
  exec "$0" "$@"
fi

echo "${cmd[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if "${cmd[@]}" 2>&1 | tee "$log"; then
  echo "make flash: $file loaded onto the $board"
  exit 0
fi
# openFPGALoader: "unable to open ftdi device: -3 (device not found)";
# iceprog: "Can't find iCE FTDI USB device".
if grep -qiE "device not found|can't find|no device|failed to claim|unable to open" "$log"; then
  echo "make flash: no $board found on USB (nothing was written)." >&2
  echo "  Connect the board (iCEBreaker: FT2232H, ULX3S: FT231X on its US1 port), check that" >&2
  echo "  this user may open it (udev rules or root), and run: make flash BOARD=$board" >&2
else
  echo "make flash: ${cmd[0]} failed loading $file onto the $board (output above)" >&2
fi
exit 1
