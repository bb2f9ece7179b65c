// Announces virtual addresses on becoming Master: `count` rounds, each a gratuitous ARP per IPv4
// address, rounds spaced by keepalived's vrrp_garp_interval, never blocking the event loop.
import type { AnnouncePort } from '../../daemon/ports.js';
import type { Logger } from '../../daemon/log.js';
import { nativeShims } from '../native.js';
import { gratuitousArp } from './gratuitous-arp.js';

export interface AnnouncerTarget {
  readonly interfaceName: string;
  readonly interfaceIndex: number;
  readonly mac: string;
}

export class ArpAnnouncer implements AnnouncePort {
  constructor(
    private readonly target: AnnouncerTarget,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {
    // Load the shim now, not on the first announcement: loading it then cost ~20 ms of event loop
    // at the moment of failover (measured with --cpu-prof at 20 ms adverts), and a missing shim
    // is better reported at start than when the VIP moves.
    nativeShims();
  }

  announce(addresses: readonly string[], count: number): void {
    const frames = addresses.map((address) => gratuitousArp(this.target.mac, address));
    let round = 0;
    const sendRound = (): void => {
      for (const frame of frames) {
        try {
          nativeShims().sendFrame(this.target.interfaceIndex, frame);
        } catch (error) {
          this.log.error({ event: 'announce-failed', interface: this.target.interfaceName, error: (error as Error).message }, `gratuitous ARP on ${this.target.interfaceName} failed: ${(error as Error).message}`);
          return;
        }
      }
      if (++round < count) setTimeout(sendRound, this.intervalMs).unref();
    };
    sendRound();
  }
}
