#!/usr/bin/env bash
# Link throughput and retries against the byte error rate (docs/benchmarks.md, "Link under
# faults"): for each rate, the simulated board behind `rvzk board proxy`, one streamed run
# of a guest, and the client's and the proxy's counts.
#
# Usage: scripts/link_faults.sh [RVZK] [GUEST] [INPUT_U32] [RATES...]
#   defaults: target/release/rvzk, build/guests/fibonacci.elf, 1000, 0 1e-5 1e-4 3e-4 1e-3
# SEED=N seeds the proxy (default 1).
# Needs the simulated board (build/sim/soc/soc_tb: `make sim-board`).
set -u
rvzk=${1:-target/release/rvzk}
guest=${2:-build/guests/fibonacci.elf}
input=${3:-1000}
shift 3 2>/dev/null || shift $#
rates=${*:-0 1e-5 1e-4 3e-4 1e-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-8s %-8s %-10s %-10s %-9s %-8s %-8s %-8s %s\n' rate result "trace s" "trace KB/s" frames resent damaged flips error
for rate in $rates; do
  mkfifo "$tmp/in"
  "$rvzk" board proxy --sim --byte-error-rate "$rate" --seed "${SEED:-1}" <"$tmp/in" >"$tmp/proxy.out" 2>/dev/null &
  proxy=$!
  exec 3>"$tmp/in"    # keeps the proxy's stdin open
  for _ in $(seq 100); do
    port=$(head -n1 "$tmp/proxy.out" 2>/dev/null)
    [ -n "$port" ] && break
    sleep 0.1
  done
  "$rvzk" run --board "$port" "$guest" --input-u32 "$input" --board-timeout 1 >"$tmp/run.out" 2>"$tmp/run.err"
  code=$?
  kill -TERM "$proxy"
  wait "$proxy"
  exec 3>&-
  rm -f "$tmp/in"
  flips=$(awk '/^to (board|host)/ { for (i = 1; i <= NF; i++) if ($(i+1) == "bit") s += $i } END { print s + 0 }' "$tmp/proxy.out")
  if [ $code -eq 0 ]; then
    secs=$(sed -n 's/.*run and trace \([0-9.]*\) s.*/\1/p' "$tmp/run.out")
    items=$(sed -n 's/^trace *\([0-9]*\) records and \([0-9]*\) syscall.*/\1 \2/p' "$tmp/run.out")
    kbs=$(echo "$items $secs" | awk '{ printf "%.1f", ($1 + $2) * 40 / $3 / 1000 }')
    link=$(grep '^  link' "$tmp/run.out")
    frames=$(echo "$link" | sed -n 's/.* \([0-9]*\) frames sent.*/\1/p')
    resent=$(echo "$link" | sed -n 's/.*(\([0-9]*\) resent.*/\1/p')
    damaged=$(echo "$link" | sed -n 's/.* \([0-9]*\) damaged and.*/\1/p')
    printf '%-8s %-8s %-10s %-10s %-9s %-8s %-8s %-8s\n' "$rate" ok "$secs" "$kbs" "$frames" "$resent" "$damaged" "$flips"
  else
    printf '%-8s %-8s %-10s %-10s %-9s %-8s %-8s %-8s %s\n' "$rate" "exit $code" - - - - - "$flips" "$(tail -n1 "$tmp/run.err")"
  fi
done
