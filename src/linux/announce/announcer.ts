// Announces virtual addresses on becoming Master: `count` rounds, each a gratuitous ARP per IPv4
// address and an unsolicited Neighbor Advertisement per IPv6 address, rounds spaced by
// keepalived's vrrp_garp_interval (ARP) and vrrp_gna_interval (NA), never blocking the event loop.
import { isIPv4 } from 'node:net';
import type { AnnouncePort } from '../../daemon/ports.js';
import type { Logger } from '../../daemon/log.js';
import { nativeShims } from '../native.js';
import { gratuitousArp } from './gratuitous-arp.js';
import { unsolicitedNeighborAdvertisement } from './neighbor-advertisement.js';

export interface AnnouncerTarget {
  readonly interfaceName: string;
  readonly interfaceIndex: number;
  readonly mac: string;
  /** The interface's IPv6 link-local address, the source of Neighbor Advertisements. */
  readonly ipv6LinkLocal?: string;
  /** Whether the interface forwards IPv6 now (the NA's Router flag, RFC 4861 §4.4). */
  readonly forwardsIpv6: () => boolean;
}

export interface AnnounceTiming {
  /** keepalived vrrp_garp_interval: between rounds of gratuitous ARP. */
  readonly arpIntervalMs: number;
  /** keepalived vrrp_gna_interval: between rounds of unsolicited NA. */
  readonly naIntervalMs: number;
}

export class Announcer implements AnnouncePort {
  private warnedNoLinkLocal = false;

  constructor(
    private readonly target: AnnouncerTarget,
    private readonly timing: AnnounceTiming,
    private readonly log: Logger,
  ) {
    // Load the shim and open its packet socket now, not on the first announcement: loading it
    // then cost ~20 ms of event loop at the moment of failover (measured with --cpu-prof at 20 ms
    // adverts) and opening the socket 0.6 ms; a missing shim or CAP_NET_RAW is better reported at
    // start than when the VIP moves.
    nativeShims().openPacketSocket();
  }

  announce(addresses: readonly string[], count: number): void {
    const { ipv4, ipv6 } = byFamily(addresses);
    if (ipv4.length > 0) this.rounds('gratuitous ARP', () => this.arpFrames(ipv4), count, this.timing.arpIntervalMs);
    if (ipv6.length === 0) return;
    const source = this.target.ipv6LinkLocal;
    if (source === undefined) {
      if (!this.warnedNoLinkLocal) {
        this.warnedNoLinkLocal = true;
        this.log.warn({ event: 'announce-unavailable', interface: this.target.interfaceName, addresses: ipv6 }, `no IPv6 link-local address on ${this.target.interfaceName}: unsolicited Neighbor Advertisements not sent`);
      }
      return;
    }
    this.rounds('unsolicited NA', () => this.naFrames(ipv6, source), count, this.timing.naIntervalMs);
  }

  prepare(addresses: readonly string[]): void {
    const { ipv4, ipv6 } = byFamily(addresses);
    this.arpFrames(ipv4);
    const source = this.target.ipv6LinkLocal;
    if (source !== undefined) this.naFrames(ipv6, source);
  }

  private arpFrames(addresses: readonly string[]): Buffer[] {
    return addresses.map((address) => gratuitousArp(this.target.mac, address));
  }

  /** The Router flag follows forwarding at the time of each round, as the kernel's own NAs do. */
  private naFrames(targets: readonly string[], source: string): Buffer[] {
    const router = this.target.forwardsIpv6();
    return targets.map((target) => unsolicitedNeighborAdvertisement({ senderMac: this.target.mac, source, target, router }));
  }

  private rounds(what: string, frames: () => readonly Buffer[], count: number, intervalMs: number): void {
    let round = 0;
    const sendRound = (): void => {
      for (const frame of frames()) {
        try {
          nativeShims().sendFrame(this.target.interfaceIndex, frame);
        } catch (error) {
          this.log.error({ event: 'announce-failed', interface: this.target.interfaceName, error: (error as Error).message }, `${what} on ${this.target.interfaceName} failed: ${(error as Error).message}`);
          return;
        }
      }
      if (++round < count) setTimeout(sendRound, intervalMs).unref();
    };
    sendRound();
  }
}

function byFamily(addresses: readonly string[]): { ipv4: string[]; ipv6: string[] } {
  return { ipv4: addresses.filter((address) => isIPv4(address)), ipv6: addresses.filter((address) => !isIPv4(address)) };
}
