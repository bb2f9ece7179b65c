// What vrrpd needs from the kernel before it touches anything: CAP_NET_RAW for VRRP's raw sockets
// and AF_PACKET announcements, CAP_NET_ADMIN for addresses, routes, VMACs and multicast joins.
// Without the second the daemon would still elect itself Master and then fail to install its
// VIPs, so both are checked up front (capabilities(7): bit numbers of CapEff).
import { readFileSync } from 'node:fs';

const REQUIRED = [
  { name: 'CAP_NET_ADMIN', bit: 12n },
  { name: 'CAP_NET_RAW', bit: 13n },
] as const;

/** The required capabilities missing from the effective set, given /proc/PID/status text. */
export function missingCapabilities(procStatus: string): string[] {
  const match = /^CapEff:\s*([0-9a-f]+)$/im.exec(procStatus);
  // No CapEff line (not Linux, or a kernel that hides it): let the sockets say what is wrong.
  if (!match) return [];
  const effective = BigInt(`0x${match[1]}`);
  return REQUIRED.filter(({ bit }) => ((effective >> bit) & 1n) === 0n).map(({ name }) => name);
}

/** The same for this process. */
export function missingOwnCapabilities(): string[] {
  try {
    return missingCapabilities(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return [];
  }
}
