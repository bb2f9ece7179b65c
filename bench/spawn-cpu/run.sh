#!/bin/bash
# The daemon's CPU and minor faults per script run, builds (and spawners) alternated in the same
# run: bench/spawn-cpu/run.sh ROUNDS SECONDS SCRIPTS VARIANT... where each VARIANT is a checkout
# with its dist/ built, optionally followed by ,NAME=VALUE environment (e.g. /work/wt/spawn
# /work/wt/spawn,VRRPD_SCRIPT_SPAWN=fork /work/main). The daemon runs 1000 instances (v3, 1 s, all
# Master: the peer ends of the links are silent), VI_0 tracking SCRIPTS vrrp_scripts of /bin/true at
# `interval 1` (SCRIPTS runs a second); after 15 s of settling, its utime+stime (all threads),
# minor faults and its reaped children's CPU are read from /proc/PID/stat over SECONDS. A round
# also runs the first VARIANT with no script, the floor the runs are counted above. One network
# namespace (vrrpd-spawn-a, its links' peers in vrrpd-spawn-b), removed at the end. Root.
set -euo pipefail
rounds=$1; seconds=$2; scripts=$3; shift 3
A=vrrpd-spawn-a; B=vrrpd-spawn-b
scratch=$(mktemp -d /tmp/vrrpd-spawn-cpu.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true
  rm -f "$scratch/conf0" "$scratch/conf1" "$scratch/sock" "$scratch/log"; rmdir "$scratch"
}
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip -n $A link set lo up
for i in 0 1 2 3; do
  ip link add eth$i netns $A type veth peer name eth$i netns $B
  ip -n $A addr add 203.0.113.$((i + 1))/24 dev eth$i
  ip -n $A link set eth$i up; ip -n $B link set eth$i up
done
conf() { # conf N_SCRIPTS
  echo 'global_defs {'; echo '  script_user root'; echo '}'
  for ((s = 0; s < $1; s++)); do printf 'vrrp_script true_%d {\n  script /bin/true\n  interval 1\n}\n' "$s"; done
  for ((n = 0; n < 1000; n++)); do
    printf 'vrrp_instance VI_%d {\n  interface eth%d\n  virtual_router_id %d\n  priority 150\n  advert_int 1\n  version 3\n  virtual_ipaddress {\n    198.51.100.%d/32\n  }\n' "$n" $((n % 4)) $((n / 4 + 1)) $((n / 4 % 250 + 1))
    if [ "$n" -eq 0 ] && [ "$1" -gt 0 ]; then
      echo '  track_script {'; for ((s = 0; s < $1; s++)); do echo "    true_$s"; done; echo '  }'
    fi
    echo '}'
  done
}
conf 0 > "$scratch/conf0"; conf "$scripts" > "$scratch/conf1"
ticks=$(getconf CLK_TCK)
# Fields of /proc/PID/stat after the command name: 10 minflt, 14 utime, 15 stime, 16 cutime, 17 cstime (1-based from pid).
sample() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $8, $12 + $13, $14 + $15}'; }
measure() { # measure ROOT CONF ENV... : prints "cpu-ms-per-s minflt-per-s children-cpu-ms-per-s rss-MB"
  local root=$1 file=$2; shift 2
  ip netns exec $A env "$@" node "$root/bin/vrrpd" run -f "$file" --control-socket "$scratch/sock" >"$scratch/log" 2>&1 </dev/null &
  pid=$!
  sleep 15
  read -r f0 c0 k0 < <(sample "$pid")
  sleep "$seconds"
  read -r f1 c1 k1 < <(sample "$pid")
  local rss; rss=$(awk '/^VmRSS/ {print $2 / 1024}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
  # Whatever VIP a daemon left behind goes before the next one starts.
  for i in 0 1 2 3; do ip -n $A -4 addr flush dev eth$i; ip -n $A addr add 203.0.113.$((i + 1))/24 dev eth$i; done
  awk -v c=$((c1 - c0)) -v f=$((f1 - f0)) -v k=$((k1 - k0)) -v s="$seconds" -v t="$ticks" -v r="$rss" 'BEGIN {printf "%.1f %.0f %.1f %.0f\n", c * 1000 / t / s, f / s, k * 1000 / t / s, r}'
}
for ((r = 0; r < rounds; r++)); do
  first=${1%%,*}
  echo "round $r floor $first no-scripts $(measure "$first" "$scratch/conf0") load $(cut -d' ' -f1 /proc/loadavg)"
  for variant in "$@"; do
    root=${variant%%,*}; env=(); if [ "$variant" != "$root" ]; then IFS=, read -r -a env <<< "${variant#*,}"; fi
    echo "round $r $variant $(measure "$root" "$scratch/conf1" "${env[@]}") load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
echo "columns: daemon CPU ms/s, daemon minor faults/s, reaped children's CPU ms/s, daemon RSS MB at the end; $scripts runs/s expected with scripts"
