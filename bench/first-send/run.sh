#!/bin/bash
# Main-thread CPU and wall time from process start to the first VRRP send of an address owner
# (priority 255, one VIP, v3, 1 s), builds alternated in the same run: bench/first-send/run.sh
# ROUNDS ROOT... (each ROOT a checkout with its dist/ built). One network namespace pair (vrrpd-fs-a
# holds eth0 192.0.2.1/24, its peer in vrrpd-fs-b), removed at the end. Prints one line per start
# and the medians per ROOT. NODE_ARGS adds node options (e.g. --cpu-prof), EXTRA_ENV environment
# (VRRPD_FIRST_SEND_MODULES=FILE: Node's modules loaded by the first send; VRRPD_FIRST_SEND_PHASES=1:
# the CPU of the daemon bundle's `new vm.Script`, and the medians get "ours", the CPU from just
# before it to the first send, without Node's bootstrap and its noise; VRRPD_FIRST_SEND_CACHE=FILE: the code cache as the
# first send has it, bench/first-send/preload.cjs), STDOUT_TO the daemon's
# output (default /dev/null). Root; the machine's load moves both builds alike, so compare medians.
set -euo pipefail
rounds=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
A=vrrpd-fs-a; B=vrrpd-fs-b
scratch=$(mktemp -d /tmp/vrrpd-first-send.XXXXXX)
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; rm -f "$scratch"/*; rmdir "$scratch"; }
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add eth0 netns $A type veth peer name eth0 netns $B
ip -n $A addr add 192.0.2.1/24 dev eth0; ip -n $B addr add 192.0.2.9/24 dev eth0
ip -n $A link set eth0 up; ip -n $B link set eth0 up; ip -n $A link set lo up
cat > "$scratch/conf" <<CONF
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 255
  advert_int 1
  version 3
  virtual_ipaddress {
    192.0.2.100/24
  }
}
CONF
declare -A cpus walls ours
for ((r = 0; r < rounds; r++)); do
  for root in "$@"; do
    rm -f "$scratch/out"
    VRRPD_FIRST_SEND_OUT="$scratch/out" ip netns exec $A env ${EXTRA_ENV:-} node ${NODE_ARGS:-} -r "$here/preload.cjs" "$root/bin/vrrpd" run -f "$scratch/conf" --control-socket "$scratch/sock" >"${STDOUT_TO:-/dev/null}" 2>&1 </dev/null || true
    ip -n $A addr del 192.0.2.100/24 dev eth0 2>/dev/null || true
    read -r _ cpu wall rest < "$scratch/out"
    echo "$root cpu $cpu wall $wall${rest:+ $rest} load $(cut -d' ' -f1 /proc/loadavg)"
    cpus[$root]+="$cpu "; walls[$root]+="$wall "
    # PHASES: "ours", the CPU from just before the bundle's Script to the first send.
    if [[ ${rest:-} =~ script\ ([0-9.]+)\ at\ ([0-9.]+) ]]; then ours[$root]+="$(awk -v c="$cpu" -v s="${BASH_REMATCH[1]}" -v a="${BASH_REMATCH[2]}" 'BEGIN {printf "%.2f", c - (a - s)}') "; fi
    sleep 0.3
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for root in "$@"; do
  echo "median $root cpu $(echo ${cpus[$root]} | median) wall $(echo ${walls[$root]} | median)${ours[$root]:+ ours $(echo ${ours[$root]} | median)} n $rounds"
done
