#!/usr/bin/env bash
# Captures real VRRP advertisements from keepalived (the Debian package) in a namespace lab and
# writes them as test vectors (keepalived/<case>.json): the VRRP message bytes as hex, the IP
# facts the checksum needs, and what tshark decoded. Run as root; re-run to refresh the vectors.
# Only documentation addresses; everything it creates is removed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/keepalived"
id="vrrpdvec-$$"
work=$(mktemp -d)
ka_pid=""

cleanup() {
  [ -n "$ka_pid" ] && kill "$ka_pid" 2>/dev/null || true
  ip netns pids "$id-a" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns pids "$id-b" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$id-a" 2>/dev/null || true
  ip netns del "$id-b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$id-a"
ip netns add "$id-b"
ip link add eth0 netns "$id-a" type veth peer name eth0 netns "$id-b"
for ns in a b; do
  ip netns exec "$id-$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip -n "$id-$ns" link set lo up
  ip -n "$id-$ns" link set eth0 up
done
ip -n "$id-a" addr add 192.0.2.1/24 dev eth0
ip -n "$id-b" addr add 192.0.2.2/24 dev eth0
ip -n "$id-a" addr add 2001:db8::1/64 dev eth0 nodad
ip -n "$id-b" addr add 2001:db8::2/64 dev eth0 nodad
sleep 1 # IPv6 link-local addresses settle

version=$(keepalived --version 2>&1 | head -1)

# capture NAME DESCRIPTION PACKETS STOP(yes|no) FILTER <<< instance body
capture() {
  local name=$1 description=$2 packets=$3 stop=$4 filter=$5
  local body
  body=$(cat)
  printf 'global_defs {\n  router_id vector\n}\nvrrp_instance V {\n%s\n}\n' "$body" > "$work/$name.conf"
  ip netns exec "$id-b" timeout 15 tcpdump -i eth0 -U -w "$work/$name.pcap" -c "$packets" "$filter" 2>/dev/null &
  local dump=$!
  sleep 0.5
  ip netns exec "$id-a" keepalived --dont-fork --vrrp --log-console --no-syslog -f "$work/$name.conf" \
    -p "$work/$name.pid" -r "$work/$name.vrrp.pid" > "$work/$name.log" 2>&1 &
  ka_pid=$!
  if [ "$stop" = yes ]; then
    sleep 5 # Master after 3 s + skew at priority 150; then stop: priority 0
    kill -TERM "$ka_pid"
  fi
  wait "$dump" || true
  kill "$ka_pid" 2>/dev/null || true
  wait "$ka_pid" 2>/dev/null || true
  ka_pid=""
  node "$here/pcap-to-vector.mjs" "$work/$name.pcap" "$name" "$description" "$version" "$work/$name.conf" "$stop" > "$out/$name.json"
  echo "captured $name"
}

capture v2-ipv4-no-auth "VRRPv2 over IPv4, no authentication, one virtual address" 1 no "ip proto 112" <<'CONF'
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  version 2
  virtual_ipaddress {
    192.0.2.100/24
  }
CONF

capture v2-ipv4-password "VRRPv2 over IPv4 with simple password (keepalived sends the first 8 characters) and three virtual addresses" 1 no "ip proto 112" <<'CONF'
  interface eth0
  virtual_router_id 52
  priority 150
  advert_int 1
  version 2
  authentication {
    auth_type PASS
    auth_pass secret12345
  }
  virtual_ipaddress {
    192.0.2.100/24
    192.0.2.101/24
    198.51.100.7/32
  }
CONF

capture v3-ipv4-multicast "VRRPv3 over IPv4, 0.5 s adverts, two virtual addresses; checksum with the IPv4 pseudo-header (keepalived's default)" 1 no "ip proto 112" <<'CONF'
  interface eth0
  virtual_router_id 53
  priority 150
  advert_int 0.5
  version 3
  virtual_ipaddress {
    192.0.2.110/24
    192.0.2.111/24
  }
CONF

capture v3-ipv6-multicast "VRRPv3 over IPv6 from the link-local address, three virtual addresses" 1 no "ip6 proto 112" <<'CONF'
  interface eth0
  virtual_router_id 54
  priority 150
  advert_int 1
  version 3
  virtual_ipaddress {
    2001:db8::100/64
    2001:db8::101/64
    2001:db8::102/64
  }
CONF

capture v3-ipv4-unicast "VRRPv3 over IPv4 unicast (unicast_src_ip / unicast_peer)" 1 no "ip proto 112" <<'CONF'
  interface eth0
  virtual_router_id 55
  priority 150
  advert_int 1
  version 3
  unicast_src_ip 192.0.2.1
  unicast_peer {
    192.0.2.2
  }
  virtual_ipaddress {
    203.0.113.10/24
  }
CONF

capture v3-ipv4-priority-zero "VRRPv3 over IPv4: the priority-0 advertisement keepalived sends when stopped as Master (SIGTERM)" 30 yes "ip proto 112" <<'CONF'
  interface eth0
  virtual_router_id 56
  priority 150
  advert_int 1
  version 3
  virtual_ipaddress {
    192.0.2.120/24
  }
CONF
